/*
 * rotation.c — refresh-token rotations, committed in groups.
 *
 * A rotation marks the presented token used (only if it was not: that single UPDATE is what
 * detects a reuse, even between two requests at once) and stores its successor. Each commit
 * waits for the disk (SQLite synchronous=FULL, PostgreSQL's WAL flush), so rotations arriving
 * together are committed together: the first request to find no commit running takes every
 * rotation waiting, runs them in one transaction on its connection and wakes the others with
 * their results; whoever arrives meanwhile waits for the next group. A failed group fails each
 * of its rotations, and nothing of it is stored.
 */
#include "base/arena.h"
#include "base/err.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>

struct rotation {
    const char *old_hash;
    const char *new_hash;
    const char *family_id;
    const char *now;
    const char *expires;
    int rc;
    bool fresh;
    bool done;
    struct rotation *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct rotation *pending;
static bool committing;

static int
rotate_one(struct dd_db *db, struct rotation *r)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sso_refresh_tokens SET used_at = ? WHERE token_hash = ? AND "
                           "used_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, r->now);
    dd_stmt_bind_text(st, 2, r->old_hash);
    rc = dd_stmt_step(st);
    r->fresh = dd_stmt_changes(st) == 1;
    dd_stmt_reset(st);
    if (rc < 0 || !r->fresh)
        return rc < 0 ? rc : DD_OK;
    rc = dd_db_prepare(db,
                       "INSERT INTO sso_refresh_tokens (token_hash, family_id, created_at, "
                       "expires_at) VALUES (?, ?, ?, ?)",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, r->new_hash);
    dd_stmt_bind_text(st, 2, r->family_id);
    dd_stmt_bind_text(st, 3, r->now);
    dd_stmt_bind_text(st, 4, r->expires);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Runs a group in one transaction (or in the caller's, when one is open). */
static void
run_group(struct dd_db *db, struct rotation *group)
{
    bool own = !dd_db_in_transaction(db);
    int rc = own ? dd_db_begin(db) : DD_OK;
    for (struct rotation *r = group; r && rc == DD_OK; r = r->next)
        rc = rotate_one(db, r);
    if (own && rc == DD_OK)
        rc = dd_db_commit(db);
    else if (own && dd_db_in_transaction(db))
        dd_db_rollback(db);
    for (struct rotation *r = group; r; r = r->next) {
        r->rc = rc;
        if (rc != DD_OK)
            r->fresh = false;
    }
}

int
sso_refresh_rotate(struct dd_req *req, struct dd_db *db, const char *old_token,
                   const char *family_id, const char **new_token, bool *fresh)
{
    const char *token = sso_random_token(req->arena, "ddr_");
    struct rotation me = {.old_hash = sso_hash(req->arena, old_token),
                          .new_hash = sso_hash(req->arena, token),
                          .family_id = family_id,
                          .now = sso_time(req->arena, 0),
                          .expires = sso_time(req->arena, SSO_REFRESH_TTL)};
    if (dd_db_in_transaction(db)) {
        run_group(db, &me);
    } else {
        pthread_mutex_lock(&mu);
        me.next = pending;
        pending = &me;
        while (!me.done) {
            if (committing) {
                pthread_cond_wait(&cv, &mu);
                continue;
            }
            struct rotation *group = pending;
            pending = NULL;
            committing = true;
            pthread_mutex_unlock(&mu);
            run_group(db, group);
            pthread_mutex_lock(&mu);
            for (struct rotation *r = group; r; r = r->next)
                r->done = true;
            committing = false;
            pthread_cond_broadcast(&cv);
        }
        pthread_mutex_unlock(&mu);
    }
    *fresh = me.fresh;
    if (me.rc == DD_OK && me.fresh)
        *new_token = token;
    return me.rc;
}
