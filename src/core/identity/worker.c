/*
 * worker.c — the identity worker: one thread that sends queued notices as they come and purges
 * what is kept no longer (dd_identity_purge) a minute after start and then every hour.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "core/identity/worker.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>

#define FIRST_PURGE_MS ID_MINUTE_MS
#define PURGE_EVERY_MS ID_HOUR_MS

static pthread_t thread;
static bool running;

static void
purge(void)
{
    struct dd_db *db = dd_db_pool_get();
    struct dd_identity_purged n;
    if (db == NULL || dd_identity_purge(db, dd_clock_now_ms(), &n) != DD_OK) {
        dd_log(DD_LOG_WARN, "identity.purge_failed", "the identity purge failed; retried later");
        return;
    }
    if (n.history + n.sessions + n.codes + n.throttle > 0)
        dd_log(DD_LOG_INFO, "identity.purged",
               "purged %lld history rows, %lld sessions, %lld codes, %lld throttle rows",
               (long long)n.history, (long long)n.sessions, (long long)n.codes,
               (long long)n.throttle);
}

static void *
run(void *arg)
{
    (void)arg;
    int64_t next_purge = dd_clock_mono_ns() / 1000000 + FIRST_PURGE_MS;
    bool more = true;
    while (more) {
        int64_t now = dd_clock_mono_ns() / 1000000;
        more = id_notices_wait(next_purge > now ? next_purge - now : 1);
        id_notices_send_queued();
        if (more && dd_clock_mono_ns() / 1000000 >= next_purge) {
            purge();
            next_purge = dd_clock_mono_ns() / 1000000 + PURGE_EVERY_MS;
        }
    }
    return NULL;
}

int
dd_identity_start(void)
{
    if (running)
        return DD_OK;
    id_notices_open();
    if (pthread_create(&thread, NULL, run, NULL) != 0) {
        id_notices_close();
        return DD_EINTERNAL;
    }
    running = true;
    return DD_OK;
}

void
dd_identity_stop(void)
{
    if (!running)
        return;
    id_notices_close();
    pthread_join(thread, NULL);
    id_notices_send_queued();
    running = false;
}
