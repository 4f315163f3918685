/*
 * history.c — the authentication history: every attempt to prove who one is (a login, a
 * one-time code) with when, from which network and client, for which service, by which method,
 * at which level, and whether it worked and why not. A person sees their own as the "e-identity
 * usage history" (GET /api/v1/me/auth-history); attempts whose login matched no account are kept
 * with the SHA-256 of the typed login instead, for the security operations centre. Rows are kept
 * ID_HISTORY_KEEP_DAYS (5 years) and then purged (purge.c).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/internal.h"
#include "crypto/hash.h"
#include "http/principal.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

int
id_history_write(struct dd_db *db, const struct id_attempt *a, int64_t now_ms)
{
    char now[32], login_hash[ID_HEX_HASH] = "";
    dd_clock_iso8601(now_ms, now);
    if (a->account_id == 0 && a->login)
        dd_sha256_hex(a->login, strlen(a->login), login_hash);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO auth_history (at, account_id, login_hash, service, "
                           "method, level, success, reason, network, user_agent, session_id) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    if (a->account_id)
        dd_stmt_bind_int64(st, 2, a->account_id);
    else
        dd_stmt_bind_null(st, 2);
    dd_stmt_bind_text(st, 3, login_hash);
    dd_stmt_bind_text(st, 4, a->client->service);
    dd_stmt_bind_text(st, 5, a->method);
    dd_stmt_bind_int64(st, 6, a->level);
    dd_stmt_bind_int64(st, 7, a->success ? 1 : 0);
    dd_stmt_bind_text(st, 8, a->reason ? a->reason : "");
    dd_stmt_bind_text(st, 9, a->client->network);
    dd_stmt_bind_text(st, 10, a->client->user_agent);
    if (a->session_id)
        dd_stmt_bind_int64(st, 11, a->session_id);
    else
        dd_stmt_bind_null(st, 11);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    /* The SOC's rules count failures by network, by account, and by typed login when it
     * matched no account: its SHA-256 stands for it (never the login or the password). */
    json_t *payload = json_pack(
        "{s:o, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "account_id",
        a->account_id ? json_integer(a->account_id) : json_null(), "service", a->client->service,
        "method", a->method, "level", a->level, "reason", a->reason ? a->reason : "", "network",
        a->client->network, "login_hash", login_hash, "device", a->client->device);
    /* A refused password's tag (distinct passwords, never the password) and an officer's role
     * and area, for the SOC's spraying, stuffing and new-device rules. */
    if (payload && a->pw_tag && a->pw_tag[0])
        json_object_set_new(payload, "pw_tag", json_string(a->pw_tag));
    if (payload && a->role && a->role[0]) {
        json_object_set_new(payload, "role", json_string(a->role));
        json_object_set_new(payload, "area", json_string(a->area ? a->area : ""));
    }
    return id_event(db, a->success ? "auth.succeeded" : "auth.failed", a->account_id, payload);
}

/* GET /api/v1/me/auth-history — the caller's authentication history, newest first, paged by
 * ?limit and ?cursor (the id of the last row of the previous page). */
int
id_me_history(struct dd_req *req)
{
    int limit;
    int64_t cursor;
    if (id_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, at, service, method, level, success, reason, network, "
                           "user_agent FROM auth_history WHERE account_id = ? AND (? = 0 OR "
                           "id < ?) ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, req->who->account_id);
    dd_stmt_bind_int64(st, 2, cursor);
    dd_stmt_bind_int64(st, 3, cursor);
    dd_stmt_bind_int64(st, 4, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (n++ == limit)
            break;
        last = dd_stmt_int64(st, 0);
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:I, s:b, s:s, s:s, s:s}", "id", (json_int_t)last, "at",
                      dd_stmt_text(st, 1), "service", dd_stmt_text(st, 2), "method",
                      dd_stmt_text(st, 3), "level", (json_int_t)dd_stmt_int64(st, 4), "success",
                      dd_stmt_int64(st, 5) != 0, "reason", dd_stmt_text(st, 6), "network",
                      dd_stmt_text(st, 7), "user_agent", dd_stmt_text(st, 8)));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return id_fail(req, db, rc);
    }
    json_t *next =
        n > limit ? json_string(dd_arena_printf(req->arena, "%lld", (long long)last)) : json_null();
    return dd_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}
