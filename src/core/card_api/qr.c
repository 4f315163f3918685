/*
 * qr.c — POST /api/v1/card/qr: the text of a chip ID card's QR code, parsed and checked
 * (card/qr.h), with the register's record for its ID number matched field by field.
 *
 * The body is {"qr": "<text>"} and nothing else. A request that breaks that is 400
 * validation-failed; a text that is not a card's QR is 422 card-qr-invalid with the field and
 * the reason. Neither looks anything up nor writes anything.
 */
#include "base/err.h"
#include "card/json.h"
#include "card/qr.h"
#include "core/card_api/internal.h"
#include "core/purpose.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"

#include <string.h>

/* The QR text of the body, or NULL after a 400 reply. */
static const char *
qr_text_or_reply(struct dd_req *req, size_t *len)
{
    json_t *ext = NULL;
    json_t *body = req->json;
    json_t *qr = json_is_object(body) ? json_object_get(body, "qr") : NULL;
    if (!json_is_object(body))
        ext = dd_problem_add_error(ext, req, "", "not-an-object",
                                   "Nội dung phải là một đối tượng JSON.",
                                   "The body must be a JSON object.");
    else if (qr == NULL)
        ext = dd_problem_add_error(ext, req, "qr", "required", "Thiếu nội dung mã QR.",
                                   "The QR text is required.");
    else if (!json_is_string(qr))
        ext = dd_problem_add_error(ext, req, "qr", "not-a-string", "Mã QR phải là một chuỗi.",
                                   "The QR text must be a string.");
    else if (json_string_length(qr) > DD_CARD_QR_MAX)
        ext = dd_problem_add_error(ext, req, "qr", "too-long", "Mã QR dài quá 1024 byte.",
                                   "The QR text is longer than 1024 bytes.");
    if (json_is_object(body)) {
        const char *key;
        json_t *v;
        json_object_foreach(body, key, v)
        {
            if (strcmp(key, "qr") != 0)
                ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                           "Trường này không được chấp nhận.",
                                           "This field is not accepted.");
        }
    }
    if (ext) {
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return NULL;
    }
    *len = json_string_length(qr);
    return json_string_value(qr);
}

/* POST /api/v1/card/qr — 200 {"qr": fields, "register": match}; 400 without X-Purpose or with a
 * bad body; 422 card-qr-invalid. */
int
card_qr_post(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    size_t len;
    const char *text = qr_text_or_reply(req, &len);
    if (text == NULL)
        return DD_DONE;
    struct dd_card_qr q;
    if (dd_card_qr_parse(text, len, NULL, &q) != DD_OK)
        return card_problem_reply(req, CARD_PROBLEM_QR_INVALID, q.field ? q.field : "qr", q.error);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct card_claim c = {q.id_number, q.full_name,     q.birth_date,
                           q.sex,       q.old_id_number, q.address};
    json_t *match;
    int rc = card_register_match(req, db, &c, purpose, &match);
    if (rc != DD_OK)
        return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
    json_t *qr = dd_card_qr_json(&q);
    json_object_del(qr, "valid");
    return dd_reply_json(req, 200, json_pack("{s:o, s:o}", "qr", qr, "register", match));
}
