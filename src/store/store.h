/*
 * store.h — the one storage interface, over SQLite (embedded default) and PostgreSQL (libpq).
 *
 * A connection (struct dd_db) belongs to one thread at a time. SQL uses `?` placeholders and a
 * portable subset of SQL; the PostgreSQL backend rewrites `?` to `$n`. Prepared statements are
 * cached per connection by SQL text, so a handler prepares the same text on every request at no
 * cost. Functions return DD_OK or a negative DD_E… code; DD_EBUSY means the database stayed
 * locked past the configured timeout, DD_ECONFLICT a constraint violation, DD_EUNAVAIL a lost or
 * refused connection, DD_EDB anything else. dd_db_errmsg tells more, without parameter values.
 *
 * Portable SQL for both backends: `?` placeholders only (PostgreSQL's jsonb `?` operators cannot
 * be written; use jsonb_exists), a CAST where PostgreSQL cannot infer a parameter's type
 * (`CAST(? AS TEXT) IS NULL`), integers rather than booleans, and TEXT timestamps. On
 * PostgreSQL a statement's rows are all fetched at its first step: page large reads with LIMIT.
 */
#ifndef DD_STORE_STORE_H
#define DD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dd_db_kind { DD_DB_SQLITE = 1, DD_DB_POSTGRES = 2 };

struct dd_db;
struct dd_stmt;

struct dd_db_options {
    long timeout_ms;           /* wait for a locked database (SQLite busy timeout, PG
                                  lock_timeout); 0 = do not wait */
    long statement_timeout_ms; /* PG only: cancel a statement running longer; 0 = no limit */
    /* SQLite only: commits never copy the write-ahead log into the database file (no automatic
     * checkpoint, which would run inside a writer's commit and its turn to write); the caller
     * runs dd_db_checkpoint from a thread of its own instead (serve's checkpoint thread). */
    bool manual_checkpoints;
};

/* dd_stmt_step results besides errors. */
#define DD_DB_DONE 0
#define DD_DB_ROW  1

/* Opens a connection from a URL: "sqlite:PATH" (the file and its folder are created; WAL,
 * synchronous=FULL, foreign keys on) or "postgres://…"/"postgresql://…" (a libpq URI). `opt` may
 * be NULL (wait 5 s for locks, no statement limit). On failure returns a negative code
 * (DD_EINVAL bad URL, DD_EIO folder not creatable, DD_EUNAVAIL cannot open or connect) and writes
 * a sentence into err. */
int dd_db_open(const char *url, const struct dd_db_options *opt, struct dd_db **out, char *err,
               size_t errlen);

/* Finalises cached statements and closes. NULL is accepted. */
void dd_db_close(struct dd_db *db);

enum dd_db_kind dd_db_kind(const struct dd_db *db);

/* The last error on this connection, in English, never containing bound values. */
const char *dd_db_errmsg(const struct dd_db *db);

/* Runs SQL text without parameters; it may hold several statements (migrations). */
int dd_db_exec(struct dd_db *db, const char *sql);

/* Runs ONE statement without parameters whose rows, if any, are not read, through the statement
 * cache: for the statements a hot path repeats (savepoints), which dd_db_exec would parse again
 * each time. 0 or a negative code. */
int dd_db_run(struct dd_db *db, const char *sql);

/* Returns the connection's prepared statement for `sql`, preparing it on first use. The statement
 * is reset and unbound; call dd_stmt_reset when done with it so it can be reused. While it is in
 * use, preparing the same text again gives another statement (nested use is safe). The cache
 * keeps at most a few hundred idle statements per connection, dropping the least recently used.
 * A statement from a failed prepare is NULL. */
int dd_db_prepare(struct dd_db *db, const char *sql, struct dd_stmt **out);

