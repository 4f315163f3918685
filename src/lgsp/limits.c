/*
 * limits.c — each consumer's rate per second (a token bucket refilled continuously) and quota
 * per day (Vietnam's day) on each service, counted in memory: a fixed table of
 * consumer × service cells found by the catalogue's row numbers, a lock per cell. Counts are the
 * process's own: a restart starts the day's quota again (docs/LGSP.md says so).
 */
#include "core/access_log.h"
#include "lgsp/internal.h"

#include <pthread.h>
#include <string.h>

#define CELLS 4096

struct cell {
    pthread_mutex_t lock;
    char key[LGSP_ID_MAX + LGSP_SERVICE_MAX];
    double tokens;
    int64_t refilled_ms;
    int64_t day;
    int64_t used_today;
};

static struct cell cells[CELLS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init(void)
{
    for (size_t i = 0; i < CELLS; i++)
        pthread_mutex_init(&cells[i].lock, NULL);
}

static uint64_t
fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ '|') * 1099511628211ull;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

enum lgsp_limit
lgsp_limit_take(const struct lgsp_consumer *consumer, const struct lgsp_service *service,
                int64_t now_ms)
{
    if (service->rate_per_second <= 0 && service->quota_per_day <= 0)
        return LGSP_LIMIT_OK;
    pthread_once(&once, init);
    char key[sizeof cells[0].key];
    size_t lc = strlen(consumer->id);
    memcpy(key, consumer->id, lc);
    key[lc] = '|';
    memcpy(key + lc + 1, service->id, strlen(service->id) + 1);
    /* Open addressing over a few cells; a full neighbourhood shares the last cell (safe: it
     * only makes two pairs count together). */
    uint64_t h = fnv(consumer->id, service->id);
    struct cell *c = NULL;
    for (unsigned probe = 0; probe < 8; probe++) {
        c = &cells[(h + probe) % CELLS];
        pthread_mutex_lock(&c->lock);
        if (c->key[0] == '\0') {
            memcpy(c->key, key, sizeof c->key);
            c->tokens = service->rate_per_second;
            c->refilled_ms = now_ms;
            break;
        }
        if (strcmp(c->key, key) == 0)
            break;
        if (probe < 7)
            pthread_mutex_unlock(&c->lock);
    }
    enum lgsp_limit res = LGSP_LIMIT_OK;
    if (service->rate_per_second > 0) {
        double rate = service->rate_per_second;
        c->tokens += (double)(now_ms - c->refilled_ms) * rate / 1000.0;
        if (c->tokens > rate)
            c->tokens = rate;
        c->refilled_ms = now_ms;
        if (c->tokens < 1.0)
            res = LGSP_LIMIT_RATE;
    }
    int64_t day = dd_access_log_day(now_ms);
    if (c->day != day) {
        c->day = day;
        c->used_today = 0;
    }
    if (res == LGSP_LIMIT_OK && service->quota_per_day > 0 &&
        c->used_today >= service->quota_per_day)
        res = LGSP_LIMIT_QUOTA;
    if (res == LGSP_LIMIT_OK) {
        c->used_today++;
        if (service->rate_per_second > 0)
            c->tokens -= 1.0;
    }
    pthread_mutex_unlock(&c->lock);
    return res;
}

void
lgsp_limit_reset(void)
{
    pthread_once(&once, init);
    for (size_t i = 0; i < CELLS; i++) {
        pthread_mutex_lock(&cells[i].lock);
        cells[i].key[0] = '\0';
        pthread_mutex_unlock(&cells[i].lock);
    }
}
