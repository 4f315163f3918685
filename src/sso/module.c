/*
 * module.c — the `sso` module: its routes, its settings, the discovery document (OpenID
 * Connect Discovery 1.0, with RFC 8414's additions), the JWKS, and the authenticator that admits
 * our access tokens on DD_AUTH_CLIENT routes.
 *
 * The protocol endpoints (`/.well-known/…`, `/sso/…`) take no caller at the router: they
 * authenticate the client themselves (client_auth.c) and answer OAuth errors. Their forms are
 * read raw (DD_BODY_RAW) since OAuth bodies are application/x-www-form-urlencoded.
 */
#include "base/arena.h"
#include "base/config.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/identity/identity.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct sso_settings sso_settings;

static const char *const form_types[] = {"application/x-www-form-urlencoded", NULL};

#define FORM_MAX (64 * 1024)

// clang-format off
static const struct dd_route sso_routes[] = {
    DD_ROUTE("GET", "/.well-known/openid-configuration", sso_discovery, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/sso/jwks", sso_jwks, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/sso/authorize", sso_authorize, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/sso/authorize", sso_authorize, DD_AUTH_NONE, NULL, DD_BODY_RAW, FORM_MAX, form_types),
    DD_ROUTE_BODY("POST", "/sso/par", sso_par, DD_AUTH_NONE, NULL, DD_BODY_RAW, FORM_MAX, form_types),
    DD_ROUTE_BODY("POST", "/sso/token", sso_token, DD_AUTH_NONE, NULL, DD_BODY_RAW, FORM_MAX, form_types),
    DD_ROUTE("GET", "/sso/userinfo", sso_userinfo, DD_AUTH_CLIENT, NULL),
    DD_ROUTE("POST", "/sso/userinfo", sso_userinfo, DD_AUTH_CLIENT, NULL),
    DD_ROUTE_BODY("POST", "/sso/introspect", sso_introspect, DD_AUTH_NONE, NULL, DD_BODY_RAW, FORM_MAX, form_types),
    DD_ROUTE_BODY("POST", "/sso/revoke", sso_revoke, DD_AUTH_NONE, NULL, DD_BODY_RAW, FORM_MAX, form_types),
    DD_ROUTE("GET", "/sso/logout", sso_logout, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/sso/logout", sso_logout, DD_AUTH_NONE, NULL, DD_BODY_RAW, FORM_MAX, form_types),
    DD_ROUTE("GET", "/api/v1/sso/interactions/{id}", sso_interaction_get, DD_AUTH_CITIZEN_L1, "account"),
    DD_ROUTE_BODY("POST", "/api/v1/sso/interactions/{id}", sso_interaction_post, DD_AUTH_CITIZEN_L1, "account", DD_BODY_JSON, 4096, NULL),
    DD_ROUTE("GET", "/api/v1/me/sso-consents", sso_me_consents, DD_AUTH_CITIZEN_L1, "account"),
    DD_ROUTE("DELETE", "/api/v1/me/sso-consents/{client_id}", sso_me_consent_delete, DD_AUTH_CITIZEN_L1, "account"),
    DD_ROUTE("GET", "/api/v1/sso/clients", sso_admin_list, DD_AUTH_OPERATOR, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/sso/clients", sso_admin_create, DD_AUTH_OPERATOR, NULL, DD_BODY_JSON, 65536, NULL),
    DD_ROUTE("GET", "/api/v1/sso/clients/{client_id}", sso_admin_get, DD_AUTH_OPERATOR, NULL),
    DD_ROUTE("POST", "/api/v1/sso/clients/{client_id}/secret-rotations", sso_admin_rotate, DD_AUTH_OPERATOR, NULL),
    DD_ROUTE("POST", "/api/v1/sso/clients/{client_id}/disable", sso_admin_disable, DD_AUTH_OPERATOR, NULL),
    DD_ROUTES_END,
};
// clang-format on

/* Set when a client changed in the delivery transaction; the cached clients are forgotten once
 * it has committed (after_events), so that no thread caches a client as it was before. */
static atomic_bool clients_changed;

/* A client changed, here or in another process (the command line). */
static int
on_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)db;
    (void)arg;
    if (strcmp(ev->type, SSO_EVENT_CLIENT_CHANGED) == 0)
        atomic_store(&clients_changed, true);
    return DD_OK;
}

static void
after_events(void)
{
    if (atomic_exchange(&clients_changed, false))
        sso_client_cache_forget();
}

const struct dd_module dd_module_sso = {
    .name = "sso",
    .routes = sso_routes,
    .on_event = on_event,
    .event_types = (const char *const[]){SSO_EVENT_CLIENT_CHANGED, NULL},
    .after_events = after_events,
};

int
dd_sso_configure(const struct dd_config *cfg, char *err, size_t errlen)
{
    if (cfg->issuer[0]) {
        dd_strlcpy(sso_settings.issuer, cfg->issuer, sizeof sso_settings.issuer);
    } else {
        snprintf(sso_settings.issuer, sizeof sso_settings.issuer, "%s://%s",
                 cfg->tls ? "https" : "http", cfg->listen);
    }
    size_t n = strlen(sso_settings.issuer);
    while (n > 0 && sso_settings.issuer[n - 1] == '/')
        sso_settings.issuer[--n] = '\0';
    dd_strlcpy(sso_settings.data_dir, cfg->data_dir, sizeof sso_settings.data_dir);
    sso_settings.tls = cfg->tls;
    int rc = sso_keys_load(cfg->data_dir, err, errlen);
    if (rc != DD_OK)
        return rc;
    sso_audit_start();
    sso_backchannel_start();
    return DD_OK;
}

void
dd_sso_stop(void)
{
    sso_backchannel_stop();
    sso_audit_stop();
    sso_keys_unload();
}

/* ---- the authenticator ---- */

static int
refuse_token(struct dd_req *req)
{
    dd_reply_header(req, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
    dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
    return DD_EDENIED;
}

int
dd_sso_authenticate(struct dd_req *req, const struct dd_route *route)
{
    if (route->auth != DD_AUTH_CLIENT)
        return dd_identity_authenticate(req, route);
    const char *auth = dd_req_header(req, "Authorization");
    if (auth == NULL) {
        dd_reply_header(req, "WWW-Authenticate", "Bearer");
        dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
        return DD_EDENIED;
    }
    if (strncmp(auth, "Bearer ", 7) != 0)
        return refuse_token(req);
    const char *token = auth + 7;
    /* Officers' tokens and sessions are credentials, only not for these routes. */
    if (strncmp(token, "ddt_", 4) == 0 || strncmp(token, "dds_", 4) == 0) {
        dd_reply_problem(req, DD_PROBLEM_FORBIDDEN, NULL);
        return DD_EDENIED;
    }
    json_t *payload;
    if (sso_access_token_verify(req->arena, token, &payload) != DD_OK)
        return refuse_token(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_EUNAVAIL;
    int rc = sso_access_token_live(db, payload);
    if (rc == DD_EDENIED)
        return refuse_token(req);
    if (rc != DD_OK)
        return rc;
    struct dd_principal *p = dd_arena_zalloc(req->arena, sizeof *p);
    p->kind = DD_PRINCIPAL_CLIENT;
    dd_strlcpy(p->name, dd_jwt_str(payload, "client_id"), sizeof p->name);
    dd_strlcpy(p->display_name, p->name, sizeof p->display_name);
    req->who = p;
    return DD_OK;
}

/* ---- discovery and keys ---- */

static json_t *
strings(const char *const *list)
{
    json_t *a = json_array();
    for (; *list; list++)
        json_array_append_new(a, json_string(*list));
    return a;
}

int
sso_discovery(struct dd_req *req)
{
    static const char *const auth_methods[] = {"client_secret_basic", "private_key_jwt", "none",
                                               NULL};
    static const char *const signing[] = {"ES256", "RS256", "PS256", NULL};
    static const char *const claims[] = {"sub",
                                         "iss",
                                         "aud",
                                         "exp",
                                         "iat",
                                         "auth_time",
                                         "nonce",
                                         "acr",
                                         "amr",
                                         "sid",
                                         "name",
                                         "family_name",
                                         "given_name",
                                         "birthdate",
                                         "gender",
                                         "email",
                                         "email_verified",
                                         "phone_number",
                                         "phone_number_verified",
                                         "national_id",
                                         "permanent_address",
                                         NULL};
    struct dd_arena *a = req->arena;
    json_t *d = json_object();
    json_object_set_new(d, "issuer", json_string(sso_settings.issuer));
    json_object_set_new(d, "authorization_endpoint", json_string(sso_url(a, "/sso/authorize")));
    json_object_set_new(d, "token_endpoint", json_string(sso_url(a, "/sso/token")));
    json_object_set_new(d, "userinfo_endpoint", json_string(sso_url(a, "/sso/userinfo")));
    json_object_set_new(d, "jwks_uri", json_string(sso_url(a, "/sso/jwks")));
    json_object_set_new(d, "pushed_authorization_request_endpoint",
                        json_string(sso_url(a, "/sso/par")));
    json_object_set_new(d, "introspection_endpoint", json_string(sso_url(a, "/sso/introspect")));
    json_object_set_new(d, "revocation_endpoint", json_string(sso_url(a, "/sso/revoke")));
    json_object_set_new(d, "end_session_endpoint", json_string(sso_url(a, "/sso/logout")));
    json_object_set_new(d, "scopes_supported", strings(sso_known_scopes));
    json_object_set_new(d, "response_types_supported", json_pack("[s]", "code"));
    json_object_set_new(d, "response_modes_supported", json_pack("[s]", "query"));
    json_object_set_new(
        d, "grant_types_supported",
        json_pack("[s,s,s]", "authorization_code", "refresh_token", "client_credentials"));
    json_object_set_new(d, "subject_types_supported", json_pack("[s,s]", "public", "pairwise"));
    json_object_set_new(d, "id_token_signing_alg_values_supported", json_pack("[s]", "ES256"));
    json_object_set_new(d, "userinfo_signing_alg_values_supported", json_pack("[]"));
    json_object_set_new(d, "token_endpoint_auth_methods_supported", strings(auth_methods));
    json_object_set_new(d, "token_endpoint_auth_signing_alg_values_supported", strings(signing));
    json_object_set_new(d, "introspection_endpoint_auth_methods_supported", strings(auth_methods));
    json_object_set_new(d, "revocation_endpoint_auth_methods_supported", strings(auth_methods));
    json_object_set_new(d, "code_challenge_methods_supported", json_pack("[s]", "S256"));
    json_object_set_new(d, "acr_values_supported", json_pack("[s,s]", SSO_ACR_LOA1, SSO_ACR_LOA2));
    json_object_set_new(d, "claims_supported", strings(claims));
    json_object_set_new(d, "claims_parameter_supported", json_false());
    json_object_set_new(d, "request_parameter_supported", json_false());
    json_object_set_new(d, "request_uri_parameter_supported", json_false());
    json_object_set_new(d, "require_pushed_authorization_requests", json_false());
    json_object_set_new(d, "authorization_response_iss_parameter_supported", json_true());
    json_object_set_new(d, "backchannel_logout_supported", json_true());
    json_object_set_new(d, "backchannel_logout_session_supported", json_true());
    json_object_set_new(d, "frontchannel_logout_supported", json_false());
    json_object_set_new(d, "ui_locales_supported", json_pack("[s,s]", "vi", "en"));
    return dd_reply_json(req, 200, d);
}

int
sso_jwks(struct dd_req *req)
{
    const char *text = sso_jwks_text(req->arena);
    dd_reply_header(req, "Cache-Control", "public, max-age=300");
    return dd_reply_bytes(req, 200, "application/jwk-set+json", text, strlen(text));
}
