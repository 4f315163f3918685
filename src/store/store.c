/*
 * store.c — the backend-independent half of the storage interface: URL dispatch, the per-
 * connection statement cache, transaction state and error bookkeeping. Every other call goes
 * straight through the backend's table of operations.
 *
 * The cache maps SQL text to prepared statements with chained buckets (FNV-1a of the text) and
 * keeps them in least-recently-used order. A statement handed out and not yet reset is "busy";
 * preparing the same text again meanwhile (a nested use) gets a second statement instead of
 * clobbering the first. Past DD_STMT_CACHE_MAX statements the least recently used idle one is
 * finalised, so SQL built at run time cannot grow the cache without bound.
 */
#include "store/backend.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/mem.h"
#include "base/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DD_STMT_CACHE_MAX 256

/* Defined in pool.c; counts errors on pooled connections. */
void dd_db_pool_count_error(void);

static uint64_t
sql_hash(const char *s)
{
    return dd_hash_bytes(s, strlen(s), 0);
}

void
dd_db_base_init(struct dd_db *db, const struct dd_db_ops *ops)
{
    db->ops = ops;
    db->nbuckets = 64;
    db->buckets = dd_xcalloc(db->nbuckets, sizeof *db->buckets);
}

int
dd_db_fail(struct dd_db *db, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    if (rc == DD_EUNAVAIL)
        db->lost = true;
    if (db->pooled && rc != DD_ECONFLICT)
        dd_db_pool_count_error();
    return rc;
}

int
dd_db_open(const char *url, const struct dd_db_options *opt, struct dd_db **out, char *err,
           size_t errlen)
{
    static const struct dd_db_options defaults = {.timeout_ms = 5000};
    if (opt == NULL)
        opt = &defaults;
    *out = NULL;
    if (url == NULL) {
        snprintf(err, errlen, "no database URL was given");
        return DD_EINVAL;
    }
    if (dd_str_has_prefix(url, "sqlite:"))
        return dd_sqlite_open(url + strlen("sqlite:"), opt, out, err, errlen);
    if (dd_str_has_prefix(url, "postgres://") || dd_str_has_prefix(url, "postgresql://"))
        return dd_pg_open(url, opt, out, err, errlen);
    snprintf(err, errlen, "the database URL must start with sqlite: or postgres://");
    return DD_EINVAL;
}

void
dd_db_close(struct dd_db *db)
{
    if (db == NULL)
        return;
    db->closing = true;
    struct dd_stmt *st = db->lru_first;
    while (st) {
        struct dd_stmt *next = st->lru_next;
        free(st->sql);
        db->ops->finalize(st);
        st = next;
    }
    free(db->buckets);
    db->ops->close(db);
}

enum dd_db_kind
dd_db_kind(const struct dd_db *db)
{
    return db->ops->kind;
}

const char *
dd_db_errmsg(const struct dd_db *db)
{
    return db->errmsg;
}

/* A connection in the middle of a COPY takes nothing else until dd_db_copy_end. */
static int
refuse_in_copy(struct dd_db *db)
{
    return dd_db_fail(db, DD_EINVAL, "a COPY is in progress on this connection");
}

int
dd_db_exec(struct dd_db *db, const char *sql)
{
    if (db->lost)
        return dd_db_fail(db, DD_EUNAVAIL, "the database connection was lost");
    if (db->in_copy)
        return refuse_in_copy(db);
    return db->ops->exec(db, sql);
}

int
dd_db_run(struct dd_db *db, const char *sql)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    return rc == DD_OK ? dd_stmt_run(st) : rc;
}

static void
lru_unlink(struct dd_db *db, struct dd_stmt *st)
{
    if (st->lru_prev)
        st->lru_prev->lru_next = st->lru_next;
    else
        db->lru_first = st->lru_next;
    if (st->lru_next)
        st->lru_next->lru_prev = st->lru_prev;
    else
        db->lru_last = st->lru_prev;
    st->lru_prev = st->lru_next = NULL;
}

static void
lru_push_front(struct dd_db *db, struct dd_stmt *st)
{
    st->lru_next = db->lru_first;
    if (db->lru_first)
        db->lru_first->lru_prev = st;
    db->lru_first = st;
    if (db->lru_last == NULL)
        db->lru_last = st;
}

static void
cache_remove(struct dd_db *db, struct dd_stmt *st)
{
    struct dd_stmt **pp = &db->buckets[st->hash & (db->nbuckets - 1)];
    while (*pp != st)
        pp = &(*pp)->chain;
    *pp = st->chain;
    lru_unlink(db, st);
    db->nstmts--;
    free(st->sql);
    db->ops->finalize(st);
}

static void
cache_grow(struct dd_db *db)
{
    size_t n = db->nbuckets * 2;
    struct dd_stmt **b = dd_xcalloc(n, sizeof *b);
    for (size_t i = 0; i < db->nbuckets; i++) {
        struct dd_stmt *st = db->buckets[i];
        while (st) {
            struct dd_stmt *next = st->chain;
            st->chain = b[st->hash & (n - 1)];
            b[st->hash & (n - 1)] = st;
            st = next;
        }
    }
    free(db->buckets);
    db->buckets = b;
    db->nbuckets = n;
}

