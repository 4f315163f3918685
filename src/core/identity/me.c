/*
 * me.c — a person's own account: GET /api/v1/me (the account, the session's CSRF token, and the
 * children attached to it), their running sessions (GET /api/v1/me/sessions), ending one of them
 * (DELETE /api/v1/me/sessions/{id}) or the current one (DELETE /api/v1/sessions/current, the
 * logout), and locking their own e-identity (POST /api/v1/me/lock), which ends every session;
 * only a commune police officer unlocks it again, with the ID card (status.c).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

/* The accounts attached to `guardian_id`, as a JSON array. */
static int
children_json(struct dd_db *db, int64_t guardian_id, json_t **out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, login, display_name, birth_date FROM accounts WHERE "
                           "guardian_id = ? ORDER BY id LIMIT 50",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, guardian_id);
    *out = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(
            *out, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)dd_stmt_int64(st, 0), "login",
                            dd_stmt_text(st, 1), "display_name", dd_stmt_text(st, 2), "birth_date",
                            dd_stmt_text(st, 3)));
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(*out);
        return rc;
    }
    return DD_OK;
}

/* GET /api/v1/me — 200 {account, session_id, csrf_token, enrolment_only, children}. */
int
id_me_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const struct id_session_seen *s = id_current_session_or_reply(req, db);
    if (s == NULL)
        return DD_DONE;
    struct id_account acc;
    int rc = id_account_by_id(db, req->arena, s->account_id, &acc);
    json_t *children = NULL;
    if (rc == DD_OK)
        rc = children_json(db, acc.id, &children);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    return dd_reply_json(req, 200,
                         json_pack("{s:o, s:I, s:s, s:b, s:o}", "account", id_account_json(&acc),
                                   "session_id", (json_int_t)s->session_id, "csrf_token", s->csrf,
                                   "enrolment_only", s->enrolment, "children", children));
}

/* GET /api/v1/me/sessions — the caller's running sessions, newest first (at most
 * ID_SESSIONS_PER_ACCOUNT, so one page). */
int
id_me_sessions_list(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const struct id_session_seen *s = id_current_session_or_reply(req, db);
    if (s == NULL)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, created_at, last_seen_at, idle_until, expires_at, service, "
                           "method, level, network, user_agent, purpose FROM sessions WHERE "
                           "account_id = ? AND ended_at = '' AND expires_at > ? AND idle_until > "
                           "? ORDER BY id DESC LIMIT 100",
                           &st);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, s->account_id);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, now);
    json_t *items = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        int64_t id = dd_stmt_int64(st, 0);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:b}", "id",
                             (json_int_t)id, "created_at", dd_stmt_text(st, 1), "last_seen_at",
                             dd_stmt_text(st, 2), "idle_until", dd_stmt_text(st, 3), "expires_at",
                             dd_stmt_text(st, 4), "service", dd_stmt_text(st, 5), "method",
                             dd_stmt_text(st, 6), "level", (json_int_t)dd_stmt_int64(st, 7),
                             "network", dd_stmt_text(st, 8), "user_agent", dd_stmt_text(st, 9),
                             "enrolment_only", strcmp(dd_stmt_text(st, 10), "enrolment") == 0,
                             "current", id == s->session_id));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return id_fail(req, db, rc);
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static int
session_not_found(struct dd_req *req)
{
    return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND,
                                   "Không có phiên đăng nhập đang chạy nào của bạn với số này.",
                                   "None of your running sessions has this number.", NULL);
}

/* Ends one of the caller's sessions in a transaction of its own: 0, or -1 after a reply. */
static int
end_session_or_reply(struct dd_req *req, struct dd_db *db, int64_t account_id, int64_t session_id,
                     const char *reason)
{
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = id_session_end(db, account_id, session_id, reason, dd_clock_now_ms());
    if (rc == DD_ENOTFOUND) {
        dd_db_rollback(db);
        session_not_found(req);
        return -1;
    }
    if (rc != DD_OK) {
        id_fail(req, db, rc);
        return -1;
    }
    if (id_commit_or_reply(req, db) != 0)
        return -1;
    id_session_cache_forget_session(session_id);
    return 0;
}

/* DELETE /api/v1/me/sessions/{id} — 204; 404 if it is not one of the caller's running
 * sessions. Ending the current one is a logout (the cookie is removed too). */
int
id_me_sessions_end(struct dd_req *req)
{
    int64_t id;
    if (dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) != DD_OK)
        return session_not_found(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const struct id_session_seen *s = id_current_session_or_reply(req, db);
    if (s == NULL || end_session_or_reply(req, db, s->account_id, id, "revoked") != 0)
        return DD_DONE;
    if (id == s->session_id)
        id_session_cookie(req, NULL, 0);
    return dd_reply_empty(req, 204);
}

/* DELETE /api/v1/sessions/current — 204, the session ended and the cookie removed. */
int
id_sessions_end_current(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const struct id_session_seen *s = id_current_session_or_reply(req, db);
    if (s == NULL || end_session_or_reply(req, db, s->account_id, s->session_id, "logout") != 0)
        return DD_DONE;
    id_session_cookie(req, NULL, 0);
    return dd_reply_empty(req, 204);
}

static const char *const lock_fields[] = {"reason", NULL};

/* POST /api/v1/me/lock — 200 with the account, now locked; every session ends (the cookie is
 * removed). Unlocking needs a commune police officer (POST /api/v1/accounts/{id}/unlock). */
int
id_me_lock(struct dd_req *req)
{
    struct id_form f;
    id_form_init(&f, req, lock_fields);
    const char *reason = id_form_string(&f, "reason", false, 500);
    if (id_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now_ms = dd_clock_now_ms();
    struct id_account acc;
    int64_t account_id = req->who->account_id;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = id_account_set_status(db, account_id, "locked", reason, now_ms);
    if (rc == DD_OK)
        rc = id_sessions_end_all(db, account_id, "locked", now_ms);
    if (rc == DD_OK)
        rc = id_event(db, "account.locked", account_id,
                      json_pack("{s:I, s:s}", "account_id", (json_int_t)account_id, "by", "self"));
    if (rc == DD_OK)
        rc = id_account_by_id(db, req->arena, account_id, &acc);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    id_session_cache_forget_account(account_id);
    id_session_cookie(req, NULL, 0);
    return dd_reply_json(req, 200, json_pack("{s:o}", "account", id_account_json(&acc)));
}
