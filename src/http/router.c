/*
 * router.c — the compiled route table and segment matching.
 *
 * Patterns are split into segments once at start. A request path is split into the caller's
 * scratch buffer and compared row by row; literal segments must be equal, `{name}` segments take
 * any non-empty segment, and a last `{name*}` segment takes the rest of the path (none, one or
 * more segments, joined by '/'), for routes that pass paths on (the data-sharing gateway). Rows are
 * few hundred at most, so a linear scan keeps the code plain; each literal segment carries a hash
 * made at start, and the request's segments are hashed once, so most rows are passed over by
 * comparing integers. The first row matching the path and the method wins; the `Allow` list of a
 * 405 is gathered by a second scan only when no row had the method.
 */
#include "http/router.h"
#include "base/mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct compiled_route {
    const struct dd_route *route;
    const struct dd_module *module;
    int nseg;
    const char *seg[DD_ROUTER_MAX_SEGMENTS]; /* literal text, or the name inside {} */
    uint32_t hash[DD_ROUTER_MAX_SEGMENTS];   /* of each literal segment (segment_hash) */
    bool is_param[DD_ROUTER_MAX_SEGMENTS];
    bool tail; /* the last segment is `{name*}` */
    char *storage;
};

struct dd_router {
    struct compiled_route *rows;
    size_t count;
};

static const char *const known_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

static const char *const auth_names[] = {
    [DD_AUTH_UNSET] = "unset",           [DD_AUTH_NONE] = "none",
    [DD_AUTH_CITIZEN_L1] = "citizen-l1", [DD_AUTH_CITIZEN_L2] = "citizen-l2",
    [DD_AUTH_OFFICER] = "officer",       [DD_AUTH_ESTABLISHMENT] = "establishment",
    [DD_AUTH_CLIENT] = "client",         [DD_AUTH_OPERATOR] = "operator",
};

const char *
dd_auth_name(enum dd_auth auth)
{
    if ((unsigned)auth < sizeof auth_names / sizeof auth_names[0])
        return auth_names[auth];
    return "unknown";
}

/* Splits "/a/b/c" into segments in place. Returns the count, or -1 if there are too many or the
 * path does not start with '/'. An empty path "/" has zero segments. */
