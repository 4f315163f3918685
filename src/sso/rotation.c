/*
 * rotation.c — the write of a refresh-token rotation. It marks the presented token used (only if
 * it was not: that single UPDATE is what detects a reuse, even between two requests at once) and
 * stores its successor. The token endpoint runs it inside the group commit with the checks that
 * decide it (grant_refresh.c); a new family stores its first token the same way (families.c).
 */
#include "base/arena.h"
#include "base/err.h"
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
sso_refresh_store(struct dd_db *db, const struct sso_rotation *r)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
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
    return sso_refresh_store(db, r);
}
