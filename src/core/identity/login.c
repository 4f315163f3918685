/*
 * login.c — POST /api/v1/sessions: logging in with a login and a password, and the second
 * factor (a TOTP code or a recovery code) when the account has one.
 *
 * The order of checks decides what a caller without the password can learn, which is nothing:
 *   1. throttling of the typed login and of the network (throttle.c): 429 with Retry-After;
 *   2. the password — an unknown login costs the same Argon2id work against a dummy hash, and
 *      both get the same 401 invalid-credentials;
 *   3. with the right password only: the account's state (locked out, not confirmed, locked,
 *      suspended, disabled, a staff member's organisation suspended: 403 each), then the
 *      second factor (401 second-factor-required or
 *      second-factor-invalid; an officer without one gets 403
 *      second-factor-enrolment-required and a session that can only enrol one).
 * Failures of 2 and of the second factor count for throttling and, on an account, towards the
 * lockout after ID_LOCKOUT_FAILURES consecutive ones (account.locked; lifted by a password reset,
 * an officer, or after ID_LOCKOUT_MS). Every attempt is written to the history with its event.
 * On success the password's hash is upgraded if its cost is not the configured one.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/identity/internal.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

struct login {
    const char *typed;
    const char *password;
    const char *totp;
    const char *recovery;
    const char *login; /* canonical, "" if the typed login cannot be one */
    int64_t now_ms;
    struct id_client client;
    struct dd_guess_keys keys;
    struct id_account acc;
    bool known;
};

static const char *const login_fields[] = {"login",         "password", "totp",
                                           "recovery_code", "service",  NULL};
static const char *const services[] = {"web", "api", NULL};

static int
login_parse_or_reply(struct dd_req *req, struct login *l)
{
    struct id_form f;
    id_form_init(&f, req, login_fields);
    memset(l, 0, sizeof *l);
    l->typed = id_form_string(&f, "login", true, 100);
    l->password = id_form_string(&f, "password", true, DD_PASSWORD_MAX_BYTES);
    l->totp = id_form_string(&f, "totp", false, 16);
    l->recovery = id_form_string(&f, "recovery_code", false, 32);
    const char *service = id_form_enum(&f, "service", false, services);
    if (l->totp && l->recovery)
        id_form_error(&f, "recovery_code", "one-second-factor",
                      "Gửi mã xác thực hoặc mã khôi phục, không gửi cả hai.",
                      "Send the authenticator code or a recovery code, not both.");
    if (id_form_done_or_reply(&f) != 0)
        return -1;
    l->now_ms = dd_clock_now_ms();
    id_client_read(req, &l->client);
    l->client.service = service ? service : "web";
    const char *canon = id_login_canon(req->arena, l->typed);
    l->login = canon ? canon : "";
    id_throttle_keys(l->login, &l->client, &l->keys);
    return 0;
}

