/*
 * org_commands.c — organisations and their staff for the command line (`dinhdanh org`): the
 * functions of orgs.h, each a transaction of its own, with the same checks as the API and a
 * sentence in `err` when they refuse.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/org_internal.h"
#include "crypto/password.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int
db_error(struct dd_db *db, int rc, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", rc == DD_EDB ? dd_db_errmsg(db) : dd_strerror(rc));
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}

/* Commits, or rolls back and explains. */
static int
commit(struct dd_db *db, int rc, char *err, size_t errlen)
{
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    return rc == DD_OK ? DD_OK : db_error(db, rc, err, errlen);
}

int
dd_org_create(struct dd_db *db, const struct dd_org_new *in, const char *actor, int64_t *id,
              char *err, size_t errlen)
{
    struct dd_arena *a = dd_arena_new(0);
    struct dd_org_new o = *in;
    struct org_errors errs = {0};
    int64_t made = 0;
    int rc = org_check_new(db, a, &o, &errs);
    if (rc == DD_OK && errs.n > 0) {
        org_errors_sentence(&errs, err, errlen);
        rc = DD_EINVAL;
    } else if (rc != DD_OK) {
        db_error(db, rc, err, errlen);
    } else {
        rc = dd_db_begin(db);
        if (rc == DD_OK)
            rc = org_insert(db, &o, actor, dd_clock_now_ms(), &made);
        if (rc == DD_EEXIST) {
            dd_db_rollback(db);
            snprintf(err, errlen, "registration_number: another organisation has %s",
                     o.registration_number);
        } else {
            rc = commit(db, rc, err, errlen);
        }
    }
    dd_arena_free(a);
    if (rc == DD_OK && id)
        *id = made;
    return rc;
}

int
dd_org_set_suspended(struct dd_db *db, int64_t id, bool suspend, const char *reason,
                     const char *actor, char *err, size_t errlen)
{
    if (reason == NULL || reason[0] == '\0') {
        snprintf(err, errlen, "a reason is required");
        return DD_EINVAL;
    }
    struct dd_arena *a = dd_arena_new(0);
    struct org o = {0};
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = org_load(db, a, id, &o);
    bool suspended = rc == DD_OK && strcmp(o.status, "suspended") == 0;
    if (rc == DD_OK && suspended == suspend)
        rc = DD_ECONFLICT;
    if (rc == DD_OK)
        rc = org_set_status(db, &o, suspend ? "suspended" : "active", reason, actor,
                            dd_clock_now_ms());
    if (rc == DD_ENOTFOUND || rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        snprintf(err, errlen,
                 rc == DD_ENOTFOUND ? "no organisation %lld" : "organisation %lld is %s",
                 (long long)id, suspended ? "suspended already" : "not suspended");
    } else {
        rc = commit(db, rc, err, errlen);
    }
    dd_arena_free(a);
    return rc;
}

int
dd_org_list_print(struct dd_db *db, FILE *out, char *err, size_t errlen)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, kind, status, province_code, commune_code, "
                           "registration_number, name FROM organisations ORDER BY id",
                           &st);
    if (rc != DD_OK)
        return db_error(db, rc, err, errlen);
    fprintf(out, "%-6s %-16s %-10s %-9s %-15s %s\n", "ID", "KIND", "STATUS", "AREA", "REGISTRATION",
            "NAME");
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *reg = dd_stmt_text(st, 5);
        fprintf(out, "%-6lld %-16s %-10s %s-%-6s %-15s %s\n", (long long)dd_stmt_int64(st, 0),
                dd_stmt_text(st, 1), dd_stmt_text(st, 2), dd_stmt_text(st, 3), dd_stmt_text(st, 4),
                reg && reg[0] ? reg : "-", dd_stmt_text(st, 6));
    }
    dd_stmt_reset(st);
    return rc < 0 ? db_error(db, rc, err, errlen) : DD_OK;
}

/* Checks the staff member and the password; DD_EINVAL with a sentence. */
static int
check_staff(struct dd_arena *a, struct dd_org_staff_new *s, const char *password, char *err,
            size_t errlen)
{
    struct org_errors errs = {0};
    org_check_staff(a, s, false, &errs);
    if (errs.n > 0) {
        org_errors_sentence(&errs, err, errlen);
        return DD_EINVAL;
    }
    enum dd_password_rule r =
        password ? dd_password_check(password, s->username, s->id_number) : DD_PASSWORD_OK;
    if (r != DD_PASSWORD_OK) {
        snprintf(err, errlen, "password: %s", dd_password_rule_info(r)->message_en);
        return DD_EINVAL;
    }
    return DD_OK;
}

