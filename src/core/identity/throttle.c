/*
 * throttle.c — growing delays after failed logins, counted per login as typed (so an unknown
 * login is throttled exactly like a known one, and throttling tells nothing about which logins
 * exist) and per client network (/24), whose allowance is larger (login-network-failures: many
 * people share an address behind a carrier's NAT).
 *
 * After `free` failures, each further failure blocks the key for unit × 2^(failures − free + 1),
 * at most unit × ID_MAX_DELAY_UNITS: with the defaults, the 5th failure of a login blocks it for
 * 2 s, the 6th for 4 s, …, the 14th and later for 15 minutes. A refused attempt (while blocked)
 * is not a failure and changes nothing. A counter restarts after ID_THROTTLE_QUIET_MS without
 * failures; a login's counter is cleared by its success.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "crypto/hash.h"
#include "http/problem.h"
#include "http/reply.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

void
id_throttle_keys(const char *login, const struct id_client *c, struct dd_guess_keys *k)
{
    char hash[ID_HEX_HASH];
    dd_sha256_hex(login, strlen(login), hash);
    snprintf(k->item, sizeof k->item, "login:%s", hash);
    if (c->network[0])
        snprintf(k->net, sizeof k->net, "net:%s", c->network);
    else
        k->net[0] = '\0';
}

int64_t
id_throttle_delay(int64_t failures, int64_t free, int64_t unit_ms)
{
    if (failures < free)
        return 0;
    int64_t n = failures - free + 1;
    int64_t units = ID_MAX_DELAY_UNITS;
    if (n < 10 && (1LL << n) < ID_MAX_DELAY_UNITS)
        units = 1LL << n;
    return units * unit_ms;
}

int
id_throttle_wait(struct dd_db *db, const struct dd_guess_keys *k, int64_t now_ms, int64_t *wait_ms)
{
    *wait_ms = 0;
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT MAX(blocked_until) FROM auth_throttle WHERE key IN (?, ?) AND "
                           "blocked_until > ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->item);
    dd_stmt_bind_text(st, 2, k->net);
    dd_stmt_bind_text(st, 3, now);
    rc = dd_stmt_step(st);
    int64_t until = 0;
    if (rc == DD_DB_ROW && !dd_stmt_is_null(st, 0) &&
        id_time_parse(dd_stmt_text(st, 0), &until) == DD_OK && until > now_ms)
        *wait_ms = until - now_ms;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Counts one failure of `key` and blocks it as its count says. */
static int
fail_key(struct dd_db *db, const char *key, int64_t free, int64_t now_ms)
{
    char now[32], quiet[32], until[32] = "";
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(now_ms - ID_THROTTLE_QUIET_MS, quiet);
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "INSERT INTO auth_throttle (key, failures, last_failure_at) VALUES (?, 1, ?) "
        "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN auth_throttle.last_failure_at < ? "
        "THEN 1 ELSE auth_throttle.failures + 1 END, last_failure_at = excluded.last_failure_at "
        "RETURNING failures",
        &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, key);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, quiet);
    rc = dd_stmt_step(st);
    int64_t failures = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    int64_t delay = id_throttle_delay(failures, free, id_settings.delay_unit_ms);
    if (delay == 0)
        return DD_OK;
    dd_clock_iso8601(now_ms + delay, until);
    rc = dd_db_prepare(db, "UPDATE auth_throttle SET blocked_until = ? WHERE key = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, until);
    dd_stmt_bind_text(st, 2, key);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
id_throttle_fail(struct dd_db *db, const struct dd_guess_keys *k, int64_t now_ms)
{
    int rc = fail_key(db, k->item, ID_FREE_FAILURES, now_ms);
    if (rc == DD_OK && k->net[0])
        rc = fail_key(db, k->net, id_settings.network_free, now_ms);
    return rc;
}

int
id_throttle_clear(struct dd_db *db, const struct dd_guess_keys *k)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "DELETE FROM auth_throttle WHERE key = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->item);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
reply_throttled(struct dd_req *req, int64_t wait_ms, const char *vi, const char *en)
{
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)((wait_ms + 999) / 1000));
    dd_reply_header(req, "Retry-After", wait_ms > 0 ? secs : "1");
    json_t *ext = json_pack("{s:I}", "retry_after_ms", (json_int_t)wait_ms);
    return dd_reply_problem_detail(req, DD_PROBLEM_TOO_MANY_REQUESTS, vi, en, ext);
}

int
id_reply_throttled(struct dd_req *req, int64_t wait_ms)
{
    return reply_throttled(
        req, wait_ms, "Đăng nhập sai quá nhiều lần; vui lòng đợi rồi thử lại (xem Retry-After).",
        "Too many failed attempts; wait before trying again (see Retry-After).");
}

/* ---- guesses by callers not signed in (identity.h) ---- */

void
dd_guess_keys(struct dd_req *req, const char *kind, const char *item, struct dd_guess_keys *k)
{
    char hash[ID_HEX_HASH];
    dd_sha256_hex(item, strlen(item), hash);
    snprintf(k->item, sizeof k->item, "%.12s:%s", kind, hash);
    char network[64];
    id_client_network(req, network, sizeof network);
    if (network[0])
        snprintf(k->net, sizeof k->net, "%.12s-net:%s", kind, network);
    else
        k->net[0] = '\0';
}

int
dd_guess_allowed_or_reply(struct dd_req *req, struct dd_db *db, const struct dd_guess_keys *k)
{
    int64_t wait = 0;
    int rc = id_throttle_wait(db, k, dd_clock_now_ms(), &wait);
    if (rc != DD_OK) {
        id_fail(req, db, rc);
        return -1;
    }
    if (wait == 0)
        return 0;
    reply_throttled(req, wait,
                    "Tra cứu sai quá nhiều lần; vui lòng đợi rồi thử lại (xem Retry-After).",
                    "Too many failed look-ups; wait before trying again (see Retry-After).");
    return -1;
}

int
dd_guess_failed(struct dd_db *db, const struct dd_guess_keys *k)
{
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = id_throttle_fail(db, k, dd_clock_now_ms());
    if (rc == DD_OK)
        return dd_db_commit(db);
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}
