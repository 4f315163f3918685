/*
 * metrics.h — counters for GET /metrics in the Prometheus text format.
 *
 * Requests are counted by route pattern, method and status, and timed into one histogram per
 * route. Labels come only from the route table (never from what a client sent), so the number
 * of series stays bounded. Counters are atomics: no lock on the request path.
 */
#ifndef DD_HTTP_METRICS_H
#define DD_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct dd_buf;
struct dd_router;

/* Prepares a slot per route, plus one for static files and one for unmatched requests. */
void dd_metrics_init(const struct dd_router *router);
void dd_metrics_free(void);

size_t dd_metrics_slot_static(void);
size_t dd_metrics_slot_unmatched(void);

/* Counts one finished request. */
void dd_metrics_observe(size_t slot, unsigned status, int64_t duration_ns);

/* Writes every series, plus dinhdanh_db_errors_total and process facts. */
int dd_metrics_render(struct dd_buf *out);

/* Adds a renderer whose lines follow the server's own (a module's counters: the gateway's per
 * service and consumer); NULL removes it. */
void dd_metrics_set_extra(int (*render)(struct dd_buf *out));

#endif
