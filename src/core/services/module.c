/*
 * module.c — the `services` module: its routes, and its consumer of payment events.
 *
 * Public: the catalogue and the lookup of a dossier by code and ID number. Citizens (level 1;
 * a procedure may ask for level 2, checked when submitting) submit, follow, supplement and rate
 * their dossiers. Officers with services:process (service-officer) work on dossiers of their
 * area; services:stats (service-officer, leader) reads the figures.
 */
#include "core/services/internal.h"

#define BODY (256 * 1024)

// clang-format off
static const struct dd_route services_routes[] = {
    DD_ROUTE("GET", "/api/v1/procedures", svc_procedures_list, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/procedures/{code}", svc_procedures_get, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/dossier-lookup", svc_lookup, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/me/procedures/{code}/form", svc_me_form_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/dossiers", svc_me_dossiers_create, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me/dossiers", svc_me_dossiers_list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/dossiers/{code}", svc_me_dossiers_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/dossiers/{code}/supplements", svc_me_supplements_create, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/dossiers/{code}/ratings", svc_me_ratings_create, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, 8192, NULL),
    DD_ROUTE("GET", "/api/v1/dossiers", svc_dossiers_list, DD_AUTH_OFFICER, "services:process"),
    DD_ROUTE("GET", "/api/v1/dossiers/{code}", svc_dossiers_get, DD_AUTH_OFFICER, "services:process"),
    DD_ROUTE_BODY("POST", "/api/v1/dossiers/{code}/actions", svc_actions_create, DD_AUTH_OFFICER, "services:process", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE("GET", "/api/v1/services/statistics", svc_statistics_get, DD_AUTH_OFFICER, "services:stats"),
    DD_ROUTES_END,
};
// clang-format on

const struct dd_module dd_module_services = {
    .name = "services",
    .routes = services_routes,
    .on_event = svc_on_event,
};
