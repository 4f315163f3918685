/*
 * access.c — the access-log rows of officers' reads (a person, a history, a household, search
 * results).
 *
 * Changes write their "change" row inside their own transaction (change.c). Reads have nothing
 * else to write, and a commit per read would bound the register's reads by the disk's flushes
 * (a few hundred to a few thousand per second, far less when writers contend for the lock). So
 * while the writer runs, a read copies its rows into a bounded ring in memory and answers; one
 * thread appends what the ring holds every period (setting read-log-flush-ms, 500 ms by
 * default), or sooner once WAKE_ROWS are
 * queued, thousands of rows per commit, to the log (core/access_log.h), on a connection of its
 * own whose commits do not wait for the disk's flush (SQLite synchronous=NORMAL, PostgreSQL
 * synchronous_commit=off). Few commits matter on SQLite for another reason too: every commit
 * makes each other connection drop its page cache at its next read, so readers would re-read
 * the upper pages of the register's indexes after each one. The price: a crash of the process
 * can lose the rows of the last half second of reads, and a power cut those since the last
 * flushed commit; stopping the
 * writer (on SIGTERM) writes every row still queued. When the ring is full, reads wait for room
 * (up to FULL_WAIT_MS); when the writer does not run (commands, tests) or stays stuck, a read
 * writes its rows itself, in one transaction, before answering: rows are never dropped while
 * the database takes them.
 *
 * An append touches only the last pages of the log, so a commit writes a few pages whatever the
 * readers read. On SQLite the same thread adds the appended rows to the log's index by person
 * (dd_access_log_index) when it starts, every INDEX_PERIOD_MS and when it stops: ten minutes of
 * rows, sorted, land in the last day of an index that starts with the day, where many of them
 * share each page written; a person's rows not indexed yet are found by scanning those minutes.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/access_log.h"
#include "core/events.h"
#include "core/register/api.h"
#include "http/principal.h"
#include "http/req.h"
#include "store/store.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING_ROWS 32768
#define WAKE_ROWS 4096 /* wake the writer early past this many */
/* The writer's SQLite connection: commits without flushing, and a page cache of 64 MiB for the
 * day's batch into the index by person. */
#define SQLITE_WRITER_SETTINGS "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536"
#define RETRY_MS               200
#define INDEX_PERIOD_MS        600000 /* index by person every 10 minutes */
#define FULL_WAIT_MS           1000

/* One row, copied: the request that made it is gone by the time it is written. */
struct row {
    char id_number[16];
    int64_t day;
    char at[32];
    char actor[96];
    char actor_name[128];
    char role[32];
    char province[4]; /* the reader's area (officers) */
    char commune[8];
    bool home_known; /* the person's permanent residence, when the reader had it at hand */
    char home_province[4];
    char home_commune[8];
    char agency[128];
    char action[8];
    char data[16];
    char purpose[256];
    char request_id[DD_REQUEST_ID_MAX + 1];
};

/* Rows [head, head + count) of the ring are queued; the writer writes [head, head + n) without
 * the lock while producers only fill slots past head + count, then gives them back. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* the writer waits here */
    pthread_cond_t room; /* producers wait here when the ring is full */
    pthread_t thread;
    bool running;
    bool stopping;
    long period_ms;
    struct row *ring;
    size_t head;
    size_t count;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .room = PTHREAD_COND_INITIALIZER};

#define INSERT_HEAD     DD_ACCESS_LOG_INSERT
#define ROW1            DD_ACCESS_LOG_VALUES
#define ROW4            ROW1 ", " ROW1 ", " ROW1 ", " ROW1
#define ROW16           ROW4 ", " ROW4 ", " ROW4 ", " ROW4
#define ROWS_PER_INSERT 16 /* rows of one multi-row INSERT: fewer statements to run per batch */