/* Binds parameter `idx` (1-based). Text must be UTF-8; NULL text binds SQL NULL. */
int dd_stmt_bind_text(struct dd_stmt *st, int idx, const char *s);
int dd_stmt_bind_int64(struct dd_stmt *st, int idx, int64_t v);
int dd_stmt_bind_null(struct dd_stmt *st, int idx);
int dd_stmt_bind_blob(struct dd_stmt *st, int idx, const void *p, size_t n);

/* Runs the statement or moves to its next row: DD_DB_ROW, DD_DB_DONE, or a negative code. */
int dd_stmt_step(struct dd_stmt *st);

/* Runs a statement that returns no rows (an INSERT, UPDATE, DELETE) and ends its use, as
 * dd_stmt_step then dd_stmt_reset: DD_OK, or a negative code. */
int dd_stmt_run(struct dd_stmt *st);

/* Column values of the current row (0-based). Text and blobs stay valid until the next step or
 * reset. A NULL column gives NULL text, 0, or a NULL blob with length 0; so does a column out of
 * range or a statement without a current row. The column count is known after the first step
 * (PostgreSQL) or at once (SQLite). */
int dd_stmt_column_count(struct dd_stmt *st);
const char *dd_stmt_column_name(struct dd_stmt *st, int col);
bool dd_stmt_is_null(struct dd_stmt *st, int col);
const char *dd_stmt_text(struct dd_stmt *st, int col);
int64_t dd_stmt_int64(struct dd_stmt *st, int col);
const void *dd_stmt_blob(struct dd_stmt *st, int col, size_t *len);

/* Text columns' bytes, for reading millions of rows: column cols[i]'s in bytes[i], their number
 * in lens[i], without the copy SQLite makes to end a text with '\0' (the bytes need not end with
 * one); "" with 0 for NULL, no column or no row. Valid until the next step or reset. One call a
 * row spares this layer's call per column (SQLite's own calls per column remain). */
void dd_stmt_texts_bytes(struct dd_stmt *st, const int *cols, size_t n, const char **bytes,
                         size_t *lens);

/* Rows changed by the last INSERT, UPDATE or DELETE run on this statement, once it has stepped
 * to DD_DB_DONE; 0 for other statements. */
int64_t dd_stmt_changes(struct dd_stmt *st);

/* Ends the current use: discards remaining rows and bindings. */
void dd_stmt_reset(struct dd_stmt *st);

/* Transactions. dd_db_begin starts a write transaction (SQLite: BEGIN IMMEDIATE, so writers
 * queue at the start instead of failing mid-way). Nesting is an error (DD_EINVAL). */
int dd_db_begin(struct dd_db *db);

/* Starts a read-only transaction that sees one consistent snapshot (SQLite: BEGIN DEFERRED in
 * WAL; PG: REPEATABLE READ READ ONLY), for long reads that must not block writers. It ends with
 * dd_db_commit or dd_db_rollback like any other. */
int dd_db_begin_read(struct dd_db *db);

int dd_db_commit(struct dd_db *db);

/* Whether the commits of this connection wait for the disk: true (the default) or false where the
 * backend allows it (SQLite: the WAL is written at commit but not flushed; it is still flushed
 * before a checkpoint copies it into the database). Without the wait a writer can start its next
 * transaction while the last one is being flushed, but nobody may be told a transaction is
 * durable before dd_db_wait_durable has returned DD_OK after its commit; other connections see it
 * at once. Outside a transaction only (DD_EINVAL inside). PostgreSQL: always waits; DD_OK. */
int dd_db_sync_commits(struct dd_db *db, bool wait_for_disk);

/* Waits until every transaction committed to the database of `db` so far (by any connection of
 * this process) is on disk: SQLite flushes the database's WAL file, PostgreSQL needs nothing.
 * `db` must not be in a transaction. DD_OK, or DD_EIO when the flush failed. */
int dd_db_wait_durable(struct dd_db *db);

/* Copies what it can of SQLite's write-ahead log into the database file, without waiting for
 * readers or writers (a passive checkpoint: frames newer than the oldest reader's snapshot stay
 * for the next one). *wal_frames (may be NULL) gets the log's length in frames and *copied the
 * frames now in the database file. Outside a transaction only. PostgreSQL: nothing to do, DD_OK
 * with both 0. */
