/*
 * officer_accounts.c — officers' login accounts, for the command line (`dinhdanh user`) and the
 * demo: creating an officer with an account, setting a password, changing the role and area,
 * disabling, listing. The officers row (core/officers.h) keeps the role, area and agency; the
 * accounts row the login, password and second factor; officers.account_id links them.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "core/officers.h"
#include "crypto/password.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int
db_error(struct dd_db *db, int rc, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", dd_db_errmsg(db));
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}

static bool
has_letter(const char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            return true;
    return false;
}

/* Checks a new password; DD_EINVAL with the rule's English message in err. */
static int
password_ok(const char *password, const char *username, char *err, size_t errlen)
{
    enum dd_password_rule r = dd_password_check(password, username, NULL);
    if (r == DD_PASSWORD_OK)
        return DD_OK;
    snprintf(err, errlen, "%s", dd_password_rule_info(r)->message_en);
    return DD_EINVAL;
}

/* Inserts the officer's account and links officers row `officer_id` to it; emits
 * account.created when `actor` is given. */
static int
insert_account(struct dd_db *db, int64_t officer_id, const char *username, const char *display_name,
               const char *hash, const char *actor)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO accounts (kind, login, display_name, level, status, "
                           "password_hash, created_at, updated_at) VALUES ('officer', ?, ?, 2, "
                           "'active', ?, ?, ?) RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, username);
    dd_stmt_bind_text(st, 2, display_name);
    dd_stmt_bind_text(st, 3, hash);
    dd_stmt_bind_text(st, 4, now);
    dd_stmt_bind_text(st, 5, now);
    rc = dd_stmt_step(st);
    int64_t account_id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = dd_db_prepare(db, "UPDATE officers SET account_id = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    dd_stmt_bind_int64(st, 2, officer_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0 || actor == NULL)
        return rc < 0 ? rc : DD_OK;
    return id_event(db, "account.created", account_id,
                    json_pack("{s:I, s:s, s:i, s:s}", "account_id", (json_int_t)account_id, "kind",
                              "officer", "level", 2, "by", actor));
}

int
dd_identity_officer_create(struct dd_db *db, const struct dd_officer_new *o, const char *password,
                           const char *actor, int64_t *officer_id, char *err, size_t errlen)
{
    if (o->username && !has_letter(o->username)) {
        snprintf(err, errlen, "username must contain a letter (digits alone are citizens' logins)");
        return DD_EINVAL;
    }
    char hash[DD_PASSWORD_HASH_MAX] = "";
    if (password && password_ok(password, o->username, err, errlen) != DD_OK)
        return DD_EINVAL;
    if (password && dd_password_hash(password, hash) != DD_OK) {
        snprintf(err, errlen, "the password could not be hashed");
        return DD_EINTERNAL;
    }
    int64_t id = 0;
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return db_error(db, rc, err, errlen);
    rc = dd_officer_create(db, o, &id, err, errlen);
    if (rc != DD_OK) {
        dd_db_rollback(db);
        return rc;
    }
    rc = insert_account(db, id, o->username, o->display_name, hash, actor);
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        snprintf(err, errlen, "username '%s' is taken", o->username);
        return DD_EEXIST;
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return db_error(db, rc, err, errlen);
    if (officer_id)
        *officer_id = id;
    return DD_OK;
}

/* The officers row's id, display name and account id (0 if none) of `username`. */
static int
find_officer(struct dd_db *db, const char *username, int64_t *id, char *display, size_t dlen,
             int64_t *account_id, char *err, size_t errlen)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT id, display_name, account_id FROM officers WHERE username = ?", &st);
    if (rc != DD_OK)
        return db_error(db, rc, err, errlen);
    dd_stmt_bind_text(st, 1, username);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        *id = dd_stmt_int64(st, 0);
        dd_strlcpy(display, dd_stmt_text(st, 1), dlen);
        *account_id = dd_stmt_int64(st, 2);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return db_error(db, rc, err, errlen);
    if (rc != DD_DB_ROW) {
        snprintf(err, errlen, "no officer named '%s'", username);
        return DD_ENOTFOUND;
    }
    return DD_OK;
}

