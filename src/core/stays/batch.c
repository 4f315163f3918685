/*
 * batch.c — group commit of check-ins. A durable commit costs a disk flush (SQLite in WAL with
 * synchronous=FULL, PostgreSQL's WAL flush), which bounds one-transaction-per-check-in to the
 * disk's flush rate. Instead, the check-ins that arrive while a commit is running wait in a
 * queue; the first waiting request becomes the leader, writes every queued check-in in one
 * transaction on its own connection (a savepoint each, so that a duplicate or a lost
 * Idempotency-Key reservation undoes only that one), commits once, and wakes the others with
 * their outcome. Each check-in's reply is built and stored under its key inside that transaction,
 * exactly as when it commits alone. A check-in with nobody else waiting is a batch of one. Each
 * waiter sleeps on its own condition variable, woken when its check-in is done or when it is first
 * in the queue and nobody leads: a batch wakes its own requests and no others.
 *
 * The leader uses the other requests' arenas to build their replies: their threads are blocked
 * on the condition variable meanwhile, and the mutex orders the hand-over.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/idempotency/idempotency.h"
#include "core/stays/internal.h"
#include "http/req.h"
#include "store/store.h"

#include <pthread.h>
#include <string.h>

#define BATCH_MAX 512 /* check-ins in one transaction */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stay_job *head, *tail;
static bool leading;

/* Builds the job's reply into its request's arena. */
static int
job_reply(struct stay_job *j)
{
    bool covered = j->rc == STAY_COVERED;
    json_t *body = json_pack("{s:o, s:b}", "stay", stay_json(j->s), "covered", covered);
    const char *text = stay_dump(j->req, body);
    if (text == NULL)
        return DD_EINTERNAL;
    j->reply = (struct dd_idem_reply){
        .status = covered ? 200 : 201,
        .content_type = "application/json",
        .body = text,
        .len = strlen(text),
        .location =
            dd_arena_printf(j->req->arena, "/api/v1/stays/guests/%lld", (long long)j->s->id),
    };
    return DD_OK;
}

/* One job inside the open transaction, between its savepoint and its release. */
static int
job_write(struct dd_db *db, struct stay_job *j, int64_t now)
{
    int rc = stay_insert(j->req, db, j->e, j->s, &j->alert_id);
    if (rc != STAY_INSERTED && rc != STAY_COVERED)
        return rc;
    j->rc = rc;
    rc = job_reply(j);
    if (rc == DD_OK && j->idem != NULL)
        rc = dd_idem_complete(db, j->idem, &j->reply, now);
    /* A reservation taken over by a retry: this attempt stores nothing and may be retried. */
    return rc == DD_ECONFLICT ? DD_EBUSY : rc;
}

/* Writes the jobs of one batch and commits; each job's rc says how it ended. */
static void
run_batch(struct dd_db *db, struct stay_job *batch)
{
    int64_t now = dd_clock_now_ms();
    int rc = dd_db_begin(db);
    for (struct stay_job *j = batch; j; j = j->next) {
        if (rc != DD_OK) {
            j->rc = rc;
            continue;
        }
        int r = dd_db_exec(db, "SAVEPOINT stay_job");
        if (r == DD_OK)
            r = job_write(db, j, now);
        if (r != DD_OK) {
            j->rc = r;
            r = dd_db_exec(db, "ROLLBACK TO SAVEPOINT stay_job");
        }
        if (r == DD_OK)
            r = dd_db_exec(db, "RELEASE SAVEPOINT stay_job");
        if (r != DD_OK)
            rc = r; /* the transaction itself failed: every job fails */
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        for (struct stay_job *j = batch; j; j = j->next)
            if (j->rc == STAY_INSERTED || j->rc == STAY_COVERED)
                j->rc = rc;
        return;
    }
    for (struct stay_job *j = batch; j; j = j->next)
        if (j->idem != NULL && (j->rc == STAY_INSERTED || j->rc == STAY_COVERED))
            j->idem->committed = true;
}

void
stay_batch_run(struct dd_db *db, struct stay_job *job)
{
    job->rc = DD_EINTERNAL;
    job->alert_id = 0;
    job->done = false;
    job->next = NULL;
    pthread_cond_init(&job->wake, NULL);
    pthread_mutex_lock(&lock);
    if (tail)
        tail->next = job;
    else
        head = job;
    tail = job;
    while (!job->done) {
        if (leading) {
            /* Woken when done, or when first in the queue with no leader. */
            pthread_cond_wait(&job->wake, &lock);
            continue;
        }
        leading = true;
        struct stay_job *batch = head, *last = head;
        for (int n = 1; n < BATCH_MAX && last->next; n++)
            last = last->next;
        head = last->next;
        if (head == NULL)
            tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&lock);
        run_batch(db, batch);
        pthread_mutex_lock(&lock);
        for (struct stay_job *j = batch; j;) {
            struct stay_job *next = j->next;
            j->done = true;
            if (j != job)
                pthread_cond_signal(&j->wake);
            j = next;
        }
        leading = false;
        if (head)
            pthread_cond_signal(&head->wake);
    }
    pthread_mutex_unlock(&lock);
    pthread_cond_destroy(&job->wake);
}
