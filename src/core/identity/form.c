/*
 * form.c — reading the module's JSON bodies field by field, so that one 400 reply lists every
 * problem at once (validation-failed with {field, code, message}), and the paging arguments of
 * its lists.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/identity/internal.h"
#include "crypto/password.h"
#include "http/list.h"
#include "http/problem.h"
#include "http/req.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool
listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

void
id_form_error(struct id_form *f, const char *field, const char *code, const char *vi,
              const char *en)
{
    f->ext = dd_problem_add_error(f->ext, f->req, field, code, vi, en);
}

void
id_form_init(struct id_form *f, struct dd_req *req, const char *const *allowed)
{
    f->req = req;
    f->ext = NULL;
    f->body = json_is_object(req->json) ? req->json : NULL;
    if (f->body == NULL) {
        id_form_error(f, "body", "object-expected", "Nội dung phải là một đối tượng JSON.",
                      "The body must be a JSON object.");
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(f->body, key, value)
    {
        if (!listed(allowed, key))
            id_form_error(f, dd_arena_strdup(req->arena, key), "unknown-field",
                          "Trường này không được nhận ở đây.", "This field is not accepted here.");
    }
}

/* The member `name`, or NULL when absent or null (an error when required). */
static json_t *
member(struct id_form *f, const char *name, bool required)
{
    json_t *v = f->body ? json_object_get(f->body, name) : NULL;
    if (v && !json_is_null(v))
        return v;
    if (required && f->body)
        id_form_error(f, name, "required", "Trường này là bắt buộc.", "This field is required.");
    return NULL;
}

const char *
id_form_string(struct id_form *f, const char *name, bool required, size_t max)
{
    json_t *v = member(f, name, required);
    if (v == NULL)
        return NULL;
    if (!json_is_string(v)) {
        id_form_error(f, name, "type-string", "Giá trị phải là một chuỗi.",
                      "The value must be a string.");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 && required) {
        id_form_error(f, name, "required", "Trường này là bắt buộc.", "This field is required.");
        return NULL;
    }
    if (n > max || strlen(s) != n || dd_str_has_control(s)) {
        char vi[160], en[160];
        snprintf(vi, sizeof vi, "Tối đa %zu byte, không có ký tự điều khiển.", max);
        snprintf(en, sizeof en, "At most %zu bytes, without control characters.", max);
        id_form_error(f, name, "text-invalid", vi, en);
        return NULL;
    }
    return dd_utf8_nfc(f->req->arena, s);
}

static bool
date_shape_ok(const char *s, bool partial_ok)
{
    size_t n = strlen(s);
    if (n != 10 && !(partial_ok && (n == 4 || n == 7)))
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    int y, m = 1, d = 1;
    if (sscanf(s, "%4d", &y) != 1 || (n >= 7 && sscanf(s + 5, "%2d", &m) != 1) ||
        (n == 10 && sscanf(s + 8, "%2d", &d) != 1))
        return false;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1] || (m == 2 && d == 29 && !leap))
        return false;
    return true;
}

const char *
id_form_date(struct id_form *f, const char *name, bool required, bool partial_ok)
{
    const char *s = id_form_string(f, name, required, 10);
    if (s == NULL)
        return NULL;
    char today[11];
    id_today(dd_clock_now_ms(), today);
    if (!date_shape_ok(s, partial_ok) || strncmp(s, today, strlen(s)) > 0) {
        id_form_error(f, name, "date-invalid",
                      partial_ok ? "Ngày phải có dạng NNNN-TT-NN (hoặc NNNN, NNNN-TT), là ngày có "
                                   "thật và không ở tương lai."
                                 : "Ngày phải có dạng NNNN-TT-NN, là ngày có thật và không ở "
                                   "tương lai.",
                      partial_ok ? "The date must be YYYY-MM-DD (or YYYY, YYYY-MM), real and not "
                                   "in the future."
                                 : "The date must be YYYY-MM-DD, real and not in the future.");
        return NULL;
    }
    return s;
}

const char *
id_phone_canon(struct dd_arena *a, const char *s)
{
    size_t n = strlen(s);
    bool plus = s[0] == '+';
    bool ok = plus ? n >= 9 && n <= 16 && dd_str_all_digits(s + 1, n - 1)
                   : n == 10 && s[0] == '0' && dd_str_all_digits(s, n);
    if (!ok)
        return NULL;
    return plus ? dd_arena_strdup(a, s) : dd_arena_printf(a, "+84%s", s + 1);
}

