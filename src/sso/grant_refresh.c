/*
 * grant_refresh.c — refresh tokens with rotation (RFC 9700 §4.14.2). Each use marks the token
 * and issues the next one of its family; a marked token presented again revokes the family
 * (the thief and the rightful client both lose it, and the person logs in again). A refresh
 * may narrow the scope, never widen it; a disabled account or a withdrawn consent ends it.
 */
#include "base/arena.h"
#include "base/err.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

/* Answers an OAuth error; DD_EDENIED tells the caller it has been answered. */
static int
refuse(struct dd_req *req, const char *code, const char *why)
{
    sso_oauth_error(req, 400, code, why);
    return DD_EDENIED;
}

/* A used token presented again: the family is revoked, and the request refused. */
static int
refuse_reuse(struct dd_req *req, struct dd_db *db, const struct sso_refresh_row *row)
{
    int rc = sso_family_revoke(db, row->family_id, "refresh-reuse");
    if (rc != DD_OK)
        return rc;
    sso_audit(db, dd_arena_printf(req->arena, "client:%s", row->grant.client_id),
              "sso.refresh.reuse", row->grant.client_id,
              dd_arena_printf(req->arena, "{\"family\":\"%s\"}", row->family_id), req->request_id);
    return refuse(req, "invalid_grant", "The refresh token was already used.");
}

/* Reads the token and checks everything but its rotation. Replies on refusal. */
static int
refresh_or_reply(struct dd_req *req, struct dd_db *db, const struct sso_client *c,
                 const char *token, const char *scope, struct sso_refresh_row *row)
{
    int rc = sso_refresh_lookup(db, req->arena, token, row);
    if (rc == DD_ENOTFOUND)
        return refuse(req, "invalid_grant", "The refresh token is unknown.");
    if (rc != DD_OK)
        return rc;
    if (strcmp(row->grant.client_id, c->client_id) != 0)
        return refuse(req, "invalid_grant", "The refresh token was issued to another client.");
    if (row->revoked)
        return refuse(req, "invalid_grant", "The refresh token was revoked.");
    if (row->used)
        return refuse_reuse(req, db, row);
    if (row->expired)
        return refuse(req, "invalid_grant", "The refresh token has expired.");
    if (scope && !sso_scopes_within(scope, row->grant.scope))
        return refuse(req, "invalid_scope", "A refresh cannot widen the scope.");
    bool covered = false;
    rc = sso_consent_covers(db, row->grant.account_id, c->client_id, row->grant.scope, &covered);
    if (rc == DD_OK && !covered)
        return refuse(req, "invalid_grant", "The person withdrew consent.");
    struct sso_session acct;
    if (rc == DD_OK)
        rc = sso_account_get(db, req->arena, row->grant.account_id, &acct);
    if (rc == DD_ENOTFOUND)
        return refuse(req, "invalid_grant", "The account can no longer log in.");
    return rc;
}

/* What the answer needs once the rotation is committed. */
struct refresh_state {
    struct sso_refresh_row row;
    const char *scope;
    const char *client_id;
    bool pairwise;
};

/* The rotation's outcome: the next tokens, or a refusal when the token was used meanwhile. */
static int
answer(struct dd_req *req, void *arg, int rc, bool fresh, const char *next)
{
    struct refresh_state *st = arg;
    if (rc != DD_OK)
        return rc;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    if (!fresh) {
        rc = refuse_reuse(req, db, &st->row);
        return req->replied ? DD_DONE : rc;
    }
    struct sso_grant g = st->row.grant;
    g.pairwise = st->pairwise;
    if (st->scope)
        g.scope = st->scope;
    const char *access, *id_token, *jti;
    rc = sso_access_token(req, &g, &access, &jti);
    if (rc == DD_OK)
        rc = sso_id_token(req, &g, access, NULL, &id_token);
    if (rc != DD_OK)
        return rc;
    sso_audit(db, dd_arena_printf(req->arena, "client:%s", st->client_id), "sso.token.issue",
              st->client_id,
              dd_arena_printf(req->arena,
                              "{\"grant\":\"refresh_token\",\"account\":%lld,\"jti\":\"%s\"}",
                              (long long)g.account_id, jti),
              req->request_id);
    return sso_token_reply(req, access, g.scope, id_token, next);
}

int
sso_grant_refresh(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                  const struct sso_client *c)
{
    const char *token = sso_form_get(f, "refresh_token");
    if (token == NULL)
        return sso_oauth_error(req, 400, "invalid_request", "refresh_token is required.");
    struct refresh_state *st = dd_arena_zalloc(req->arena, sizeof *st);
    st->scope = sso_form_get(f, "scope");
    st->client_id = dd_arena_strdup(req->arena, c->client_id);
    st->pairwise = c->pairwise;
    int rc = refresh_or_reply(req, db, c, token, st->scope, &st->row);
    if (rc != DD_OK)
        return req->replied ? DD_DONE : rc;
    /* Answered now, or — parked while the rotation thread commits — once it has. */
    return sso_refresh_rotate_then(req, db, token, st->row.family_id, answer, st);
}
