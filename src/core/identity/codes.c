/*
 * codes.c — one-time codes sent by e-mail or SMS: to confirm a registration, to reset a
 * password. Six digits live ID_CODE_TTL_MS (10 minutes), allow ID_CODE_MAX_ATTEMPTS (5) wrong
 * tries and are used once; only a salted hash is stored (crypto/recovery.h). Asking for a new
 * code retires the unused ones of the same purpose.
 */
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/internal.h"
#include "crypto/recovery.h"
#include "store/store.h"

#include <string.h>

const char *
id_code_purpose_name(enum id_code_purpose p)
{
    return p == ID_CODE_REGISTRATION ? "registration" : "password-reset";
}

static int
run(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
id_code_issue(struct dd_db *db, int64_t account_id, enum id_code_purpose p, const char *channel,
              int64_t now_ms, char code[DD_OTC_SIZE])
{
    char now[32], until[32], hash[DD_CODE_HASH_SIZE];
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(now_ms + ID_CODE_TTL_MS, until);
    dd_otc_new(code);
    int rc = dd_otc_hash(code, hash);
    if (rc != DD_OK)
        return rc;
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "UPDATE one_time_codes SET expires_at = ? WHERE account_id = ? AND "
                       "purpose = ? AND used_at = '' AND expires_at > ?",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_int64(st, 2, account_id);
    dd_stmt_bind_text(st, 3, id_code_purpose_name(p));
    dd_stmt_bind_text(st, 4, now);
    if ((rc = run(st)) != DD_OK)
        return rc;
    rc = dd_db_prepare(db,
                       "INSERT INTO one_time_codes (account_id, purpose, channel, code_hash, "
                       "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    dd_stmt_bind_text(st, 2, id_code_purpose_name(p));
    dd_stmt_bind_text(st, 3, channel);
    dd_stmt_bind_text(st, 4, hash);
    dd_stmt_bind_text(st, 5, now);
    dd_stmt_bind_text(st, 6, until);
    return run(st);
}

int
id_code_check(struct dd_db *db, int64_t account_id, enum id_code_purpose p, const char *typed,
              int64_t now_ms)
{
    char now[32], hash[DD_CODE_HASH_SIZE];
    dd_clock_iso8601(now_ms, now);
    if (dd_otc_hash(typed ? typed : "", hash) != DD_OK)
        return DD_EINVAL;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, code_hash FROM one_time_codes WHERE account_id = ? AND "
                           "purpose = ? AND used_at = '' AND expires_at > ? AND attempts < ? "
                           "ORDER BY id DESC LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    dd_stmt_bind_text(st, 2, id_code_purpose_name(p));
    dd_stmt_bind_text(st, 3, now);
    dd_stmt_bind_int64(st, 4, ID_CODE_MAX_ATTEMPTS);
    rc = dd_stmt_step(st);
    int64_t id = 0;
    bool match = false;
    if (rc == DD_DB_ROW) {
        id = dd_stmt_int64(st, 0);
        match = dd_otc_verify(dd_stmt_text(st, 1), typed) == DD_OK;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (rc != DD_DB_ROW)
        return DD_ENOTFOUND;
    if (match) {
        rc = dd_db_prepare(db, "UPDATE one_time_codes SET used_at = ? WHERE id = ?", &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_text(st, 1, now);
        dd_stmt_bind_int64(st, 2, id);
    } else {
        rc = dd_db_prepare(db, "UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = ?",
                           &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_int64(st, 1, id);
    }
    if ((rc = run(st)) != DD_OK)
        return rc;
    return match ? DD_OK : DD_EDENIED;
}
