/*
 * group_commit.c — the group-commit thread (see group_commit.h): a list of pending writes under
 * a lock, one transaction per round, a savepoint per write.
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
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct pending_write *head, *tail; /* in arrival order */
static bool running, stopping;
static pthread_t thread;

/* Runs one savepoint statement, prepared once per connection: three of them go with every write,
 * and parsing them each time would cost the committing thread as much as a small INSERT. */
static int
savepoint_sql(struct dd_db *db, const char *sql)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* One write in its savepoint: a failure undoes that write only. */
static int
write_in_savepoint(struct dd_db *db, struct pending_write *w)
{
    int rc = savepoint_sql(db, "SAVEPOINT dd_group_write");
    if (rc != DD_OK)
        return rc;
    w->rc = w->write(db, w->arg);
    if (w->rc != DD_OK) {
        rc = savepoint_sql(db, "ROLLBACK TO SAVEPOINT dd_group_write");
        if (rc != DD_OK)
            return rc;
    }
    return savepoint_sql(db, "RELEASE SAVEPOINT dd_group_write");
}

/* Runs a group in one transaction; each write's rc holds its result, or the group's failure. */
static void
run_group(struct dd_db *db, struct pending_write *group)
{
    int rc = db ? dd_db_begin(db) : DD_EUNAVAIL;
    for (struct pending_write *w = group; w && rc == DD_OK; w = w->next)
        rc = write_in_savepoint(db, w);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK) {
        dd_log(DD_LOG_ERROR, "group_commit.failed", "a group of writes failed: %s",
               dd_strerror(rc));
        for (struct pending_write *w = group; w; w = w->next)
            w->rc = rc;
    }
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
        run_group(dd_db_pool_get(), group);
        /* Once unparked, a request may end and its arena (where *w lives) be reused. */
        for (struct pending_write *w = group, *next; w; w = next) {
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
        run_group(db, w);
    }
    return answer(req, arg, w->rc);
}

void
dd_group_commit_start(void)
{
    pthread_mutex_lock(&mu);
    if (!running) {
        stopping = false;
        running = pthread_create(&thread, NULL, committer, NULL) == 0;
        if (!running)
            dd_log(DD_LOG_WARN, "group_commit.no_thread",
                   "no group-commit thread: writes commit one by one");
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
    if (was)
        pthread_join(thread, NULL);
    pthread_mutex_lock(&mu);
    running = false;
    pthread_mutex_unlock(&mu);
}
