/*
 * router.h — finds the route for a method and a path.
 *
 * The table is compiled once at start from every module's rows; a row with an unset auth, an
 * unknown method, a malformed path or a duplicate of another row stops the start with a clear
 * message. Matching compares path segments; `{name}` captures one segment, and a last `{name*}`
 * captures the rest of the path (none, one or more segments, joined by '/').
 */
#ifndef DD_HTTP_ROUTER_H
#define DD_HTTP_ROUTER_H

#include "http/route.h"

#include <stddef.h>

#define DD_ROUTER_MAX_PARAMS   8
#define DD_ROUTER_MAX_SEGMENTS 16

struct dd_router;

enum dd_match {
    DD_MATCH_FOUND,
    DD_MATCH_NO_PATH,   /* 404 */
    DD_MATCH_NO_METHOD, /* 405: the path exists with other methods */
};

struct dd_route_match {
    const struct dd_route *route;
    const struct dd_module *module;
    size_t index; /* position in the compiled table, stable for the process (metrics) */
    int nparams;
    const char *names[DD_ROUTER_MAX_PARAMS];
    const char *values[DD_ROUTER_MAX_PARAMS]; /* point into the `scratch` given to match */
    char allow[96];                           /* for 405: "GET, HEAD, POST" */
};

/* Compiles the routes of `n` modules. Returns NULL and a sentence in err on a bad table. */
struct dd_router *dd_router_new(const struct dd_module *const *modules, size_t n, char *err,
                                size_t errlen);
void dd_router_free(struct dd_router *r);

/* Number of compiled routes, and the i-th (for listings, docs checks, metrics labels). */
size_t dd_router_count(const struct dd_router *r);
const struct dd_route *dd_router_route(const struct dd_router *r, size_t i);

/* Matches a decoded path. `scratch` (at least strlen(path)+1 bytes) receives the split segments
 * that captured values point into. HEAD matches GET rows. */
enum dd_match dd_router_match(const struct dd_router *r, const char *method, const char *path,
                              char *scratch, struct dd_route_match *m);

#endif
