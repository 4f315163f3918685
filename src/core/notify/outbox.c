/*
 * outbox.c — the file adapter: each notice is appended as one JSON line to
 * DATA_DIR/notify/outbox.jsonl with a single write(2) on an O_APPEND descriptor (so lines from
 * several threads or processes never interleave) and flushed with fsync before returning.
 */
#include "base/buf.h"
#include "base/clock.h"
#include "base/dir.h"
#include "base/err.h"
#include "base/fd.h"
#include "core/notify/adapters.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES (2 * DD_NOTICE_BODY_MAX + 4096) /* a body escaped for JSON, and the rest */

/* Appends "key":"value" (or "key":null), preceded by a comma unless first. */
static int
put_field(struct dd_buf *b, const char *key, const char *value, int first)
{
    int rc = dd_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
    if (rc != DD_OK)
        return rc;
    if (value == NULL)
        return dd_buf_puts(b, "null");
    rc = dd_buf_putc(b, '"');
    if (rc == DD_OK)
        rc = dd_buf_json_escape(b, value);
    if (rc == DD_OK)
        rc = dd_buf_putc(b, '"');
    return rc;
}

static int
format_line(struct dd_buf *b, const struct dd_notice *n)
{
    char ts[32];
    dd_clock_iso8601(dd_clock_now_ms(), ts);
    int rc = dd_buf_putc(b, '{');
    if (rc == DD_OK)
        rc = put_field(b, "ts", ts, 1);
    if (rc == DD_OK)
        rc = put_field(b, "channel", n->channel == DD_NOTIFY_SMS ? "sms" : "email", 0);
    if (rc == DD_OK)
        rc = put_field(b, "recipient", n->recipient, 0);
    if (rc == DD_OK)
        rc = put_field(b, "subject", n->channel == DD_NOTIFY_EMAIL ? n->subject : NULL, 0);
    if (rc == DD_OK)
        rc = put_field(b, "body", n->body, 0);
    if (rc == DD_OK)
        rc = put_field(b, "purpose", n->purpose, 0);
    if (rc == DD_OK)
        rc = dd_buf_puts(b, "}\n");
    return rc;
}

int
dd_notify_outbox(const char *data_dir, const struct dd_notice *n, char *err, size_t errlen)
{
    char dir[600], path[640];
    snprintf(dir, sizeof dir, "%s/notify", data_dir);
    snprintf(path, sizeof path, "%s/outbox.jsonl", dir);
    if (dd_dir_make(dir, err, errlen) != DD_OK) /* the data folder may not exist yet */
        return DD_EIO;
    struct dd_buf b;
    dd_buf_init(&b, NULL, LINE_MAX_BYTES);
    if (format_line(&b, n) != DD_OK) {
        dd_buf_release(&b);
        snprintf(err, errlen, "notice too large for the outbox");
        return DD_EIO;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        dd_buf_release(&b);
        return DD_EIO;
    }
    int rc = dd_fd_write_all(fd, b.data, b.len);
    if (rc == DD_OK && fsync(fd) != 0)
        rc = DD_EIO;
    if (rc != DD_OK)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    if (close(fd) != 0 && rc == DD_OK) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        rc = DD_EIO;
    }
    dd_buf_release(&b);
    return rc;
}
