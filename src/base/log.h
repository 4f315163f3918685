/*
 * log.h — structured logs: one JSON object per line on standard error.
 *
 * {"ts":"…","level":"info","event":"server.listening","msg":"…"}. Personal data never goes into
 * a log line unmasked; callers pass identifiers through dd_log_mask first.
 */
#ifndef DD_BASE_LOG_H
#define DD_BASE_LOG_H

#include <stddef.h>

enum dd_log_level { DD_LOG_DEBUG, DD_LOG_INFO, DD_LOG_WARN, DD_LOG_ERROR };

/* Messages below `level` are dropped. */
void dd_log_set_level(enum dd_log_level level);

/* Parses "debug", "info", "warn", "error"; -1 if unknown. */
int dd_log_level_parse(const char *s);

/* Writes one line; `event` is a dotted name, the message is printf-formatted. */
void dd_log(enum dd_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes an already formatted line (ending in '\n'), for the access log. While buffering is on
 * the line joins a batch written within 100 ms; otherwise it is written at once. */
void dd_log_raw(const char *line, size_t len);

/* Buffering for a busy server: lines are gathered and written by a background thread in batches
 * (up to 100 ms late), as nginx's `access_log … buffer= flush=` does. Warnings and errors still
 * go out at once, after the lines before them. dd_log_buffer_stop writes what is left. */
void dd_log_buffer_start(void);
void dd_log_buffer_stop(void);

/* Masks an identifier for logs: keeps the last 3 characters ("*********234"). */
void dd_log_mask(const char *s, char *out, size_t size);

#endif
