/*
 * stats.c — usage counters per consumer × service: calls, errors (a provider's 5xx, a timeout,
 * a provider out of reach), refusals and total duration, kept in memory since the start, shown
 * in /metrics and the console's usage page. An error spike (ERR_SPIKE errors within a minute,
 * at least half of the minute's calls) is logged as `lgsp.error_spike` once per minute, for the
 * operators' alerting to pick up.
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/str.h"
#include "lgsp/internal.h"

#include <jansson.h>
#include <pthread.h>
#include <string.h>

#define PAIRS     1024
#define ERR_SPIKE 20

struct pair {
    char consumer[LGSP_ID_MAX];
    char service[LGSP_SERVICE_MAX];
    uint64_t calls, errors, refused, sum_us;
    int64_t minute;
    uint64_t minute_calls, minute_errors;
    bool alerted;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pair pairs[PAIRS];
static size_t npairs;

static struct pair *
pair_of(const char *consumer, const char *service)
{
    for (size_t i = 0; i < npairs; i++)
        if (strcmp(pairs[i].service, service) == 0 && strcmp(pairs[i].consumer, consumer) == 0)
            return &pairs[i];
    if (npairs == PAIRS)
        return NULL;
    struct pair *p = &pairs[npairs++];
    dd_strlcpy(p->consumer, consumer, sizeof p->consumer);
    dd_strlcpy(p->service, service, sizeof p->service);
    return p;
}

void
lgsp_stats_observe(const char *consumer, const char *service, int status, bool refused,
                   int64_t duration_us, int64_t now_ms)
{
    bool error = !refused && (status >= 500 || status == 0);
    pthread_mutex_lock(&lock);
    struct pair *p = pair_of(consumer, service);
    if (p) {
        p->calls++;
        p->errors += error;
        p->refused += refused;
        p->sum_us += (uint64_t)duration_us;
        int64_t minute = now_ms / 60000;
        if (p->minute != minute) {
            p->minute = minute;
            p->minute_calls = p->minute_errors = 0;
            p->alerted = false;
        }
        p->minute_calls++;
        p->minute_errors += error;
        if (!p->alerted && p->minute_errors >= ERR_SPIKE &&
            p->minute_errors * 2 >= p->minute_calls) {
            p->alerted = true;
            dd_log(DD_LOG_WARN, "lgsp.error_spike",
                   "service %s for consumer %s: %llu errors of %llu calls this minute", service,
                   consumer, (unsigned long long)p->minute_errors,
                   (unsigned long long)p->minute_calls);
        }
    }
    pthread_mutex_unlock(&lock);
}

static bool
of_provider(const char *service, const char *provider)
{
    size_t n = strlen(provider);
    return strncmp(service, provider, n) == 0 && service[n] == '/';
}

/* One pair's counts, as the usage lists show them. */
static json_t *
pair_json(const struct pair *p)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:b}", "consumer", p->consumer, "service",
                     p->service, "calls", (json_int_t)p->calls, "errors", (json_int_t)p->errors,
                     "refused", (json_int_t)p->refused, "mean_ms",
                     p->calls ? (double)p->sum_us / (double)p->calls / 1000.0 : 0.0, "alerting",
                     p->alerted);
}

json_t *
lgsp_stats_json(const char *consumer, const char *provider)
{
    json_t *items = json_array();
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < npairs; i++) {
        const struct pair *p = &pairs[i];
        if ((consumer && strcmp(p->consumer, consumer) != 0) ||
            (provider && !of_provider(p->service, provider)))
            continue;
        json_array_append_new(items, pair_json(p));
    }
    pthread_mutex_unlock(&lock);
    return json_pack("{s:o, s:n}", "items", items, "next_cursor");
}

json_t *
lgsp_stats_json_of(const char *const *subsystems, size_t n)
{
    json_t *items = json_array();
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < npairs; i++) {
        const struct pair *p = &pairs[i];
        bool ours = false;
        for (size_t k = 0; k < n && !ours; k++)
            ours =
                strcmp(p->consumer, subsystems[k]) == 0 || of_provider(p->service, subsystems[k]);
        if (!ours)
            continue;
        json_array_append_new(items, pair_json(p));
    }
    pthread_mutex_unlock(&lock);
    return json_pack("{s:o, s:n}", "items", items, "next_cursor");
}

int
lgsp_stats_render(struct dd_buf *out)
{
    static const char *const names[] = {"lgsp_calls_total", "lgsp_errors_total",
                                        "lgsp_refused_total", "lgsp_duration_seconds_sum"};
    int rc = 0;
    pthread_mutex_lock(&lock);
    for (size_t k = 0; k < 4 && rc == 0; k++) {
        rc = dd_buf_printf(out, "# TYPE %s counter\n", names[k]);
        for (size_t i = 0; i < npairs && rc == 0; i++) {
            const struct pair *p = &pairs[i];
            if (k == 3)
                rc = dd_buf_printf(out, "%s{consumer=\"%s\",service=\"%s\"} %.6f\n", names[k],
                                   p->consumer, p->service, (double)p->sum_us / 1e6);
            else
                rc = dd_buf_printf(out, "%s{consumer=\"%s\",service=\"%s\"} %llu\n", names[k],
                                   p->consumer, p->service,
                                   (unsigned long long)(k == 0   ? p->calls
                                                        : k == 1 ? p->errors
                                                                 : p->refused));
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}