/* Inserts n rows (1 or ROWS_PER_INSERT) with one statement; rows[i] are ring slots. */
static int
insert_rows(struct dd_db *db, const uint32_t *slots, size_t n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, n == 1 ? INSERT_HEAD ROW1 : INSERT_HEAD ROW16, &st);
    if (rc != DD_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &w.ring[slots[i]];
        int p = (int)i * 11;
        dd_stmt_bind_text(st, p + 1, r->id_number);
        dd_stmt_bind_int64(st, p + 2, r->day);
        dd_stmt_bind_text(st, p + 3, r->at);
        dd_stmt_bind_text(st, p + 4, r->actor);
        dd_stmt_bind_text(st, p + 5, r->actor_name);
        dd_stmt_bind_text(st, p + 6, r->role);
        dd_stmt_bind_text(st, p + 7, r->agency);
        dd_stmt_bind_text(st, p + 8, r->action);
        dd_stmt_bind_text(st, p + 9, r->data);
        dd_stmt_bind_text(st, p + 10, r->purpose);
        dd_stmt_bind_text(st, p + 11, r->request_id);
    }
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* What the security operations centre learns of one reader's batch: the reader, their area
 * ("56" or "56/22366"), how many reads, and those of people living outside the area. */
struct reader {
    const char *actor, *role, *province, *commune;
    int64_t count, outside;
    json_t *sample; /* up to OUTSIDE_SAMPLE {person, province, commune} outside the area */
};
#define OUTSIDE_SAMPLE 10

/* Reads waiting for the residence of their person, looked up LOOKUP_IDS at a time (one query
 * per LOOKUP_IDS reads, not one per read: the writer's batches hold thousands). */
#define LOOKUP_IDS 64
struct lookup {
    struct reader *rd[LOOKUP_IDS];
    const char *id[LOOKUP_IDS];
    size_t n;
};

static void
count_outside(struct reader *rd, const char *id, const char *prov, const char *com)
{
    bool outside = strcmp(prov, rd->province) != 0 ||
                   (rd->commune[0] != '\0' && strcmp(com, rd->commune) != 0);
    if (outside && rd->outside++ < OUTSIDE_SAMPLE) {
        if (rd->sample == NULL)
            rd->sample = json_array();
        json_array_append_new(rd->sample, json_pack("{s:s, s:s, s:s}", "person", id, "province",
                                                    prov, "commune", com));
    }
}

/* Looks up where the people of the waiting reads live and counts those outside each reader's
 * area (a person the register does not hold is not counted). */
static int
lookup_flush(struct dd_db *db, struct lookup *lk)
{
    if (lk->n == 0)
        return DD_OK;
    char sql[128 + 3 * LOOKUP_IDS];
    size_t used = (size_t)snprintf(sql, sizeof sql,
                                   "SELECT id_number, permanent_province, permanent_commune FROM "
                                   "people WHERE id_number IN (?");
    for (int i = 1; i < LOOKUP_IDS; i++)
        used += (size_t)snprintf(sql + used, sizeof sql - used, ", ?");
    snprintf(sql + used, sizeof sql - used, ")");
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    for (size_t i = 0; i < LOOKUP_IDS; i++) /* the same statement for a short last lookup */
        dd_stmt_bind_text(st, (int)i + 1, lk->id[i < lk->n ? i : 0]);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *id = dd_stmt_text(st, 0);
        for (size_t i = 0; i < lk->n; i++)
            if (strcmp(lk->id[i], id) == 0)
                count_outside(lk->rd[i], id, dd_stmt_text(st, 1), dd_stmt_text(st, 2));
    }
    dd_stmt_reset(st);
    lk->n = 0;
    return rc < 0 ? rc : DD_OK;
}

/* Counts a read by reader `rd` of person `id`; for an officer with an area, the read waits in
 * `lk` for the person's residence unless `home` (NULL: not known) gives it. */
static int
reader_count(struct dd_db *db, struct lookup *lk, struct reader *rd, const char *id,
             const struct dd_reg_home *home)
{
    rd->count++;
    if (rd->province[0] == '\0')
        return DD_OK;
    if (home) {
        count_outside(rd, id, home->province ? home->province : "",
                      home->commune ? home->commune : "");
        return DD_OK;
    }
    lk->rd[lk->n] = rd; /* a person read twice is counted twice, as the reads are */
    lk->id[lk->n++] = id;
    return lk->n == LOOKUP_IDS ? lookup_flush(db, lk) : DD_OK;
}

/* One access.reads event ({actor, role, area, count}) in the caller's transaction, and one
 * access.outside_area ({actor, role, area, count, persons}) when some of the people read live
 * outside the officer's area: the security operations centre counts officers' look-ups from
 * these rather than from every row. */
