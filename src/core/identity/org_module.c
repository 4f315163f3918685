/*
 * org_module.c — the `organisations` module: the routes of organisations and their staff
 * (docs/IDENTITY.md, "Organisations").
 *
 * Officers register, read, suspend and reinstate organisations in their area with the scopes
 * org:read and org:write (the police roles, core/officers.c). The organisation's own staff
 * call DD_AUTH_ESTABLISHMENT routes with the scopes their role in it grants (org_rules.c):
 * establishment:read for every member, establishment:staff for owners and managers.
 */
#include "core/identity/org_internal.h"

static const struct dd_route org_routes[] = {
    DD_ROUTE_BODY("POST", "/api/v1/organisations", org_create, DD_AUTH_OFFICER, "org:write",
                  DD_BODY_JSON, ORG_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/organisations", org_list, DD_AUTH_OFFICER, "org:read"),
    DD_ROUTE("GET", "/api/v1/organisations/{id}", org_get, DD_AUTH_OFFICER, "org:read"),
    DD_ROUTE_BODY("POST", "/api/v1/organisations/{id}/suspensions", org_suspend, DD_AUTH_OFFICER,
                  "org:write", DD_BODY_JSON, ORG_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/organisations/{id}/reinstatements", org_reinstate,
                  DD_AUTH_OFFICER, "org:write", DD_BODY_JSON, ORG_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/organisations/{id}/staff", org_staff_list, DD_AUTH_ESTABLISHMENT,
             "establishment:staff"),
    DD_ROUTE_BODY("POST", "/api/v1/organisations/{id}/staff", org_staff_create,
                  DD_AUTH_ESTABLISHMENT, "establishment:staff", DD_BODY_JSON, ORG_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/organisations/{id}/staff/{account}/endings", org_staff_ending,
                  DD_AUTH_ESTABLISHMENT, "establishment:staff", DD_BODY_JSON, ORG_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me/organisation", org_me_get, DD_AUTH_ESTABLISHMENT,
             "establishment:read"),
    DD_ROUTES_END,
};

const struct dd_module dd_module_organisations = {
    .name = "organisations",
    .routes = org_routes,
    .on_event = NULL,
};
