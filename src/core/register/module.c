/*
 * module.c — the `register` module: the routes of the population register's API.
 *
 * Officers call it with bearer tokens; reads need the scope register:read, changes
 * register:write. Bodies are small JSON objects (a split or a merge names at most 100 people).
 * The POST creations take an Idempotency-Key (core/idempotency/).
 */
#include "core/register/api.h"

#define SMALL_BODY (64 * 1024)

static const struct dd_route register_routes[] = {
    DD_ROUTE("GET", "/api/v1/people", reg_people_search, DD_AUTH_OFFICER, "register:read"),
    DD_ROUTE_BODY("POST", "/api/v1/people", reg_people_create, DD_AUTH_OFFICER, "register:write",
                  DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/people/{id}", reg_people_get, DD_AUTH_OFFICER, "register:read"),
    DD_ROUTE_BODY("PATCH", "/api/v1/people/{id}", reg_people_patch, DD_AUTH_OFFICER,
                  "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/people/{id}/history", reg_people_history, DD_AUTH_OFFICER,
             "register:read"),
    DD_ROUTE_BODY("POST", "/api/v1/people/{id}/deaths", reg_deaths_create, DD_AUTH_OFFICER,
                  "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/people/{id}/moves", reg_moves_create, DD_AUTH_OFFICER,
                  "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/people/{id}/absences", reg_absences_create, DD_AUTH_OFFICER,
                  "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/people/{id}/missing-declarations", reg_missing_create,
                  DD_AUTH_OFFICER, "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/people/{id}/returns", reg_returns_create, DD_AUTH_OFFICER,
                  "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/households/{number}", reg_households_get, DD_AUTH_OFFICER,
             "register:read"),
    DD_ROUTE_BODY("POST", "/api/v1/households/{number}/splits", reg_splits_create, DD_AUTH_OFFICER,
                  "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/households/{number}/head-changes", reg_head_changes_create,
                  DD_AUTH_OFFICER, "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/households/merges", reg_merges_create, DD_AUTH_OFFICER,
                  "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTES_END,
};

const struct dd_module dd_module_register = {
    .name = "register",
    .routes = register_routes,
    .on_event = NULL,
};
