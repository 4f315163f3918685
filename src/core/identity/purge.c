/*
 * purge.c — removing what the identity module keeps no longer: authentication history after
 * ID_HISTORY_KEEP_DAYS (5 years), sessions 90 days after their expiry (at most 12 hours after
 * they began; their history rows stay), one-time codes a day after they expired, and throttling
 * rows a day after their last failure. The identity worker runs it every hour; it is one short
 * transaction.
 */
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "store/store.h"

#define SESSION_KEEP_MS (90 * ID_DAY_MS)

/* Runs a DELETE with one time bound; adds the rows removed to *count. */
static int
delete_before(struct dd_db *db, const char *sql, int64_t before_ms, int64_t *count)
{
    char before[32];
    dd_clock_iso8601(before_ms, before);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, before);
    rc = dd_stmt_step(st);
    *count = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_identity_purge(struct dd_db *db, int64_t now_ms, struct dd_identity_purged *out)
{
    *out = (struct dd_identity_purged){0};
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = delete_before(db, "DELETE FROM auth_history WHERE at < ?",
                           now_ms - ID_HISTORY_KEEP_DAYS * ID_DAY_MS, &out->history);
    if (rc == DD_OK)
        rc = delete_before(db, "DELETE FROM sessions WHERE expires_at < ?",
                           now_ms - SESSION_KEEP_MS, &out->sessions);
    if (rc == DD_OK)
        rc = delete_before(db, "DELETE FROM one_time_codes WHERE expires_at < ?",
                           now_ms - ID_DAY_MS, &out->codes);
    if (rc == DD_OK)
        rc = delete_before(db, "DELETE FROM auth_throttle WHERE last_failure_at < ?",
                           now_ms - ID_DAY_MS, &out->throttle);
    if (rc == DD_OK)
        return dd_db_commit(db);
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}
