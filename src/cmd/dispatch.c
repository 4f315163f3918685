/*
 * dispatch.c — the event delivery thread. Each round gives every consumer its batch in one
 * transaction (one commit per round, not one per consumer). A consumer that fails is retried on
 * the next round (its cursor did not move); one failing consumer does not hold back the others.
 * A consumer that defers an event (DD_ELATER) is not a failure: its module's after_round, run
 * after every round outside any transaction, does the work, and the event comes again.
 */
#include "cmd/dispatch.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/audit.h"
#include "core/events.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* Events per consumer and round. A round holds the database's write lock until it commits, and
 * the writers whose requests wait for their commit (check-ins, token rotations) wait for it:
 * at 50 rather than 200 the check-ins' p99 under load fell from 50–77 ms to about 31 ms, with
 * the same throughput (bench/RESULTS.md). */
#define BATCH         50
#define IDLE_SLEEP_MS 200

struct dd_dispatcher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    struct dd_event_consumer *consumers;
    size_t count;
    int (**after_round)(struct dd_db *db); /* the modules' after_round functions */
    size_t nafter;
};

/* One round: every consumer's batch in one transaction (dd_events_consume_many). */
static size_t
deliver_round(struct dd_dispatcher *d, struct dd_db *db)
{
    int rc = dd_events_consume_many(db, d->consumers, d->count, BATCH);
    int left = dd_db_tidy(db);
    if (left > 0)
        dd_log(DD_LOG_ERROR, "db.left_open",
               "event delivery left %d statement(s) or a transaction open; ended", left);
    if (rc != DD_OK)
        dd_log(DD_LOG_WARN, "events.round_failed", "event delivery: %s (will retry)",
               dd_strerror(rc));
    size_t total = 0;
    for (size_t i = 0; i < d->count; i++) {
        const struct dd_event_consumer *c = &d->consumers[i];
        if (rc == DD_OK && c->processed > 0 && c->after_commit)
            c->after_commit();
        if (c->rc != DD_OK && c->rc != DD_ELATER)
            dd_log(DD_LOG_WARN, "events.consumer_failed", "consumer %s: %s (will retry)", c->name,
                   dd_strerror(c->rc));
        total += c->processed;
    }
    for (size_t i = 0; i < d->nafter; i++)
        if (d->after_round[i](db) > 0)
            total++;
    return total;
}

static void *
dispatch_main(void *arg)
{
    struct dd_dispatcher *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        pthread_mutex_unlock(&d->lock);
        struct dd_db *db = dd_db_pool_get();
        size_t done = db ? deliver_round(d, db) : 0;
        pthread_mutex_lock(&d->lock);
        if (done > 0 || d->stopping)
            continue;
        struct timespec until;
        dd_clock_deadline(&until, IDLE_SLEEP_MS);
        pthread_cond_timedwait(&d->wake, &d->lock, &until);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

struct dd_dispatcher *
dd_dispatcher_start(const struct dd_module *const *modules, size_t n)
{
    struct dd_dispatcher *d = dd_xcalloc(1, sizeof *d);
    d->consumers = dd_xcalloc(n + 1, sizeof *d->consumers);
    d->consumers[d->count++] =
        (struct dd_event_consumer){.name = "audit", .fn = dd_audit_event_consumer};
    d->after_round = dd_xcalloc(n + 1, sizeof *d->after_round);
    for (size_t i = 0; i < n; i++)
        if (modules[i]->after_round)
            d->after_round[d->nafter++] = modules[i]->after_round;
    for (size_t i = 0; i < n; i++)
        if (modules[i]->on_event)
            d->consumers[d->count++] =
                (struct dd_event_consumer){.name = modules[i]->name,
                                           .fn = modules[i]->on_event,
                                           .after_commit = modules[i]->after_events,
                                           .types = modules[i]->event_types,
                                           .batch_end = modules[i]->events_batch_end};
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    if (pthread_create(&d->thread, NULL, dispatch_main, d) != 0) {
        dd_log(DD_LOG_ERROR, "events.no_thread", "cannot start the event dispatcher");
        abort();
    }
    return d;
}

void
dd_dispatcher_stop(struct dd_dispatcher *d)
{
    if (d == NULL)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d->consumers);
    free(d->after_round);
    free(d);
}
