/*
 * registration.c — POST /api/v1/accounts (a person registers a level-1 e-identity) and
 * POST /api/v1/accounts/confirmations (the one-time code sent to them confirms it).
 *
 * Citizens register with their 12-digit ID number, which must be in the population register
 * with the full name (compared folded: case and diacritics do not matter) and the date of birth
 * typed, and alive; any mismatch is the same 422 register-mismatch, so that registering tells
 * nothing about what the register holds. Foreigners register with their passport (nationality
 * and number): nothing to match, level 1 only. People under 14 are attached to a guardian
 * instead (children.c). The account is `pending` until the code — sent by e-mail, or by SMS
 * when there is no e-mail — is confirmed; registering again while pending replaces the pending
 * details and sends a new code, as does registering over a child's account (no password) once
 * the child is 14. An account already in use is 409 account-exists.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/confirm.h"
#include "core/identity/internal.h"
#include "crypto/password.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <ctype.h>
#include <string.h>

struct registration {
    const char *id_number; /* NULL for a foreigner */
    const char *nationality;
    const char *passport_number;
    const char *full_name;
    const char *birth_date;
    const char *phone;
    const char *email;
    const char *password;
    const char *portrait_ref;
    const char *login;
};

static bool
all_of(const char *s, size_t min, size_t max, bool letters_only)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isupper((unsigned char)s[i]) || (!letters_only && isdigit((unsigned char)s[i]))))
            return false;
    return true;
}

static char *
upper(struct dd_arena *a, const char *s)
{
    char *u = dd_arena_strdup(a, s);
    for (char *p = u; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}

/* A reference to a stored portrait: 1–200 of letters, digits and : / . _ - */
static bool
portrait_ref_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr(":/._-", s[i]))
            return false;
    return true;
}

/* Reads who registers: the ID number or the passport (exactly one of them). */
static void
read_identity(struct id_form *f, struct registration *r)
{
    r->id_number = id_form_id_number(f, "id_number", false);
    const char *nat = id_form_string(f, "nationality", false, 3);
    const char *num = id_form_string(f, "passport_number", false, 20);
    json_t *id_member = f->body ? json_object_get(f->body, "id_number") : NULL;
    bool has_id = id_member != NULL && !json_is_null(id_member);
    bool has_pp = nat || num;
    if (has_id && has_pp) {
        id_form_error(f, "id_number", "id-or-passport",
                      "Gửi số định danh cá nhân, hoặc quốc tịch và số hộ chiếu, không gửi cả hai.",
                      "Send the ID number, or the nationality and passport number, not both.");
        return;
    }
    if (!has_id && !has_pp) {
        id_form_error(f, "id_number", "required",
                      "Cần số định danh cá nhân (công dân) hoặc quốc tịch và số hộ chiếu (người "
                      "nước ngoài).",
                      "The ID number (citizens) or the nationality and passport number "
                      "(foreigners) is required.");
        return;
    }
    if (!has_pp)
        return;
    r->nationality = nat ? upper(f->req->arena, nat) : NULL;
    r->passport_number = num ? upper(f->req->arena, num) : NULL;
    if (r->nationality == NULL || !all_of(r->nationality, 3, 3, true) ||
        strcmp(r->nationality, "VNM") == 0)
        id_form_error(f, "nationality", "nationality-invalid",
                      "Quốc tịch là mã ISO 3166 gồm 3 chữ cái (ví dụ KOR), khác VNM.",
                      "The nationality is a 3-letter ISO 3166 code (e.g. KOR), not VNM.");
    if (r->passport_number == NULL || !all_of(r->passport_number, 5, 20, false))
        id_form_error(f, "passport_number", "passport-invalid",
                      "Số hộ chiếu gồm 5–20 chữ cái và chữ số.",
                      "A passport number is 5–20 letters and digits.");
}

static const char *const registration_fields[] = {
    "id_number", "nationality", "passport_number", "full_name",    "birth_date",
    "phone",     "email",       "password",        "portrait_ref", NULL};

