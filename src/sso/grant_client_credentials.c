/*
 * grant_client_credentials.c — machine clients (the data-sharing gateway, integrations) get an
 * access token for themselves: the scopes asked for, all within those registered, or all the
 * registered ones when none are asked. No refresh token. This is the benchmarked path: one
 * client read (a cached prepared statement), one ES256 signature, and an audit row queued.
 */
#include "base/arena.h"
#include "base/err.h"
#include "http/req.h"
#include "sso/internal.h"

int
sso_grant_client_credentials(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                             const struct sso_client *c)
{
    const char *scope = sso_form_get(f, "scope");
    if (scope == NULL)
        scope = c->scopes;
    else if (!sso_scopes_within(scope, c->scopes))
        return sso_oauth_error(req, 400, "invalid_scope",
                               "A requested scope is not allowed for this client.");
    struct sso_grant g = {.client_id = c->client_id, .scope = scope};
    const char *token, *jti;
    int rc = sso_access_token(req, &g, &token, &jti);
    if (rc != DD_OK)
        return rc;
    sso_audit(db, dd_arena_printf(req->arena, "client:%s", c->client_id), "sso.token.issue",
              c->client_id,
              dd_arena_printf(req->arena, "{\"grant\":\"client_credentials\",\"jti\":\"%s\"}", jti),
              req->request_id);
    return sso_token_reply(req, token, scope, NULL, NULL);
}
