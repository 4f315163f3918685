/*
 * server.h — the HTTP server: libmicrohttpd with an epoll thread pool.
 *
 * For each request the server finds the route, checks who may call it (deny by default),
 * checks the body's type and size, reads and parses a JSON body with bounds, runs the handler,
 * then counts it in the metrics and writes one access-log line. Shutdown is in three steps:
 * quiesce (stop accepting), wait for requests in flight (bounded), stop.
 */
#ifndef DD_HTTP_SERVER_H
#define DD_HTTP_SERVER_H

#include "http/route.h"

#include <stddef.h>

struct dd_config;
struct dd_router;
struct dd_req;

struct dd_server;

/* Decides whether the caller of `req` may use `route` (auth is not DD_AUTH_NONE). Returns DD_OK
 * to let the handler run; otherwise it has replied itself (401/403). */
typedef int (*dd_authenticator_fn)(struct dd_req *req, const struct dd_route *route);

/* Installs the authenticator. Without one, every route that needs a caller answers 401. */
void dd_server_set_authenticator(dd_authenticator_fn fn);

/* Starts serving. The router must outlive the server. On failure writes a sentence in err. */
int dd_server_start(const struct dd_config *cfg, const struct dd_router *router,
                    struct dd_server **out, char *err, size_t errlen);

/* The port actually bound (useful with port 0). */
unsigned dd_server_port(const struct dd_server *srv);

/* Stops accepting new connections; requests in flight go on. */
void dd_server_quiesce(struct dd_server *srv);

/* Waits up to `seconds` for requests in flight to finish. Returns how many are left. */
long dd_server_wait_idle(struct dd_server *srv, long seconds);

/* Closes every connection and frees the server. */
void dd_server_stop(struct dd_server *srv);

#endif
