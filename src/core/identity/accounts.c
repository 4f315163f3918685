/*
 * accounts.c — the `accounts` row as the module reads it (with the officers row linked to it, or
 * a staff member's current organisation), logins as typed, the account as JSON for its owner,
 * and the principal an account gives.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/internal.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *
id_login_canon(struct dd_arena *a, const char *typed)
{
    if (typed == NULL)
        return NULL;
    while (*typed == ' ')
        typed++;
    size_t n = strlen(typed);
    while (n > 0 && typed[n - 1] == ' ')
        n--;
    if (n == 0 || n > ID_LOGIN_MAX)
        return NULL;
    char *out = dd_arena_strndup(a, typed, n);
    bool passport = n > 2 && (out[0] == 'p' || out[0] == 'P') && out[1] == ':';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x21 || c > 0x7e)
            return NULL;
        out[i] = (char)(passport ? toupper(c) : tolower(c));
    }
    return out;
}

#define ACCOUNT_COLUMNS                                                                            \
    "a.id, a.kind, a.login, a.id_number, a.nationality, a.passport_number, a.display_name, "       \
    "a.birth_date, a.phone, a.email, a.level, a.status, a.status_reason, a.password_hash, "        \
    "a.totp_secret, a.totp_pending, a.totp_last_step, a.failed_logins, a.locked_until, "           \
    "a.guardian_id, a.portrait_ref, a.level2_by, a.level2_at, a.level2_card_check, "               \
    "a.level2_face_check, a.created_at, o.id, o.role, o.province_code, o.commune_code, "           \
    "o.agency, o.disabled, m.org_id, m.role, g.name, g.kind, g.province_code, g.commune_code, "    \
    "g.status FROM accounts a LEFT JOIN officers o ON o.account_id = a.id " ID_ORG_JOIN

static const char *
text(struct dd_arena *a, struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return dd_arena_strdup(a, s ? s : "");
}

static void
read_row(struct dd_arena *a, struct dd_stmt *st, struct id_account *acc)
{
    memset(acc, 0, sizeof *acc);
    int c = 0;
    acc->id = dd_stmt_int64(st, c++);
    acc->kind = text(a, st, c++);
    acc->login = text(a, st, c++);
    acc->id_number = text(a, st, c++);
    acc->nationality = text(a, st, c++);
    acc->passport_number = text(a, st, c++);
    acc->display_name = text(a, st, c++);
    acc->birth_date = text(a, st, c++);
    acc->phone = text(a, st, c++);
    acc->email = text(a, st, c++);
    acc->level = (int)dd_stmt_int64(st, c++);
    acc->status = text(a, st, c++);
    acc->status_reason = text(a, st, c++);
    acc->password_hash = text(a, st, c++);
    acc->totp_secret = text(a, st, c++);
    acc->totp_pending = text(a, st, c++);
    acc->totp_last_step = dd_stmt_int64(st, c++);
    acc->failed_logins = dd_stmt_int64(st, c++);
    acc->locked_until = text(a, st, c++);
    acc->guardian_id = dd_stmt_int64(st, c++);
    acc->portrait_ref = text(a, st, c++);
    acc->level2_by = text(a, st, c++);
    acc->level2_at = text(a, st, c++);
    acc->level2_card_check = text(a, st, c++);
    acc->level2_face_check = text(a, st, c++);
    acc->created_at = text(a, st, c++);
    acc->officer_id = dd_stmt_int64(st, c++);
    acc->role = text(a, st, c++);
    acc->province = text(a, st, c++);
    acc->commune = text(a, st, c++);
    acc->agency = text(a, st, c++);
    acc->officer_disabled = dd_stmt_int64(st, c++) != 0;
    acc->org_id = dd_stmt_int64(st, c++);
    acc->org_role = text(a, st, c++);
    acc->org_name = text(a, st, c++);
    acc->org_kind = text(a, st, c++);
    acc->org_province = text(a, st, c++);
    acc->org_commune = text(a, st, c++);
    acc->org_status = text(a, st, c++);
}

static int
load(struct dd_db *db, struct dd_arena *a, const char *sql, const char *key, int64_t id,
     struct id_account *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    if (key)
        dd_stmt_bind_text(st, 1, key);
    else
        dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        read_row(a, st, out);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

int
id_account_by_login(struct dd_db *db, struct dd_arena *a, const char *login, struct id_account *out)
{
    return load(db, a, "SELECT " ACCOUNT_COLUMNS "WHERE a.login = ?", login, 0, out);
}

int
id_account_by_id(struct dd_db *db, struct dd_arena *a, int64_t id, struct id_account *out)
{
    return load(db, a, "SELECT " ACCOUNT_COLUMNS "WHERE a.id = ?", NULL, id, out);
}

static json_t *
string_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *
id_account_json(const struct id_account *acc)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(acc->id));
    json_object_set_new(j, "kind", json_string(acc->kind));
    json_object_set_new(j, "login", json_string(acc->login));
    json_object_set_new(j, "display_name", json_string(acc->display_name));
    json_object_set_new(j, "id_number", string_or_null(acc->id_number));
    if (acc->passport_number[0])
        json_object_set_new(j, "passport",
                            json_pack("{s:s, s:s}", "nationality", acc->nationality, "number",
                                      acc->passport_number));
    json_object_set_new(j, "birth_date", string_or_null(acc->birth_date));
    json_object_set_new(j, "phone", string_or_null(acc->phone));
    json_object_set_new(j, "email", string_or_null(acc->email));
    json_object_set_new(j, "level", json_integer(acc->level));
    json_object_set_new(j, "status", json_string(acc->status));
    json_object_set_new(j, "status_reason", string_or_null(acc->status_reason));
    json_object_set_new(j, "locked_until", string_or_null(acc->locked_until));
    json_object_set_new(j, "second_factor", json_boolean(acc->totp_secret[0] != '\0'));
    json_object_set_new(j, "guardian_id",
                        acc->guardian_id ? json_integer(acc->guardian_id) : json_null());
    json_object_set_new(j, "portrait_ref", string_or_null(acc->portrait_ref));
    json_t *l2 = json_null();
    if (acc->level2_at[0])
        l2 = json_pack("{s:s, s:s, s:s, s:s}", "by", acc->level2_by, "at", acc->level2_at,
                       "card_check", acc->level2_card_check, "face_check", acc->level2_face_check);
    json_object_set_new(j, "level2", l2);
    if (acc->officer_id)
        json_object_set_new(j, "officer",
                            json_pack("{s:I, s:s, s:s, s:o, s:s}", "id",
                                      (json_int_t)acc->officer_id, "role", acc->role, "province",
                                      acc->province, "commune", string_or_null(acc->commune),
                                      "agency", acc->agency));
    if (acc->org_id)
        json_object_set_new(j, "organisation",
                            json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)acc->org_id,
                                      "name", acc->org_name, "kind", acc->org_kind, "role",
                                      acc->org_role, "status", acc->org_status));
    json_object_set_new(j, "created_at", json_string(acc->created_at));
    return j;
}

int
id_account_set_status(struct dd_db *db, int64_t id, const char *status, const char *reason,
                      int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE accounts SET status = ?, status_reason = ?, updated_at = ? "
                           "WHERE id = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, status);
    dd_stmt_bind_text(st, 2, reason ? reason : "");
    dd_stmt_bind_text(st, 3, now);
    dd_stmt_bind_int64(st, 4, id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Copies UTF-8 text into out[0..size), cutting before a character that does not fit whole. */