int dd_db_checkpoint(struct dd_db *db, int *wal_frames, int *copied);
int dd_db_rollback(struct dd_db *db);
bool dd_db_in_transaction(const struct dd_db *db);

/* SQLite: opens another connection to the file `db` is connected to, with the options `db` was
 * opened with, for work split between threads (each connection is used by one thread at a
 * time). DD_EINVAL on PostgreSQL and for a database in memory, DD_EUNAVAIL if the file cannot be
 * opened; the message is then `db`'s. Close it with dd_db_close. */
int dd_db_open_same(struct dd_db *db, struct dd_db **out);

/* DD_OK when the database answers a trivial query. */
int dd_db_ping(struct dd_db *db);

/* --- bulk loading (the people import); ordinary code does not need these --- */

/* Binds the first `n` bytes of `s` (valid UTF-8, no NUL among them) without copying them: the
 * bytes must stay unchanged until the statement has been stepped and reset, or the parameter
 * bound again. Saves a copy per value when millions of rows are inserted on SQLite; the
 * PostgreSQL backend copies as dd_stmt_bind_text does. */
int dd_stmt_bind_text_static(struct dd_stmt *st, int idx, const char *s, size_t n);

/* Makes a statement that has run ready to run again with new bindings, keeping it in use (unlike
 * dd_stmt_reset, which gives it back to the cache): for a loop that runs one INSERT a million
 * times without looking it up each time. End the loop with dd_stmt_reset. */
void dd_stmt_rewind(struct dd_stmt *st);

/* PostgreSQL only (DD_EINVAL with a message on SQLite): runs `sql`, a `COPY table (columns)
 * FROM STDIN` in text format, inside the caller's open transaction. Until dd_db_copy_end, the
 * connection takes nothing but dd_db_copy_put (other calls fail with DD_EINVAL). */
int dd_db_copy_begin(struct dd_db *db, const char *sql);

/* Sends the next `n` bytes of COPY text (rows end with '\n'; a row may span calls). */
int dd_db_copy_put(struct dd_db *db, const void *p, size_t n);

/* Ends the COPY: with `abort` false the server checks and stores the rows, and a constraint
 * violation comes back here as DD_ECONFLICT; with `abort` true the rows are discarded and the
 * transaction is left failed (roll it back). Returns DD_OK only when the rows were stored. */
int dd_db_copy_end(struct dd_db *db, bool abort);

/* --- one connection per worker thread, for the server --- */

/* Remembers the URL and options, and opens one connection to check them. */
int dd_db_pool_init(const char *url, const struct dd_db_options *opt, char *err, size_t errlen);

/* The calling thread's connection, opened on first use (and reopened if it was lost); NULL if
 * the database cannot be reached (logged). */
struct dd_db *dd_db_pool_get(void);

/* The calling thread's connection if it has one open already, else NULL (never opens one). */
struct dd_db *dd_db_pool_peek(void);

/* Ends what a caller left open on `db`: resets every statement handed out by dd_db_prepare and
 * not reset, and rolls back an open transaction. Returns how many it ended (0 when nothing was
 * left open; db may be NULL). Something left open is a defect of the caller: an unreset SQLite
 * statement keeps the connection reading the database as it was when the statement started, so
 * every later read on that thread would miss every later change. The server tidies the thread's
 * connection after each handler and logs `db.left_open` when it had to. */
int dd_db_tidy(struct dd_db *db);

/* Counts database errors since start, for /metrics. Errors on the pool's own connections
 * (anything but DD_ECONFLICT) are counted by the store itself; call dd_db_pool_count_error
 * only for failures the store cannot see. */
void dd_db_pool_count_error(void);
uint64_t dd_db_pool_errors(void);

/* Closes every connection the pool opened. Call after the worker threads have stopped. */
void dd_db_pool_shutdown(void);

#endif