static int
registration_parse_or_reply(struct dd_req *req, struct registration *r)
{
    struct id_form f;
    id_form_init(&f, req, registration_fields);
    memset(r, 0, sizeof *r);
    read_identity(&f, r);
    r->full_name = id_form_string(&f, "full_name", true, 100);
    r->birth_date = id_form_date(&f, "birth_date", true, r->passport_number == NULL);
    r->phone = id_form_phone(&f, "phone", true);
    r->email = id_form_email(&f, "email", false);
    r->portrait_ref = id_form_string(&f, "portrait_ref", false, 200);
    if (r->portrait_ref && !portrait_ref_ok(r->portrait_ref)) {
        id_form_error(&f, "portrait_ref", "portrait-ref-invalid",
                      "Tham chiếu ảnh chân dung gồm chữ cái, chữ số và : / . _ -",
                      "A portrait reference holds letters, digits and : / . _ -");
        r->portrait_ref = NULL;
    }
    if (r->passport_number && r->nationality)
        r->login = dd_arena_printf(req->arena, "P:%s:%s", r->nationality, r->passport_number);
    else
        r->login = r->id_number ? r->id_number : "";
    r->password =
        id_form_password(&f, "password", r->passport_number ? r->login : NULL, r->id_number);
    return id_form_done_or_reply(&f);
}

/* The register's answer for a citizen: the register's own name and date are kept. */
static int
register_match_or_reply(struct dd_req *req, struct dd_db *db, struct registration *r)
{
    if (r->id_number == NULL)
        return 0;
    struct id_person person;
    int rc = id_person_match(db, req->arena, r->id_number, r->full_name, r->birth_date, &person);
    if (rc == DD_OK) {
        r->full_name = person.full_name;
        r->birth_date = person.birth_date;
        return 0;
    }
    if (rc == DD_ENOTFOUND)
        id_problem_reply(req, ID_PROBLEM_REGISTER_MISMATCH, NULL);
    else
        id_fail(req, db, rc);
    return -1;
}

static int
old_enough_or_reply(struct dd_req *req, const char *birth_date)
{
    char today[11];
    id_today(dd_clock_now_ms(), today);
    if (id_age_years(birth_date, today) >= ID_CHILD_AGE)
        return 0;
    id_problem_reply(req, ID_PROBLEM_GUARDIAN_REQUIRED, NULL);
    return -1;
}

/* The account this registration may take over (0: none), or a 409 reply and -1. */
static int
existing_or_reply(struct dd_req *req, struct dd_db *db, const struct registration *r, int64_t *id)
{
    struct id_account acc;
    *id = 0;
    int rc = id_account_by_login(db, req->arena, r->login, &acc);
    if (rc == DD_ENOTFOUND)
        return 0;
    if (rc != DD_OK) {
        id_fail(req, db, rc);
        return -1;
    }
    bool child = acc.password_hash[0] == '\0' && acc.guardian_id != 0;
    if (strcmp(acc.status, "pending") == 0 || (child && strcmp(acc.status, "active") == 0)) {
        *id = acc.id;
        return 0;
    }
    id_problem_reply(req, ID_PROBLEM_ACCOUNT_EXISTS, NULL);
    return -1;
}

