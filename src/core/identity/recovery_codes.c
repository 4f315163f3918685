/*
 * recovery_codes.c — an account's recovery codes: ten given once when a second factor is
 * enrolled, each good for one login instead of a TOTP code. Only salted hashes are stored
 * (crypto/recovery.h); a typed code is compared with every unused one of the account.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/internal.h"
#include "crypto/recovery.h"
#include "store/store.h"

#define MAX_CODES 32

int
id_recovery_codes_replace(struct dd_db *db, int64_t account_id, int64_t now_ms,
                          char (*codes)[DD_RECOVERY_CODE_SIZE], size_t n)
{
    char hashes[MAX_CODES][DD_CODE_HASH_SIZE], now[32];
    if (n > MAX_CODES)
        return DD_EINVAL;
    dd_recovery_codes_new(n, codes, hashes);
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "DELETE FROM recovery_codes WHERE account_id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        rc = dd_db_prepare(db,
                           "INSERT INTO recovery_codes (account_id, code_hash, created_at) "
                           "VALUES (?, ?, ?)",
                           &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_int64(st, 1, account_id);
        dd_stmt_bind_text(st, 2, hashes[i]);
        dd_stmt_bind_text(st, 3, now);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    return rc < 0 ? rc : DD_OK;
}

int
id_recovery_code_use(struct dd_db *db, struct dd_arena *a, int64_t account_id, const char *typed,
                     int64_t now_ms)
{
    const char *stored[MAX_CODES];
    int64_t ids[MAX_CODES];
    size_t n = 0;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, code_hash FROM recovery_codes WHERE account_id = ? AND "
                           "used_at = '' ORDER BY id LIMIT 32",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    while (n < MAX_CODES && (rc = dd_stmt_step(st)) == DD_DB_ROW) {
        ids[n] = dd_stmt_int64(st, 0);
        stored[n++] = dd_arena_strdup(a, dd_stmt_text(st, 1));
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    int i = dd_recovery_match(typed, stored, n);
    if (i < 0)
        return DD_EDENIED;
    char now[32];
    dd_clock_iso8601(now_ms, now);
    rc = dd_db_prepare(db, "UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at = ''",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_int64(st, 2, ids[i]);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return changed == 1 ? DD_OK : DD_EDENIED;
}
