/*
 * pool.c — one database connection per worker thread, for the server.
 *
 * A thread finds its connection through a thread-local pointer, so taking it costs no lock.
 * Every connection the pool opens is also listed in a registry under a mutex, so that
 * dd_db_pool_shutdown can close them all from the main thread once the workers have stopped.
 * A connection that failed with DD_EUNAVAIL is closed and replaced on the thread's next call.
 * A generation number guards against a thread-local pointer that outlived a shutdown.
 */
#include "store/backend.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static char *pool_url;
static struct dd_db_options pool_opt;
static struct dd_db **registry;
static size_t registry_len;
static size_t registry_cap;
static atomic_uint_fast64_t pool_generation;
static atomic_uint_fast64_t error_count;

static _Thread_local struct dd_db *thread_db;
static _Thread_local uint_fast64_t thread_generation;

void
dd_db_pool_count_error(void)
{
    atomic_fetch_add_explicit(&error_count, 1, memory_order_relaxed);
}

uint64_t
dd_db_pool_errors(void)
{
    return (uint64_t)atomic_load_explicit(&error_count, memory_order_relaxed);
}

/* Caller holds pool_lock. */
static void
registry_add(struct dd_db *db)
{
    if (registry_len == registry_cap) {
        registry_cap = registry_cap ? registry_cap * 2 : 16;
        registry = dd_xrealloc(registry, registry_cap * sizeof *registry);
    }
    registry[registry_len++] = db;
}

/* Caller holds pool_lock. */
static void
registry_remove(struct dd_db *db)
{
    for (size_t i = 0; i < registry_len; i++) {
        if (registry[i] == db) {
            registry[i] = registry[--registry_len];
            return;
        }
    }
}

/* Opens a connection for the calling thread and registers it; caller holds pool_lock. */
static int
open_for_thread(char *err, size_t errlen)
{
    struct dd_db *db = NULL;
    int rc = dd_db_open(pool_url, &pool_opt, &db, err, errlen);
    if (rc != DD_OK)
        return rc;
    db->pooled = true;
    registry_add(db);
    thread_db = db;
    thread_generation = atomic_load(&pool_generation);
    return DD_OK;
}

int
dd_db_pool_init(const char *url, const struct dd_db_options *opt, char *err, size_t errlen)
{
    pthread_mutex_lock(&pool_lock);
    free(pool_url);
    pool_url = dd_xstrdup(url);
    memset(&pool_opt, 0, sizeof pool_opt);
    if (opt)
        pool_opt = *opt;
    else
        pool_opt.timeout_ms = 5000;
    atomic_fetch_add(&pool_generation, 1);
    int rc = open_for_thread(err, errlen);
    pthread_mutex_unlock(&pool_lock);
    return rc;
}

struct dd_db *
dd_db_pool_peek(void)
{
    return thread_db && thread_generation == atomic_load(&pool_generation) ? thread_db : NULL;
}

struct dd_db *
dd_db_pool_get(void)
{
    if (thread_db && thread_generation == atomic_load(&pool_generation) && !thread_db->lost)
        return thread_db;
    pthread_mutex_lock(&pool_lock);
    if (thread_db && thread_generation == atomic_load(&pool_generation)) {
        /* lost: replace it */
        registry_remove(thread_db);
        dd_db_close(thread_db);
    }
    thread_db = NULL;
    char err[512] = "the database pool was not initialised";
    int rc = pool_url ? open_for_thread(err, sizeof err) : DD_EINVAL;
    pthread_mutex_unlock(&pool_lock);
    if (rc != DD_OK) {
        dd_db_pool_count_error();
        dd_log(DD_LOG_ERROR, "db.connect", "%s", err);
        return NULL;
    }
    return thread_db;
}

void
dd_db_pool_shutdown(void)
{
    pthread_mutex_lock(&pool_lock);
    for (size_t i = 0; i < registry_len; i++)
        dd_db_close(registry[i]);
    free(registry);
    registry = NULL;
    registry_len = registry_cap = 0;
    free(pool_url);
    pool_url = NULL;
    atomic_fetch_add(&pool_generation, 1);
    thread_db = NULL;
    pthread_mutex_unlock(&pool_lock);
}
