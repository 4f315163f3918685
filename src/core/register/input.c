/*
 * input.c — reading what an officer sends: the purpose of a change, the ETag precondition, and
 * JSON bodies read field by field so that one 400 reply lists every problem at once.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/purpose.h"
#include "core/register/api.h"
#include "core/units/units.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

const char *
reg_change_purpose(struct dd_req *req, const char *reason)
{
    const char *purpose = dd_purpose(req);
    return purpose ? purpose : reason;
}

bool
dd_reg_id_number_shape(const char *s)
{
    if (s == NULL || strlen(s) != 12)
        return false;
    for (int i = 0; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int
reg_person_not_found(struct dd_req *req)
{
    return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND,
                                   "Không có người mang số định danh này trong địa bàn của bạn.",
                                   "No person with this ID number in your area.", NULL);
}

int
reg_person_or_reply(struct dd_req *req, struct dd_db *db, const char *id, struct dd_reg_person *out)
{
    int rc =
        dd_reg_id_number_shape(id) ? dd_reg_person_load(db, req->arena, id, out) : DD_ENOTFOUND;
    if (rc == DD_OK && !dd_reg_area_sees(req->who, out))
        rc = DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        reg_person_not_found(req);
    else if (rc != DD_OK)
        reg_fail(req, db, rc);
    return rc;
}

void
reg_etag(int64_t version, char out[32])
{
    snprintf(out, 32, "\"v%lld\"", (long long)version);
}

/* True if the If-Match list holds the etag (strong comparison: W/ tags never match). */
static bool
if_match_holds(const char *header, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && strncmp(p, etag, n) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

int
reg_if_match_or_reply(struct dd_req *req, int64_t version, bool required)
{
    const char *h = dd_req_header(req, "If-Match");
    if (h == NULL && !required)
        return DD_OK;
    if (h == NULL || strcmp(h, "*") == 0) {
        json_t *ext = dd_problem_add_error(
            NULL, req, "If-Match", "if-match-required",
            "Cần tiêu đề If-Match với ETag nhận được khi đọc hồ sơ (ví dụ \"v3\").",
            "The If-Match header must carry the ETag from reading the record (e.g. \"v3\").");
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return DD_EINVAL;
    }
    char etag[32];
    reg_etag(version, etag);
    if (if_match_holds(h, etag))
        return DD_OK;
    dd_reply_header(req, "ETag", etag);
    dd_reply_problem(req, DD_PROBLEM_PRECONDITION_FAILED, NULL);
    return DD_ECONFLICT;
}

/* --- bodies --- */

static bool
allowed_name(const char *const *allowed, const char *name)
{
    for (; *allowed; allowed++)
        if (strcmp(*allowed, name) == 0)
            return true;
    return false;
}

void
reg_form_error(struct reg_form *f, const char *field, const char *code, const char *vi,
               const char *en)
{
    f->ext = dd_problem_add_error(f->ext, f->req, field, code, vi, en);
}

void
reg_form_init(struct reg_form *f, struct dd_req *req, const char *const *allowed)
{
    f->req = req;
    f->db = NULL;
    f->ext = NULL;
    f->failure = 0;
    f->body = json_is_object(req->json) ? req->json : NULL;
    if (f->body == NULL) {
        reg_form_error(f, "body", "object-expected", "Nội dung phải là một đối tượng JSON.",
                       "The body must be a JSON object.");
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(f->body, key, value)
    {
        if (!allowed_name(allowed, key))
            reg_form_error(f, dd_arena_strdup(req->arena, key), "unknown-field",
                           "Trường này không được nhận ở đây.", "This field is not accepted here.");
    }
}

const char *
reg_form_string(struct reg_form *f, const char *name, bool required, size_t max)
{
    json_t *v = f->body ? json_object_get(f->body, name) : NULL;
    if (v == NULL || json_is_null(v) ||
        (json_is_string(v) && json_string_length(v) == 0 && required)) {
        if (required && f->body)
            reg_form_error(f, name, "required", "Trường này là bắt buộc.",
                           "This field is required.");
        return NULL;
    }
    if (!json_is_string(v)) {
        reg_form_error(f, name, "type-string", "Giá trị phải là một chuỗi.",
                       "The value must be a string.");
        return NULL;
    }
    const char *s = json_string_value(v);
    if (json_string_length(v) > max || strlen(s) != json_string_length(v) ||
        dd_str_has_control(s)) {
        char vi[160], en[160];
        snprintf(vi, sizeof vi, "Tối đa %zu byte, không có ký tự điều khiển.", max);
        snprintf(en, sizeof en, "At most %zu bytes, without control characters.", max);
        reg_form_error(f, name, "text-invalid", vi, en);
        return NULL;
    }
    return s;
}

const char *
reg_form_date(struct reg_form *f, const char *name, bool required, bool allow_future)
{
    const char *s = reg_form_string(f, name, required, 10);
    if (s == NULL)
        return NULL;
    if (strlen(s) != 10 || dd_partial_date_year(s) < 0) {
        reg_form_error(f, name, "date-invalid", "Ngày phải có dạng NNNN-TT-NN và là ngày có thật.",
                       "The date must be YYYY-MM-DD and a real date.");
        return NULL;
    }
    char today[11];
    dd_clock_vietnam_day(dd_clock_now_ms(), today);
    if (!allow_future && strncmp(s, today, 10) > 0) {
        reg_form_error(f, name, "date-future", "Ngày ở tương lai.", "The date is in the future.");
        return NULL;
    }
    return s;
}

static bool
digits(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

void
reg_form_place(struct reg_form *f, const char *pfield, const char *cfield, bool required,
               const char **province, const char **commune)
{
    *province = reg_form_string(f, pfield, required, 2);
    *commune = reg_form_string(f, cfield, required, 5);
    if (*province && !digits(*province, 2))
        reg_form_error(f, pfield, "province-format", "Mã tỉnh phải có 2 chữ số.",
                       "A province code has 2 digits.");
    if (*commune && !digits(*commune, 5))
        reg_form_error(f, cfield, "commune-format", "Mã xã phải có 5 chữ số.",
                       "A commune code has 5 digits.");
    if (!required && (*province == NULL) != (*commune == NULL))
        reg_form_error(f, *province ? cfield : pfield, "place-incomplete",
                       "Cần cả mã tỉnh và mã xã.", "Both the province and the commune are needed.");
}

void
reg_form_change(struct reg_form *f, struct dd_reg_change *c)
{
    c->reason = reg_form_string(f, "reason", true, REG_MAX_REASON);
    c->legal_basis = reg_form_string(f, "legal_basis", true, REG_MAX_REASON);
    c->dossier = reg_form_string(f, "dossier", false, REG_MAX_DOSSIER);
}

void
reg_form_person_issues(struct reg_form *f, const struct dd_person_check *check)
{
    for (int i = 0; i < check->count; i++) {
        const struct dd_person_issue *is = &check->issues[i];
        if (!is->warning)
            reg_form_error(f, is->field, is->code, is->message_vi, is->message_en);
    }
}

int
reg_form_done_or_reply(struct reg_form *f)
{
    if (f->failure != 0) {
        json_decref(f->ext);
        f->ext = NULL;
        reg_fail(f->req, f->db, f->failure);
        return -1;
    }
    if (f->ext == NULL)
        return 0;
    dd_reply_problem(f->req, DD_PROBLEM_VALIDATION_FAILED, f->ext);
    f->ext = NULL;
    return -1;
}

void
reg_form_unit(struct reg_form *f, struct dd_db *db, const char *field, const char *province,
              const char *commune, const char *date)
{
    if (!digits(province, 2) || !digits(commune, 5))
        return; /* a malformed code is reported as such */
    int rc = dd_units_commune_exists(db, province, commune, date);
    if (rc < 0 && f->failure == 0) {
        f->db = db;
        f->failure = rc;
    } else if (rc == 0) {
        reg_form_error(f, field, "commune-unknown",
                       "Không có đơn vị hành chính cấp xã mang mã này (trong tỉnh này, vào ngày "
                       "này).",
                       "There is no commune with this code (in this province, on that day).");
    }
}

int
reg_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_EDB)
        dd_log(DD_LOG_ERROR, "register.db", "request %s: %s", req->request_id, dd_db_errmsg(db));
    switch (rc) {
    case DD_ENOTFOUND:
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    case DD_EEXIST:
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, NULL);
    case DD_ECONFLICT:
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       "Hồ sơ vừa được người khác thay đổi; hãy tải lại.",
                                       "The record was changed at the same time; reload it.", NULL);
    default:
        if (rc == DD_EBUSY || rc == DD_EUNAVAIL)
            dd_reply_header(req, "Retry-After", "1");
        return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
    }
}

bool
reg_household_number_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 1 && n <= 32 &&
           strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-./") == n;
}