int
dd_org_staff_add(struct dd_db *db, const struct dd_org_staff_new *in, const char *password,
                 const char *actor, int64_t *account_id, char *err, size_t errlen)
{
    struct dd_arena *a = dd_arena_new(0);
    struct dd_org_staff_new s = *in;
    char hash[DD_PASSWORD_HASH_MAX] = "";
    int64_t made = 0;
    struct org o;
    int rc = check_staff(a, &s, password, err, errlen);
    if (rc == DD_OK && password && dd_password_hash(password, hash) != DD_OK) {
        snprintf(err, errlen, "the password could not be hashed");
        rc = DD_EINTERNAL;
    }
    if (rc == DD_OK) {
        rc = dd_db_begin(db);
        if (rc == DD_OK)
            rc = org_load(db, a, s.org_id, &o);
        if (rc == DD_OK)
            rc = org_staff_insert(db, &s, hash, actor, dd_clock_now_ms(), &made);
        if (rc == DD_ENOTFOUND || rc == DD_EEXIST) {
            dd_db_rollback(db);
            if (rc == DD_ENOTFOUND)
                snprintf(err, errlen, "no organisation %lld", (long long)s.org_id);
            else
                snprintf(err, errlen, "username: '%s' is taken", s.username);
        } else {
            rc = commit(db, rc, err, errlen);
        }
    }
    dd_arena_free(a);
    if (rc == DD_OK && account_id)
        *account_id = made;
    return rc;
}

int
dd_org_staff_end(struct dd_db *db, int64_t org_id, const char *username, const char *reason,
                 const char *actor, char *err, size_t errlen)
{
    struct dd_arena *a = dd_arena_new(0);
    struct org_member m;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = org_member_load(db, a, org_id, 0, username, &m);
    if (rc == DD_OK && m.ended_at[0])
        rc = DD_ENOTFOUND;
    if (rc == DD_OK)
        rc = org_staff_end(db, &m, reason, actor, dd_clock_now_ms());
    if (rc == DD_ENOTFOUND) {
        dd_db_rollback(db);
        snprintf(err, errlen, "%s is no current member of organisation %lld", username,
                 (long long)org_id);
    } else {
        rc = commit(db, rc, err, errlen);
    }
    dd_arena_free(a);
    return rc;
}

int
dd_org_staff_print(struct dd_db *db, int64_t org_id, FILE *out, char *err, size_t errlen)
{
    struct dd_arena *a = dd_arena_new(0);
    struct org o;
    int rc = org_load(db, a, org_id, &o);
    json_t *items = json_array();
    int64_t cursor = 0;
    if (rc == DD_OK)
        fprintf(out, "%-24s %-8s %-11s %-5s %-24s %s\n", "USERNAME", "ROLE", "STATUS", "2FA",
                "ENDED", "NAME");
    do {
        json_array_clear(items);
        if (rc == DD_OK)
            rc = org_staff_page(db, a, org_id, 500, cursor, items, &cursor);
        size_t i;
        json_t *m;
        json_array_foreach(items, i, m)
        {
            const char *ended = json_string_value(json_object_get(m, "ended_at"));
            const char *status = ended                                              ? "ended"
                                 : json_is_true(json_object_get(m, "has_password")) ? "active"
                                                                                    : "no-password";
            fprintf(out, "%-24s %-8s %-11s %-5s %-24s %s\n",
                    json_string_value(json_object_get(m, "username")),
                    json_string_value(json_object_get(m, "role")), status,
                    json_is_true(json_object_get(m, "second_factor")) ? "totp" : "-",
                    ended ? ended : "-", json_string_value(json_object_get(m, "display_name")));
        }
    } while (rc == DD_OK && cursor != 0);
    json_decref(items);
    dd_arena_free(a);
    if (rc == DD_ENOTFOUND)
        snprintf(err, errlen, "no organisation %lld", (long long)org_id);
    else if (rc != DD_OK)
        db_error(db, rc, err, errlen);
    return rc;
}
