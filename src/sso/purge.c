/*
 * purge.c — removes the provider's rows that nothing needs any more: expired codes, pushed
 * requests, interactions, client-assertion jti and revoked access-token jti, expired refresh
 * tokens, families a day past their end with the tokens left in them, and back-channel notices
 * delivered or given up a week ago. The back-channel sender runs it once an hour.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "sso/internal.h"
#include "store/store.h"

#define DAY_MS (86400LL * 1000)

static const struct {
    const char *sql;
    long long age_ms; /* rows older than now minus this */
} purges[] = {
    {"DELETE FROM sso_codes WHERE expires_at < ?", DAY_MS},
    {"DELETE FROM sso_par WHERE expires_at < ?", 0},
    {"DELETE FROM sso_interactions WHERE expires_at < ?", 0},
    {"DELETE FROM sso_assertion_jti WHERE expires_at < ?", 0},
    {"DELETE FROM sso_revoked_jti WHERE expires_at < ?", 0},
    {"DELETE FROM sso_refresh_tokens WHERE expires_at < ?", 0},
    {"DELETE FROM sso_families WHERE expires_at < ?", DAY_MS},
    {"DELETE FROM sso_refresh_tokens WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM "
     "sso_families f WHERE f.id = sso_refresh_tokens.family_id)",
     0},
    {"DELETE FROM sso_logout_deliveries WHERE done_at <> '' AND done_at < ?", 7 * DAY_MS},
};

int
sso_purge(struct dd_db *db, int64_t now_ms, int64_t *removed)
{
    *removed = 0;
    int rc = dd_db_begin(db);
    for (size_t i = 0; rc == DD_OK && i < sizeof purges / sizeof purges[0]; i++) {
        char before[32];
        dd_clock_iso8601(now_ms - purges[i].age_ms, before);
        struct dd_stmt *st;
        rc = dd_db_prepare(db, purges[i].sql, &st);
        if (rc != DD_OK)
            break;
        dd_stmt_bind_text(st, 1, before);
        rc = dd_stmt_step(st);
        *removed += dd_stmt_changes(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        dd_log(DD_LOG_WARN, "sso.purge_failed", "expired single sign-on rows stay: %s",
               dd_strerror(rc));
    return rc;
}
