/*
 * checkpoint.c — the checkpoint thread (checkpoint.h): a passive checkpoint every CHECKPOINT_MS
 * on its own connection of the pool, and one more when it stops.
 */
#include "cmd/checkpoint.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#define CHECKPOINT_MS 50

struct dd_checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
};

/* One passive checkpoint; a failure is logged once per run of failures. */
static void
checkpoint_once(bool *failing)
{
    struct dd_db *db = dd_db_pool_get();
    int rc = db ? dd_db_checkpoint(db, NULL, NULL) : DD_EUNAVAIL;
    if (rc != DD_OK && !*failing)
        dd_log(DD_LOG_WARN, "db.checkpoint_failed", "checkpoint: %s (will retry)", dd_strerror(rc));
    *failing = rc != DD_OK;
}

static void *
checkpoint_main(void *arg)
{
    struct dd_checkpointer *c = arg;
    bool failing = false;
    pthread_mutex_lock(&c->lock);
    while (!c->stopping) {
        struct timespec until;
        dd_clock_deadline(&until, CHECKPOINT_MS);
        pthread_cond_timedwait(&c->wake, &c->lock, &until);
        pthread_mutex_unlock(&c->lock);
        checkpoint_once(&failing);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

struct dd_checkpointer *
dd_checkpointer_start(void)
{
    struct dd_checkpointer *c = dd_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    if (pthread_create(&c->thread, NULL, checkpoint_main, c) != 0) {
        dd_log(DD_LOG_ERROR, "db.no_checkpoint_thread", "cannot start the checkpoint thread");
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
    }
    return c;
}

void
dd_checkpointer_stop(struct dd_checkpointer *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    bool failing = false;
    checkpoint_once(&failing);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
