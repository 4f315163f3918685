/*
 * org_check.c — the checks of a new organisation and a new staff member, shared by the command
 * line and the API: every broken rule is collected with its field, a stable code and a
 * sentence in Vietnamese and English, so that one reply (or one line) tells them all.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/identity/org_internal.h"
#include "core/units/units.h"
#include "http/problem.h"
#include "http/req.h"

#include <stdio.h>
#include <string.h>

void
org_error(struct org_errors *errs, const char *field, const char *code, const char *vi,
          const char *en)
{
    if (errs->n >= ORG_ERRORS_MAX)
        return;
    errs->e[errs->n].field = field;
    errs->e[errs->n].code = code;
    errs->e[errs->n].vi = vi;
    errs->e[errs->n].en = en;
    errs->n++;
}

const char *
org_text(struct org_errors *errs, struct dd_arena *a, const char *field, const char *s,
         bool required, size_t max)
{
    while (s && *s == ' ')
        s++;
    size_t n = s ? strlen(s) : 0;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0) {
        if (required)
            org_error(errs, field, "required", "Trường này là bắt buộc.",
                      "This field is required.");
        return NULL;
    }
    const char *t = dd_arena_strndup(a, s, n);
    const char *nfc =
        dd_utf8_valid(t, n, NULL) && !dd_str_has_control(t) ? dd_utf8_nfc(a, t) : NULL;
    if (nfc == NULL || strlen(nfc) > max) {
        org_error(
            errs, field, "text-invalid",
            dd_arena_printf(a, "Tối đa %zu byte UTF-8, không có ký tự điều khiển.", max),
            dd_arena_printf(a, "At most %zu bytes of UTF-8, without control characters.", max));
        return NULL;
    }
    return nfc;
}

/* A real date YYYY-MM-DD, or NULL after an error. */
static const char *
date(struct org_errors *errs, struct dd_arena *a, const char *field, const char *s)
{
    const char *t = org_text(errs, a, field, s, false, 10);
    if (t && !dd_units_date_valid(t)) {
        org_error(errs, field, "date-invalid", "Ngày phải có dạng NNNN-TT-NN và là ngày có thật.",
                  "The date must be YYYY-MM-DD and real.");
        return NULL;
    }
    return t;
}

