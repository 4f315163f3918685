/* routes.c — `dinhdanh routes`: every route of every module with who may call it. */
#include "cmd/cmd.h"
#include "http/router.h"

#include <stdio.h>

int
dd_cmd_routes(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 0, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        printf("Usage: dinhdanh routes\n"
               "Lists every HTTP route as METHOD<TAB>PATH<TAB>AUTH<TAB>SCOPE.\n");
        return DD_EXIT_OK;
    }
    char err[256];
    struct dd_router *router = dd_router_new(dd_modules, dd_modules_count(), err, sizeof err);
    if (router == NULL) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    for (size_t i = 0; i < dd_router_count(router); i++) {
        const struct dd_route *r = dd_router_route(router, i);
        printf("%s\t%s\t%s\t%s\n", r->method, r->path, dd_auth_name(r->auth),
               r->scope ? r->scope : "-");
    }
    dd_router_free(router);
    return DD_EXIT_OK;
}
