/*
 * sessions.c — sessions of the web UI and of API clients. A session is a random token
 * ("dds_" + 64 hex digits) given once at login, in a cookie (dd_session: HttpOnly,
 * SameSite=Lax, Secure under TLS, Path=/) and in the reply's body for clients that send it as a
 * bearer token; the database keeps its SHA-256. A session ends at logout, when the person ends
 * it from another session, when the account is locked, suspended or disabled or its password is
 * reset, after ID_SESSION_IDLE_MS unused, and at its absolute expiry (12 hours for citizens, 8
 * for officers and organisations' staff). Each carries a CSRF token that the web UI sends back in
 * X-CSRF-Token.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/internal.h"
#include "crypto/hash.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int
run(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Ends the account's oldest running sessions so that at most `keep` remain. */
static int
end_beyond(struct dd_db *db, int64_t account_id, int keep, const char *now)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sessions SET ended_at = ?, end_reason = 'too-many' WHERE id IN "
                           "(SELECT id FROM sessions WHERE account_id = ? AND ended_at = '' AND "
                           "expires_at > ? ORDER BY id DESC LIMIT 1000 OFFSET ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_int64(st, 2, account_id);
    dd_stmt_bind_text(st, 3, now);
    dd_stmt_bind_int64(st, 4, keep);
    return run(st);
}

int
id_session_create(struct dd_db *db, const struct id_session_new *s, int64_t now_ms,
                  struct id_session_made *out)
{
    unsigned char secret[32], csrf[32];
    dd_random_bytes(secret, sizeof secret);
    dd_random_bytes(csrf, sizeof csrf);
    memcpy(out->token, "dds_", 4);
    dd_hex_encode(secret, sizeof secret, out->token + 4);
    dd_hex_encode(csrf, sizeof csrf, out->csrf);
    char hash[ID_HEX_HASH], now[32], idle[32], until[32];
    dd_sha256_hex(out->token, ID_SESSION_TOKEN_LEN, hash);
    out->expires_ms = now_ms + s->lifetime_ms;
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(now_ms + ID_SESSION_IDLE_MS, idle);
    dd_clock_iso8601(out->expires_ms, until);
    int rc = end_beyond(db, s->account_id, ID_SESSIONS_PER_ACCOUNT - 1, now);
    if (rc != DD_OK)
        return rc;
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "INSERT INTO sessions (token_hash, account_id, csrf_token, purpose, "
                       "service, method, level, network, user_agent, created_at, last_seen_at, "
                       "idle_until, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "RETURNING id",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hash);
    dd_stmt_bind_int64(st, 2, s->account_id);
    dd_stmt_bind_text(st, 3, out->csrf);
    dd_stmt_bind_text(st, 4, s->purpose == ID_SESSION_ENROLMENT ? "enrolment" : "full");
    dd_stmt_bind_text(st, 5, s->client->service);
    dd_stmt_bind_text(st, 6, s->method);
    dd_stmt_bind_int64(st, 7, s->level);
    dd_stmt_bind_text(st, 8, s->client->network);
    dd_stmt_bind_text(st, 9, s->client->user_agent);
    dd_stmt_bind_text(st, 10, now);
    dd_stmt_bind_text(st, 11, now);
    dd_stmt_bind_text(st, 12, idle);
    dd_stmt_bind_text(st, 13, until);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        out->id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
id_session_end(struct dd_db *db, int64_t account_id, int64_t session_id, const char *reason,
               int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND "
                           "account_id = ? AND ended_at = '' AND expires_at > ? AND "
                           "idle_until > ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, reason);
    dd_stmt_bind_int64(st, 3, session_id);
    dd_stmt_bind_int64(st, 4, account_id);
    dd_stmt_bind_text(st, 5, now);
    dd_stmt_bind_text(st, 6, now);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    id_session_cache_forget_session(session_id);
    return changed > 0 ? DD_OK : DD_ENOTFOUND;
}

int
id_sessions_end_all(struct dd_db *db, int64_t account_id, const char *reason, int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE account_id = ? "
                           "AND ended_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, reason);
    dd_stmt_bind_int64(st, 3, account_id);
    rc = run(st);
    id_session_cache_forget_account(account_id);
    return rc;
}

void
id_session_cookie(struct dd_req *req, const char *token, int64_t max_age_ms)
{
    char cookie[200];
    snprintf(cookie, sizeof cookie, "dd_session=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
             token ? token : "", token ? (long long)(max_age_ms / 1000) : 0LL,
             id_settings.tls ? "; Secure" : "");
    dd_reply_header(req, "Set-Cookie", cookie);
}