/* Counts a failure against the account; locks it out at ID_LOCKOUT_FAILURES. */
static int
count_account_failure(struct dd_db *db, struct login *l)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = ? "
                           "RETURNING failed_logins",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, l->acc.id);
    rc = dd_stmt_step(st);
    int64_t failures = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    char now[32], until[32];
    dd_clock_iso8601(l->now_ms, now);
    if (failures < ID_LOCKOUT_FAILURES || strcmp(l->acc.locked_until, now) > 0)
        return DD_OK;
    dd_clock_iso8601(l->now_ms + ID_LOCKOUT_MS, until);
    rc = dd_db_prepare(db, "UPDATE accounts SET locked_until = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, until);
    dd_stmt_bind_int64(st, 2, l->acc.id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return id_event(db, "account.locked", l->acc.id,
                    json_pack("{s:I, s:s, s:I, s:s}", "account_id", (json_int_t)l->acc.id, "by",
                              "failures", "failures", (json_int_t)failures, "locked_until", until));
}

/* Writes a refused attempt (counted for throttling and lockout when `counts`), then replies. */
static int
refuse(struct dd_req *req, struct dd_db *db, struct login *l, const char *method,
       const char *reason, bool counts, enum id_problem p, json_t *ext)
{
    char tag[ID_PW_TAG_LEN + 1] = "";
    if (strcmp(reason, "bad-password") == 0 || strcmp(reason, "unknown-login") == 0)
        id_password_tag(l->password, tag);
    struct id_attempt a = {.account_id = l->known ? l->acc.id : 0,
                           .login = l->login,
                           .method = method,
                           .level = l->known ? l->acc.level : 0,
                           .reason = reason,
                           .client = &l->client,
                           .pw_tag = tag};
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = id_history_write(db, &a, l->now_ms);
    if (rc == DD_OK && counts)
        rc = id_throttle_fail(db, &l->keys, l->now_ms);
    if (rc == DD_OK && counts && l->known)
        rc = count_account_failure(db, l);
    if (rc != DD_OK) {
        json_decref(ext);
        return id_fail(req, db, rc);
    }
    if (id_commit_or_reply(req, db) != 0) {
        json_decref(ext);
        return DD_DONE;
    }
    return id_problem_reply(req, p, ext);
}

/* The state that keeps an account with the right password from logging in, if any. */
static int
state_refusal_or_continue(struct dd_req *req, struct dd_db *db, struct login *l)
{
    char now[32];
    dd_clock_iso8601(l->now_ms, now);
    const struct id_account *a = &l->acc;
    if (strcmp(a->locked_until, now) > 0)
        return refuse(req, db, l, "password", "locked-out", false, ID_PROBLEM_ACCOUNT_LOCKED_OUT,
                      json_pack("{s:s}", "locked_until", a->locked_until));
    if (strcmp(a->status, "pending") == 0)
        return refuse(req, db, l, "password", "not-confirmed", false,
                      ID_PROBLEM_ACCOUNT_NOT_CONFIRMED, NULL);
    if (strcmp(a->status, "locked") == 0)
        return refuse(req, db, l, "password", "locked", false, ID_PROBLEM_ACCOUNT_LOCKED, NULL);
    if (strcmp(a->status, "suspended") == 0)
        return refuse(req, db, l, "password", "suspended", false, ID_PROBLEM_ACCOUNT_SUSPENDED,
                      json_pack("{s:s}", "reason", a->status_reason));
    bool staff = strcmp(a->kind, "staff") == 0;
    if (strcmp(a->status, "active") != 0 || a->officer_disabled || (staff && a->org_id == 0))
        return refuse(req, db, l, "password", "disabled", false, ID_PROBLEM_ACCOUNT_DISABLED, NULL);
    if (staff && strcmp(a->org_status, "suspended") == 0)
        return refuse(req, db, l, "password", "organisation-suspended", false,
                      ID_PROBLEM_ORGANISATION_SUSPENDED, NULL);
    return -1;
}

/* An officer without a second factor: an enrolment-only session, and 403. */
static int
enrolment_reply(struct dd_req *req, struct dd_db *db, struct login *l)
{
    struct id_session_new s = {.account_id = l->acc.id,
                               .purpose = ID_SESSION_ENROLMENT,
                               .method = "password",
                               .level = 2,
                               .lifetime_ms = ID_SESSION_ENROL_MS,
                               .client = &l->client};
    struct id_session_made made = {0};
    struct id_attempt a = {.account_id = l->acc.id,
                           .login = l->login,
                           .method = "password",
                           .level = 2,
                           .reason = "second-factor-not-enrolled",
                           .client = &l->client};
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = id_session_create(db, &s, l->now_ms, &made);
    a.session_id = made.id;
    if (rc == DD_OK)
        rc = id_history_write(db, &a, l->now_ms);
    if (rc == DD_OK)
        rc = id_throttle_clear(db, &l->keys);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    id_session_cookie(req, made.token, ID_SESSION_ENROL_MS);
    json_t *enrol =
        json_pack("{s:s, s:s, s:s, s:s}", "path", "/api/v1/me/totp", "session_token", made.token,
                  "csrf_token", made.csrf, "expires_at", id_time_text(req->arena, made.expires_ms));
    return id_problem_reply(req, ID_PROBLEM_ENROLMENT_REQUIRED,
                            json_pack("{s:o}", "enrolment", enrol));
}

/* Checks a TOTP code; *step receives the step to store. */
static bool
totp_ok(const struct login *l, int64_t *step)
{
    unsigned char key[64];
    size_t keylen = 0;
    if (dd_base32_decode(l->acc.totp_secret, key, sizeof key, &keylen) != DD_OK)
        return false;
    return dd_totp_verify(key, keylen, l->totp, l->now_ms / 1000, l->acc.totp_last_step, step) ==
           DD_OK;
}

/* The account's row after a success: counters cleared, the TOTP step, the upgraded hash. */
static int
record_success(struct dd_db *db, const struct login *l, int64_t step, const char *new_hash)
{
    char now[32];
    dd_clock_iso8601(l->now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE accounts SET failed_logins = 0, locked_until = '', "
                           "totp_last_step = ?, password_hash = ?, updated_at = ? WHERE id = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, step);
    dd_stmt_bind_text(st, 2, new_hash ? new_hash : l->acc.password_hash);
    dd_stmt_bind_text(st, 3, now);
    dd_stmt_bind_int64(st, 4, l->acc.id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* An officer's area as the SOC groups peers: "56" or "56/22366". */
static const char *
officer_area(struct dd_req *req, const struct id_account *a)
{
    if (a->commune == NULL || a->commune[0] == '\0')
        return a->province ? a->province : "";
    return dd_arena_printf(req->arena, "%s/%s", a->province ? a->province : "", a->commune);
}

static int
succeed(struct dd_req *req, struct dd_db *db, struct login *l, const char *method, int64_t step)
{
    char fresh[DD_PASSWORD_HASH_MAX];
    const char *new_hash = NULL;
    if (dd_password_needs_rehash(l->acc.password_hash) &&
        dd_password_hash(l->password, fresh) == DD_OK)
        new_hash = fresh;
    bool officer = l->acc.officer_id != 0;
    bool at_work = officer || strcmp(l->acc.kind, "staff") == 0;
    struct id_session_new s = {.account_id = l->acc.id,
                               .purpose = ID_SESSION_FULL,
                               .method = method,
                               .level = officer ? 2 : l->acc.level,
                               .lifetime_ms =
                                   at_work ? ID_SESSION_OFFICER_MS : ID_SESSION_CITIZEN_MS,
                               .client = &l->client};
    struct id_session_made made = {0};
    int rc = dd_db_begin(db);
    if (rc == DD_OK && l->recovery) {
        rc = id_recovery_code_use(db, req->arena, l->acc.id, l->recovery, l->now_ms);
        if (rc == DD_EDENIED) {
            dd_db_rollback(db);
            return refuse(req, db, l, "recovery", "bad-recovery-code", true,
                          ID_PROBLEM_SECOND_FACTOR_INVALID, NULL);
        }
    }
    if (rc == DD_OK)
        rc = record_success(db, l, step, new_hash);
    if (rc == DD_OK)
        rc = id_throttle_clear(db, &l->keys);
    if (rc == DD_OK)
        rc = id_session_create(db, &s, l->now_ms, &made);
    struct id_attempt a = {.account_id = l->acc.id,
                           .login = l->login,
                           .method = method,
                           .level = s.level,
                           .success = true,
                           .session_id = made.id,
                           .client = &l->client,
                           .role = officer ? l->acc.role : NULL,
                           .area = officer ? officer_area(req, &l->acc) : NULL};
    if (rc == DD_OK)
        rc = id_history_write(db, &a, l->now_ms);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    if (new_hash)
        dd_log(DD_LOG_INFO, "identity.rehashed", "account %lld: password hash upgraded",
               (long long)l->acc.id);
    id_session_cookie(req, made.token, s.lifetime_ms);
    l->acc.failed_logins = 0;
    l->acc.locked_until = "";
    return dd_reply_json(req, 201,
                         json_pack("{s:I, s:s, s:s, s:s, s:o}", "session_id", (json_int_t)made.id,
                                   "session_token", made.token, "csrf_token", made.csrf,
                                   "expires_at", id_time_text(req->arena, made.expires_ms),
                                   "account", id_account_json(&l->acc)));
}

/* POST /api/v1/sessions — 201 with the session (and the dd_session cookie); 400; 401
 * invalid-credentials, second-factor-required, second-factor-invalid; 403 for the account's
 * state or a missing enrolment; 429 while throttled. */
int
id_sessions_create(struct dd_req *req)
{
    struct login l;
    if (login_parse_or_reply(req, &l) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t wait = 0;
    int rc = id_throttle_wait(db, &l.keys, l.now_ms, &wait);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (wait > 0)
        return id_reply_throttled(req, wait);
    rc = l.login[0] ? id_account_by_login(db, req->arena, l.login, &l.acc) : DD_ENOTFOUND;
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return id_fail(req, db, rc);
    l.known = rc == DD_OK && l.acc.password_hash[0] != '\0';
    if (!l.known) {
        dd_password_verify_dummy(l.password);
        l.known = false;
        return refuse(req, db, &l, "password", "unknown-login", true,
                      ID_PROBLEM_INVALID_CREDENTIALS, NULL);
    }
    if (dd_password_verify(l.acc.password_hash, l.password) != DD_OK)
        return refuse(req, db, &l, "password", "bad-password", true, ID_PROBLEM_INVALID_CREDENTIALS,
                      NULL);
    if (state_refusal_or_continue(req, db, &l) != -1)
        return DD_DONE;
    if (l.acc.totp_secret[0] == '\0') {
        if (l.acc.officer_id != 0)
            return enrolment_reply(req, db, &l);
        return succeed(req, db, &l, "password", l.acc.totp_last_step);
    }
    if (l.recovery)
        return succeed(req, db, &l, "recovery", l.acc.totp_last_step);
    if (l.totp == NULL)
        return refuse(req, db, &l, "password", "second-factor-missing", false,
                      ID_PROBLEM_SECOND_FACTOR_REQUIRED, NULL);
    int64_t step;
    if (!totp_ok(&l, &step))
        return refuse(req, db, &l, "totp", "bad-totp", true, ID_PROBLEM_SECOND_FACTOR_INVALID,
                      NULL);
    return succeed(req, db, &l, "totp", step);
}