static int
reads_events(struct dd_db *db, struct reader *rd)
{
    char area[16];
    snprintf(area, sizeof area, "%s%s%s", rd->province, rd->commune[0] ? "/" : "", rd->commune);
    json_t *p = json_pack("{s:s, s:s, s:s, s:I}", "actor", rd->actor, "role", rd->role, "area",
                          area, "count", (json_int_t)rd->count);
    char *text = p ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(p);
    int rc = text ? dd_event_emit(db, "access.reads", rd->actor, text) : DD_EINTERNAL;
    free(text);
    if (rc == DD_OK && rd->outside > 0) {
        p = json_pack("{s:s, s:s, s:s, s:I, s:O}", "actor", rd->actor, "role", rd->role, "area",
                      area, "count", (json_int_t)rd->outside, "persons", rd->sample);
        text = p ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(p);
        rc = text ? dd_event_emit(db, "access.outside_area", rd->actor, text) : DD_EINTERNAL;
        free(text);
    }
    json_decref(rd->sample);
    rd->sample = NULL;
    return rc;
}

/* The events of each reader of rows [0, n), readers taken READERS_PER_PASS at a time. */
#define READERS_PER_PASS 32
static int
emit_reads(struct dd_db *db, const uint32_t *slots, size_t n)
{
    struct reader seen[READERS_PER_PASS];
    struct lookup lk = {.n = 0};
    size_t nseen = 0;
    int rc = DD_OK;
    for (size_t i = 0; rc == DD_OK && i <= n; i++) {
        if (i == n || nseen == READERS_PER_PASS) {
            rc = lookup_flush(db, &lk);
            for (size_t j = 0; j < nseen; j++)
                if (rc == DD_OK)
                    rc = reads_events(db, &seen[j]);
                else
                    json_decref(seen[j].sample);
            nseen = 0;
        }
        if (i == n)
            break;
        const struct row *r = &w.ring[slots[i]];
        size_t k = 0;
        while (k < nseen && strcmp(seen[k].actor, r->actor) != 0)
            k++;
        if (k == nseen)
            seen[nseen++] = (struct reader){r->actor, r->role, r->province, r->commune, 0, 0, NULL};
        const struct dd_reg_home home = {r->home_province, r->home_commune};
        rc = reader_count(db, &lk, &seen[k], r->id_number, r->home_known ? &home : NULL);
    }
    for (size_t j = 0; rc != DD_OK && j < nseen; j++)
        json_decref(seen[j].sample);
    return rc;
}

/* Writes ring rows [first, first + n) in one transaction, in the order they came. `order` has
 * room for RING_ROWS slots. */
static int
write_rows(struct dd_db *db, size_t first, size_t n, uint32_t *order)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)((first + i) % RING_ROWS);
    int rc = dd_db_begin(db);
    size_t i = 0;
    for (; rc == DD_OK && i + ROWS_PER_INSERT <= n; i += ROWS_PER_INSERT)
        rc = insert_rows(db, &order[i], ROWS_PER_INSERT);
    for (; rc == DD_OK && i < n; i++)
        rc = insert_rows(db, &order[i], 1);
    if (rc == DD_OK)
        rc = emit_reads(db, order, n);
    if (rc == DD_OK)
        return dd_db_commit(db);
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}

/* The writer's connection, its commits not waiting for the disk's flush. */
static struct dd_db *
writer_db(struct dd_db **relaxed)
{
    struct dd_db *db = dd_db_pool_get();
    if (db == NULL || db == *relaxed)
        return db;
    int rc = dd_db_exec(db, dd_db_kind(db) == DD_DB_SQLITE ? SQLITE_WRITER_SETTINGS
                                                           : "SET synchronous_commit = off");
    if (rc != DD_OK)
        dd_log(DD_LOG_WARN, "register.access_log", "commits stay synchronous: %s",
               dd_db_errmsg(db));
    *relaxed = db;
    return db;
}

/* Writes rows until they are stored: a database that is down delays rows, never drops them,
 * unless the writer is stopping and the database stays down. */
