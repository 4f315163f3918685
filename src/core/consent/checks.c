/*
 * checks.c — GET /api/v1/consents/checks: an officer (or, through the officer's console, a
 * service) asks whether a person's consent lets a service receive an item now.
 *
 * The answer is a fact about the person, so it is a read like any other: the officer states a
 * purpose (X-Purpose) and the check is written to the person's access log (data "consent")
 * before the answer goes out. A person who is not in the register simply holds no consent: the
 * answer does not tell whether an ID number exists.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/access_log.h"
#include "core/consent/api.h"
#include "core/consent/consent.h"
#include "core/purpose.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

struct check_in {
    const char *id_number;
    const char *service;
    const char *item;
};

/* Reads the three query arguments; replies 400 naming each one that is wrong. */
static int
check_parse_or_reply(struct dd_req *req, struct check_in *in)
{
    in->id_number = dd_req_query(req, "id_number");
    in->service = dd_req_query(req, "service");
    in->item = dd_req_query(req, "item");
    json_t *ext = NULL;
    if (!dd_str_all_digits(in->id_number, 12))
        ext = dd_problem_add_error(ext, req, "id_number", "id-number-invalid",
                                   "Số định danh cá nhân gồm 12 chữ số.",
                                   "A personal ID number has 12 digits.");
    if (!dd_consent_service_valid(in->service))
        ext = dd_problem_add_error(ext, req, "service", "service-invalid",
                                   "Mã dịch vụ gồm 1–64 ký tự a-z 0-9 . _ : -.",
                                   "A service id is 1–64 characters of a-z 0-9 . _ : -.");
    if (dd_consent_item_find(in->item) == NULL)
        ext = dd_problem_add_error(ext, req, "item", "item-unknown",
                                   "Loại dữ liệu không có trong danh mục (xem docs/CONSENT.md).",
                                   "The item is not in the list of data items (see "
                                   "docs/CONSENT.md).");
    if (ext == NULL)
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

/* GET /api/v1/consents/checks?id_number=&service=&item= — 200 {"holds", "consent_id",
 * "valid_until", "checked_at"}; 400 without X-Purpose or with a malformed argument. */
int
cs_consent_checks_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    struct check_in in;
    if (purpose == NULL || check_parse_or_reply(req, &in) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms(), consent_id = 0;
    bool holds = false;
    int rc = dd_access_log_write(db, req, in.id_number, "read", "consent", purpose);
    if (rc == DD_OK)
        rc = dd_consent_check(db, in.id_number, in.service, in.item, now, &holds, &consent_id);
    struct dd_consent c = {.valid_until = ""};
    if (rc == DD_OK && holds)
        rc = dd_consent_get(db, req->arena, in.id_number, consent_id, &c);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    char at[32];
    dd_clock_iso8601(now, at);
    return dd_reply_json(req, 200,
                         json_pack("{s:b, s:o, s:o, s:s}", "holds", holds, "consent_id",
                                   holds ? json_integer(consent_id) : json_null(), "valid_until",
                                   holds ? json_string(c.valid_until) : json_null(), "checked_at",
                                   at));
}
