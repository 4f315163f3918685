/*
 * documents.c — the documents a citizen names for a dossier, at submission (submit.c) and in a
 * supplement (supplements.c), checked the same way.
 *
 * A document is {kind, wallet_document} (the reference of a document of the citizen's wallet) or
 * {kind, upload} (the id of a scan the citizen uploaded and no dossier holds yet: uploads.c). An
 * upload of someone else and an unknown one are refused alike (upload-unknown); one already
 * attached is upload-already-attached. A paperless procedure takes no document at all.
 */
#include "base/arena.h"
#include "base/str.h"
#include "core/services/internal.h"
#include "http/problem.h"
#include "http/req.h"

#include <string.h>

bool
svc_document_ref_ok(struct dd_req *req, struct dd_db *db, const json_t *d, const char *at,
                    const char *owner, json_t **ext)
{
    const char *ref = json_string_value(json_object_get(d, "wallet_document"));
    const json_t *up = json_object_get(d, "upload");
    if (ref && up == NULL)
        return ref[0] && strlen(ref) <= 64 && !dd_str_has_control(ref);
    if (up == NULL || ref)
        return false;
    const char *why = json_is_integer(up) && json_integer_value(up) > 0
                          ? svc_upload_check(db, req->arena, json_integer_value(up), owner)
                          : "upload-unknown";
    if (why == NULL)
        return true;
    const char *field = dd_arena_printf(req->arena, "%s.upload", at);
    if (strcmp(why, "upload-already-attached") == 0)
        *ext = dd_problem_add_error(*ext, req, field, why, "Tệp này đã gắn vào một hồ sơ khác.",
                                    "This upload is already attached to a dossier.");
    else
        *ext = dd_problem_add_error(*ext, req, field, "upload-unknown",
                                    "Không có tệp tải lên này trong tài khoản của bạn.",
                                    "No such upload of yours.");
    return false;
}

void
svc_document_paperless_error(struct dd_req *req, json_t **ext)
{
    *ext = dd_problem_add_error(
        *ext, req, "documents", "paperless-procedure",
        "Thủ tục không dùng giấy: mọi thông tin lấy từ cơ sở dữ liệu, không nộp giấy tờ.",
        "A paperless procedure: every datum comes from the databases; no document is "
        "submitted.");
}
