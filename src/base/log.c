/* log.c — JSON log lines, each written with a single write(2) so lines never interleave. */
#include "base/log.h"
#include "base/buf.h"
#include "base/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum dd_log_level min_level = DD_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
dd_log_set_level(enum dd_log_level level)
{
    min_level = level;
}

int
dd_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

void
dd_log_raw(const char *line, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, line, len);
        if (n <= 0)
            return;
        line += n;
        len -= (size_t)n;
    }
}

void
dd_log(enum dd_log_level level, const char *event, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    char storage[8192];
    char ts[32];
    dd_clock_iso8601(dd_clock_now_ms(), ts);
    struct dd_buf b;
    dd_buf_init_fixed(&b, storage, sizeof storage);
    dd_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":\"", ts, level_names[level]);
    dd_buf_json_escape(&b, event);
    dd_buf_puts(&b, "\",\"msg\":\"");
    dd_buf_json_escape(&b, msg);
    if (dd_buf_puts(&b, "\"}\n") != 0) {
        b.len = b.len > 3 ? b.len - 3 : 0;
        memcpy(b.data + b.len, "\"}\n", 3);
        b.len += 3;
    }
    dd_log_raw(b.data, b.len);
}

void
dd_log_mask(const char *s, char *out, size_t size)
{
    size_t n = strlen(s);
    if (size == 0)
        return;
    size_t i = 0;
    for (; i < n && i + 1 < size; i++)
        out[i] = (n > 3 && i < n - 3) ? '*' : s[i];
    out[i] = '\0';
}
