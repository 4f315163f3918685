/*
 * metrics.c — per-route request counters and latency histograms.
 */
#include "http/metrics.h"
#include "base/buf.h"
#include "base/mem.h"
#include "http/router.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned tracked_status[] = {200, 201, 202, 204, 301, 304, 400, 401, 403, 404,
                                          405, 409, 412, 413, 415, 422, 429, 431, 500, 503};
#define NSTATUS (sizeof tracked_status / sizeof tracked_status[0] + 1) /* + "other" */

/* Upper bounds in seconds, as text and in nanoseconds. */
static const char *const bucket_text[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                          "0.025",  "0.05",  "0.1",    "0.25",  "0.5",
                                          "1",      "2.5",   "5",      "10"};
static const int64_t bucket_ns[] = {500000,     1000000,    2500000,    5000000,    10000000,
                                    25000000,   50000000,   100000000,  250000000,  500000000,
                                    1000000000, 2500000000, 5000000000, 10000000000};
#define NBUCKETS (sizeof bucket_ns / sizeof bucket_ns[0])

struct slot {
    const char *method;
    const char *route;
    atomic_uint_fast64_t by_status[NSTATUS];
    atomic_uint_fast64_t buckets[NBUCKETS + 1]; /* last: +Inf */
    atomic_uint_fast64_t sum_ns;
};

static _Atomic(int (*)(struct dd_buf *)) extra_renderer;

static struct slot *slots;
static size_t nslots;

void
dd_metrics_init(const struct dd_router *router)
{
    size_t n = dd_router_count(router);
    nslots = n + 2;
    slots = dd_xcalloc(nslots, sizeof *slots);
    for (size_t i = 0; i < n; i++) {
        slots[i].method = dd_router_route(router, i)->method;
        slots[i].route = dd_router_route(router, i)->path;
    }
    slots[n].method = "GET";
    slots[n].route = "static";
    slots[n + 1].method = "any";
    slots[n + 1].route = "unmatched";
}

void
dd_metrics_free(void)
{
    free(slots);
    slots = NULL;
    nslots = 0;
}

size_t
dd_metrics_slot_static(void)
{
    return nslots - 2;
}

size_t
dd_metrics_slot_unmatched(void)
{
    return nslots - 1;
}

static size_t
status_index(unsigned status)
{
    for (size_t i = 0; i + 1 < NSTATUS; i++)
        if (tracked_status[i] == status)
            return i;
    return NSTATUS - 1;
}

void
dd_metrics_observe(size_t slot, unsigned status, int64_t duration_ns)
{
    if (slots == NULL || slot >= nslots)
        return;
    struct slot *s = &slots[slot];
    atomic_fetch_add_explicit(&s->by_status[status_index(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && duration_ns > bucket_ns[b])
        b++;
    atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_ns, (uint64_t)(duration_ns > 0 ? duration_ns : 0),
                              memory_order_relaxed);
}

static int
render_requests(struct dd_buf *out)
{
    int rc = dd_buf_puts(out, "# HELP dinhdanh_http_requests_total HTTP requests answered.\n"
                              "# TYPE dinhdanh_http_requests_total counter\n");
    for (size_t i = 0; i < nslots; i++) {
        for (size_t k = 0; k < NSTATUS; k++) {
            uint64_t v = atomic_load_explicit(&slots[i].by_status[k], memory_order_relaxed);
            if (v == 0)
                continue;
            char status[8];
            if (k + 1 < NSTATUS)
                snprintf(status, sizeof status, "%u", tracked_status[k]);
            else
                memcpy(status, "other", 6);
            rc |= dd_buf_printf(out,
                                "dinhdanh_http_requests_total{method=\"%s\",route=\"%s\","
                                "status=\"%s\"} %llu\n",
                                slots[i].method, slots[i].route, status, (unsigned long long)v);
        }
    }
    return rc;
}

static int
render_latency(struct dd_buf *out)
{
    int rc = dd_buf_puts(out, "# HELP dinhdanh_http_request_duration_seconds Time to answer.\n"
                              "# TYPE dinhdanh_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < nslots; i++) {
        uint64_t count = 0, cumulative[NBUCKETS + 1];
        for (size_t b = 0; b <= NBUCKETS; b++) {
            count += atomic_load_explicit(&slots[i].buckets[b], memory_order_relaxed);
            cumulative[b] = count;
        }
        if (count == 0)
            continue;
        const char *m = slots[i].method, *r = slots[i].route;
        for (size_t b = 0; b < NBUCKETS; b++)
            rc |= dd_buf_printf(out,
                                "dinhdanh_http_request_duration_seconds_bucket{method=\"%s\","
                                "route=\"%s\",le=\"%s\"} %llu\n",
                                m, r, bucket_text[b], (unsigned long long)cumulative[b]);
        rc |= dd_buf_printf(out,
                            "dinhdanh_http_request_duration_seconds_bucket{method=\"%s\","
                            "route=\"%s\",le=\"+Inf\"} %llu\n",
                            m, r, (unsigned long long)count);
        double sum = (double)atomic_load_explicit(&slots[i].sum_ns, memory_order_relaxed) / 1e9;
        rc |= dd_buf_printf(out,
                            "dinhdanh_http_request_duration_seconds_sum{method=\"%s\","
                            "route=\"%s\"} %.6f\n",
                            m, r, sum);
        rc |= dd_buf_printf(out,
                            "dinhdanh_http_request_duration_seconds_count{method=\"%s\","
                            "route=\"%s\"} %llu\n",
                            m, r, (unsigned long long)count);
    }
    return rc;
}

int
dd_metrics_render(struct dd_buf *out)
{
    int rc = render_requests(out);
    rc |= render_latency(out);
    rc |= dd_buf_printf(out,
                        "# HELP dinhdanh_db_errors_total Database errors since start.\n"
                        "# TYPE dinhdanh_db_errors_total counter\n"
                        "dinhdanh_db_errors_total %llu\n",
                        (unsigned long long)dd_db_pool_errors());
    int (*extra)(struct dd_buf *) = atomic_load(&extra_renderer);
    if (extra)
        rc |= extra(out);
    return rc;
}

void
dd_metrics_set_extra(int (*render)(struct dd_buf *out))
{
    atomic_store(&extra_renderer, render);
}
