/*
 * grant_refresh.c — refresh tokens with rotation (RFC 9700 §4.14.2). Each use marks the token
 * and issues the next one of its family; a marked token presented again revokes the family
 * (the thief and the rightful client both lose it, and the person logs in again). A refresh
 * may narrow the scope, never widen it; a disabled account or a withdrawn consent ends it.
 *
 * The whole decision is one write of the group commit (core/group_commit.h): reading the token,
 * its family, the consent and the account, then the rotation, in the transaction that commits
 * it with the other refreshes arriving at once. The committing connection reads what its own
 * recent commits left in its cache, and no request thread opens a read of its own. The request
 * is answered, on its own thread, once that transaction is durable.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/group_commit.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

/* What the checks decided, in the order they are made. */
enum outcome {
    REFRESHED,
    UNKNOWN,
    OTHER_CLIENT,
    REVOKED,
    REUSED,
    EXPIRED,
    WIDER_SCOPE,
    NO_CONSENT,
    NO_ACCOUNT,
};

/* The refusal of each outcome but REFRESHED. */
static const struct {
    const char *error;
    const char *why;
} refusals[] = {
    [UNKNOWN] = {"invalid_grant", "The refresh token is unknown."},
    [OTHER_CLIENT] = {"invalid_grant", "The refresh token was issued to another client."},
    [REVOKED] = {"invalid_grant", "The refresh token was revoked."},
    [REUSED] = {"invalid_grant", "The refresh token was already used."},
    [EXPIRED] = {"invalid_grant", "The refresh token has expired."},
    [WIDER_SCOPE] = {"invalid_scope", "A refresh cannot widen the scope."},
    [NO_CONSENT] = {"invalid_grant", "The person withdrew consent."},
    [NO_ACCOUNT] = {"invalid_grant", "The account can no longer log in."},
};

/* One refresh request: what it asked, and, once written, what was decided. */
struct refresh {
    struct dd_arena *arena; /* the request's; used by the writer while the request is parked */
    const char *client_id;
    const char *scope; /* asked narrower, or NULL */
    bool pairwise;
    struct sso_rotation rotation;
    struct sso_refresh_row row;
    enum outcome outcome;
};

/* What the stored token and its family say of this request. */
static enum outcome
check_row(const struct refresh *r)
{
    const struct sso_refresh_row *row = &r->row;
    if (strcmp(row->grant.client_id, r->client_id) != 0)
        return OTHER_CLIENT;
    if (row->revoked)
        return REVOKED;
    if (row->used)
        return REUSED;
    if (row->expired)
        return EXPIRED;
    if (r->scope && !sso_scopes_within(r->scope, row->grant.scope))
        return WIDER_SCOPE;
    if (row->consented == NULL || !sso_scopes_within(row->grant.scope, row->consented))
        return NO_CONSENT;
    if (!row->account_active)
        return NO_ACCOUNT;
    return REFRESHED;
}

/* Reads the token (with its family, consent and account) and sets r->outcome: REFRESHED when it
 * may rotate. DD_OK or a database code. */
static int
decide(struct dd_db *db, struct refresh *r)
{
    int rc = sso_refresh_lookup_key(db, r->arena, r->rotation.old_key, &r->row);
    if (rc == DD_ENOTFOUND)
        r->outcome = UNKNOWN;
    if (rc != DD_OK)
        return rc == DD_ENOTFOUND ? DD_OK : rc;
    r->outcome = check_row(r);
    return DD_OK;
}

/* The write, in the group's transaction: decide, then rotate, or revoke the family of a reused
 * token. A refusal is not a failure: the revocation commits with the group. */
static int
refresh_write(struct dd_db *db, void *arg)
{
    struct refresh *r = arg;
    int rc = decide(db, r);
    if (rc == DD_OK && r->outcome == REFRESHED) {
        r->rotation.family_id = r->row.family_id;
        rc = sso_rotation_write(db, &r->rotation);
        if (rc == DD_OK && !r->rotation.fresh)
            r->outcome = REUSED;
    }
    if (rc == DD_OK && r->outcome == REUSED)
        rc = sso_family_revoke(db, r->row.family_id, "refresh-reuse");
    return rc;
}

/* The answer, on the request's thread once the write is durable (or failed). */
static int
refresh_answer(struct dd_req *req, void *arg, int rc)
{
    struct refresh *r = arg;
    if (rc != DD_OK)
        return rc;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *actor = dd_arena_concat(req->arena, "client:", r->client_id);
    if (r->outcome == REUSED)
        sso_audit(db, actor, "sso.refresh.reuse", r->client_id,
                  dd_arena_printf(req->arena, "{\"family\":\"%s\"}", r->row.family_id),
                  req->request_id);
    if (r->outcome != REFRESHED)
        return sso_oauth_error(req, 400, refusals[r->outcome].error, refusals[r->outcome].why);
    struct sso_grant g = r->row.grant;
    g.pairwise = r->pairwise;
    if (r->scope)
        g.scope = r->scope;
    const char *access, *id_token, *jti;
    rc = sso_access_token(req, &g, &access, &jti);
    if (rc == DD_OK)
        rc = sso_id_token(req, &g, access, &id_token);
    if (rc != DD_OK)
        return rc;
    sso_audit(db, actor, "sso.token.issue", r->client_id,
              dd_arena_printf(req->arena,
                              "{\"grant\":\"refresh_token\",\"account\":%lld,\"jti\":\"%s\"}",
                              (long long)g.account_id, jti),
              req->request_id);
    return sso_token_reply(req, access, g.scope, id_token, r->rotation.new_token);
}

int
sso_grant_refresh(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                  const struct sso_client *c)
{
    const char *token = sso_form_get(f, "refresh_token");
    if (token == NULL)
        return sso_oauth_error(req, 400, "invalid_request", "refresh_token is required.");
    struct refresh *r = dd_arena_zalloc(req->arena, sizeof *r);
    r->arena = req->arena;
    r->client_id = dd_arena_strdup(req->arena, c->client_id);
    r->scope = sso_form_get(f, "scope");
    r->pairwise = c->pairwise;
    sso_rotation_init(req->arena, sso_refresh_key(req->arena, token), NULL, &r->rotation);
    /* Answered now, or — parked while the group commit writes it — once it is durable. */
    return dd_group_commit(req, db, refresh_write, refresh_answer, r);
}