static void
write_batch(struct dd_db **relaxed, size_t first, size_t n, uint32_t *order)
{
    for (int attempt = 0;; attempt++) {
        struct dd_db *db = writer_db(relaxed);
        int rc = db ? write_rows(db, first, n, order) : DD_EUNAVAIL;
        if (rc == DD_OK)
            return;
        dd_log(DD_LOG_ERROR, "register.access_log", "%zu access-log rows not written yet: %s", n,
               db ? dd_db_errmsg(db) : dd_strerror(rc));
        pthread_mutex_lock(&w.lock);
        bool give_up = w.stopping && attempt >= 3;
        if (!give_up) {
            struct timespec until;
            dd_clock_deadline(&until, RETRY_MS);
            pthread_cond_timedwait(&w.wake, &w.lock, &until);
        }
        pthread_mutex_unlock(&w.lock);
        if (give_up) {
            dd_log(DD_LOG_ERROR, "register.access_log_lost", "%zu access-log rows lost", n);
            return;
        }
    }
}

/* Adds every row appended so far to the index by person, if the database answers; returns
 * whether it did (rows left out are added the next time). */
static bool
index_rows(struct dd_db **relaxed)
{
    int64_t tomorrow = dd_access_log_day(dd_clock_now_ms()) + 1;
    struct dd_db *db = writer_db(relaxed);
    int64_t added = 0;
    int rc = db ? dd_access_log_index(db, tomorrow, &added) : DD_EUNAVAIL;
    if (rc != DD_OK) {
        dd_log(DD_LOG_WARN, "register.access_log_index", "access-log rows not indexed yet: %s",
               db ? dd_db_errmsg(db) : dd_strerror(rc));
        return false;
    }
    if (added > 0)
        dd_log(DD_LOG_DEBUG, "register.access_log_index", "%lld access-log rows indexed by person",
               (long long)added);
    return true;
}

/* The writer: appends what the ring holds; indexes by person every INDEX_PERIOD_MS. Stopping
 * appends what is queued, then indexes it. */
static void *
writer_main(void *arg)
{
    (void)arg;
    struct dd_db *relaxed = NULL;
    uint32_t *order = dd_xcalloc(RING_ROWS, sizeof *order);
    int64_t next_index_ms = 0; /* index what commands left, at once */
    pthread_mutex_lock(&w.lock);
    for (;;) {
        if (w.count == 0 && w.stopping)
            break;
        int64_t now = dd_clock_mono_ns() / 1000000;
        if (now >= next_index_ms) {
            pthread_mutex_unlock(&w.lock);
            bool done = index_rows(&relaxed);
            next_index_ms = now + (done ? INDEX_PERIOD_MS : RETRY_MS);
            pthread_mutex_lock(&w.lock);
            continue;
        }
        if (w.count == 0) {
            struct timespec until;
            dd_clock_deadline(&until, w.period_ms);
            pthread_cond_timedwait(&w.wake, &w.lock, &until);
            continue;
        }
        size_t first = w.head, n = w.count;
        pthread_mutex_unlock(&w.lock);
        write_batch(&relaxed, first, n, order);
        pthread_mutex_lock(&w.lock);
        w.head = (w.head + n) % RING_ROWS;
        w.count -= n;
        pthread_cond_broadcast(&w.room);
    }
    pthread_mutex_unlock(&w.lock);
    index_rows(&relaxed);
    free(order);
    return NULL;
}

int
dd_reg_access_writer_start(long period_ms)
{
    pthread_mutex_lock(&w.lock);
    int rc = DD_OK;
    if (!w.running) {
        w.period_ms = period_ms > 0 ? period_ms : 500;
        w.ring = dd_xcalloc(RING_ROWS, sizeof *w.ring);
        w.head = w.count = 0;
        w.stopping = false;
        w.running = pthread_create(&w.thread, NULL, writer_main, NULL) == 0;
        if (!w.running) {
            free(w.ring);
            w.ring = NULL;
            rc = DD_EINTERNAL;
        }
    }
    pthread_mutex_unlock(&w.lock);
    return rc;
}

void
dd_reg_access_writer_stop(void)
{
    pthread_mutex_lock(&w.lock);
    bool running = w.running;
    w.stopping = true;
    pthread_cond_signal(&w.wake);
    pthread_mutex_unlock(&w.lock);
    if (!running)
        return;
    pthread_cond_broadcast(&w.room);
    pthread_join(w.thread, NULL);
    pthread_mutex_lock(&w.lock);
    w.running = false;
    free(w.ring);
    w.ring = NULL;
    pthread_mutex_unlock(&w.lock);
}

