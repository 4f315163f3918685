/*
 * totp_enrol.c — enrolling a second factor: POST /api/v1/me/totp makes a secret and gives it
 * with the otpauth:// URI an authenticator app reads from a QR code; POST
 * /api/v1/me/totp/confirmations with a code from the app turns it on and gives ten recovery
 * codes, shown this once. Until confirmed, the secret waits in totp_pending and logins do not
 * ask for it. An account whose second factor is on gets 409 (replacing one is not offered yet).
 * Officers, who may not log in without a second factor, reach these routes with the
 * enrolment-only session their first login gives them, then log in again.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/internal.h"
#include "crypto/recovery.h"
#include "crypto/totp.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static int
already_enrolled(struct dd_req *req)
{
    return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                   "Tài khoản đã bật xác thực hai yếu tố.",
                                   "The account's second factor is already on.", NULL);
}

static int
set_pending(struct dd_db *db, int64_t account_id, const char *secret)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(db, "UPDATE accounts SET totp_pending = ?, updated_at = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, secret);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_int64(st, 3, account_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* POST /api/v1/me/totp — 201 {secret, otpauth_uri}; 409 if a second factor is on. */
int
id_me_totp_create(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct id_account acc;
    int rc = id_account_by_id(db, req->arena, req->who->account_id, &acc);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (acc.totp_secret[0])
        return already_enrolled(req);
    unsigned char key[DD_TOTP_SECRET_LEN];
    char secret[DD_BASE32_SIZE(DD_TOTP_SECRET_LEN)], uri[512];
    dd_totp_secret_new(key);
    dd_base32_encode(key, sizeof key, secret, sizeof secret);
    rc = dd_totp_uri(id_settings.totp_issuer, acc.login, secret, uri, sizeof uri);
    if (rc == DD_OK)
        rc = set_pending(db, acc.id, secret);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    return dd_reply_json(req, 201,
                         json_pack("{s:s, s:s, s:s, s:i, s:i}", "secret", secret, "otpauth_uri",
                                   uri, "algorithm", "SHA1", "digits", DD_TOTP_DIGITS, "period",
                                   DD_TOTP_STEP));
}

static const char *const confirm_fields[] = {"code", NULL};

static int
activate(struct dd_db *db, const struct id_account *acc, int64_t step)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE accounts SET totp_secret = totp_pending, totp_pending = '', "
                           "totp_last_step = ?, updated_at = ? WHERE id = ? AND totp_pending = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, step);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_int64(st, 3, acc->id);
    dd_stmt_bind_text(st, 4, acc->totp_pending);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return changed == 1 ? DD_OK : DD_ECONFLICT;
}

/* POST /api/v1/me/totp/confirmations — 200 {recovery_codes}; 409 when no enrolment is waiting
 * (or one is on); 422 code-invalid for a wrong code. */
int
id_me_totp_confirm(struct dd_req *req)
{
    struct id_form f;
    id_form_init(&f, req, confirm_fields);
    const char *code = id_form_string(&f, "code", true, 16);
    if (id_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct id_account acc;
    int rc = id_account_by_id(db, req->arena, req->who->account_id, &acc);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (acc.totp_secret[0])
        return already_enrolled(req);
    if (acc.totp_pending[0] == '\0')
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       "Chưa bắt đầu đăng ký ứng dụng xác thực (POST "
                                       "/api/v1/me/totp).",
                                       "No enrolment is waiting (POST /api/v1/me/totp first).",
                                       NULL);
    unsigned char key[64];
    size_t keylen = 0;
    int64_t step = -1;
    int64_t now_ms = dd_clock_now_ms();
    if (dd_base32_decode(acc.totp_pending, key, sizeof key, &keylen) != DD_OK ||
        dd_totp_verify(key, keylen, code, now_ms / 1000, -1, &step) != DD_OK)
        return id_problem_reply(req, ID_PROBLEM_CODE_INVALID, NULL);
    char codes[DD_RECOVERY_COUNT_DEFAULT][DD_RECOVERY_CODE_SIZE];
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = activate(db, &acc, step);
    if (rc == DD_OK)
        rc = id_recovery_codes_replace(db, acc.id, now_ms, codes, DD_RECOVERY_COUNT_DEFAULT);
    if (rc == DD_OK)
        rc = id_event(db, "account.second_factor_enrolled", acc.id,
                      json_pack("{s:I, s:s}", "account_id", (json_int_t)acc.id, "method", "totp"));
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    id_session_cache_forget_account(acc.id);
    json_t *list = json_array();
    for (size_t i = 0; i < DD_RECOVERY_COUNT_DEFAULT; i++)
        json_array_append_new(list, json_string(codes[i]));
    return dd_reply_json(req, 200, json_pack("{s:o}", "recovery_codes", list));
}