const char *
id_form_phone(struct id_form *f, const char *name, bool required)
{
    const char *s = id_form_string(f, name, required, 20);
    if (s == NULL)
        return NULL;
    const char *canon = id_phone_canon(f->req->arena, s);
    if (canon == NULL)
        id_form_error(f, name, "phone-invalid",
                      "Số điện thoại dạng +84… (8–15 chữ số) hoặc 0 và 9 chữ số.",
                      "A phone number as +84… (8–15 digits) or 0 and 9 digits.");
    return canon;
}

const char *
id_email_canon(struct dd_arena *a, const char *s)
{
    const char *at = strchr(s, '@');
    bool ok = strlen(s) <= 254 && at && at > s && strchr(at + 1, '@') == NULL &&
              strchr(at + 1, '.') && at[1] != '.' && s[strlen(s) - 1] != '.';
    for (const char *p = s; ok && *p; p++)
        if (*p == ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',' || (*p & 0x80))
            ok = false;
    if (!ok)
        return NULL;
    char *lower = dd_arena_strdup(a, s);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return lower;
}

const char *
id_form_email(struct id_form *f, const char *name, bool required)
{
    const char *s = id_form_string(f, name, required, 254);
    if (s == NULL)
        return NULL;
    const char *canon = id_email_canon(f->req->arena, s);
    if (canon == NULL)
        id_form_error(f, name, "email-invalid", "Địa chỉ thư điện tử dạng ten@mien.vn.",
                      "An e-mail address as name@domain.");
    return canon;
}

const char *
id_form_id_number(struct id_form *f, const char *name, bool required)
{
    const char *s = id_form_string(f, name, required, 12);
    if (s && !dd_str_all_digits(s, 12)) {
        id_form_error(f, name, "id-invalid", "Số định danh cá nhân gồm 12 chữ số.",
                      "A personal ID number is 12 digits.");
        return NULL;
    }
    return s;
}

const char *
id_form_password(struct id_form *f, const char *name, const char *login, const char *id_number)
{
    json_t *v = member(f, name, true);
    if (v == NULL)
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        id_form_error(f, name, "type-string", "Giá trị phải là một chuỗi.",
                      "The value must be a string.");
        return NULL;
    }
    const char *pw = json_string_value(v);
    enum dd_password_rule r = dd_password_check(pw, login, id_number);
    if (r != DD_PASSWORD_OK) {
        const struct dd_password_rule_info *i = dd_password_rule_info(r);
        id_form_error(f, name, i->code, i->message_vi, i->message_en);
        return NULL;
    }
    return pw;
}

const char *
id_form_enum(struct id_form *f, const char *name, bool required, const char *const *values)
{
    const char *s = id_form_string(f, name, required, 64);
    if (s && !listed(values, s)) {
        char vi[200] = "Giá trị phải là một trong:", en[200] = "The value must be one of:";
        for (const char *const *v = values; *v; v++) {
            size_t nv = strlen(vi), ne = strlen(en);
            snprintf(vi + nv, sizeof vi - nv, " %s", *v);
            snprintf(en + ne, sizeof en - ne, " %s", *v);
        }
        id_form_error(f, name, "value-invalid", vi, en);
        return NULL;
    }
    return s;
}

int64_t
id_form_int(struct id_form *f, const char *name, bool required, int64_t min, int64_t max,
            int64_t dflt)
{
    json_t *v = member(f, name, required);
    if (v == NULL)
        return dflt;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char vi[120], en[120];
        snprintf(vi, sizeof vi, "Số nguyên từ %lld đến %lld.", (long long)min, (long long)max);
        snprintf(en, sizeof en, "A whole number from %lld to %lld.", (long long)min,
                 (long long)max);
        id_form_error(f, name, "integer-invalid", vi, en);
        return dflt;
    }
    return json_integer_value(v);
}

int
id_form_done_or_reply(struct id_form *f)
{
    if (f->ext == NULL)
        return 0;
    dd_reply_problem(f->req, DD_PROBLEM_VALIDATION_FAILED, f->ext);
    f->ext = NULL;
    return -1;
}

int
id_page_or_reply(struct dd_req *req, int *limit, int64_t *cursor)
{
    const char *c = dd_req_query(req, "cursor");
    int64_t at = 0;
    json_t *ext = dd_list_limit(req, NULL, limit);
    if (c && dd_parse_int64(c, 1, INT64_MAX, &at) != DD_OK)
        ext = dd_problem_add_error(ext, req, "cursor", "cursor-invalid",
                                   "cursor là giá trị next_cursor của trang trước.",
                                   "cursor is the next_cursor of the previous page.");
    if (ext) {
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return -1;
    }
    *cursor = at;
    return 0;
}
