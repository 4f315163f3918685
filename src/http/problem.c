/*
 * problem.c — the table of problem kinds and the one helper that writes problem+json.
 */
#include "http/problem.h"
#include "base/err.h"
#include "http/reply.h"
#include "http/req.h"

#include <string.h>

static const struct dd_problem_info problems[DD_PROBLEM_COUNT] = {
    [DD_PROBLEM_BAD_REQUEST] = {"bad-request", 400, "Bad Request", "Yêu cầu không hợp lệ.",
                                "The request is malformed."},
    [DD_PROBLEM_NOT_FOUND] = {"not-found", 404, "Not Found",
                              "Không tìm thấy tài nguyên được yêu cầu.",
                              "The requested resource does not exist."},
    [DD_PROBLEM_METHOD_NOT_ALLOWED] = {"method-not-allowed", 405, "Method Not Allowed",
                                       "Phương thức này không được hỗ trợ tại địa chỉ này.",
                                       "This method is not supported at this path."},
    [DD_PROBLEM_UNSUPPORTED_MEDIA_TYPE] =
        {"unsupported-media-type", 415, "Unsupported Media Type",
         "Kiểu nội dung không được hỗ trợ; hãy gửi application/json.",
         "Unsupported content type; send application/json."},
    [DD_PROBLEM_PAYLOAD_TOO_LARGE] = {"payload-too-large", 413, "Payload Too Large",
                                      "Nội dung gửi lên vượt quá giới hạn cho phép.",
                                      "The request body exceeds the allowed size."},
    [DD_PROBLEM_INVALID_JSON] = {"invalid-json", 400, "Invalid JSON",
                                 "Nội dung không phải JSON hợp lệ.", "The body is not valid JSON."},
    [DD_PROBLEM_INVALID_UTF8] = {"invalid-utf8", 400, "Invalid UTF-8",
                                 "Nội dung chứa chuỗi byte UTF-8 không hợp lệ.",
                                 "The body contains an invalid UTF-8 sequence."},
    [DD_PROBLEM_VALIDATION_FAILED] = {"validation-failed", 400, "Validation Failed",
                                      "Dữ liệu gửi lên chưa hợp lệ; xem danh sách lỗi.",
                                      "Some fields are invalid; see the list of errors."},
    [DD_PROBLEM_UNAUTHENTICATED] = {"unauthenticated", 401, "Unauthorized",
                                    "Cần đăng nhập để thực hiện thao tác này.",
                                    "Authentication is required for this operation."},
    [DD_PROBLEM_FORBIDDEN] = {"forbidden", 403, "Forbidden",
                              "Bạn không có quyền thực hiện thao tác này.",
                              "You are not allowed to perform this operation."},
    [DD_PROBLEM_CONFLICT] = {"conflict", 409, "Conflict", "Dữ liệu xung đột với dữ liệu đã có.",
                             "The request conflicts with existing data."},
    [DD_PROBLEM_PRECONDITION_FAILED] = {"precondition-failed", 412, "Precondition Failed",
                                        "Dữ liệu đã bị thay đổi; hãy tải lại rồi thử lại.",
                                        "The resource has changed; reload it and try again."},
    [DD_PROBLEM_RULE_VIOLATED] = {"rule-violated", 422, "Unprocessable Content",
                                  "Yêu cầu vi phạm quy định nghiệp vụ.",
                                  "The request breaks a business rule."},
    [DD_PROBLEM_TOO_MANY_REQUESTS] = {"too-many-requests", 429, "Too Many Requests",
                                      "Quá nhiều yêu cầu; vui lòng thử lại sau.",
                                      "Too many requests; try again later."},
    [DD_PROBLEM_SERVICE_UNAVAILABLE] = {"service-unavailable", 503, "Service Unavailable",
                                        "Dịch vụ tạm thời không sẵn sàng; vui lòng thử lại sau.",
                                        "The service is temporarily unavailable; try again later."},
    [DD_PROBLEM_DATABASE_BUSY] = {"database-busy", 503, "Service Unavailable",
                                  "Cơ sở dữ liệu đang bận; vui lòng thử lại sau giây lát.",
                                  "The database is busy; try again in a moment."},
    [DD_PROBLEM_INTERNAL_ERROR] = {"internal-error", 500, "Internal Server Error",
                                   "Đã xảy ra lỗi hệ thống; lỗi đã được ghi lại.",
                                   "An internal error occurred and has been logged."},
};

const struct dd_problem_info *
dd_problem_info(enum dd_problem p)
{
    if ((unsigned)p >= DD_PROBLEM_COUNT)
        p = DD_PROBLEM_INTERNAL_ERROR;
    return &problems[p];
}

int
dd_reply_problem_detail(struct dd_req *req, enum dd_problem p, const char *detail_vi,
                        const char *detail_en, json_t *ext)
{
    const struct dd_problem_info *info = dd_problem_info(p);
    json_t *body = json_object();
    char type[96];
    snprintf(type, sizeof type, "urn:dinhdanh:problem:%s", info->slug);
    json_object_set_new(body, "type", json_string(type));
    json_object_set_new(body, "title", json_string(info->title));
    json_object_set_new(body, "status", json_integer(info->status));
    const char *detail = req->lang == DD_LANG_EN ? detail_en : detail_vi;
    json_object_set_new(body, "detail", json_string(detail ? detail : ""));
    json_object_set_new(body, "instance", json_string(req->path ? req->path : "/"));
    json_object_set_new(body, "request_id", json_string(req->request_id));
    if (ext) {
        json_object_update(body, ext);
        json_decref(ext);
    }
    return dd_reply_json_typed(req, info->status, body, "application/problem+json");
}

int
dd_reply_problem(struct dd_req *req, enum dd_problem p, json_t *ext)
{
    const struct dd_problem_info *info = dd_problem_info(p);
    return dd_reply_problem_detail(req, p, info->detail_vi, info->detail_en, ext);
}

enum dd_problem
dd_problem_from_error(int rc)
{
    switch (rc) {
    case DD_EINVAL:
        return DD_PROBLEM_BAD_REQUEST;
    case DD_ENOTFOUND:
        return DD_PROBLEM_NOT_FOUND;
    case DD_EEXIST:
    case DD_ECONFLICT:
        return DD_PROBLEM_CONFLICT;
    case DD_ETOOBIG:
        return DD_PROBLEM_PAYLOAD_TOO_LARGE;
    case DD_EDENIED:
        return DD_PROBLEM_FORBIDDEN;
    case DD_EBUSY:
        return DD_PROBLEM_DATABASE_BUSY;
    case DD_EUNAVAIL:
        return DD_PROBLEM_SERVICE_UNAVAILABLE;
    default:
        return DD_PROBLEM_INTERNAL_ERROR;
    }
}

json_t *
dd_problem_add_error(json_t *ext, const struct dd_req *req, const char *field, const char *code,
                     const char *message_vi, const char *message_en)
{
    if (ext == NULL)
        ext = json_object();
    json_t *errors = json_object_get(ext, "errors");
    if (errors == NULL) {
        errors = json_array();
        json_object_set_new(ext, "errors", errors);
    }
    json_array_append_new(errors,
                          json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message",
                                    req->lang == DD_LANG_EN ? message_en : message_vi));
    return ext;
}