static void
cache_evict_one(struct dd_db *db)
{
    for (struct dd_stmt *st = db->lru_last; st; st = st->lru_prev) {
        if (!st->busy) {
            cache_remove(db, st);
            return;
        }
    }
}

static void
cache_insert(struct dd_db *db, struct dd_stmt *st)
{
    if (db->nstmts >= DD_STMT_CACHE_MAX)
        cache_evict_one(db);
    if (db->nstmts >= db->nbuckets)
        cache_grow(db);
    size_t slot = st->hash & (db->nbuckets - 1);
    st->chain = db->buckets[slot];
    db->buckets[slot] = st;
    lru_push_front(db, st);
    db->nstmts++;
}

int
dd_db_prepare(struct dd_db *db, const char *sql, struct dd_stmt **out)
{
    *out = NULL;
    if (db->lost)
        return dd_db_fail(db, DD_EUNAVAIL, "the database connection was lost");
    if (db->in_copy)
        return refuse_in_copy(db);
    uint64_t h = sql_hash(sql);
    for (struct dd_stmt *st = db->buckets[h & (db->nbuckets - 1)]; st; st = st->chain) {
        if (st->hash == h && !st->busy && strcmp(st->sql, sql) == 0) {
            if (db->lru_first != st) {
                lru_unlink(db, st);
                lru_push_front(db, st);
            }
            st->busy = true;
            db->nbusy++;
            *out = st;
            return DD_OK;
        }
    }
    struct dd_stmt *st = NULL;
    int rc = db->ops->prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    st->db = db;
    st->sql = dd_xstrdup(sql);
    st->hash = h;
    st->busy = true;
    db->nbusy++;
    cache_insert(db, st);
    *out = st;
    return DD_OK;
}

int
dd_stmt_bind_text(struct dd_stmt *st, int idx, const char *s)
{
    if (s == NULL)
        return st->db->ops->bind_null(st, idx);
    return st->db->ops->bind_text(st, idx, s);
}

int
dd_stmt_bind_int64(struct dd_stmt *st, int idx, int64_t v)
{
    return st->db->ops->bind_int64(st, idx, v);
}

int
dd_stmt_bind_null(struct dd_stmt *st, int idx)
{
    return st->db->ops->bind_null(st, idx);
}

int
dd_stmt_bind_blob(struct dd_stmt *st, int idx, const void *p, size_t n)
{
    if (p == NULL && n > 0)
        return dd_db_fail(st->db, DD_EINVAL, "a blob parameter has a length but no bytes");
    return st->db->ops->bind_blob(st, idx, p, n);
}

int
dd_stmt_step(struct dd_stmt *st)
{
    if (st->done)
        return DD_DB_DONE;
    if (st->db->lost)
        return dd_db_fail(st->db, DD_EUNAVAIL, "the database connection was lost");
    if (st->db->in_copy)
        return refuse_in_copy(st->db);
    int rc = st->db->ops->step(st);
    if (rc == DD_DB_DONE)
        st->done = true;
    return rc;
}

