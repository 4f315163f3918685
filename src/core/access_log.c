/*
 * access_log.c — appending a row to the access log, and (SQLite) adding the rows of finished days
 * to the log's index by person (see access_log.h).
 *
 * SQLite runs one writer at a time, so inside the indexing transaction the rows past `upto` are
 * exactly those not indexed yet, and none can be added until it commits. Every row up to `upto`
 * is in the index, whatever its day.
 */
#include "core/access_log.h"
#include "base/clock.h"
#include "base/err.h"
#include "http/principal.h"
#include "http/req.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>

#define MS_PER_DAY     86400000LL
#define VIETNAM_OFFSET 25200000LL /* UTC+7 */

int64_t
dd_access_log_day(int64_t ms)
{
    int64_t local = ms + VIETNAM_OFFSET;
    return local >= 0 ? local / MS_PER_DAY : -((-local + MS_PER_DAY - 1) / MS_PER_DAY);
}

void
dd_access_log_actor(const struct dd_principal *p, char *out, size_t outlen)
{
    switch (p->kind) {
    case DD_PRINCIPAL_CITIZEN:
        snprintf(out, outlen, "citizen:%lld", (long long)(p->account_id ? p->account_id : p->id));
        break;
    case DD_PRINCIPAL_ESTABLISHMENT:
        snprintf(out, outlen, "establishment:%lld", (long long)p->id);
        break;
    case DD_PRINCIPAL_CLIENT:
        snprintf(out, outlen, "client:%s", p->name);
        break;
    case DD_PRINCIPAL_OFFICER:
    default:
        snprintf(out, outlen, "officer:%lld", (long long)p->id);
        break;
    }
}

int
dd_access_log_write(struct dd_db *db, const struct dd_req *req, const char *id_number,
                    const char *action, const char *data, const char *purpose)
{
    const struct dd_principal *p = req->who;
    if (p == NULL)
        return DD_EINVAL;
    char now[32], actor[96];
    int64_t ms = dd_clock_now_ms();
    dd_clock_iso8601(ms, now);
    dd_access_log_actor(p, actor, sizeof actor);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, DD_ACCESS_LOG_INSERT DD_ACCESS_LOG_VALUES, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_int64(st, 2, dd_access_log_day(ms));
    dd_stmt_bind_text(st, 3, now);
    dd_stmt_bind_text(st, 4, actor);
    dd_stmt_bind_text(st, 5, p->display_name);
    dd_stmt_bind_text(st, 6, p->role);
    dd_stmt_bind_text(st, 7, p->agency);
    dd_stmt_bind_text(st, 8, action);
    dd_stmt_bind_text(st, 9, data);
    dd_stmt_bind_text(st, 10, purpose ? purpose : "");
    dd_stmt_bind_text(st, 11, req->request_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* The last row of the finished days not indexed yet; rows are appended in time order, give or
 * take a few milliseconds, so a row of the day before `before_day` that came after one of that
 * day moves the bound past it, and both are indexed. */
static const char bound[] = "SELECT MAX(id) FROM access_log WHERE id > (SELECT upto FROM "
                            "access_log_indexed) AND day < ?";
static const char add_rows[] =
    "INSERT INTO access_log_by_person (day, id_number, id) SELECT day, id_number, id FROM "
    "access_log WHERE id > (SELECT upto FROM access_log_indexed) AND id <= ? "
    "ORDER BY day, id_number, id";
static const char move_upto[] = "UPDATE access_log_indexed SET upto = ?";

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

/* *last = the id that ends the batch, 0 if there is nothing to index. */
static int
batch_end(struct dd_db *db, int64_t before_day, int64_t *last)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, bound, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, before_day);
    rc = dd_stmt_step(st);
    *last = rc == DD_DB_ROW && !dd_stmt_is_null(st, 0) ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_access_log_index(struct dd_db *db, int64_t before_day, int64_t *added)
{
    int64_t n = 0, last = 0;
    if (added)
        *added = 0;
    if (dd_db_kind(db) != DD_DB_SQLITE)
        return DD_OK;
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    rc = batch_end(db, before_day, &last);
    if (rc == DD_OK && last > 0) {
        rc = run(db, add_rows, last, &n);
        if (rc == DD_OK)
            rc = run(db, move_upto, last, NULL);
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        return rc;
    }
    if (added)
        *added = n;
    return DD_OK;
}
