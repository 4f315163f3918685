/*
 * rotation.c — refresh-token rotations, committed in groups.
 *
 * A rotation marks the presented token used (only if it was not: that single UPDATE is what
 * detects a reuse, even between two requests at once) and stores its successor. Each commit
 * waits for the disk (SQLite synchronous=FULL, PostgreSQL's WAL flush), so the server does not
 * make a request wait for its own: the token endpoint parks the request (dd_req_park) and hands
 * its rotation to the rotation thread, which takes every rotation waiting, runs them in one
 * transaction on its own connection, and unparks each request with its result; the requests'
 * threads meanwhile serve other connections, and whatever arrives during a commit goes into the
 * next one. A failed group fails each of its rotations, and nothing of it is stored. Without
 * the thread (commands, tests), or inside a caller's transaction, a rotation runs at once on
 * the caller's connection.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>

struct rotation {
    const char *old_hash;
    const char *new_hash;
    const char *new_token;
    const char *family_id;
    const char *now;
    const char *expires;
    int rc;
    bool fresh;
    /* A parked request's: who waits, and what answers it. */
    struct dd_req *req;
    sso_rotated_fn then;
    void *arg;
    struct rotation *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct rotation *pending;
static bool running, stopping;
static pthread_t thread;

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

/* The rotation thread: one transaction for whatever is waiting, then every request unparked. */
static void *
committer(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (pending == NULL && !stopping)
            pthread_cond_wait(&cv, &mu);
        if (pending == NULL)
            break;
        struct rotation *group = pending;
        pending = NULL;
        pthread_mutex_unlock(&mu);
        struct dd_db *db = dd_db_pool_get();
        if (db != NULL) {
            run_group(db, group);
        } else {
            for (struct rotation *r = group; r; r = r->next) {
                r->rc = DD_EUNAVAIL;
                r->fresh = false;
            }
        }
        /* Once unparked, a request may end and its arena (where *r lives) be reused. */
        for (struct rotation *r = group, *next; r; r = next) {
            next = r->next;
            dd_req_unpark(r->req);
        }
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* A parked request's answer, on its own thread again. */
static int
answer(struct dd_req *req, void *arg)
{
    struct rotation *r = arg;
    return r->then(req, r->arg, r->rc, r->fresh, r->rc == DD_OK && r->fresh ? r->new_token : NULL);
}

/* A rotation of `old_token` into a new token of the family, in the request's arena. */
static struct rotation *
rotation_new(struct dd_req *req, const char *old_token, const char *family_id)
{
    const char *token = sso_random_token(req->arena, "ddr_");
    struct rotation *r = dd_arena_zalloc(req->arena, sizeof *r);
    r->old_hash = sso_hash(req->arena, old_token);
    r->new_hash = sso_hash(req->arena, token);
    r->new_token = token;
    r->family_id = family_id;
    r->now = sso_time(req->arena, 0);
    r->expires = sso_time(req->arena, SSO_REFRESH_TTL);
    r->req = req;
    return r;
}

int
sso_refresh_rotate_then(struct dd_req *req, struct dd_db *db, const char *old_token,
                        const char *family_id, sso_rotated_fn then, void *arg)
{
    struct rotation *r = rotation_new(req, old_token, family_id);
    r->then = then;
    r->arg = arg;
    pthread_mutex_lock(&mu);
    bool park = running && !stopping && dd_req_can_park(req) && !dd_db_in_transaction(db);
    if (park) {
        dd_req_park(req, answer, r);
        r->next = pending;
        pending = r;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
    if (park)
        return DD_DONE;
    run_group(db, r);
    return answer(req, r);
}

int
sso_refresh_rotate(struct dd_req *req, struct dd_db *db, const char *old_token,
                   const char *family_id, const char **new_token, bool *fresh)
{
    struct rotation *r = rotation_new(req, old_token, family_id);
    run_group(db, r);
    *fresh = r->fresh;
    *new_token = r->rc == DD_OK && r->fresh ? r->new_token : NULL;
    return r->rc;
}

void
sso_rotation_start(void)
{
    pthread_mutex_lock(&mu);
    if (!running) {
        stopping = false;
        running = pthread_create(&thread, NULL, committer, NULL) == 0;
        if (!running)
            dd_log(DD_LOG_WARN, "sso.rotation_thread",
                   "no rotation thread: refresh rotations commit one by one");
    }
    pthread_mutex_unlock(&mu);
}

void
sso_rotation_stop(void)
{
    pthread_mutex_lock(&mu);
    bool was = running;
    stopping = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    if (was)
        pthread_join(thread, NULL);
    pthread_mutex_lock(&mu);
    running = false;
    pthread_mutex_unlock(&mu);
}
