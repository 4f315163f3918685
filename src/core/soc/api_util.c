/*
 * api_util.c — what the SOC's handlers share: the caller as an actor, the {id} of a path, and
 * reading the members of a JSON body with the errors collected for one 400 answer.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/soc/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

const char *
soc_actor(struct dd_req *req)
{
    return dd_arena_printf(req->arena, "officer:%lld", (long long)req->who->id);
}

int
soc_path_id_or_reply(struct dd_req *req, int64_t *id)
{
    const char *s = dd_req_param(req, "id");
    if (s && dd_parse_int64(s, 1, INT64_MAX, id) == DD_OK)
        return 0;
    dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return -1;
}

const char *
soc_body_text(struct dd_req *req, json_t **ext, const char *name, bool required, size_t max)
{
    json_t *v = req->json ? json_object_get(req->json, name) : NULL;
    if (v == NULL && !required)
        return NULL;
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (s && n > 0 && n <= max && !dd_str_has_control(s))
        return s;
    if (v == NULL)
        *ext = dd_problem_add_error(*ext, req, name, "required", "Trường này là bắt buộc.",
                                    "This field is required.");
    else
        *ext = dd_problem_add_error(*ext, req, name, "invalid",
                                    "Cần một chuỗi không rỗng, không quá dài, không có ký tự "
                                    "điều khiển.",
                                    "A non-empty string, not too long, without control "
                                    "characters, is needed.");
    return NULL;
}

int64_t
soc_body_id(struct dd_req *req, json_t **ext, const char *name, bool required)
{
    json_t *v = req->json ? json_object_get(req->json, name) : NULL;
    if (v == NULL && !required)
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 1)
        return json_integer_value(v);
    *ext = dd_problem_add_error(*ext, req, name, v ? "invalid" : "required",
                                "Cần một số nguyên dương.", "A positive integer is needed.");
    return 0;
}

int
soc_body_done_or_reply(struct dd_req *req, json_t *ext, const char *const *fields)
{
    const char *key;
    json_t *v;
    if (!json_is_object(req->json))
        ext = dd_problem_add_error(ext, req, "", "object", "Thân yêu cầu phải là một đối tượng.",
                                   "The body must be an object.");
    else
        json_object_foreach(req->json, key, v)
        {
            bool known = false;
            for (size_t i = 0; fields[i] && !known; i++)
                known = strcmp(fields[i], key) == 0;
            if (!known)
                ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                           "Trường không được hỗ trợ.", "Unknown field.");
        }
    if (ext == NULL)
        return 0;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return -1;
}

int
soc_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return rc;
}
