/*
 * group_commit.c — the group-commit threads (see group_commit.h). The committer takes the list of
 * pending writes, runs them in one transaction (a savepoint each) on a connection whose commits
 * do not wait for the disk, and hands the committed group to the flusher; the flusher waits for
 * the disk once for every group handed to it meanwhile (store.h, dd_db_wait_durable), then
 * unparks their requests. So the committer writes the next group while the last is being
 * flushed, and no request is answered before its write is durable.
 */
#include "core/group_commit.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "http/req.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>

struct pending_write {
    dd_group_write_fn write;
    dd_group_answer_fn answer;
    void *arg;
    struct dd_req *req;
    int rc;
    struct pending_write *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;       /* work for the committer */
static pthread_cond_t flush_cv = PTHREAD_COND_INITIALIZER; /* work for the flusher */
static struct pending_write *head, *tail;                  /* to commit, in arrival order */
static struct pending_write *flush_head, *flush_tail;      /* committed, to flush */
static bool running, stopping, committer_done;
static pthread_t thread, flusher_thread;

/* One write in its savepoint: a failure undoes that write only. */
static int
write_in_savepoint(struct dd_db *db, struct pending_write *w)
{
    int rc = dd_db_run(db, "SAVEPOINT dd_group_write");
    if (rc != DD_OK)
        return rc;
    w->rc = w->write(db, w->arg);
    if (w->rc != DD_OK) {
        rc = dd_db_run(db, "ROLLBACK TO SAVEPOINT dd_group_write");
        if (rc != DD_OK)
            return rc;
    }
    return dd_db_run(db, "RELEASE SAVEPOINT dd_group_write");
}

/* Marks every write of the list failed with rc (unless it failed already), and logs it. */
static void
fail_group(struct pending_write *group, int rc, const char *what)
{
    dd_log(DD_LOG_ERROR, "group_commit.failed", "%s: %s", what, dd_strerror(rc));
    for (struct pending_write *w = group; w; w = w->next)
        if (w->rc == DD_OK)
            w->rc = rc;
}

/* Runs a group in one transaction; each write's rc holds its result, or the group's failure.
 * With `deferred` the commit does not wait for the disk (the flusher does). */
static void
run_group(struct dd_db *db, struct pending_write *group, bool deferred)
{
    int rc = db ? DD_OK : DD_EUNAVAIL;
    if (rc == DD_OK && deferred)
        rc = dd_db_sync_commits(db, false);
    if (rc == DD_OK)
        rc = dd_db_begin(db);
    for (struct pending_write *w = group; w && rc == DD_OK; w = w->next)
        rc = write_in_savepoint(db, w);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        fail_group(group, rc, "a group of writes failed");
}

/* The end of a list: its last element. */
static struct pending_write *
last_of(struct pending_write *w)
{
    while (w->next)
        w = w->next;
    return w;
}

static void *
committer(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (head == NULL && !stopping)
            pthread_cond_wait(&cv, &mu);
        if (head == NULL)
            break;
        struct pending_write *group = head;
        head = tail = NULL;
        pthread_mutex_unlock(&mu);
        run_group(dd_db_pool_get(), group, true);
        pthread_mutex_lock(&mu);
        if (flush_tail)
            flush_tail->next = group;
        else
            flush_head = group;
        flush_tail = last_of(group);
        pthread_cond_signal(&flush_cv);
    }
    committer_done = true;
    pthread_cond_signal(&flush_cv);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *
flusher(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (flush_head == NULL && !committer_done)
            pthread_cond_wait(&flush_cv, &mu);
        if (flush_head == NULL)
            break;
        struct pending_write *groups = flush_head;
        flush_head = flush_tail = NULL;
        pthread_mutex_unlock(&mu);
        struct dd_db *db = dd_db_pool_get();
        int rc = db ? dd_db_wait_durable(db) : DD_EUNAVAIL;
        if (rc != DD_OK)
            fail_group(groups, rc, "committed writes may not be on disk");
        /* Once unparked, a request may end and its arena (where *w lives) be reused. */
        for (struct pending_write *w = groups, *next; w; w = next) {
            next = w->next;
            dd_req_unpark(w->req);
        }
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* A parked request's answer, on its own thread again. */
static int
resume(struct dd_req *req, void *arg)
{
    struct pending_write *w = arg;
    return w->answer(req, w->arg, w->rc);
}

int
dd_group_commit(struct dd_req *req, struct dd_db *db, dd_group_write_fn write,
                dd_group_answer_fn answer, void *arg)
{
    struct pending_write *w = dd_arena_zalloc(req->arena, sizeof *w);
    w->write = write;
    w->answer = answer;
    w->arg = arg;
    w->req = req;
    pthread_mutex_lock(&mu);
    bool park = running && !stopping && dd_req_can_park(req) && !dd_db_in_transaction(db);
    if (park) {
        dd_req_park(req, resume, w); /* before the thread can see it: it may unpark at once */
        if (tail)
            tail->next = w;
        else
            head = w;
        tail = w;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
    if (park)
        return DD_DONE;
    if (dd_db_in_transaction(db)) {
        w->rc = write(db, arg);
    } else {
        run_group(db, w, false);
    }
    return answer(req, arg, w->rc);
}

void
dd_group_commit_start(void)
{
    pthread_mutex_lock(&mu);
    if (!running) {
        stopping = committer_done = false;
        running = pthread_create(&thread, NULL, committer, NULL) == 0;
        if (running && pthread_create(&flusher_thread, NULL, flusher, NULL) != 0) {
            stopping = true; /* no flusher: no committer either */
            pthread_cond_signal(&cv);
            pthread_mutex_unlock(&mu);
            pthread_join(thread, NULL);
            pthread_mutex_lock(&mu);
            running = false;
        }
        if (!running)
            dd_log(DD_LOG_WARN, "group_commit.no_thread",
                   "no group-commit threads: writes commit one by one");
    }
    pthread_mutex_unlock(&mu);
}

void
dd_group_commit_stop(void)
{
    pthread_mutex_lock(&mu);
    bool was = running;
    stopping = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    if (was) {
        pthread_join(thread, NULL); /* it tells the flusher it is done */
        pthread_join(flusher_thread, NULL);
    }
    pthread_mutex_lock(&mu);
    running = false;
    pthread_mutex_unlock(&mu);
}
