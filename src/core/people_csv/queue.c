/*
 * queue.c — the writing thread of a people load and the batches it shares with the checking
 * thread. Three batches go round: the checker fills one while the writer writes another, and
 * each side waits only when the other is a whole batch behind. The database connection is used
 * by the writing thread alone while it runs (store.h: one thread at a time). A batch is sorted by
 * ID number before it is handed over, so that the inserts into the index on ID numbers of people
 * walk it in order instead of jumping about.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/people_csv/load_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int
write_batch(struct dd_people_load *l, const struct dd_pl_batch *b)
{
    if (l->kind == DD_DB_POSTGRES)
        return dd_pl_pg_rows(l, b);
    return dd_pl_sqlite_rows(l, b);
}

static void *
writer_main(void *arg)
{
    struct dd_people_load *l = arg;
    struct dd_pl_queue *q = &l->queue;
    pthread_setname_np(pthread_self(), "dd-load-writer");
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (q->nfull == 0 && !q->closing)
            pthread_cond_wait(&q->cond, &q->mu);
        if (q->nfull == 0) {
            pthread_mutex_unlock(&q->mu);
            struct rusage ru;
            if (getrusage(RUSAGE_THREAD, &ru) == 0)
                l->writer_cpu_ms = (int64_t)ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 +
                                   (int64_t)ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
            return NULL;
        }
        struct dd_pl_batch *b = q->full[0];
        for (int i = 1; i < q->nfull; i++)
            q->full[i - 1] = q->full[i];
        q->nfull--;
        pthread_mutex_unlock(&q->mu);

        if (atomic_load(&l->write_rc) == DD_OK && !atomic_load(&l->stop_writing)) {
            int rc = write_batch(l, b);
            if (rc == DD_OK)
                l->written += b->count;
            else
                atomic_store(&l->write_rc, rc);
        }
        b->count = 0;
        dd_arena_reset(b->arena);

        pthread_mutex_lock(&q->mu);
        q->spare[q->nspare++] = b;
        pthread_cond_broadcast(&q->cond);
        pthread_mutex_unlock(&q->mu);
    }
}

void
dd_pl_queue_start(struct dd_people_load *l)
{
    struct dd_pl_queue *q = &l->queue;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cond, NULL);
    for (int i = 0; i < DD_PL_BATCHES; i++) {
        struct dd_pl_batch *b = dd_xcalloc(1, sizeof *b);
        b->rows = dd_xcalloc((size_t)l->batch_rows, sizeof *b->rows);
        b->arena = dd_arena_new((size_t)l->batch_rows * 2048); /* a row's strings fit in 2 KiB */
        q->all[i] = b;
        if (i > 0)
            q->spare[q->nspare++] = b;
    }
    l->current = q->all[0];
    if (pthread_create(&q->thread, NULL, writer_main, l) != 0) {
        dd_log(DD_LOG_ERROR, "import.thread", "cannot start the writing thread");
        abort();
    }
    q->running = true;
}

static int
by_id(const void *a, const void *b)
{
    const struct dd_pl_row *x = a, *y = b;
    return (x->id_key > y->id_key) - (x->id_key < y->id_key);
}

/* Queues the batch being filled, sorted (then takes q->mu). */
static void
hand_over(struct dd_people_load *l)
{
    struct dd_pl_batch *b = l->current;
    qsort(b->rows, (size_t)b->count, sizeof b->rows[0], by_id);
    pthread_mutex_lock(&l->queue.mu);
    l->queue.full[l->queue.nfull++] = b;
    l->current = NULL;
}

void
dd_pl_queue_submit(struct dd_people_load *l)
{
    struct dd_pl_queue *q = &l->queue;
    hand_over(l);
    pthread_cond_broadcast(&q->cond);
    while (q->nspare == 0)
        pthread_cond_wait(&q->cond, &q->mu);
    l->current = q->spare[--q->nspare];
    pthread_mutex_unlock(&q->mu);
}

void
dd_pl_queue_stop(struct dd_people_load *l)
{
    struct dd_pl_queue *q = &l->queue;
    if (!q->running)
        return;
    if (l->current && l->current->count > 0)
        hand_over(l);
    else
        pthread_mutex_lock(&q->mu);
    l->current = NULL;
    q->closing = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    q->running = false;
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) == 0)
        l->checker_cpu_ms = (int64_t)ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 +
                            (int64_t)ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
    for (int i = 0; i < DD_PL_BATCHES; i++) {
        dd_arena_free(q->all[i]->arena);
        free(q->all[i]->rows);
        free(q->all[i]);
        q->all[i] = NULL;
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cond);
}