/* Inserts the pending account, or (id != 0) writes the registration over account `id`. */
static int
store_account(struct dd_db *db, const struct registration *r, const char *hash, int64_t *id,
              int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc;
    if (*id)
        rc = dd_db_prepare(db,
                           "UPDATE accounts SET display_name = ?, birth_date = ?, phone = ?, "
                           "email = ?, password_hash = ?, portrait_ref = ?, status = 'pending', "
                           "updated_at = ? WHERE id = ? RETURNING id",
                           &st);
    else
        rc = dd_db_prepare(db,
                           "INSERT INTO accounts (display_name, birth_date, phone, email, "
                           "password_hash, portrait_ref, created_at, updated_at, kind, login, "
                           "id_number, nationality, passport_number, status, level) VALUES (?, "
                           "?, ?, ?, ?, ?, ?, ?, 'citizen', ?, ?, ?, ?, 'pending', 1) "
                           "RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, r->full_name);
    dd_stmt_bind_text(st, 2, r->birth_date);
    dd_stmt_bind_text(st, 3, r->phone);
    dd_stmt_bind_text(st, 4, r->email ? r->email : "");
    dd_stmt_bind_text(st, 5, hash);
    dd_stmt_bind_text(st, 6, r->portrait_ref ? r->portrait_ref : "");
    dd_stmt_bind_text(st, 7, now);
    if (*id) {
        dd_stmt_bind_int64(st, 8, *id);
    } else {
        dd_stmt_bind_text(st, 8, now);
        dd_stmt_bind_text(st, 9, r->login);
        dd_stmt_bind_text(st, 10, r->id_number ? r->id_number : "");
        dd_stmt_bind_text(st, 11, r->nationality ? r->nationality : "");
        dd_stmt_bind_text(st, 12, r->passport_number ? r->passport_number : "");
    }
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc == DD_ECONFLICT ? DD_EEXIST : rc < 0 ? rc : DD_OK;
}

/* POST /api/v1/accounts — 201 with the pending account and where the code went; 400 on bad
 * fields; 409 account-exists; 422 register-mismatch or guardian-required. */
int
id_accounts_create(struct dd_req *req)
{
    struct registration r;
    if (registration_parse_or_reply(req, &r) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    if (register_match_or_reply(req, db, &r) != 0 || old_enough_or_reply(req, r.birth_date) != 0)
        return DD_DONE;
    int64_t id;
    if (existing_or_reply(req, db, &r, &id) != 0)
        return DD_DONE;
    char hash[DD_PASSWORD_HASH_MAX], code[DD_OTC_SIZE];
    int rc = dd_password_hash(r.password, hash);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    int64_t now_ms = dd_clock_now_ms();
    const char *channel = r.email ? "email" : "sms";
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = store_account(db, &r, hash, &id, now_ms);
    if (rc == DD_OK)
        rc = id_code_issue(db, id, ID_CODE_REGISTRATION, channel, now_ms, code);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        return id_problem_reply(req, ID_PROBLEM_ACCOUNT_EXISTS, NULL);
    }
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    struct id_account acc;
    rc = id_account_by_id(db, req->arena, id, &acc);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    id_notice_code(req, &acc, ID_CODE_REGISTRATION, code);
    json_t *sent = json_pack("{s:s, s:s, s:s}", "channel", channel, "sent_to",
                             id_mask_recipient(req->arena, r.email ? r.email : r.phone),
                             "expires_at", id_time_text(req->arena, now_ms + ID_CODE_TTL_MS));
    return dd_reply_json(
        req, 201, json_pack("{s:o, s:o}", "account", id_account_json(&acc), "confirmation", sent));
}

static const char *const confirmation_fields[] = {"login", "code", NULL};

/* POST /api/v1/accounts/confirmations — 200 with the account, now active; 422 code-invalid for
 * any wrong, expired or used code and any login without a pending registration; 429. */
int
id_accounts_confirm(struct dd_req *req)
{
    struct id_form f;
    id_form_init(&f, req, confirmation_fields);
    const char *login = id_form_string(&f, "login", true, 100);
    const char *code = id_form_string(&f, "code", true, 20);
    if (id_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct id_confirm c;
    if (id_confirm_begin_or_reply(req, db, &c, login, code, ID_CODE_REGISTRATION, "pending") != 0)
        return DD_DONE;
    int rc = id_account_set_status(db, c.acc.id, "active", NULL, c.now_ms);
    if (rc == DD_OK)
        rc = id_confirm_succeeded(db, &c, "registration-confirmed");
    if (rc == DD_OK)
        rc = id_event(db, "account.created", c.acc.id,
                      json_pack("{s:I, s:s, s:i, s:b}", "account_id", (json_int_t)c.acc.id, "kind",
                                c.acc.kind, "level", c.acc.level, "foreigner",
                                c.acc.passport_number[0] != '\0'));
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    c.acc.status = "active";
    return dd_reply_json(req, 200, json_pack("{s:o}", "account", id_account_json(&c.acc)));
}
