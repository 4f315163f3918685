/*
 * revoke.c — POST /sso/revoke (RFC 7009). A client revokes one of its own tokens: a refresh
 * token ends its whole family (and the access tokens naming it), an access token is listed by
 * jti until it would have expired. The answer is 200 whatever the token was, so that the
 * endpoint tells nothing about tokens it does not know or that are not the caller's.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

static int
revoke_access(struct dd_req *req, struct dd_db *db, const struct sso_client *c, const char *token)
{
    json_t *p;
    if (sso_access_token_verify(req->arena, token, &p) != DD_OK ||
        strcmp(dd_jwt_str(p, "client_id"), c->client_id) != 0)
        return DD_OK;
    char expires[32];
    dd_clock_iso8601((dd_jwt_int(p, "exp", 0) + SSO_LEEWAY) * 1000, expires);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO sso_revoked_jti (jti, expires_at) VALUES (?, ?) ON "
                           "CONFLICT DO NOTHING",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, dd_jwt_str(p, "jti"));
    dd_stmt_bind_text(st, 2, expires);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    sso_audit(db, dd_arena_printf(req->arena, "client:%s", c->client_id), "sso.token.revoke",
              c->client_id, dd_arena_printf(req->arena, "{\"jti\":\"%s\"}", dd_jwt_str(p, "jti")),
              req->request_id);
    return DD_OK;
}

static int
revoke_refresh(struct dd_req *req, struct dd_db *db, const struct sso_client *c, const char *token)
{
    struct sso_refresh_row row;
    int rc = sso_refresh_lookup(db, req->arena, token, &row);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && strcmp(row.grant.client_id, c->client_id) != 0))
        return DD_OK;
    if (rc == DD_OK)
        rc = sso_family_revoke(db, row.family_id, "revoked-by-client");
    if (rc == DD_OK)
        sso_audit(db, dd_arena_printf(req->arena, "client:%s", c->client_id), "sso.refresh.revoke",
                  c->client_id, dd_arena_printf(req->arena, "{\"family\":\"%s\"}", row.family_id),
                  req->request_id);
    return rc;
}

int
sso_revoke(struct dd_req *req)
{
    struct dd_db *db;
    struct sso_form f;
    struct sso_client c;
    int rc = sso_client_request(req, "/sso/revoke", &db, &f, &c);
    if (rc != DD_OK)
        return rc;
    const char *token = sso_form_get(&f, "token");
    if (token == NULL)
        return sso_oauth_error(req, 400, "invalid_request", "token is required.");
    rc = strncmp(token, "ddr_", 4) == 0 ? revoke_refresh(req, db, &c, token)
                                        : revoke_access(req, db, &c, token);
    if (rc != DD_OK)
        return rc;
    return dd_reply_bytes(req, 200, "application/json", "{}", 2);
}
