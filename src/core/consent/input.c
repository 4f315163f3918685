/*
 * input.c — reading what the consent module's callers send: who the citizen is, paging
 * arguments, path ids, and JSON bodies read field by field so that one 400 reply lists every
 * problem at once. Failures answer themselves (the `…_or_reply` helpers). An officer's purpose
 * is read by core/purpose.h.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/consent/api.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

const char *
cs_me_or_reply(struct dd_req *req)
{
    const struct dd_principal *who = req->who;
    if (who && who->kind == DD_PRINCIPAL_CITIZEN && dd_str_all_digits(who->id_number, 12))
        return who->id_number;
    cs_problem_reply(req, CS_PROBLEM_NO_ID_NUMBER);
    return NULL;
}

const char *
cs_self_actor(struct dd_req *req)
{
    return dd_arena_printf(req->arena, "citizen:%lld", (long long)req->who->id);
}

int
cs_cursor_invalid(struct dd_req *req)
{
    json_t *ext = dd_problem_add_error(NULL, req, "cursor", "cursor-invalid",
                                       "Con trỏ trang không hợp lệ; dùng next_cursor nhận được.",
                                       "The cursor is not valid; use the next_cursor received.");
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

int
cs_id_cursor_or_reply(struct dd_req *req, int64_t *id)
{
    const char *c = dd_req_query(req, "cursor");
    *id = 0;
    if (c == NULL || dd_parse_int64(c, 1, INT64_MAX, id) == DD_OK)
        return DD_OK;
    return cs_cursor_invalid(req);
}

int
cs_path_id_or_reply(struct dd_req *req, int64_t *id)
{
    const char *s = dd_req_param(req, "id");
    if (s && dd_parse_int64(s, 1, INT64_MAX, id) == DD_OK)
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return DD_ENOTFOUND;
}

int
cs_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_EDB)
        dd_log(DD_LOG_ERROR, "consent.db", "request %s: %s", req->request_id, dd_db_errmsg(db));
    if (rc == DD_EBUSY || rc == DD_EUNAVAIL)
        dd_reply_header(req, "Retry-After", "1");
    return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
}

/* --- bodies --- */

void
cs_form_error(struct cs_form *f, const char *field, const char *code, const char *vi,
              const char *en)
{
    f->ext = dd_problem_add_error(f->ext, f->req, field, code, vi, en);
}

void
cs_form_init(struct cs_form *f, struct dd_req *req, const char *const *allowed)
{
    f->req = req;
    f->ext = NULL;
    f->body = json_is_object(req->json) ? req->json : NULL;
    if (f->body == NULL) {
        cs_form_error(f, "body", "object-expected", "Nội dung phải là một đối tượng JSON.",
                      "The body must be a JSON object.");
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(f->body, key, value)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known)
            cs_form_error(f, dd_arena_strdup(req->arena, key), "unknown-field",
                          "Trường này không được nhận ở đây.", "This field is not accepted here.");
    }
}

const char *
cs_form_string(struct cs_form *f, const char *name, bool required, size_t max)
{
    json_t *v = f->body ? json_object_get(f->body, name) : NULL;
    if (v == NULL || json_is_null(v)) {
        if (required && f->body)
            cs_form_error(f, name, "required", "Trường này là bắt buộc.",
                          "This field is required.");
        return NULL;
    }
    if (!json_is_string(v)) {
        cs_form_error(f, name, "type-string", "Giá trị phải là một chuỗi.",
                      "The value must be a string.");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if ((n == 0 && required) || n > max || strlen(s) != n || dd_str_has_control(s)) {
        const char *vi =
            dd_arena_printf(f->req->arena, "Từ 1 đến %zu byte, không có ký tự điều khiển.", max);
        const char *en =
            dd_arena_printf(f->req->arena, "1 to %zu bytes, without control characters.", max);
        cs_form_error(f, name, "text-invalid", vi, en);
        return NULL;
    }
    return s;
}

bool
cs_form_has_error(const struct cs_form *f, const char *field)
{
    json_t *errors = f->ext ? json_object_get(f->ext, "errors") : NULL;
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "field"));
        if (name && strcmp(name, field) == 0)
            return true;
    }
    return false;
}

int
cs_form_done_or_reply(struct cs_form *f)
{
    if (f->ext == NULL)
        return 0;
    dd_reply_problem(f->req, DD_PROBLEM_VALIDATION_FAILED, f->ext);
    f->ext = NULL;
    return -1;
}