/* 10 digits, or 10 digits, a dash and 3 digits (a branch). */
static bool
registration_number_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 10 && n != 14)
        return false;
    for (size_t i = 0; i < n; i++)
        if (i == 10 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

/* The licence's fields: a number when any is given, dates that make sense today. */
static void
check_licence(struct org_errors *errs, struct dd_arena *a, struct dd_org_new *o)
{
    o->licence_number =
        org_text(errs, a, "licence_number", o->licence_number, false, ORG_LICENCE_MAX);
    o->licence_issuer =
        org_text(errs, a, "licence_issuer", o->licence_issuer, false, ORG_ISSUER_MAX);
    o->licence_issued_on = date(errs, a, "licence_issued_on", o->licence_issued_on);
    o->licence_expires_on = date(errs, a, "licence_expires_on", o->licence_expires_on);
    char today[11];
    dd_units_today(today);
    if (o->licence_number == NULL &&
        (o->licence_issuer || o->licence_issued_on || o->licence_expires_on))
        org_error(errs, "licence_number", "licence-number-required",
                  "Ghi số giấy phép cùng với các thông tin khác của giấy phép.",
                  "Give the licence's number with its other details.");
    if (o->licence_issued_on && strcmp(o->licence_issued_on, today) > 0)
        org_error(errs, "licence_issued_on", "date-in-future", "Ngày cấp không ở tương lai.",
                  "The date of issue cannot be in the future.");
    if (o->licence_expires_on && strcmp(o->licence_expires_on, today) < 0)
        org_error(errs, "licence_expires_on", "licence-expired", "Giấy phép đã hết hạn.",
                  "The licence has expired.");
    else if (o->licence_expires_on && o->licence_issued_on &&
             strcmp(o->licence_expires_on, o->licence_issued_on) < 0)
        org_error(errs, "licence_expires_on", "date-order", "Ngày hết hạn phải sau ngày cấp.",
                  "The expiry must come after the issue.");
}

/* An organisation's phone in E.164: a mobile number as accounts take it, or a landline (0,
 * the area code and the number: 11 digits). NULL when it is neither. */
static const char *
landline_or_mobile(struct dd_arena *a, const char *s)
{
    if (strlen(s) == 11 && s[0] == '0' && dd_str_all_digits(s, 11))
        return dd_arena_printf(a, "+84%s", s + 1);
    return id_phone_canon(a, s);
}

/* The kinds as one sentence each language ("hotel, guesthouse, …"). */
static void
kind_error(struct org_errors *errs, struct dd_arena *a)
{
    char list[400] = "";
    for (const struct dd_org_kind *k = dd_org_kinds(); k->name; k++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", k->name);
    }
    org_error(errs, "kind", "value-invalid",
              dd_arena_printf(a, "Loại cơ sở là một trong: %s.", list),
              dd_arena_printf(a, "The kind is one of: %s.", list));
}

int
org_check_new(struct dd_db *db, struct dd_arena *a, struct dd_org_new *o, struct org_errors *errs)
{
    o->kind = org_text(errs, a, "kind", o->kind, true, 32);
    if (o->kind && dd_org_kind(o->kind) == NULL)
        kind_error(errs, a);
    o->name = org_text(errs, a, "name", o->name, true, ORG_NAME_MAX);
    o->registration_number =
        org_text(errs, a, "registration_number", o->registration_number, false, 14);
    if (o->registration_number && !registration_number_ok(o->registration_number))
        org_error(errs, "registration_number", "registration-number-invalid",
                  "Mã số doanh nghiệp (mã số thuế) gồm 10 chữ số, hoặc 10 chữ số, dấu gạch và 3 "
                  "chữ số với chi nhánh.",
                  "An enterprise (tax) code is 10 digits, or 10 digits, a dash and 3 digits for "
                  "a branch.");
    check_licence(errs, a, o);
    o->address = org_text(errs, a, "address", o->address, true, ORG_ADDRESS_MAX);
    const char *phone = org_text(errs, a, "phone", o->phone, false, 20);
    o->phone = phone ? landline_or_mobile(a, phone) : NULL;
    if (phone && o->phone == NULL)
        org_error(errs, "phone", "phone-invalid",
                  "Số điện thoại dạng +84… (8–15 chữ số) hoặc 0 và 9 hay 10 chữ số.",
                  "A phone number as +84… (8–15 digits) or 0 and 9 or 10 digits.");
    o->province = org_text(errs, a, "province", o->province, true, 2);
    o->commune = org_text(errs, a, "commune", o->commune, true, 5);
    bool codes = o->province && dd_str_all_digits(o->province, 2) && o->commune &&
                 dd_str_all_digits(o->commune, 5);
    if (o->province && !dd_str_all_digits(o->province, 2))
        org_error(errs, "province", "province-invalid", "Mã tỉnh gồm 2 chữ số.",
                  "A province code is 2 digits.");
    if (o->commune && !dd_str_all_digits(o->commune, 5))
        org_error(errs, "commune", "commune-invalid", "Mã xã gồm 5 chữ số.",
                  "A commune code is 5 digits.");
    int rc = codes ? dd_units_commune_exists(db, o->province, o->commune, NULL) : 1;
    if (rc < 0)
        return rc;
    if (rc == 0)
        org_error(errs, "commune", "commune-unknown",
                  "Không có đơn vị hành chính cấp xã đang có hiệu lực mang mã này trong tỉnh.",
                  "No commune in force today has this code in the province.");
    return DD_OK;
}

static bool
username_ok(const char *s)
{
    size_t n = strlen(s);
    bool letter = false;
    if (n < 3 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        letter = letter || (c >= 'a' && c <= 'z');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return letter;
}

void
org_check_staff(struct dd_arena *a, struct dd_org_staff_new *s, bool contact_required,
                struct org_errors *errs)
{
    s->username = org_text(errs, a, "username", s->username, true, 32);
    if (s->username && !username_ok(s->username))
        org_error(errs, "username", "username-invalid",
                  "Tên đăng nhập 3–32 ký tự a-z 0-9 . _ -, có ít nhất một chữ cái.",
                  "A username is 3-32 of a-z 0-9 . _ - with at least one letter.");
    s->display_name = org_text(errs, a, "display_name", s->display_name, true, ORG_STAFF_MAX);
    s->role = org_text(errs, a, "role", s->role, true, 16);
    if (s->role && !dd_org_role_grants(s->role, NULL))
        org_error(errs, "role", "value-invalid", "Vai trò là owner, manager hoặc clerk.",
                  "The role is owner, manager or clerk.");
    const char *phone = org_text(errs, a, "phone", s->phone, false, 20);
    s->phone = phone ? id_phone_canon(a, phone) : NULL;
    if (phone && s->phone == NULL)
        org_error(errs, "phone", "phone-invalid",
                  "Số điện thoại dạng +84… (8–15 chữ số) hoặc 0 và 9 chữ số.",
                  "A phone number as +84… (8–15 digits) or 0 and 9 digits.");
    const char *email = org_text(errs, a, "email", s->email, false, 254);
    s->email = email ? id_email_canon(a, email) : NULL;
    if (email && s->email == NULL)
        org_error(errs, "email", "email-invalid", "Địa chỉ thư điện tử dạng ten@mien.vn.",
                  "An e-mail address as name@domain.");
    if (contact_required && phone == NULL && email == NULL)
        org_error(errs, "email", "contact-required",
                  "Cần số điện thoại hoặc thư điện tử để gửi mã đặt mật khẩu.",
                  "A phone number or an e-mail address is needed to send the code that sets the "
                  "password.");
    s->id_number = org_text(errs, a, "id_number", s->id_number, false, 12);
    if (s->id_number && !dd_str_all_digits(s->id_number, 12))
        org_error(errs, "id_number", "id-invalid", "Số định danh cá nhân gồm 12 chữ số.",
                  "A personal ID number is 12 digits.");
}

void
org_errors_sentence(const struct org_errors *errs, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", errs->n == 0 ? "invalid input" : "");
    for (int i = 0; i < errs->n; i++) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, "%s%s: %s", i ? "; " : "", errs->e[i].field, errs->e[i].en);
    }
}

int
org_errors_reply(struct dd_req *req, const struct org_errors *errs)
{
    json_t *ext = NULL;
    for (int i = 0; i < errs->n; i++)
        ext = dd_problem_add_error(ext, req, errs->e[i].field, errs->e[i].code, errs->e[i].vi,
                                   errs->e[i].en);
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_DONE;
}
