/*
 * module.c — the `soc` module: its event consumer (detect.c) and its routes, all for officers
 * whose role grants soc:read (watching) or soc:write (handling): the role soc-analyst, and
 * admin.
 */
#include "core/soc/internal.h"
#include "http/route.h"

#define SMALL_BODY (16 * 1024)

static const struct dd_route soc_routes[] = {
    DD_ROUTE("GET", "/api/v1/soc/events", soc_events_list, DD_AUTH_OFFICER, "soc:read"),
    DD_ROUTE("GET", "/api/v1/soc/alerts", soc_alerts_list, DD_AUTH_OFFICER, "soc:read"),
    DD_ROUTE("GET", "/api/v1/soc/alerts/{id}", soc_alert_get, DD_AUTH_OFFICER, "soc:read"),
    DD_ROUTE_BODY("POST", "/api/v1/soc/alerts/{id}/status", soc_alert_status, DD_AUTH_OFFICER,
                  "soc:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/soc/rules", soc_rules_list, DD_AUTH_OFFICER, "soc:read"),
    DD_ROUTE("POST", "/api/v1/soc/rules/reload", soc_rules_reload, DD_AUTH_OFFICER, "soc:write"),
    DD_ROUTE_BODY("POST", "/api/v1/soc/incidents", soc_incidents_create, DD_AUTH_OFFICER,
                  "soc:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/soc/incidents", soc_incidents_list, DD_AUTH_OFFICER, "soc:read"),
    DD_ROUTE("GET", "/api/v1/soc/incidents/{id}", soc_incident_get, DD_AUTH_OFFICER, "soc:read"),
    DD_ROUTE_BODY("POST", "/api/v1/soc/incidents/{id}/updates", soc_incident_update,
                  DD_AUTH_OFFICER, "soc:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/soc/incidents/{id}/notes", soc_incident_note, DD_AUTH_OFFICER,
                  "soc:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/soc/incidents/{id}/actions", soc_incident_action,
                  DD_AUTH_OFFICER, "soc:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/soc/incidents/{id}/breach", soc_incident_breach, DD_AUTH_OFFICER,
                  "soc:write", DD_BODY_JSON, 64 * 1024, NULL),
    DD_ROUTE("GET", "/api/v1/soc/incidents/{id}/breach-notification", soc_incident_breach_draft,
             DD_AUTH_OFFICER, "soc:read"),
    DD_ROUTES_END,
};

const struct dd_module dd_module_soc = {
    .name = "soc",
    .routes = soc_routes,
    .on_event = dd_soc_on_event,
    .after_round = soc_after_round,
};
