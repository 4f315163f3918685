/*
 * introspect.c — POST /sso/introspect (RFC 7662). The caller authenticates as a client. A
 * machine client (client_credentials: the gateway, resource servers) may introspect any token;
 * a relying party only its own. Anything unknown, expired, revoked, of a disabled client, or not
 * the caller's to see is {"active": false}.
 */
#include "base/arena.h"
#include "base/err.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

static int
inactive(struct dd_req *req)
{
    return sso_oauth_json(req, json_pack("{s:b}", "active", 0));
}

static bool
may_see(const struct sso_client *caller, const char *token_client)
{
    return strcmp(caller->grant_type, "client_credentials") == 0 ||
           strcmp(caller->client_id, token_client) == 0;
}

static int
introspect_access(struct dd_req *req, struct dd_db *db, const struct sso_client *caller,
                  const char *token)
{
    json_t *p;
    if (sso_access_token_verify(req->arena, token, &p) != DD_OK ||
        !may_see(caller, dd_jwt_str(p, "client_id")))
        return inactive(req);
    int rc = sso_access_token_live(db, p);
    if (rc == DD_EDENIED)
        return inactive(req);
    if (rc != DD_OK)
        return rc;
    json_t *body = json_deep_copy(p);
    json_object_del(body, "fid");
    json_object_set_new(body, "active", json_true());
    json_object_set_new(body, "token_type", json_string("Bearer"));
    return sso_oauth_json(req, body);
}

static int
introspect_refresh(struct dd_req *req, struct dd_db *db, const struct sso_client *caller,
                   const char *token)
{
    struct sso_refresh_row row;
    int rc = sso_refresh_lookup(db, req->arena, token, &row);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && (row.used || row.expired || row.revoked ||
                                               !may_see(caller, row.grant.client_id))))
        return inactive(req);
    if (rc != DD_OK)
        return rc;
    struct sso_client c;
    rc = sso_client_get(db, req->arena, row.grant.client_id, &c);
    if (rc != DD_OK || !c.active)
        return rc == DD_OK || rc == DD_ENOTFOUND ? inactive(req) : rc;
    row.grant.pairwise = c.pairwise;
    json_t *body =
        json_pack("{s:b, s:s, s:s, s:s, s:s, s:s}", "active", 1, "token_type", "refresh_token",
                  "client_id", row.grant.client_id, "scope", row.grant.scope, "sub",
                  sso_subject(req->arena, &row.grant), "iss", sso_settings.issuer);
    return sso_oauth_json(req, body);
}

int
sso_introspect(struct dd_req *req)
{
    struct dd_db *db;
    struct sso_form f;
    struct sso_client caller;
    int rc = sso_client_request(req, "/sso/introspect", &db, &f, &caller);
    if (rc != DD_OK)
        return rc;
    const char *token = sso_form_get(&f, "token");
    if (token == NULL)
        return sso_oauth_error(req, 400, "invalid_request", "token is required.");
    if (strncmp(token, "ddr_", 4) == 0)
        return introspect_refresh(req, db, &caller, token);
    return introspect_access(req, db, &caller, token);
}
