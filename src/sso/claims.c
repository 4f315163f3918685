/*
 * claims.c — scopes to claims, and their labels on the consent page.
 *
 *   openid       sub
 *   profile      name, family_name, given_name, birthdate, gender (from the register when the
 *                account is tied to a person, else the account's own name and date of birth)
 *   email        email
 *   phone        phone_number, phone_number_verified
 *   national_id  national_id: the 12-digit personal ID number
 *   residence    permanent_address {formatted, street_address, commune_code, commune_name,
 *                province_code, province_name}
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "sso/internal.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct scope_label {
    const char *scope;
    const char *claims;
    const char *vi;
    const char *en;
};

static const struct scope_label labels[] = {
    {"openid", "sub", "Mã định danh tài khoản của bạn đối với ứng dụng này",
     "Your account's identifier for this application"},
    {"profile", "name family_name given_name birthdate gender",
     "Họ và tên, họ, tên, ngày sinh, giới tính",
     "Full name, family name, given name, date of "
     "birth, gender"},
    {"email", "email", "Địa chỉ thư điện tử", "E-mail address"},
    {"phone", "phone_number phone_number_verified", "Số điện thoại", "Phone number"},
    {"national_id", "national_id", "Số định danh cá nhân (12 chữ số)",
     "Personal identification number (12 digits)"},
    {"residence", "permanent_address", "Nơi thường trú (địa chỉ, mã và tên xã, tỉnh)",
     "Permanent residence (address, commune and province code and name)"},
    {"offline_access", "", "Duy trì truy cập khi bạn không trực tuyến",
     "Keep access while you are not online"},
};

json_t *
sso_scope_labels(const char *scope, bool english)
{
    json_t *out = json_array();
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (!sso_has_word(scope, labels[i].scope))
            continue;
        json_t *claims = json_array();
        const char *p = labels[i].claims;
        while (*p) {
            size_t n = strcspn(p, " ");
            json_array_append_new(claims, json_stringn(p, n));
            p += n;
            while (*p == ' ')
                p++;
        }
        json_array_append_new(out,
                              json_pack("{s:s, s:o, s:s}", "scope", labels[i].scope, "claims",
                                        claims, "label", english ? labels[i].en : labels[i].vi));
    }
    return out;
}

/* A Vietnamese full name puts the family name first and the given name last ("Nguyễn Văn An":
 * family_name "Nguyễn", given_name "An"); a one-word name is a given name. */
static void
split_name(struct dd_arena *a, const char *full, const char **family, const char **given)
{
    const char *first_space = strchr(full, ' ');
    const char *last_space = strrchr(full, ' ');
    if (first_space == NULL) {
        *family = "";
        *given = full;
        return;
    }
    *family = dd_arena_strndup(a, full, (size_t)(first_space - full));
    *given = last_space + 1;
}

/* The person and their current permanent residence: the open period of `residences` when
 * there is one, else the address columns of `people`. */
static const char person_sql[] =
    "SELECT p.full_name, p.birth_date, p.sex, COALESCE(r.address, p.permanent_address), "
    "COALESCE(r.commune_code, p.permanent_commune), COALESCE(r.province_code, "
    "p.permanent_province) FROM people p LEFT JOIN residences r ON r.id = (SELECT r2.id FROM "
    "residences r2 WHERE r2.id_number = p.id_number AND r2.kind = 'permanent' AND r2.to_date = "
    "'' ORDER BY r2.from_date DESC, r2.id DESC LIMIT 1) WHERE p.id_number = ?";

/* The name of the unit in force today with that code ("" when unknown), in the arena. */
static const char *
unit_name(struct dd_db *db, struct dd_arena *a, const char *kind, const char *code,
          const char *province)
{
    struct dd_stmt *st;
    if (code == NULL || code[0] == '\0' ||
        dd_db_prepare(db,
                      "SELECT name FROM units WHERE kind = ? AND code = ? AND province_code = ? "
                      "AND COALESCE(valid_from, '') <= ? ORDER BY COALESCE(valid_from, '') DESC "
                      "LIMIT 1",
                      &st) != DD_OK)
        return "";
    dd_stmt_bind_text(st, 1, kind);
    dd_stmt_bind_text(st, 2, code);
    dd_stmt_bind_text(st, 3, province);
    char today[32];
    dd_clock_iso8601(dd_clock_now_ms(), today);
    today[10] = '\0';
    dd_stmt_bind_text(st, 4, today);
    const char *name = dd_stmt_step(st) == DD_DB_ROW ? dd_arena_strdup(a, dd_stmt_text(st, 0)) : "";
    dd_stmt_reset(st);
    return name;
}

static void
add_residence(json_t *out, struct dd_db *db, struct dd_arena *a, const char *street,
              const char *commune, const char *province)
{
    const char *commune_name = unit_name(db, a, "commune", commune, province);
    const char *province_name = unit_name(db, a, "province", province, province);
    char formatted[1024];
    snprintf(formatted, sizeof formatted, "%s%s%s%s%s", street, street[0] ? ", " : "", commune_name,
             commune_name[0] && province_name[0] ? ", " : "", province_name);
    json_object_set_new(out, "permanent_address",
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "formatted", formatted,
                                  "street_address", street, "commune_code", commune, "commune_name",
                                  commune_name, "province_code", province, "province_name",
                                  province_name));
}

json_t *
sso_claims(struct dd_db *db, struct dd_arena *a, const struct sso_session *acct, const char *scope)
{
    json_t *out = json_object();
    bool profile = sso_has_word(scope, "profile");
    bool residence = sso_has_word(scope, "residence");
    bool person = acct->id_number && dd_str_all_digits(acct->id_number, 12);
    /* st stays set only while it holds the person's row. */
    struct dd_stmt *st = NULL;
    if (person && (profile || residence) && dd_db_prepare(db, person_sql, &st) == DD_OK) {
        dd_stmt_bind_text(st, 1, acct->id_number);
        if (dd_stmt_step(st) != DD_DB_ROW) {
            dd_stmt_reset(st);
            st = NULL;
        }
    }
    bool found = st != NULL;
    if (profile) {
        const char *name = st ? dd_stmt_text(st, 0) : acct->display_name;
        const char *family, *given;
        split_name(a, name, &family, &given);
        json_object_set_new(out, "name", json_string(name));
        json_object_set_new(out, "family_name", json_string(family));
        json_object_set_new(out, "given_name", json_string(given));
        const char *birth = st ? dd_stmt_text(st, 1) : acct->birth_date;
        if (birth && birth[0])
            json_object_set_new(out, "birthdate", json_string(birth));
        if (st)
            json_object_set_new(out, "gender", json_string(dd_stmt_text(st, 2)));
    }
    const char *street = st ? dd_arena_strdup(a, dd_stmt_text(st, 3)) : "";
    const char *commune = st ? dd_arena_strdup(a, dd_stmt_text(st, 4)) : "";
    const char *province = st ? dd_arena_strdup(a, dd_stmt_text(st, 5)) : "";
    if (st)
        dd_stmt_reset(st);
    if (residence && found && commune[0])
        add_residence(out, db, a, street, commune, province);
    if (sso_has_word(scope, "email") && acct->email && acct->email[0])
        json_object_set_new(out, "email", json_string(acct->email));
    if (sso_has_word(scope, "phone") && acct->phone && acct->phone[0]) {
        json_object_set_new(out, "phone_number", json_string(acct->phone));
        json_object_set_new(out, "phone_number_verified", json_true());
    }
    if (sso_has_word(scope, "national_id") && person)
        json_object_set_new(out, "national_id", json_string(acct->id_number));
    return dd_json_keep(a, out);
}