static void
fill_row(struct row *r, const struct dd_req *req, const char *id, const struct dd_reg_home *home,
         int64_t ms, const char *now, const char *action, const char *data, const char *purpose)
{
    const struct dd_principal *p = req->who;
    dd_strlcpy(r->id_number, id, sizeof r->id_number);
    r->home_known = home != NULL;
    dd_strlcpy(r->home_province, home && home->province ? home->province : "",
               sizeof r->home_province);
    dd_strlcpy(r->home_commune, home && home->commune ? home->commune : "", sizeof r->home_commune);
    r->day = dd_access_log_day(ms);
    dd_strlcpy(r->at, now, sizeof r->at);
    dd_access_log_actor(p, r->actor, sizeof r->actor);
    dd_strlcpy(r->actor_name, p->display_name, sizeof r->actor_name);
    dd_strlcpy(r->role, p->role, sizeof r->role);
    dd_strlcpy(r->province, p->kind == DD_PRINCIPAL_OFFICER ? p->province : "", sizeof r->province);
    dd_strlcpy(r->commune, p->kind == DD_PRINCIPAL_OFFICER ? p->commune : "", sizeof r->commune);
    dd_strlcpy(r->agency, p->agency, sizeof r->agency);
    dd_strlcpy(r->action, action, sizeof r->action);
    dd_strlcpy(r->data, data, sizeof r->data);
    dd_strlcpy(r->purpose, purpose, sizeof r->purpose);
    dd_strlcpy(r->request_id, req->request_id, sizeof r->request_id);
}

/* Queues the rows if the writer runs and has room for all of them, waiting a little for room
 * when the ring is full. */
static bool
enqueue(const struct dd_req *req, const char *const *ids, const struct dd_reg_home *homes, int n,
        const char *action, const char *data, const char *purpose)
{
    char now[32];
    int64_t ms = dd_clock_now_ms();
    dd_clock_iso8601(ms, now);
    struct timespec until;
    dd_clock_deadline(&until, FULL_WAIT_MS);
    pthread_mutex_lock(&w.lock);
    while (w.running && !w.stopping && w.count + (size_t)n > RING_ROWS && (size_t)n <= RING_ROWS &&
           pthread_cond_timedwait(&w.room, &w.lock, &until) == 0)
        ;
    bool queued = w.running && !w.stopping && w.count + (size_t)n <= RING_ROWS;
    for (int i = 0; queued && i < n; i++)
        fill_row(&w.ring[(w.head + w.count++) % RING_ROWS], req, ids[i], homes ? &homes[i] : NULL,
                 ms, now, action, data, purpose);
    if (queued && w.count >= WAKE_ROWS)
        pthread_cond_signal(&w.wake);
    pthread_mutex_unlock(&w.lock);
    return queued;
}

int
dd_reg_access_reads(struct dd_db *db, struct dd_req *req, const char *const *ids, int n,
                    const char *action, const char *data, const char *purpose)
{
    return dd_reg_access_reads_homes(db, req, ids, NULL, n, action, data, purpose);
}

int
dd_reg_access_reads_homes(struct dd_db *db, struct dd_req *req, const char *const *ids,
                          const struct dd_reg_home *homes, int n, const char *action,
                          const char *data, const char *purpose)
{
    if (n == 0 || enqueue(req, ids, homes, n, action, data, purpose))
        return DD_OK;
    int rc = dd_db_begin(db);
    for (int i = 0; rc == DD_OK && i < n; i++)
        rc = dd_access_log_write(db, req, ids[i], action, data, purpose);
    if (rc == DD_OK) {
        const struct dd_principal *p = req->who;
        char actor[96];
        dd_access_log_actor(p, actor, sizeof actor);
        bool officer = p->kind == DD_PRINCIPAL_OFFICER;
        struct reader rd = {
            actor, p->role, officer ? p->province : "", officer ? p->commune : "", 0, 0, NULL};
        struct lookup lk = {.n = 0};
        for (int i = 0; rc == DD_OK && i < n; i++)
            rc = reader_count(db, &lk, &rd, ids[i], homes ? &homes[i] : NULL);
        rc = rc == DD_OK ? lookup_flush(db, &lk) : rc;
        rc = rc == DD_OK ? reads_events(db, &rd) : rc;
        json_decref(rd.sample);
    }
    if (rc == DD_OK)
        return dd_db_commit(db);
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}
