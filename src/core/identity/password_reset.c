/*
 * password_reset.c — POST /api/v1/password-resets {login}: a one-time code is sent to the
 * account's e-mail (or phone) if the account exists and is active; the answer is 202 either
 * way, with the same body and the same work (one history row written; the notice goes out after
 * the reply), so it tells nothing about which logins exist. POST
 * /api/v1/password-resets/confirmations {login, code, new_password} sets the new password,
 * lifts a lockout after failed logins and ends every session of the account.
 *
 * A reset does not unlock an e-identity its owner locked, nor a suspended one: those accounts
 * get no code. A staff member added without a password (org_staff_api.c) sets their first one
 * this way.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/confirm.h"
#include "core/identity/internal.h"
#include "crypto/password.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *const reset_fields[] = {"login", NULL};

static int
accepted(struct dd_req *req)
{
    bool en = req->lang == DD_LANG_EN;
    return dd_reply_json(
        req, 202,
        json_pack("{s:s}", "message",
                  en ? "If an active account has this login, a code is on its way to the "
                       "account's e-mail or phone; it is valid for 10 minutes."
                     : "Nếu có tài khoản đang hoạt động với tên đăng nhập này, mã đặt lại mật "
                       "khẩu đã được gửi tới thư điện tử hoặc điện thoại của tài khoản; mã có "
                       "hiệu lực 10 phút."));
}

/* POST /api/v1/password-resets — 202 always (400 for a malformed body only). */
int
id_password_resets_create(struct dd_req *req)
{
    struct id_form f;
    id_form_init(&f, req, reset_fields);
    const char *typed = id_form_string(&f, "login", true, 100);
    if (id_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct id_client client;
    id_client_read(req, &client);
    int64_t now_ms = dd_clock_now_ms();
    const char *login = id_login_canon(req->arena, typed);
    struct id_account acc;
    int rc = login ? id_account_by_login(db, req->arena, login, &acc) : DD_ENOTFOUND;
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return id_fail(req, db, rc);
    bool eligible = rc == DD_OK && strcmp(acc.status, "active") == 0 && !acc.officer_disabled &&
                    (acc.password_hash[0] != '\0' || strcmp(acc.kind, "staff") == 0);
    struct id_attempt a = {.account_id = rc == DD_OK ? acc.id : 0,
                           .login = login ? login : "",
                           .method = "otc",
                           .level = rc == DD_OK ? acc.level : 0,
                           .success = eligible,
                           .reason = eligible ? "reset-code-sent" : "reset-refused",
                           .client = &client};
    char code[DD_OTC_SIZE];
    rc = dd_db_begin(db);
    if (rc == DD_OK && eligible)
        rc = id_code_issue(db, acc.id, ID_CODE_PASSWORD_RESET, id_notice_channel(&acc), now_ms,
                           code);
    if (rc == DD_OK)
        rc = id_history_write(db, &a, now_ms);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    if (eligible)
        id_notice_code(req, &acc, ID_CODE_PASSWORD_RESET, code);
    return accepted(req);
}

static const char *const confirm_fields[] = {"login", "code", "new_password", NULL};

static int
set_password(struct dd_db *db, int64_t account_id, const char *hash, int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE accounts SET password_hash = ?, failed_logins = 0, "
                           "locked_until = '', updated_at = ? WHERE id = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hash);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_int64(st, 3, account_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* POST /api/v1/password-resets/confirmations — 204 when the password is set; 400 for a
 * password the rules refuse; 422 code-invalid; 429. */
int
id_password_resets_confirm(struct dd_req *req)
{
    struct id_form f;
    id_form_init(&f, req, confirm_fields);
    const char *login = id_form_string(&f, "login", true, 100);
    const char *code = id_form_string(&f, "code", true, 20);
    const char *canon = login ? id_login_canon(req->arena, login) : NULL;
    bool id_number = canon && dd_str_all_digits(canon, 12);
    const char *password =
        id_form_password(&f, "new_password", id_number ? NULL : canon, id_number ? canon : NULL);
    if (id_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char hash[DD_PASSWORD_HASH_MAX];
    int rc = dd_password_hash(password, hash);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    struct id_confirm c;
    if (id_confirm_begin_or_reply(req, db, &c, login, code, ID_CODE_PASSWORD_RESET, "active") != 0)
        return DD_DONE;
    rc = set_password(db, c.acc.id, hash, c.now_ms);
    if (rc == DD_OK)
        rc = id_sessions_end_all(db, c.acc.id, "password-reset", c.now_ms);
    if (rc == DD_OK)
        rc = id_confirm_succeeded(db, &c, "password-reset");
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    id_session_cache_forget_account(c.acc.id);
    return dd_reply_empty(req, 204);
}
