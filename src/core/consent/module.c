/*
 * module.c — the `consent` module: a citizen's consents, their access log, the copy of their
 * data and their correction requests; the officers' consent check and correction queue.
 *
 * Citizen routes need a level-1 (or level-2) e-identity and act on req->who->id_number only.
 * The consent check needs an officer whose role grants consent:check; the correction queue
 * register:read to list and register:write to decide, like the register itself.
 */
#include "core/consent/api.h"
#include "core/consent/consent.h"

#define SMALL_BODY (16 * 1024)

static const struct dd_route consent_routes[] = {
    DD_ROUTE("GET", "/api/v1/me/consents", cs_me_consents_list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/consents", cs_me_consents_create, DD_AUTH_CITIZEN_L1, NULL,
                  DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me/consents/{id}", cs_me_consents_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/consents/{id}/withdrawals", cs_me_withdrawals_create,
                  DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me/access-log", cs_me_access_log, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/access-log.csv", cs_me_access_log_csv, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/access-log.json", cs_me_access_log_json, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/data-export", cs_me_data_export, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/correction-requests", cs_me_corrections_list, DD_AUTH_CITIZEN_L1,
             NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/correction-requests", cs_me_corrections_create,
                  DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/consents/checks", cs_consent_checks_get, DD_AUTH_OFFICER,
             "consent:check"),
    DD_ROUTE("GET", "/api/v1/correction-requests", cs_corrections_list, DD_AUTH_OFFICER,
             "register:read"),
    DD_ROUTE_BODY("POST", "/api/v1/correction-requests/{id}/decisions", cs_decisions_create,
                  DD_AUTH_OFFICER, "register:write", DD_BODY_JSON, SMALL_BODY, NULL),
    DD_ROUTES_END,
};

const struct dd_module dd_module_consent = {
    .name = "consent",
    .routes = consent_routes,
    .on_event = NULL,
};