int
dd_stmt_run(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_stmt_column_count(struct dd_stmt *st)
{
    return st->db->ops->column_count(st);
}

const char *
dd_stmt_column_name(struct dd_stmt *st, int col)
{
    return st->db->ops->column_name(st, col);
}

bool
dd_stmt_is_null(struct dd_stmt *st, int col)
{
    return st->db->ops->is_null(st, col);
}

const char *
dd_stmt_text(struct dd_stmt *st, int col)
{
    return st->db->ops->text(st, col);
}

int64_t
dd_stmt_int64(struct dd_stmt *st, int col)
{
    return st->db->ops->int64(st, col);
}

const void *
dd_stmt_blob(struct dd_stmt *st, int col, size_t *len)
{
    return st->db->ops->blob(st, col, len);
}

void
dd_stmt_texts_bytes(struct dd_stmt *st, const int *cols, size_t n, const char **bytes, size_t *lens)
{
    st->db->ops->texts_bytes(st, cols, n, bytes, lens);
}

int64_t
dd_stmt_changes(struct dd_stmt *st)
{
    return st->db->ops->changes(st);
}

void
dd_stmt_reset(struct dd_stmt *st)
{
    if (st == NULL)
        return;
    st->db->ops->reset(st);
    if (st->busy)
        st->db->nbusy--;
    st->busy = false;
    st->done = false;
}

int
dd_db_tidy(struct dd_db *db)
{
    if (db == NULL || (db->nbusy == 0 && !db->in_tx))
        return 0;
    int ended = 0;
    for (struct dd_stmt *st = db->lru_first; st && db->nbusy > 0; st = st->lru_next) {
        if (st->busy) {
            dd_stmt_reset(st);
            ended++;
        }
    }
    db->nbusy = 0;
    if (db->in_tx && !db->in_copy) {
        dd_db_rollback(db);
        ended++;
    }
    return ended;
}

static int
begin_with(struct dd_db *db, const char *sql)
{
    if (db->in_tx)
        return dd_db_fail(db, DD_EINVAL, "a transaction is already open on this connection");
    int rc = dd_db_exec(db, sql);
    if (rc == DD_OK)
        db->in_tx = true;
    return rc;
}

int
dd_db_begin(struct dd_db *db)
{
    if (db->ops->begin_write == NULL)
        return begin_with(db, db->ops->begin_sql);
    if (db->in_tx)
        return dd_db_fail(db, DD_EINVAL, "a transaction is already open on this connection");
    int rc = db->ops->begin_write(db);
    if (rc == DD_OK)
        db->in_tx = true;
    return rc;
}

int
dd_db_begin_read(struct dd_db *db)
{
    return begin_with(db, db->ops->begin_read_sql);
}

int
dd_db_commit(struct dd_db *db)
{
    if (!db->in_tx)
        return dd_db_fail(db, DD_EINVAL, "commit without an open transaction");
    if (db->in_copy)
        return refuse_in_copy(db); /* the transaction stays open: end the COPY first */
    int rc = dd_db_exec(db, "COMMIT");
    if (rc != DD_OK && !db->lost) {
        /* SQLite keeps the transaction open after a failed COMMIT; end it either way, keeping
         * the COMMIT's error as the one to report. */
        char msg[sizeof db->errmsg];
        memcpy(msg, db->errmsg, sizeof msg);
        db->ops->rollback(db);
        memcpy(db->errmsg, msg, sizeof msg);
    }
    db->in_tx = false;
    if (db->ops->ended)
        db->ops->ended(db);
    return rc;
}

int
dd_db_sync_commits(struct dd_db *db, bool wait_for_disk)
{
    if (db->in_tx)
        return dd_db_fail(db, DD_EINVAL, "the commit's flush cannot change inside a transaction");
    return db->ops->set_sync ? db->ops->set_sync(db, wait_for_disk) : DD_OK;
}

int
dd_db_wait_durable(struct dd_db *db)
{
    if (db->in_tx)
        return dd_db_fail(db, DD_EINVAL, "waiting for the disk inside a transaction");
    return db->ops->wait_durable ? db->ops->wait_durable(db) : DD_OK;
}

int
dd_db_checkpoint(struct dd_db *db, int *wal_frames, int *copied)
{
    int frames = 0, done = 0;
    int rc = DD_OK;
    if (db->in_tx)
        rc = dd_db_fail(db, DD_EINVAL, "a checkpoint inside a transaction");
    else if (db->ops->checkpoint)
        rc = db->ops->checkpoint(db, &frames, &done);
    if (wal_frames)
        *wal_frames = frames;
    if (copied)
        *copied = done;
    return rc;
}

int
dd_db_rollback(struct dd_db *db)
{
    /* No message here: a rollback usually follows another error, whose message must stay. */
    if (!db->in_tx)
        return DD_EINVAL;
    if (db->in_copy)
        dd_db_copy_end(db, true);
    db->in_tx = false;
    int rc = db->lost ? DD_OK /* the server ended it with the connection */ : db->ops->rollback(db);
    if (db->ops->ended)
        db->ops->ended(db);
    return rc;
}

bool
dd_db_in_transaction(const struct dd_db *db)
{
    return db->in_tx;
}

int
dd_db_open_same(struct dd_db *db, struct dd_db **out)
{
    *out = NULL;
    if (db->ops->open_same == NULL)
        return dd_db_fail(db, DD_EINVAL, "this backend opens no second connection here");
    return db->ops->open_same(db, out);
}

int
dd_db_ping(struct dd_db *db)
{
    return dd_db_exec(db, "SELECT 1");
}

int
dd_stmt_bind_text_static(struct dd_stmt *st, int idx, const char *s, size_t n)
{
    if (s == NULL)
        return st->db->ops->bind_null(st, idx);
    return st->db->ops->bind_text_static(st, idx, s, n);
}

void
dd_stmt_rewind(struct dd_stmt *st)
{
    st->db->ops->reset(st);
    st->done = false;
}

int
dd_db_copy_begin(struct dd_db *db, const char *sql)
{
    if (db->ops->copy_begin == NULL)
        return dd_db_fail(db, DD_EINVAL, "COPY needs PostgreSQL");
    if (db->lost)
        return dd_db_fail(db, DD_EUNAVAIL, "the database connection was lost");
    if (db->in_copy)
        return refuse_in_copy(db);
    if (!db->in_tx)
        return dd_db_fail(db, DD_EINVAL, "COPY runs inside a transaction");
    int rc = db->ops->copy_begin(db, sql);
    if (rc == DD_OK)
        db->in_copy = true;
    return rc;
}

int
dd_db_copy_put(struct dd_db *db, const void *p, size_t n)
{
    if (!db->in_copy)
        return dd_db_fail(db, DD_EINVAL, "no COPY is in progress");
    return db->ops->copy_put(db, p, n);
}

int
dd_db_copy_end(struct dd_db *db, bool abort)
{
    if (!db->in_copy)
        return dd_db_fail(db, DD_EINVAL, "no COPY is in progress");
    db->in_copy = false;
    return db->ops->copy_end(db, abort);
}
