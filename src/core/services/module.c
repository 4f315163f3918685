/*
 * module.c — the `services` module: its routes, and its consumer of payment events.
 *
 * Public: the catalogue and the lookup of a dossier by code and ID number. Citizens (level 1;
 * a procedure may ask for level 2, checked when submitting) submit, follow, supplement and rate
 * their dossiers. Officers with services:process (service-officer) work on dossiers of their
 * area; services:stats (service-officer, leader) reads the figures; services:kiosks
 * (service-officer) registers and revokes the office's kiosks. A registered kiosk identifies
 * citizens by their card's chip and gives queue tickets.
 */
#include "core/services/internal.h"

#define BODY (256 * 1024)
/* EF.SOD and the data groups in base64, as the card module takes them. */
#define CARD_CHIP_BODY (1024 * 1024)

static const char *const upload_types[] = {"application/pdf", "image/jpeg", "image/png",
                                           "application/octet-stream", NULL};

// clang-format off
static const struct dd_route services_routes[] = {
    DD_ROUTE("GET", "/api/v1/procedures", svc_procedures_list, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/procedures/{code}", svc_procedures_get, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/dossier-lookup", svc_lookup, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/me/procedures/{code}/form", svc_me_form_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/dossiers", svc_me_dossiers_create, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, BODY, NULL),
    /* Streamed to a file as it arrives; its limit is the upload-max-bytes setting, which may exceed max-body. */
    {.method = "POST", .path = "/api/v1/me/uploads", .handler = svc_me_uploads_create, .auth = DD_AUTH_CITIZEN_L1, .body = DD_BODY_STREAM, .max_body_at = &svc_upload_max, .content_types = upload_types, .sink = &svc_upload_sink},
    DD_ROUTE("GET", "/api/v1/me/uploads/{id}", svc_me_uploads_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/dossiers", svc_me_dossiers_list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/dossiers/{code}", svc_me_dossiers_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/dossiers/{code}/supplements", svc_me_supplements_create, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/dossiers/{code}/ratings", svc_me_ratings_create, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, 8192, NULL),
    DD_ROUTE("GET", "/api/v1/dossiers", svc_dossiers_list, DD_AUTH_OFFICER, "services:process"),
    DD_ROUTE("GET", "/api/v1/dossiers/{code}", svc_dossiers_get, DD_AUTH_OFFICER, "services:process"),
    DD_ROUTE("GET", "/api/v1/dossiers/{code}/documents/{n}", svc_dossier_documents_get, DD_AUTH_OFFICER, "services:process"),
    DD_ROUTE_BODY("POST", "/api/v1/dossiers/{code}/actions", svc_actions_create, DD_AUTH_OFFICER, "services:process", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE("GET", "/api/v1/services/statistics", svc_statistics_get, DD_AUTH_OFFICER, "services:stats"),
    DD_ROUTE_BODY("POST", "/api/v1/kiosks", svc_kiosks_create, DD_AUTH_OFFICER, "services:kiosks", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE("GET", "/api/v1/kiosks", svc_kiosks_list, DD_AUTH_OFFICER, "services:kiosks"),
    DD_ROUTE("POST", "/api/v1/kiosks/{id}/revocation", svc_kiosks_revoke, DD_AUTH_OFFICER, "services:kiosks"),
    /* The kiosk routes check the kiosk's credential (X-Kiosk-Key) and session themselves. */
    DD_ROUTE_BODY("POST", "/api/v1/kiosk/sessions", svc_kiosk_sessions_create, DD_AUTH_NONE, NULL, DD_BODY_JSON, CARD_CHIP_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/kiosk/session", svc_kiosk_session_get, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/kiosk/session/dossiers", svc_kiosk_dossiers_list, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/kiosk/session/procedures/{code}/form", svc_kiosk_form_get, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/kiosk/session/dossiers", svc_kiosk_dossiers_create, DD_AUTH_NONE, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/kiosk/session/dossiers/{code}/supplements", svc_kiosk_supplements_create, DD_AUTH_NONE, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("POST", "/api/v1/kiosk/session/finish", svc_kiosk_session_finish, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/kiosk/tickets", svc_kiosk_tickets_create, DD_AUTH_NONE, NULL, DD_BODY_JSON, 1024, NULL),
    DD_ROUTE("GET", "/api/v1/service-tickets", svc_tickets_list, DD_AUTH_OFFICER, "services:process"),
    DD_ROUTE_BODY("POST", "/api/v1/service-tickets/next", svc_tickets_next, DD_AUTH_OFFICER, "services:process", DD_BODY_JSON, 1024, NULL),
    DD_ROUTES_END,
};
// clang-format on

const struct dd_module dd_module_services = {
    .name = "services",
    .routes = services_routes,
    .on_event = svc_on_event,
    .event_types = (const char *const[]){"payment.paid", NULL},
};