/* Runs one UPDATE with a text and an id. */
static int
update(struct dd_db *db, const char *sql, const char *text, int64_t id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, text);
    dd_stmt_bind_int64(st, 2, id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_identity_officer_password(struct dd_db *db, const char *username, const char *password,
                             char *err, size_t errlen)
{
    if (password_ok(password, username, err, errlen) != DD_OK)
        return DD_EINVAL;
    char hash[DD_PASSWORD_HASH_MAX], display[128];
    if (dd_password_hash(password, hash) != DD_OK) {
        snprintf(err, errlen, "the password could not be hashed");
        return DD_EINTERNAL;
    }
    int64_t id, account_id;
    int rc = find_officer(db, username, &id, display, sizeof display, &account_id, err, errlen);
    if (rc != DD_OK)
        return rc;
    int64_t now_ms = dd_clock_now_ms();
    rc = dd_db_begin(db);
    if (rc == DD_OK && account_id == 0)
        rc = insert_account(db, id, username, display, hash, "command-line");
    if (rc == DD_OK && account_id != 0)
        rc = update(db,
                    "UPDATE accounts SET password_hash = ?, failed_logins = 0, locked_until = '' "
                    "WHERE id = ?",
                    hash, account_id);
    if (rc == DD_OK && account_id != 0)
        rc = id_sessions_end_all(db, account_id, "password-reset", now_ms);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    return rc == DD_OK ? DD_OK : db_error(db, rc, err, errlen);
}

int
dd_identity_officer_role(struct dd_db *db, const char *username, const char *role,
                         const char *province, const char *commune, char *err, size_t errlen)
{
    struct dd_officer_new o = {.username = username,
                               .display_name = "-",
                               .role = role,
                               .province = province,
                               .commune = commune};
    if (dd_officer_validate(&o, err, errlen) != DD_OK)
        return DD_EINVAL;
    bool has_commune = commune && commune[0];
    int64_t id, account_id;
    char display[128];
    int rc = find_officer(db, username, &id, display, sizeof display, &account_id, err, errlen);
    if (rc != DD_OK)
        return rc;
    struct dd_stmt *st;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE officers SET role = ?, province_code = ?, commune_code = ? "
                           "WHERE id = ?",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, role);
        dd_stmt_bind_text(st, 2, province);
        dd_stmt_bind_text(st, 3, has_commune ? commune : "");
        dd_stmt_bind_int64(st, 4, id);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    /* A privilege change, for the security operations centre. */
    if (rc == DD_OK)
        rc = id_event(db, "officer.role_changed", account_id,
                      json_pack("{s:s, s:s, s:s, s:s, s:s}", "officer", username, "role", role,
                                "province", province, "commune", has_commune ? commune : "", "by",
                                "operator"));
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK && dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc != DD_OK ? db_error(db, rc, err, errlen) : DD_OK;
}

static int
disable_officer_row(struct dd_db *db, int64_t id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "UPDATE officers SET disabled = 1 WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_identity_officer_disable(struct dd_db *db, const char *username, char *err, size_t errlen)
{
    int64_t id, account_id;
    char display[128];
    int rc = find_officer(db, username, &id, display, sizeof display, &account_id, err, errlen);
    if (rc != DD_OK)
        return rc;
    int64_t now_ms = dd_clock_now_ms();
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = disable_officer_row(db, id);
    if (rc == DD_OK && account_id)
        rc = id_account_set_status(db, account_id, "disabled", "disabled by an operator", now_ms);
    if (rc == DD_OK && account_id)
        rc = id_sessions_end_all(db, account_id, "disabled", now_ms);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    return rc == DD_OK ? DD_OK : db_error(db, rc, err, errlen);
}

int
dd_identity_officer_list(struct dd_db *db, FILE *out, char *err, size_t errlen)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT o.username, o.role, o.province_code, o.commune_code, o.agency, "
                           "o.disabled, a.password_hash, a.totp_secret, a.status FROM officers o "
                           "LEFT JOIN accounts a ON a.id = o.account_id ORDER BY o.username",
                           &st);
    if (rc != DD_OK)
        return db_error(db, rc, err, errlen);
    fprintf(out, "%-24s %-16s %-9s %-12s %-5s %s\n", "USERNAME", "ROLE", "AREA", "STATUS", "2FA",
            "AGENCY");
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        char area[16];
        const char *commune = dd_stmt_text(st, 3);
        snprintf(area, sizeof area, "%s%s%s", dd_stmt_text(st, 2), commune[0] ? "-" : "", commune);
        const char *hash = dd_stmt_text(st, 6), *totp = dd_stmt_text(st, 7);
        const char *status = dd_stmt_int64(st, 5)           ? "disabled"
                             : hash == NULL || hash[0] == 0 ? "no-password"
                                                            : dd_stmt_text(st, 8);
        fprintf(out, "%-24s %-16s %-9s %-12s %-5s %s\n", dd_stmt_text(st, 0), dd_stmt_text(st, 1),
                area, status, totp && totp[0] ? "totp" : "-", dd_stmt_text(st, 4));
    }
    dd_stmt_reset(st);
    return rc < 0 ? db_error(db, rc, err, errlen) : DD_OK;
}
