/*
 * accesslog.h — one JSON line per request, with no personal data: the route pattern instead of
 * the path (which may hold an ID number), and the client's network (IPv4 /24, IPv6 /48) instead
 * of its address.
 */
#ifndef DD_HTTP_ACCESSLOG_H
#define DD_HTTP_ACCESSLOG_H

#include <stdbool.h>
#include <stdint.h>

struct dd_req;

/* Writes the line for a finished request; `aborted` when the connection ended early. */
void dd_accesslog_write(const struct dd_req *req, unsigned status, int64_t elapsed_ns,
                        bool aborted);

#endif
