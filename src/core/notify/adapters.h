/*
 * adapters.h — the adapters behind dd_notify_send and the e-mail message format; private to
 * core/notify/ (notify.c validates each notice before an adapter sees it).
 */
#ifndef DD_CORE_NOTIFY_ADAPTERS_H
#define DD_CORE_NOTIFY_ADAPTERS_H

#include "core/notify/notify.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_buf;

struct dd_smtp_settings {
    char host[256];
    long port;
    char user[256]; /* "" for no AUTH */
    char password[256];
    char from[256];
    bool tls;
    long timeout_s;
};

/* Writes the notice as one log line (recipient masked). Always DD_OK. */
int dd_notify_console(const struct dd_notice *n);

/* Appends the notice as a JSON line to DATA_DIR/notify/outbox.jsonl (folder made 0700, file
 * 0600) and fsyncs it. DD_EIO with a sentence in err. */
int dd_notify_outbox(const char *data_dir, const struct dd_notice *n, char *err, size_t errlen);

/* Delivers an e-mail notice over SMTP as notify.h describes. DD_EUNAVAIL with a sentence. */
int dd_notify_smtp(const struct dd_smtp_settings *s, const struct dd_notice *n, char *err,
                   size_t errlen);

/* Appends an RFC 5322 message — Date (from now_ms, UTC), From, To, Subject (RFC 2047 encoded
 * words when not plain ASCII), Message-ID, MIME headers, and the body as UTF-8 text in base64
 * with CRLF line ends — to b. Every line ends in CRLF and no line starts with '.', so it can be
 * sent after DATA as it is. DD_ETOOBIG if b fills up. */
int dd_mail_format(struct dd_buf *b, const char *from, const struct dd_notice *n, int64_t now_ms);

/* True if s looks like local@domain: printable ASCII without spaces, quotes, angle brackets,
 * commas, semicolons or backslashes, one '@' with text on both sides, up to 254 bytes. */
bool dd_mail_address_ok(const char *s);

#endif