static int
split_path(char *s, const char **seg)
{
    if (*s != '/')
        return -1;
    if (s[1] == '\0')
        return 0;
    int n = 0;
    for (char *p = s + 1;;) {
        if (n == DD_ROUTER_MAX_SEGMENTS)
            return -1;
        seg[n++] = p;
        char *slash = strchr(p, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

/* FNV-1a: a cheap first comparison of two segments (equal texts, equal hashes). */
static uint32_t
segment_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool
method_known(const char *m)
{
    for (size_t i = 0; i < sizeof known_methods / sizeof known_methods[0]; i++)
        if (strcmp(m, known_methods[i]) == 0)
            return true;
    return false;
}

static int
compile_row(struct compiled_route *c, const struct dd_route *route, const struct dd_module *mod,
            char *err, size_t errlen)
{
    c->route = route;
    c->module = mod;
    if (route->auth == DD_AUTH_UNSET ||
        (unsigned)route->auth >= sizeof auth_names / sizeof *auth_names) {
        snprintf(err, errlen, "route %s %s in module %s has no auth row", route->method,
                 route->path ? route->path : "?", mod->name);
        return -1;
    }
    bool streams = route->body == DD_BODY_STREAM;
    bool sink_whole = route->sink && route->sink->chunk && route->sink->over;
    if (!method_known(route->method) || route->path == NULL || route->handler == NULL ||
        streams != sink_whole || (!streams && route->sink)) {
        snprintf(err, errlen, "route %s %s in module %s is malformed", route->method,
                 route->path ? route->path : "?", mod->name);
        return -1;
    }
    c->storage = dd_xstrdup(route->path);
    c->nseg = split_path(c->storage, c->seg);
    if (c->nseg < 0) {
        snprintf(err, errlen, "route path %s in module %s is malformed", route->path, mod->name);
        return -1;
    }
    int nparams = 0;
    for (int i = 0; i < c->nseg; i++) {
        size_t len = strlen(c->seg[i]);
        c->is_param[i] = len > 2 && c->seg[i][0] == '{' && c->seg[i][len - 1] == '}';
        c->hash[i] = c->is_param[i] ? 0 : segment_hash(c->seg[i]);
        if (c->is_param[i]) {
            c->storage[c->seg[i] - c->storage + len - 1] = '\0';
            c->seg[i]++;
            if (len > 3 && c->seg[i][len - 3] == '*') {
                if (i != c->nseg - 1) {
                    snprintf(err, errlen, "route path %s has {name*} before its end", route->path);
                    return -1;
                }
                c->storage[c->seg[i] - c->storage + len - 3] = '\0';
                c->tail = true;
            }
            if (++nparams > DD_ROUTER_MAX_PARAMS) {
                snprintf(err, errlen, "route path %s has too many parameters", route->path);
                return -1;
            }
        }
    }
    return 0;
}

static bool
same_shape(const struct compiled_route *a, const struct compiled_route *b)
{
    if (a->nseg != b->nseg || a->tail != b->tail || strcmp(a->route->method, b->route->method) != 0)
        return false;
    for (int i = 0; i < a->nseg; i++) {
        if (a->is_param[i] != b->is_param[i])
            return false;
        if (!a->is_param[i] && strcmp(a->seg[i], b->seg[i]) != 0)
            return false;
    }
    return true;
}

struct dd_router *
dd_router_new(const struct dd_module *const *modules, size_t n, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t m = 0; m < n; m++)
        for (const struct dd_route *r = modules[m]->routes; r && r->method; r++)
            total++;
    struct dd_router *router = dd_xcalloc(1, sizeof *router);
    router->rows = dd_xcalloc(total ? total : 1, sizeof *router->rows);
    for (size_t m = 0; m < n; m++) {
        for (const struct dd_route *r = modules[m]->routes; r && r->method; r++) {
            struct compiled_route *c = &router->rows[router->count++];
            if (compile_row(c, r, modules[m], err, errlen) != 0)
                goto fail;
            for (size_t k = 0; k + 1 < router->count; k++) {
                if (same_shape(&router->rows[k], c)) {
                    snprintf(err, errlen, "route %s %s is declared twice", r->method, r->path);
                    goto fail;
                }
            }
        }
    }
    return router;
fail:
    dd_router_free(router);
    return NULL;
}

void
dd_router_free(struct dd_router *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++)
        free(r->rows[i].storage);
    free(r->rows);
    free(r);
}

size_t
dd_router_count(const struct dd_router *r)
{
    return r->count;
}

const struct dd_route *
dd_router_route(const struct dd_router *r, size_t i)
{
    return i < r->count ? r->rows[i].route : NULL;
}

static bool
segments_match(const struct compiled_route *c, int nseg, const char **seg, const uint32_t *hash)
{
    int fixed = c->tail ? c->nseg - 1 : c->nseg;
    if (c->tail ? nseg < fixed : nseg != fixed)
        return false;
    for (int i = 0; i < fixed; i++) {
        if (c->is_param[i]) {
            if (seg[i][0] == '\0')
                return false;
        } else if (c->hash[i] != hash[i] || strcmp(c->seg[i], seg[i]) != 0) {
            return false;
        }
    }
    return true;
}

static void
allow_add(char *allow, size_t size, const char *method)
{
    if (strstr(allow, method) != NULL)
        return;
    size_t len = strlen(allow);
    snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
}

/* Fills m's parameters from the matched row c. Returns the first segment of a tail, or -1. */
static int
take_params(const struct compiled_route *c, int nseg, const char **seg, struct dd_route_match *m)
{
    int fixed = c->tail ? c->nseg - 1 : c->nseg;
    for (int k = 0; k < fixed; k++) {
        if (c->is_param[k]) {
            m->names[m->nparams] = c->seg[k];
            m->values[m->nparams++] = seg[k];
        }
    }
    if (!c->tail)
        return -1;
    m->names[m->nparams] = c->seg[fixed];
    m->values[m->nparams++] = nseg > fixed ? seg[fixed] : "";
    return nseg > fixed ? fixed : -1;
}

enum dd_match
dd_router_match(const struct dd_router *r, const char *method, const char *path, char *scratch,
                struct dd_route_match *m)
{
    memset(m, 0, sizeof *m);
    size_t len = strlen(path);
    memcpy(scratch, path, len + 1);
    const char *seg[DD_ROUTER_MAX_SEGMENTS];
    uint32_t hash[DD_ROUTER_MAX_SEGMENTS];
    int nseg = split_path(scratch, seg);
    if (nseg < 0)
        return DD_MATCH_NO_PATH;
    for (int k = 0; k < nseg; k++)
        hash[k] = segment_hash(seg[k]);
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    for (size_t i = 0; i < r->count; i++) {
        const struct compiled_route *c = &r->rows[i];
        if (strcmp(c->route->method, want) != 0 || !segments_match(c, nseg, seg, hash))
            continue;
        m->route = c->route;
        m->module = c->module;
        m->index = i;
        int tail_from = take_params(c, nseg, seg, m);
        /* A tail's segments become one value again: the splits after it turn back into '/'. */
        for (int k = tail_from + 1; tail_from >= 0 && k < nseg; k++)
            ((char *)seg[k])[-1] = '/';
        return DD_MATCH_FOUND;
    }
    bool path_seen = false;
    for (size_t i = 0; i < r->count; i++) {
        const struct compiled_route *c = &r->rows[i];
        if (!segments_match(c, nseg, seg, hash))
            continue;
        path_seen = true;
        allow_add(m->allow, sizeof m->allow, c->route->method);
        if (strcmp(c->route->method, "GET") == 0)
            allow_add(m->allow, sizeof m->allow, "HEAD");
    }
    return path_seen ? DD_MATCH_NO_METHOD : DD_MATCH_NO_PATH;
}
