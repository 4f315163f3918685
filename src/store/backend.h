/*
 * backend.h — what store.c shares with the SQLite and PostgreSQL backends (not for other modules).
 *
 * A backend fills a table of operations and embeds struct dd_db and struct dd_stmt as the first
 * member of its own connection and statement types. store.c owns everything common: the
 * statement cache, the transaction flag, the last error message and the "lost" mark the pool
 * reads to reopen a connection.
 */
#ifndef DD_STORE_BACKEND_H
#define DD_STORE_BACKEND_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_db_ops {
    enum dd_db_kind kind;
    const char *begin_sql;      /* a write transaction */
    const char *begin_read_sql; /* a read-only snapshot */
    /* Optional: starts a write transaction instead of begin_sql, and is told when any
     * transaction has ended (committed or rolled back). */
    int (*begin_write)(struct dd_db *db);
    void (*ended)(struct dd_db *db);
    /* Optional (store.h, dd_db_sync_commits and dd_db_wait_durable): whether a commit waits
     * for the disk, and a wait until every commit so far is on it. */
    int (*set_sync)(struct dd_db *db, bool wait_for_disk);
    int (*wait_durable)(struct dd_db *db);
    /* Optional: a passive checkpoint (store.h, dd_db_checkpoint). */
    int (*checkpoint)(struct dd_db *db, int *wal_frames, int *copied);
    /* Optional (store.h, dd_db_open_same). */
    int (*open_same)(struct dd_db *db, struct dd_db **out);
    void (*close)(struct dd_db *db);
    int (*exec)(struct dd_db *db, const char *sql);
    int (*rollback)(struct dd_db *db); /* ends the transaction if the database still has one */
    /* Returns a new statement (the common part zeroed) or a negative code with the message set. */
    int (*prepare)(struct dd_db *db, const char *sql, struct dd_stmt **out);
    void (*finalize)(struct dd_stmt *st);
    int (*bind_text)(struct dd_stmt *st, int idx, const char *s);
    int (*bind_int64)(struct dd_stmt *st, int idx, int64_t v);
    int (*bind_null)(struct dd_stmt *st, int idx);
    int (*bind_blob)(struct dd_stmt *st, int idx, const void *p, size_t n);
    int (*step)(struct dd_stmt *st);
    int (*column_count)(struct dd_stmt *st);
    const char *(*column_name)(struct dd_stmt *st, int col);
    bool (*is_null)(struct dd_stmt *st, int col);
    const char *(*text)(struct dd_stmt *st, int col);
    int64_t (*int64)(struct dd_stmt *st, int col);
    const void *(*blob)(struct dd_stmt *st, int col, size_t *len);
    void (*texts_bytes)(struct dd_stmt *st, const int *cols, size_t n, const char **bytes,
                        size_t *lens);
    int64_t (*changes)(struct dd_stmt *st);
    void (*reset)(struct dd_stmt *st);
    /* Bulk loading (store.h); a NULL copy_begin means the backend has no COPY. */
    int (*bind_text_static)(struct dd_stmt *st, int idx, const char *s, size_t n);
    int (*copy_begin)(struct dd_db *db, const char *sql);
    int (*copy_put)(struct dd_db *db, const void *p, size_t n);
    int (*copy_end)(struct dd_db *db, bool abort);
};

struct dd_db {
    const struct dd_db_ops *ops;
    struct dd_stmt **buckets; /* statement cache: chains by hash of the SQL text */
    size_t nbuckets;
    size_t nstmts;
    size_t nbusy;              /* statements handed out and not reset yet */
    struct dd_stmt *lru_first; /* most recently prepared */
    struct dd_stmt *lru_last;
    bool in_tx;
    bool lost;    /* the connection failed with DD_EUNAVAIL; the pool reopens it */
    bool pooled;  /* opened by the pool: errors are counted for /metrics */
    bool closing; /* dd_db_close is finalising: no need to free server-side resources */
    bool in_copy; /* between dd_db_copy_begin and dd_db_copy_end */
    char errmsg[512];
};

struct dd_stmt {
    struct dd_db *db;
    char *sql;
    uint64_t hash;
    bool busy; /* handed out by dd_db_prepare and not reset yet */
    bool done; /* stepped to DD_DB_DONE */
    struct dd_stmt *chain;
    struct dd_stmt *lru_prev;
    struct dd_stmt *lru_next;
};

/* Prepares the common part of a freshly allocated connection. */
void dd_db_base_init(struct dd_db *db, const struct dd_db_ops *ops);

/* Records the connection's last error (printf-style, never with bound values) and returns rc.
 * DD_EUNAVAIL marks the connection lost. */
int dd_db_fail(struct dd_db *db, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The backends' openers, called by dd_db_open with the URL's scheme already checked. */
int dd_sqlite_open(const char *url, const struct dd_db_options *opt, struct dd_db **out, char *err,
                   size_t errlen);
int dd_pg_open(const char *url, const struct dd_db_options *opt, struct dd_db **out, char *err,
               size_t errlen);

#endif
