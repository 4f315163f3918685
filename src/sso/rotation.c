/*
 * rotation.c — the write of a refresh-token rotation. It marks the presented token used (only if
 * it was not: that single UPDATE is what detects a reuse, even between two requests at once) and
 * stores its successor. The token endpoint runs it inside the group commit with the checks that
 * decide it (grant_refresh.c); sso_refresh_rotate runs it alone, on the caller's connection.
 */
#include "base/arena.h"
#include "base/err.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <stdbool.h>

void
sso_rotation_init(struct dd_arena *a, const char *old_key, const char *family_id,
                  struct sso_rotation *r)
{
    r->old_key = old_key;
    r->new_token = sso_refresh_token_new(a);
    r->new_key = sso_refresh_key(a, r->new_token);
    r->family_id = family_id;
    r->now = sso_time(a, 0);
    r->expires = sso_time(a, SSO_REFRESH_TTL);
    r->fresh = false;
}

int
sso_rotation_write(struct dd_db *db, struct sso_rotation *r)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sso_refresh_tokens SET used_at = ? WHERE token_key = ? AND "
                           "used_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, r->now);
    dd_stmt_bind_text(st, 2, r->old_key);
    rc = dd_stmt_step(st);
    r->fresh = dd_stmt_changes(st) == 1;
    dd_stmt_reset(st);
    if (rc < 0 || !r->fresh)
        return rc < 0 ? rc : DD_OK;
    rc = dd_db_prepare(db,
                       "INSERT INTO sso_refresh_tokens (token_key, family_id, created_at, "
                       "expires_at) VALUES (?, ?, ?, ?)",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, r->new_key);
    dd_stmt_bind_text(st, 2, r->family_id);
    dd_stmt_bind_text(st, 3, r->now);
    dd_stmt_bind_text(st, 4, r->expires);
    return dd_stmt_run(st);
}

int
sso_refresh_rotate(struct dd_req *req, struct dd_db *db, const char *old_token,
                   const char *family_id, const char **new_token, bool *fresh)
{
    struct sso_rotation r;
    sso_rotation_init(req->arena, sso_refresh_key(req->arena, old_token), family_id, &r);
    bool own = !dd_db_in_transaction(db);
    int rc = own ? dd_db_begin(db) : DD_OK;
    if (rc == DD_OK)
        rc = sso_rotation_write(db, &r);
    if (own && rc == DD_OK)
        rc = dd_db_commit(db);
    else if (own && dd_db_in_transaction(db))
        dd_db_rollback(db);
    *fresh = rc == DD_OK && r.fresh;
    *new_token = *fresh ? r.new_token : NULL;
    return rc;
}
