/*
 * rotation.c — refresh-token rotations, committed in groups.
 *
 * A rotation marks the presented token used (only if it was not: that single UPDATE is what
 * detects a reuse, even between two requests at once) and stores its successor. Each commit
 * waits for the disk, so the token endpoint hands its rotation to the group commit
 * (core/group_commit.h): rotations arriving together are committed together while the server's
 * threads serve other requests, and each request is answered once its rotation is durable.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/group_commit.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <stdbool.h>

struct rotation {
    const char *old_key;
    const char *new_key;
    const char *new_token;
    const char *family_id;
    const char *now;
    const char *expires;
    bool fresh;
    sso_rotated_fn then;
    void *arg;
};

/* The write: in the group's transaction. */
static int
rotate_one(struct dd_db *db, void *arg)
{
    struct rotation *r = arg;
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
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* The answer, on the request's thread once the rotation is durable (or failed). */
static int
answer(struct dd_req *req, void *arg, int rc)
{
    struct rotation *r = arg;
    bool fresh = rc == DD_OK && r->fresh;
    return r->then(req, r->arg, rc, fresh, fresh ? r->new_token : NULL);
}

/* A rotation of `old_token` into a new token of the family, in the request's arena. */
static struct rotation *
rotation_new(struct dd_req *req, const char *old_token, const char *family_id)
{
    const char *token = sso_refresh_token_new(req->arena);
    struct rotation *r = dd_arena_zalloc(req->arena, sizeof *r);
    r->old_key = sso_refresh_key(req->arena, old_token);
    r->new_key = sso_refresh_key(req->arena, token);
    r->new_token = token;
    r->family_id = family_id;
    r->now = sso_time(req->arena, 0);
    r->expires = sso_time(req->arena, SSO_REFRESH_TTL);
    return r;
}

int
sso_refresh_rotate_then(struct dd_req *req, struct dd_db *db, const char *old_token,
                        const char *family_id, sso_rotated_fn then, void *arg)
{
    struct rotation *r = rotation_new(req, old_token, family_id);
    r->then = then;
    r->arg = arg;
    return dd_group_commit(req, db, rotate_one, answer, r);
}

int
sso_refresh_rotate(struct dd_req *req, struct dd_db *db, const char *old_token,
                   const char *family_id, const char **new_token, bool *fresh)
{
    struct rotation *r = rotation_new(req, old_token, family_id);
    bool own = !dd_db_in_transaction(db);
    int rc = own ? dd_db_begin(db) : DD_OK;
    if (rc == DD_OK)
        rc = rotate_one(db, r);
    if (own && rc == DD_OK)
        rc = dd_db_commit(db);
    else if (own && dd_db_in_transaction(db))
        dd_db_rollback(db);
    *fresh = rc == DD_OK && r->fresh;
    *new_token = *fresh ? r->new_token : NULL;
    return rc;
}
