/*
 * rebuild_scan.c — on SQLite, the rebuild's two long reads, the stays and the living people
 * (over the index people_insight), split into parts that two connections share, a thread each.
 *
 * The stays are cut into ranges of ids of equal width, the people into ranges of (province,
 * commune) of about equal size, judged from a sample of a thousand of them. Each thread takes
 * the next part nobody has taken and sums it into tallies of its own (tally.c). The stays come
 * first: once they are all read, the calling connection computes and writes the tourism figures
 * from their groups (rebuild_tourism.c) while the other thread goes on with the people,
 * then it reads people too. At the end the people's cells are written. SQLite decodes a row's
 * columns at a few hundred nanoseconds each, and two million people and a million stays took two
 * seconds on one core.
 *
 * Both connections must read the same state of the database. insight_scan_begin starts their
 * read transactions while a third connection holds the write lock, so nothing can be committed
 * in between, then lets the lock go: writers wait for a few milliseconds, not for the rebuild.
 */
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Parts of each kind: enough that the two threads finish within a part of each other. */
#define PEOPLE_PARTS  48
#define STAYS_PARTS   24
#define PEOPLE_SAMPLE 1024
_Static_assert(PEOPLE_PARTS <= INSIGHT_SCAN_PARTS && STAYS_PARTS <= INSIGHT_SCAN_PARTS,
               "the plan holds every part");

/* The readers map the database file into memory (SQLite's mmap_size) for as long as they read:
 * a page is then read where it lies instead of copied by a system call, which took a tenth of the
 * rebuild. Up to 2 GiB, the ceiling SQLite is built with; pages beyond are read as usual. */
#define READ_MAP_BYTES "2147418112"

/* Starts `db`'s read transaction with a first read (SQLite takes its snapshot then). */
static int
begin_snapshot(struct dd_db *db)
{
    int rc = dd_db_exec(db, "PRAGMA mmap_size = " READ_MAP_BYTES);
    if (rc == DD_OK)
        rc = dd_db_begin_read(db);
    if (rc == DD_OK)
        rc = dd_db_run(db, "SELECT 1 FROM sqlite_master LIMIT 1");
    return rc;
}

int
insight_scan_begin(struct dd_db *db, struct dd_db **second)
{
    *second = NULL;
    struct dd_db *lock = NULL;
    bool locked = dd_db_open_same(db, &lock) == DD_OK && dd_db_begin(lock) == DD_OK;
    int rc = begin_snapshot(db);
    struct dd_db *other = NULL;
    if (rc == DD_OK && locked && dd_db_open_same(db, &other) == DD_OK) {
        if (begin_snapshot(other) == DD_OK)
            *second = other;
        else
            dd_db_close(other);
    }
    if (lock != NULL && dd_db_in_transaction(lock))
        dd_db_rollback(lock);
    dd_db_close(lock);
    return rc;
}

void
insight_scan_end(struct dd_db *db, struct dd_db *second)
{
    if (second != NULL && dd_db_in_transaction(second))
        dd_db_rollback(second);
    dd_db_close(second);
    (void)dd_db_exec(db, "PRAGMA mmap_size = 0"); /* the connection reads as before */
}

/* Copies a (province, commune) key into a part's bound; false if a code is too long for it (the
 * boundary is then skipped, and the parts around it are one). */
static bool
set_bound(char bound[2][INSIGHT_SCAN_CODE], const char *province, const char *commune)
{
    return dd_strlcpy(bound[0], province, INSIGHT_SCAN_CODE) == DD_OK &&
           dd_strlcpy(bound[1], commune, INSIGHT_SCAN_CODE) == DD_OK;
}

/* The people's ranges, from a sample of PEOPLE_SAMPLE rows at evenly spaced rowids sorted by
 * (province, commune): a boundary at every PEOPLE_PARTS-th of the sample, so each range holds
 * about as many people whatever order they were stored in. A commune is never cut. */
static int
plan_people(struct dd_db *db, struct insight_scan_plan *plan)
{
    struct insight_people_part *part = &plan->people[plan->npeople++];
    memset(part, 0, sizeof *part); /* from ("", ""), the least of keys */
    int64_t least = insight_number(db, "SELECT COALESCE(MIN(rowid), 0) FROM people");
    int64_t most = insight_number(db, "SELECT COALESCE(MAX(rowid), 0) FROM people");
    if (least < 0 || most < 0)
        return (int)(least < 0 ? least : most);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "WITH RECURSIVE s(r) AS (SELECT ?1 UNION ALL SELECT r + ?2 FROM s "
                           "WHERE r + ?2 <= ?3) SELECT permanent_province, permanent_commune "
                           "FROM s JOIN people ON people.rowid = s.r ORDER BY 1, 2",
                           &st);
    if (rc != DD_OK)
        return rc;
    int64_t step = (most - least) / PEOPLE_SAMPLE + 1;
    dd_stmt_bind_int64(st, 1, least);
    dd_stmt_bind_int64(st, 2, step);
    dd_stmt_bind_int64(st, 3, most);
    int64_t rows = (most - least) / step + 1, row = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        row++;
        if (row < rows * (int64_t)plan->npeople / PEOPLE_PARTS || plan->npeople >= PEOPLE_PARTS)
            continue;
        const char *province = dd_stmt_text(st, 0), *commune = dd_stmt_text(st, 1);
        if (strcmp(province, part->from[0]) == 0 && strcmp(commune, part->from[1]) == 0)
            continue; /* the same commune as the part's start: the next one ends it */
        struct insight_people_part *n = &plan->people[plan->npeople];
        memset(n, 0, sizeof *n);
        if (set_bound(n->from, province, commune)) {
            memcpy(part->to, n->from, sizeof part->to);
            part->bounded = true;
            part = n;
            plan->npeople++;
        }
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

