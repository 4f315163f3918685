/*
 * module.c — the `stays` module: its routes (docs/STAYS.md).
 *
 * Three kinds of caller: an establishment's staff (DD_AUTH_ESTABLISHMENT; stay:write for the
 * desk, establishment:staff to ask for the profile), the police (stay:read to see, stay:police to
 * approve establishments; stay:watch, the province police's alone, to keep the watch list and
 * the alert contacts), and those who read the
 * tourism figures (stay:figures).
 */
#include "core/stays/internal.h"
#include "core/stays/stays.h"

static const char *const bulk_types[] = {"application/json", "text/csv", NULL};

static const struct dd_route stay_routes[] = {
    DD_ROUTE("GET", "/api/v1/stays/establishment", stay_est_get, DD_AUTH_ESTABLISHMENT,
             "establishment:read"),
    DD_ROUTE_BODY("POST", "/api/v1/stays/establishment", stay_est_request, DD_AUTH_ESTABLISHMENT,
                  "establishment:staff", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/stays/checkins", stay_checkin, DD_AUTH_ESTABLISHMENT,
                  "stay:write", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/stays/checkins/bulk", stay_bulk, DD_AUTH_ESTABLISHMENT,
                  "stay:write", DD_BODY_RAW, STAY_BULK_BODY, bulk_types),
    DD_ROUTE_BODY("POST", "/api/v1/stays/checkouts", stay_checkout, DD_AUTH_ESTABLISHMENT,
                  "stay:write", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/stays/guests", stay_guests, DD_AUTH_ESTABLISHMENT, "stay:write"),
    DD_ROUTE_BODY("POST", "/api/v1/stays/guests/{id}/corrections", stay_correct,
                  DD_AUTH_ESTABLISHMENT, "stay:write", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/stays/trips", stay_trip_create, DD_AUTH_ESTABLISHMENT,
                  "stay:write", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/stays/trips", stay_trip_list_own, DD_AUTH_ESTABLISHMENT, "stay:write"),
    DD_ROUTE("GET", "/api/v1/stays/trips/{id}", stay_trip_get_own, DD_AUTH_ESTABLISHMENT,
             "stay:write"),
    DD_ROUTE_BODY("POST", "/api/v1/stays/trips/{id}/passengers", stay_trip_board,
                  DD_AUTH_ESTABLISHMENT, "stay:write", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/stays/trips/{id}/departure", stay_trip_depart,
                  DD_AUTH_ESTABLISHMENT, "stay:write", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/stays/police/establishments", stay_est_list, DD_AUTH_OFFICER,
             "stay:read"),
    DD_ROUTE_BODY("POST", "/api/v1/stays/police/establishments/{id}/decisions", stay_est_decide,
                  DD_AUTH_OFFICER, "stay:police", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/stays/police/stays", stay_police_list, DD_AUTH_OFFICER, "stay:read"),
    DD_ROUTE("GET", "/api/v1/stays/police/stays/{id}", stay_police_get, DD_AUTH_OFFICER,
             "stay:read"),
    DD_ROUTE("GET", "/api/v1/stays/police/missing", stay_police_missing, DD_AUTH_OFFICER,
             "stay:read"),
    DD_ROUTE("GET", "/api/v1/stays/police/people/{key}/stays", stay_police_person, DD_AUTH_OFFICER,
             "stay:read"),
    DD_ROUTE("GET", "/api/v1/stays/police/watchlist", stay_watch_list, DD_AUTH_OFFICER,
             "stay:watch"),
    DD_ROUTE_BODY("POST", "/api/v1/stays/police/watchlist", stay_watch_add, DD_AUTH_OFFICER,
                  "stay:watch", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/stays/police/watchlist/{id}/removals", stay_watch_remove,
                  DD_AUTH_OFFICER, "stay:watch", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/stays/police/alerts", stay_alerts_list, DD_AUTH_OFFICER, "stay:read"),
    DD_ROUTE("GET", "/api/v1/stays/police/alert-contacts", stay_contacts_list, DD_AUTH_OFFICER,
             "stay:read"),
    DD_ROUTE_BODY("POST", "/api/v1/stays/police/alert-contacts", stay_contacts_add, DD_AUTH_OFFICER,
                  "stay:watch", DD_BODY_JSON, STAY_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/stays/police/trips", stay_trip_police_list, DD_AUTH_OFFICER,
             "stay:read"),
    DD_ROUTE("GET", "/api/v1/stays/police/trips/{id}", stay_trip_police_get, DD_AUTH_OFFICER,
             "stay:read"),
    DD_ROUTE("GET", "/api/v1/stays/figures", stay_figures_get, DD_AUTH_OFFICER, "stay:figures"),
    DD_ROUTES_END,
};

const struct dd_module dd_module_stays = {
    .name = "stays",
    .routes = stay_routes,
    .on_event = NULL,
};
