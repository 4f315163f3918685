/*
 * families.c — refresh-token families. A family starts at a code exchange and holds the grant
 * (account, client, scope, acr, amr, auth_time, sid); each use of its refresh token rotates it:
 * the used token is marked, a new one issued. Presenting a marked token again means it was
 * stolen or replayed, and the whole family is revoked (with the access tokens that name it).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

int
sso_refresh_issue(struct dd_req *req, struct dd_db *db, const char *family_id,
                  const char **refresh_token)
{
    struct sso_rotation first;
    sso_rotation_init(req->arena, NULL, family_id, &first);
    int rc = sso_refresh_store(db, &first);
    if (rc == DD_OK)
        *refresh_token = first.new_token;
    return rc;
}

int
sso_family_create(struct dd_req *req, struct dd_db *db, const struct sso_grant *g,
                  const char **family_id, const char **refresh_token)
{
    const char *id = sso_random_token(req->arena, "");
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO sso_families (id, client_id, account_id, scope, acr, amr, "
                           "auth_time, sid, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id);
    dd_stmt_bind_text(st, 2, g->client_id);
    dd_stmt_bind_int64(st, 3, g->account_id);
    dd_stmt_bind_text(st, 4, g->scope);
    dd_stmt_bind_text(st, 5, g->acr);
    dd_stmt_bind_text(st, 6, g->amr);
    dd_stmt_bind_int64(st, 7, g->auth_time);
    dd_stmt_bind_text(st, 8, g->sid ? g->sid : "");
    dd_stmt_bind_text(st, 9, sso_time(req->arena, 0));
    dd_stmt_bind_text(st, 10, sso_time(req->arena, SSO_REFRESH_TTL));
    rc = dd_stmt_run(st);
    if (rc == DD_OK)
        rc = sso_refresh_issue(req, db, id, refresh_token);
    if (rc == DD_OK)
        *family_id = id;
    return rc;
}

int
sso_family_revoke(struct dd_db *db, const char *family_id, const char *why)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sso_families SET revoked_at = ?, revoked_why = ? WHERE id = ? "
                           "AND revoked_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, why);
    dd_stmt_bind_text(st, 3, family_id);
    return dd_stmt_run(st);
}

int
sso_families_revoke_for(struct dd_db *db, int64_t account_id, const char *client_id,
                        const char *why)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sso_families SET revoked_at = ?, revoked_why = ? WHERE "
                           "account_id = ? AND client_id = ? AND revoked_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, why);
    dd_stmt_bind_int64(st, 3, account_id);
    dd_stmt_bind_text(st, 4, client_id);
    return dd_stmt_run(st);
}

/* The token, its family, and what a refresh must check of the family's account: the scopes it
 * consented to for the client, and whether it may still log in (as sso_account_get). */
static const char lookup_sql[] =
    "SELECT t.family_id, t.expires_at, t.used_at, f.client_id, f.account_id, f.scope, f.acr, "
    "f.amr, f.auth_time, f.sid, f.revoked_at, f.expires_at, "
    "(SELECT c.scopes FROM sso_consents c WHERE c.account_id = f.account_id AND c.client_id = "
    "f.client_id), "
    "CASE WHEN EXISTS (SELECT 1 FROM accounts a WHERE a.id = f.account_id AND a.status = "
    "'active') THEN 1 ELSE 0 END "
    "FROM sso_refresh_tokens t JOIN sso_families f ON f.id = t.family_id WHERE t.token_key = ?";

int
sso_refresh_lookup(struct dd_db *db, struct dd_arena *a, const char *token,
                   struct sso_refresh_row *out)
{
    return sso_refresh_lookup_key(db, a, sso_refresh_key(a, token), out);
}

int
sso_refresh_lookup_key(struct dd_db *db, struct dd_arena *a, const char *key,
                       struct sso_refresh_row *out)
{
    memset(out, 0, sizeof *out);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, lookup_sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, key);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        out->family_id = dd_arena_strdup(a, dd_stmt_text(st, 0));
        const char *now = sso_time(a, 0);
        out->expired =
            strcmp(dd_stmt_text(st, 1), now) <= 0 || strcmp(dd_stmt_text(st, 11), now) <= 0;
        out->used = dd_stmt_text(st, 2)[0] != '\0';
        out->grant.client_id = dd_arena_strdup(a, dd_stmt_text(st, 3));
        out->grant.account_id = dd_stmt_int64(st, 4);
        out->grant.scope = dd_arena_strdup(a, dd_stmt_text(st, 5));
        out->grant.acr = dd_arena_strdup(a, dd_stmt_text(st, 6));
        out->grant.amr = dd_arena_strdup(a, dd_stmt_text(st, 7));
        out->grant.auth_time = dd_stmt_int64(st, 8);
        out->grant.sid = dd_arena_strdup(a, dd_stmt_text(st, 9));
        out->grant.family_id = out->family_id;
        out->revoked = dd_stmt_text(st, 10)[0] != '\0';
        out->consented = dd_stmt_is_null(st, 12) ? NULL : dd_arena_strdup(a, dd_stmt_text(st, 12));
        out->account_active = dd_stmt_int64(st, 13) != 0;
        out->expires_at = dd_arena_strdup(a, dd_stmt_text(st, 1));
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}