static void
copy_utf8(char *out, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* The principal of a staff member: the organisation is who acts. Without a current membership
 * (org_id 0, no role) it is allowed nothing. */
static void
staff_principal(const struct id_account *acc, struct dd_principal *p)
{
    char both[sizeof p->display_name + sizeof p->agency + 4];
    snprintf(both, sizeof both, "%s (%s)", acc->display_name, acc->org_name);
    p->kind = DD_PRINCIPAL_ESTABLISHMENT;
    p->id = acc->org_id;
    copy_utf8(p->display_name, sizeof p->display_name, both);
    copy_utf8(p->agency, sizeof p->agency, acc->org_name);
    dd_strlcpy(p->role, acc->org_role, sizeof p->role);
    dd_strlcpy(p->province, acc->org_province, sizeof p->province);
    dd_strlcpy(p->commune, acc->org_commune, sizeof p->commune);
}

void
id_account_principal(const struct id_account *acc, struct dd_principal *p)
{
    memset(p, 0, sizeof *p);
    bool officer = acc->officer_id != 0 && strcmp(acc->kind, "officer") == 0;
    p->kind = officer ? DD_PRINCIPAL_OFFICER : DD_PRINCIPAL_CITIZEN;
    p->id = officer ? acc->officer_id : acc->id;
    p->account_id = acc->id;
    p->level = officer ? 2 : acc->level;
    dd_strlcpy(p->name, acc->login, sizeof p->name);
    copy_utf8(p->display_name, sizeof p->display_name, acc->display_name);
    dd_strlcpy(p->id_number, acc->id_number, sizeof p->id_number);
    if (officer) {
        dd_strlcpy(p->role, acc->role, sizeof p->role);
        dd_strlcpy(p->agency, acc->agency, sizeof p->agency);
        dd_strlcpy(p->province, acc->province, sizeof p->province);
        dd_strlcpy(p->commune, acc->commune, sizeof p->commune);
    }
    if (strcmp(acc->kind, "staff") == 0)
        staff_principal(acc, p);
}

const char *
id_mask_recipient(struct dd_arena *a, const char *r)
{
    size_t n = strlen(r);
    const char *at = strchr(r, '@');
    if (at)
        return dd_arena_printf(a, "%c***%s", r[0], at);
    if (n <= 4)
        return "***";
    char *out = dd_arena_strdup(a, r);
    for (size_t i = (r[0] == '+' ? 3 : 1); i + 2 < n; i++)
        out[i] = '*';
    return out;
}
