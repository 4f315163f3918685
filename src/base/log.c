/* log.c — JSON log lines, each written with a single write(2) so lines never interleave. */
#include "base/log.h"
#include "base/buf.h"
#include "base/clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH_BYTES    (256 * 1024)
#define FLUSH_EVERY_MS 100

static enum dd_log_level min_level = DD_LOG_INFO;

/* The batch: lines wait here while buffering is on. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool on;
    bool stopping;
    size_t len;
    char data[BATCH_BYTES];
} batch = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

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

static void
write_all(const char *line, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, line, len);
        if (n <= 0)
            return;
        line += n;
        len -= (size_t)n;
    }
}

/* Writes the batch out; the caller holds the lock. */
static void
flush_locked(void)
{
    write_all(batch.data, batch.len);
    batch.len = 0;
}

void
dd_log_raw(const char *line, size_t len)
{
    pthread_mutex_lock(&batch.lock);
    if (!batch.on) {
        pthread_mutex_unlock(&batch.lock);
        write_all(line, len);
        return;
    }
    if (batch.len + len > sizeof batch.data)
        flush_locked();
    if (len > sizeof batch.data) {
        write_all(line, len);
    } else {
        memcpy(batch.data + batch.len, line, len);
        batch.len += len;
        if (batch.len > sizeof batch.data / 2)
            pthread_cond_signal(&batch.wake);
    }
    pthread_mutex_unlock(&batch.lock);
}

/* Writes the batch now and then the line, keeping their order. */
static void
write_through(const char *line, size_t len)
{
    pthread_mutex_lock(&batch.lock);
    flush_locked();
    write_all(line, len);
    pthread_mutex_unlock(&batch.lock);
}

static void *
flusher_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&batch.lock);
    while (!batch.stopping) {
        struct timespec until;
        dd_clock_deadline(&until, FLUSH_EVERY_MS);
        pthread_cond_timedwait(&batch.wake, &batch.lock, &until);
        flush_locked();
    }
    pthread_mutex_unlock(&batch.lock);
    return NULL;
}

void
dd_log_buffer_start(void)
{
    pthread_mutex_lock(&batch.lock);
    if (batch.on) {
        pthread_mutex_unlock(&batch.lock);
        return;
    }
    batch.on = true;
    batch.stopping = false;
    pthread_mutex_unlock(&batch.lock);
    if (pthread_create(&batch.thread, NULL, flusher_main, NULL) != 0) {
        pthread_mutex_lock(&batch.lock);
        batch.on = false;
        pthread_mutex_unlock(&batch.lock);
    }
}

void
dd_log_buffer_stop(void)
{
    pthread_mutex_lock(&batch.lock);
    if (!batch.on) {
        pthread_mutex_unlock(&batch.lock);
        return;
    }
    batch.stopping = true;
    pthread_cond_signal(&batch.wake);
    pthread_mutex_unlock(&batch.lock);
    pthread_join(batch.thread, NULL);
    pthread_mutex_lock(&batch.lock);
    flush_locked();
    batch.on = false;
    pthread_mutex_unlock(&batch.lock);
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
    if (level >= DD_LOG_WARN)
        write_through(b.data, b.len);
    else
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
