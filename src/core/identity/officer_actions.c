/*
 * officer_actions.c — what police officers do to a citizen's e-identity when the person is in
 * front of them or the law requires it: find the account (GET /api/v1/accounts?login=…),
 * unlock it (POST /api/v1/accounts/{id}/unlock: a self-lock or a lockout after failed logins,
 * once the ID card has been checked), suspend it with a reason (POST …/suspensions) and lift
 * the suspension (POST …/reinstatements). Each is written to the person's access log
 * ("e-identity") and emits its event; suspending ends every session of the account.
 *
 * Officers act on citizens' accounts only (officers' own accounts are managed with `dinhdanh
 * user`), wherever the person lives: the person comes to the office, so no area applies.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/access_log.h"
#include "core/identity/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static int
account_not_found(struct dd_req *req)
{
    return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND,
                                   "Không có tài khoản định danh điện tử công dân với số này.",
                                   "No citizen's e-identity account has this number.", NULL);
}

int
id_path_account_or_reply(struct dd_req *req, struct dd_db *db, struct id_account *acc)
{
    int64_t id;
    int rc = dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) == DD_OK
                 ? id_account_by_id(db, req->arena, id, acc)
                 : DD_ENOTFOUND;
    if (rc == DD_OK && strcmp(acc->kind, "citizen") != 0)
        rc = DD_ENOTFOUND;
    if (rc == DD_OK)
        return 0;
    if (rc == DD_ENOTFOUND)
        account_not_found(req);
    else
        id_fail(req, db, rc);
    return -1;
}

/* "officer:12", the actor in the account's records. */
static const char *
officer_actor(struct dd_req *req)
{
    return dd_arena_printf(req->arena, "officer:%lld", (long long)req->who->id);
}

/* The access-log row of an officer's action on the person behind the account. */
static int
log_access(struct dd_db *db, struct dd_req *req, const struct id_account *acc, const char *action,
           const char *purpose)
{
    if (acc->id_number[0] == '\0')
        return DD_OK;
    return dd_access_log_write(db, req, acc->id_number, action, "e-identity", purpose);
}

/* The X-Purpose header when it is usable text, else `fallback`. */
static const char *
purpose_of(struct dd_req *req, const char *fallback)
{
    const char *h = dd_req_header(req, "X-Purpose");
    size_t n = h ? strlen(h) : 0;
    if (n == 0 || n > 200 || !dd_utf8_valid(h, n, NULL))
        return fallback;
    return h;
}

/* GET /api/v1/accounts?login=… — {items: [the account]} or {items: []}; an officer's look-up,
 * written to the person's access log. */