/* The stays' ranges: ids from the least to the greatest in STAYS_PARTS of equal width, the
 * first and last open-ended. */
static int
plan_stays(struct dd_db *db, struct insight_scan_plan *plan)
{
    int64_t least = insight_number(db, "SELECT COALESCE(MIN(id), 0) FROM stays");
    int64_t most = insight_number(db, "SELECT COALESCE(MAX(id), 0) FROM stays");
    if (least < 0 || most < 0)
        return (int)(least < 0 ? least : most);
    int64_t width = (most - least) / STAYS_PARTS + 1;
    for (int i = 0; i < STAYS_PARTS; i++) {
        struct insight_stays_part *p = &plan->stays[plan->nstays++];
        p->first_id = i == 0 ? INT64_MIN : least + width * i;
        p->last_id = i == STAYS_PARTS - 1 ? INT64_MAX : least + width * (i + 1) - 1;
    }
    return DD_OK;
}

int
insight_scan_plan(struct dd_db *db, struct insight_scan_plan *plan)
{
    plan->npeople = plan->nstays = 0;
    int rc = plan_stays(db, plan);
    return rc == DD_OK ? plan_people(db, plan) : rc;
}

/* What the two threads share: the plan, the next part of each kind to take, and the moment the
 * second thread's stays are all summed. */
struct shared {
    const struct insight_scan_plan *plan;
    atomic_size_t next_stays, next_people;
    atomic_bool failed;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool second_stays_done;
};

/* A thread's share: its connection, its sums, its first failure. */
struct worker {
    struct dd_db *db;
    struct shared *sh;
    struct insight_tally people, groups;
    int rc;
};

/* Takes stays parts while there are any; a failure stops both threads. */
static void
read_stays(struct worker *w)
{
    const struct insight_scan_plan *plan = w->sh->plan;
    size_t i;
    while (w->rc == DD_OK && !atomic_load(&w->sh->failed) &&
           (i = atomic_fetch_add(&w->sh->next_stays, 1)) < plan->nstays)
        w->rc =
            insight_stays_scan(w->db, plan->stays[i].first_id, plan->stays[i].last_id, &w->groups);
    if (w->rc != DD_OK)
        atomic_store(&w->sh->failed, true); /* the other thread stops after its part */
}

static void
read_people(struct worker *w)
{
    const struct insight_scan_plan *plan = w->sh->plan;
    size_t i;
    while (w->rc == DD_OK && !atomic_load(&w->sh->failed) &&
           (i = atomic_fetch_add(&w->sh->next_people, 1)) < plan->npeople) {
        const struct insight_people_part *p = &plan->people[i];
        const char *from[] = {p->from[0], p->from[1]};
        const char *to[] = {p->to[0], p->to[1]};
        w->rc = insight_people_scan(w->db, from, p->bounded ? to : NULL, &w->people);
    }
    if (w->rc != DD_OK)
        atomic_store(&w->sh->failed, true);
}

/* The second thread: stays, then (having said so) people. */
static void *
second_work(void *arg)
{
    struct worker *w = arg;
    read_stays(w);
    pthread_mutex_lock(&w->sh->mu);
    w->sh->second_stays_done = true;
    pthread_cond_signal(&w->sh->cv);
    pthread_mutex_unlock(&w->sh->mu);
    read_people(w);
    return NULL;
}

/* The calling thread, once every stays part is summed: the tourism figures computed from the
 * groups and written on `db`. */
static int
write_tourism(struct worker *mine, struct worker *other, bool threaded)
{
    struct shared *sh = mine->sh;
    if (threaded) {
        pthread_mutex_lock(&sh->mu);
        while (!sh->second_stays_done)
            pthread_cond_wait(&sh->cv, &sh->mu);
        pthread_mutex_unlock(&sh->mu);
    }

    if (atomic_load(&sh->failed))
        return DD_OK; /* the failure is reported from its thread's rc */
    insight_tally_merge(&mine->groups, &other->groups);
    int rc = insight_rebuild_tourism(mine->db, &mine->groups);
    if (rc != DD_OK)
        atomic_store(&sh->failed, true);
    return rc;
}

int
insight_scan_run(struct dd_db *db, struct dd_db *second, const struct insight_scan_plan *plan)
{
    struct shared sh = {.plan = plan};
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    struct worker w[2] = {{.db = db, .sh = &sh}, {.db = second, .sh = &sh}};
    pthread_t thread;
    bool threaded = second != NULL && pthread_create(&thread, NULL, second_work, &w[1]) == 0;
    read_stays(&w[0]);
    int rc = write_tourism(&w[0], &w[1], threaded);
    if (rc == DD_OK)
        read_people(&w[0]);
    if (threaded)
        pthread_join(thread, NULL);

    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv);
    if (rc == DD_OK)
        rc = w[0].rc;
    if (rc == DD_OK && w[1].rc != DD_OK) {
        rc = w[1].rc;        /* a database's message is the second connection's: say it here */
        if (rc != DD_EINVAL) /* bad rows are told of where they are read */
            dd_log(DD_LOG_ERROR, "insight.rebuild_failed", "dashboards' rebuild, second reader: %s",
                   dd_db_errmsg(second));
    }
    insight_tally_merge(&w[0].people, &w[1].people); /* a cell both threads counted: one row */
    if (rc == DD_OK)
        rc = insight_tally_write(db, &w[0].people);
    for (int i = 0; i < 2; i++) {
        insight_tally_clear(&w[i].people);
        insight_tally_clear(&w[i].groups);
    }
    return rc;
}
