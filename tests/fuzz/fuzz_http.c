/*
 * fuzz_http.c — libFuzzer target for the helpers that read what a client sends before any
 * handler runs: route matching on an arbitrary path and method, the static-path check, the
 * Accept-Language choice and the request-id check. The input is split at the first NUL bytes:
 * method, path, Accept-Language, X-Request-Id.
 */
#include "http/req.h"
#include "http/route.h"
#include "http/router.h"
#include "http/static.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
nothing(struct dd_req *req)
{
    (void)req;
    return 0;
}

static const struct dd_route routes[] = {
    DD_ROUTE("GET", "/", nothing, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/people/{id}", nothing, DD_AUTH_OFFICER, NULL),
    DD_ROUTE("POST", "/api/v1/people/{id}/moves/{move}", nothing, DD_AUTH_OFFICER, NULL),
    DD_ROUTE("GET", "/healthz", nothing, DD_AUTH_NONE, NULL),
    DD_ROUTES_END,
};
static const struct dd_module module = {.name = "fuzz", .routes = routes};
static const struct dd_module *const modules[] = {&module};

/* Returns the next NUL-terminated piece of the input (copied), advancing *p. */
static char *
next_piece(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
    size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);
    memcpy(s, *p, n);
    s[n] = '\0';
    *p += nul ? n + 1 : n;
    return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dd_router *router;
    if (router == NULL) {
        char err[200];
        router = dd_router_new(modules, 1, err, sizeof err);
        if (router == NULL)
            abort();
    }
    const uint8_t *p = data, *end = data + size;
    char *method = next_piece(&p, end);
    char *path = next_piece(&p, end);
    char *lang = next_piece(&p, end);
    char *rid = next_piece(&p, end);

    char *scratch = malloc(strlen(path) + 1);
    struct dd_route_match m;
    enum dd_match r = dd_router_match(router, method, path, scratch, &m);
    if (r == DD_MATCH_FOUND && (m.route == NULL || m.nparams > DD_ROUTER_MAX_PARAMS))
        abort();
    for (int i = 0; r == DD_MATCH_FOUND && i < m.nparams; i++)
        if (m.values[i][0] == '\0' || strchr(m.values[i], '/'))
            abort();
    if (dd_static_path_ok(path) && strstr(path, "/../"))
        abort();
    enum dd_lang l = dd_req_lang_from_header(lang);
    if (l != DD_LANG_VI && l != DD_LANG_EN)
        abort();
    char id[DD_REQUEST_ID_MAX + 1];
    dd_req_make_id(rid, id);
    if (strlen(id) == 0 || strlen(id) > DD_REQUEST_ID_MAX)
        abort();

    free(scratch);
    free(method);
    free(path);
    free(lang);
    free(rid);
    return 0;
}
