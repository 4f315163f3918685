/*
 * access_log.c — appending a row to the access log, and moving recent rows to the kept part
 * (see access_log.h for the two parts).
 *
 * A merge moves the oldest rows, up to an id found first, in one transaction. SQLite runs one
 * writer at a time, so inside it the rows up to that id are all there and stay: copy them, then
 * delete them. PostgreSQL lets other transactions insert meanwhile, so the rows are deleted and
 * copied in one statement: exactly the rows the DELETE saw are moved, and a row whose
 * transaction commits later, even with a smaller id, is moved by a later merge.
 */
#include "core/access_log.h"
#include "base/clock.h"
#include "base/err.h"
#include "http/principal.h"
#include "http/req.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>

int
dd_access_log_write(struct dd_db *db, const struct dd_req *req, const char *id_number,
                    const char *action, const char *data, const char *purpose)
{
    const struct dd_principal *p = req->who;
    if (p == NULL)
        return DD_EINVAL;
    char now[32], actor[48];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    snprintf(actor, sizeof actor, "officer:%lld", (long long)p->id);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, DD_ACCESS_LOG_INSERT "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, actor);
    dd_stmt_bind_text(st, 4, p->display_name);
    dd_stmt_bind_text(st, 5, p->role);
    dd_stmt_bind_text(st, 6, p->agency);
    dd_stmt_bind_text(st, 7, action);
    dd_stmt_bind_text(st, 8, data);
    dd_stmt_bind_text(st, 9, purpose ? purpose : "");
    dd_stmt_bind_text(st, 10, req->request_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

#define KEPT_COLUMNS                                                                               \
    "id, day, id_number, at, actor, actor_name, role, agency, action, data, purpose, request_id"
#define ROW_COLUMNS                                                                                \
    "id_number, at, actor, actor_name, role, agency, action, data, purpose, request_id"

/* The id of the last of the `limit` oldest recent rows (NULL when there are none). */
static const char last_of_chunk[] =
    "SELECT MAX(id) FROM (SELECT id FROM access_log_recent ORDER BY id LIMIT ?) AS chunk";
static const char copy_sqlite[] =
    "INSERT INTO access_log_kept (" KEPT_COLUMNS ") SELECT id, "
    "CAST(julianday(substr(at, 1, 10)) - 2440587.5 AS INTEGER), " ROW_COLUMNS
    " FROM access_log_recent WHERE id <= ? ORDER BY id";
static const char delete_sqlite[] = "DELETE FROM access_log_recent WHERE id <= ?";
static const char move_pg[] = "WITH moved AS (DELETE FROM access_log_recent WHERE id <= ? "
                              "RETURNING id, " ROW_COLUMNS ") INSERT INTO access_log_kept "
                              "(" KEPT_COLUMNS ") SELECT id, substr(at, 1, 10)::date - "
                              "DATE '1970-01-01', " ROW_COLUMNS " FROM moved ORDER BY id";

/* Runs one statement with one integer parameter; adds the rows it changed to *n. */
static int
run(struct dd_db *db, const char *sql, int64_t arg, int64_t *n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, arg);
    rc = dd_stmt_step(st);
    if (rc >= 0 && n)
        *n += dd_stmt_changes(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* *last = the id that ends the chunk, 0 if the recent part is empty. */
static int
chunk_end(struct dd_db *db, int64_t max_rows, int64_t *last)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, last_of_chunk, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, max_rows);
    rc = dd_stmt_step(st);
    *last = rc == DD_DB_ROW && !dd_stmt_is_null(st, 0) ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_access_log_merge(struct dd_db *db, int64_t max_rows, int64_t *moved)
{
    int64_t n = 0, last = 0;
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    rc = chunk_end(db, max_rows > 0 ? max_rows : INT64_MAX, &last);
    if (rc == DD_OK && last > 0) {
        if (dd_db_kind(db) == DD_DB_SQLITE) {
            rc = run(db, copy_sqlite, last, &n);
            if (rc == DD_OK)
                rc = run(db, delete_sqlite, last, NULL);
        } else {
            rc = run(db, move_pg, last, &n);
        }
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        n = 0;
    }
    if (moved)
        *moved = n;
    return rc;
}