int
id_accounts_find(struct dd_req *req)
{
    const char *login = id_login_canon(req->arena, dd_req_query(req, "login"));
    if (login == NULL) {
        json_t *ext = dd_problem_add_error(NULL, req, "login", "required",
                                           "Cần tham số login (số định danh cá nhân, hoặc P:quốc "
                                           "tịch:số hộ chiếu).",
                                           "The login parameter is required (the ID number, or "
                                           "P:nationality:passport number).");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct id_account acc;
    int rc = id_account_by_login(db, req->arena, login, &acc);
    json_t *items = json_array();
    if (rc == DD_OK && strcmp(acc.kind, "citizen") == 0) {
        rc = log_access(db, req, &acc, "read",
                        purpose_of(req, "Tra cứu tài khoản định danh điện tử"));
        json_array_append_new(items, id_account_json(&acc));
    } else if (rc == DD_ENOTFOUND || rc == DD_OK) {
        rc = DD_OK;
    }
    if (rc != DD_OK) {
        json_decref(items);
        return id_fail(req, db, rc);
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static const char *const note_fields[] = {"note", NULL};
static const char *const reason_fields[] = {"reason", NULL};

/* Reads {note} (optional) or {reason} (required) of an officer's action. */
static int
text_or_reply(struct dd_req *req, bool reason, const char **text)
{
    struct id_form f;
    id_form_init(&f, req, reason ? reason_fields : note_fields);
    *text = id_form_string(&f, reason ? "reason" : "note", reason, 500);
    return id_form_done_or_reply(&f);
}

static int
state_conflict(struct dd_req *req, const char *vi, const char *en)
{
    return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, vi, en, NULL);
}

/* Writes the new state, the access log and the event, commits, and replies with the account. */
static int
commit_action(struct dd_req *req, struct dd_db *db, struct id_account *acc, const char *status,
              const char *reason, bool end_sessions, const char *event, const char *purpose)
{
    int64_t now_ms = dd_clock_now_ms();
    char now[32];
    dd_clock_iso8601(now_ms, now);
    int rc = dd_db_begin(db);
    struct dd_stmt *st;
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE accounts SET status = ?, status_reason = ?, failed_logins = 0, "
                           "locked_until = '', updated_at = ? WHERE id = ?",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, status);
        dd_stmt_bind_text(st, 2, reason ? reason : "");
        dd_stmt_bind_text(st, 3, now);
        dd_stmt_bind_int64(st, 4, acc->id);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (rc == DD_OK && end_sessions)
        rc = id_sessions_end_all(db, acc->id, status, now_ms);
    if (rc == DD_OK)
        rc = log_access(db, req, acc, "change", purpose);
    if (rc == DD_OK)
        rc = id_event(db, event, acc->id,
                      json_pack("{s:I, s:s, s:s}", "account_id", (json_int_t)acc->id, "by",
                                officer_actor(req), "status", status));
    if (rc == DD_OK)
        rc = id_account_by_id(db, req->arena, acc->id, acc);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    id_session_cache_forget_account(acc->id);
    return dd_reply_json(req, 200, json_pack("{s:o}", "account", id_account_json(acc)));
}

/* POST /api/v1/accounts/{id}/unlock — 200 with the account, active again (its failure
 * counter and lockout cleared); 404; 409 if it was neither locked nor locked out. */
int
id_accounts_unlock(struct dd_req *req)
{
    const char *note;
    if (text_or_reply(req, false, &note) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct id_account acc;
    if (db == NULL || id_path_account_or_reply(req, db, &acc) != 0)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    bool self_locked = strcmp(acc.status, "locked") == 0;
    bool locked_out = strcmp(acc.status, "active") == 0 && strcmp(acc.locked_until, now) > 0;
    if (!self_locked && !locked_out)
        return state_conflict(req, "Tài khoản không bị khoá.", "The account is not locked.");
    return commit_action(req, db, &acc, "active", NULL, false, "account.unlocked",
                         note ? note : "Mở khoá tài khoản định danh điện tử");
}

/* POST /api/v1/accounts/{id}/suspensions — 200 with the account, suspended with the reason;
 * its sessions end. 404; 409 if already suspended or disabled, or still pending. */
int
id_accounts_suspend(struct dd_req *req)
{
    const char *reason;
    if (text_or_reply(req, true, &reason) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct id_account acc;
    if (db == NULL || id_path_account_or_reply(req, db, &acc) != 0)
        return DD_DONE;
    if (strcmp(acc.status, "suspended") == 0 || strcmp(acc.status, "disabled") == 0)
        return state_conflict(req, "Tài khoản đã bị tạm dừng.",
                              "The account is already suspended.");
    /* A reinstatement makes an account active: one never confirmed must not become so. */
    if (strcmp(acc.status, "pending") == 0)
        return state_conflict(req, "Tài khoản chưa được xác nhận; không có gì để tạm dừng.",
                              "The account was never confirmed; there is nothing to suspend.");
    return commit_action(req, db, &acc, "suspended", reason, true, "account.suspended", reason);
}

/* POST /api/v1/accounts/{id}/reinstatements — 200 with the account, active again; 404; 409 if
 * it was not suspended. */
int
id_accounts_reinstate(struct dd_req *req)
{
    const char *reason;
    if (text_or_reply(req, true, &reason) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct id_account acc;
    if (db == NULL || id_path_account_or_reply(req, db, &acc) != 0)
        return DD_DONE;
    if (strcmp(acc.status, "suspended") != 0)
        return state_conflict(req, "Tài khoản không bị tạm dừng.", "The account is not suspended.");
    return commit_action(req, db, &acc, "active", NULL, false, "account.reinstated", reason);
}
