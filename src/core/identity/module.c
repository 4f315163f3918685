/*
 * module.c — the `identity` module: the routes of electronic identities (docs/IDENTITY.md).
 *
 * Registration, confirmation, login and password reset are open (DD_AUTH_NONE): they are how a
 * caller gets credentials. A person's own pages are DD_AUTH_CITIZEN_L1 with scope "account"
 * (any account holder's full session, officers' included) or "account:enrol" (an officer's
 * enrolment-only session too). Officers' actions need the scopes identity:verify (level 2,
 * children, unlock, look-up) and identity:suspend, which the police roles hold
 * (core/officers.c). Attaching a child is DD_AUTH_CITIZEN_L2 with scope identity:verify: the
 * parent at level 2, or a police officer (authenticate.c explains the rule).
 */
#include "core/identity/identity.h"
#include "core/identity/internal.h"

static const struct dd_route identity_routes[] = {
    DD_ROUTE_BODY("POST", "/api/v1/accounts", id_accounts_create, DD_AUTH_NONE, NULL, DD_BODY_JSON,
                  ID_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/accounts", id_accounts_find, DD_AUTH_OFFICER, "identity:verify"),
    DD_ROUTE_BODY("POST", "/api/v1/accounts/confirmations", id_accounts_confirm, DD_AUTH_NONE, NULL,
                  DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/accounts/children", id_children_create, DD_AUTH_CITIZEN_L2,
                  "identity:verify", DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/accounts/{id}/level-2", id_level2_create, DD_AUTH_OFFICER,
                  "identity:verify", DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/accounts/{id}/unlock", id_accounts_unlock, DD_AUTH_OFFICER,
                  "identity:verify", DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/accounts/{id}/suspensions", id_accounts_suspend, DD_AUTH_OFFICER,
                  "identity:suspend", DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/accounts/{id}/reinstatements", id_accounts_reinstate,
                  DD_AUTH_OFFICER, "identity:suspend", DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/sessions", id_sessions_create, DD_AUTH_NONE, NULL, DD_BODY_JSON,
                  ID_SMALL_BODY, NULL),
    DD_ROUTE("DELETE", "/api/v1/sessions/current", id_sessions_end_current, DD_AUTH_CITIZEN_L1,
             "account:enrol"),
    DD_ROUTE_BODY("POST", "/api/v1/password-resets", id_password_resets_create, DD_AUTH_NONE, NULL,
                  DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/password-resets/confirmations", id_password_resets_confirm,
                  DD_AUTH_NONE, NULL, DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me", id_me_get, DD_AUTH_CITIZEN_L1, "account:enrol"),
    DD_ROUTE("GET", "/api/v1/me/sessions", id_me_sessions_list, DD_AUTH_CITIZEN_L1, "account"),
    DD_ROUTE("DELETE", "/api/v1/me/sessions/{id}", id_me_sessions_end, DD_AUTH_CITIZEN_L1,
             "account"),
    DD_ROUTE("POST", "/api/v1/me/totp", id_me_totp_create, DD_AUTH_CITIZEN_L1, "account:enrol"),
    DD_ROUTE_BODY("POST", "/api/v1/me/totp/confirmations", id_me_totp_confirm, DD_AUTH_CITIZEN_L1,
                  "account:enrol", DD_BODY_JSON, ID_SMALL_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/lock", id_me_lock, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON,
                  ID_SMALL_BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me/auth-history", id_me_history, DD_AUTH_CITIZEN_L1, "account"),
    DD_ROUTES_END,
};

const struct dd_module dd_module_identity = {
    .name = "identity",
    .routes = identity_routes,
    .on_event = NULL,
};
