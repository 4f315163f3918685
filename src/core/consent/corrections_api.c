/*
 * corrections_api.c — correction requests over HTTP. A citizen asks (POST and GET
 * /api/v1/me/correction-requests); the officers of the commune the request is assigned to list
 * them (GET /api/v1/correction-requests, register:read) and decide (POST
 * /api/v1/correction-requests/{id}/decisions, register:write).
 *
 * A request names one field the register's correction route can change, the value proposed, a
 * reason and optionally a reference to evidence (a scanned paper's id). The proposal is checked
 * with the register's own rules, so that a request an officer could never apply is refused at
 * once. An officer outside the request's area gets 404, as for a person outside it. Listing and
 * deciding are reads and changes of the person's data: they need X-Purpose (a decision's note
 * stands for it when the header is absent) and are written to the person's access log.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/access_log.h"
#include "core/consent/api.h"
#include "core/consent/corrections.h"
#include "core/idempotency/idempotency.h"
#include "core/purpose.h"
#include "core/register/register.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/list.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *const request_fields[] = {"field", "proposed_value", "reason", "evidence_ref",
                                             NULL};

struct request_in {
    const char *field;
    const char *proposed;
    const char *reason;
    const char *evidence;
};

static int
request_parse_or_reply(struct dd_req *req, struct request_in *in)
{
    struct cs_form f;
    cs_form_init(&f, req, request_fields);
    in->field = cs_form_string(&f, "field", true, 32);
    in->proposed = cs_form_string(&f, "proposed_value", false, DD_CORRECTION_MAX_VALUE);
    in->reason = cs_form_string(&f, "reason", true, DD_CORRECTION_MAX_REASON);
    in->evidence = cs_form_string(&f, "evidence_ref", false, DD_CORRECTION_MAX_EVIDENCE);
    if (f.body && json_object_get(f.body, "proposed_value") == NULL)
        cs_form_error(&f, "proposed_value", "required", "Trường này là bắt buộc.",
                      "This field is required.");
    if (in->field && !dd_correction_field_allowed(in->field))
        cs_form_error(&f, "field", "field-not-correctable",
                      "Chỉ đề nghị điều chỉnh được các trường nhân thân (họ tên, ngày sinh, giới "
                      "tính, dân tộc, tôn giáo, quốc tịch, nơi sinh, quê quán, CMND cũ, cha, mẹ, "
                      "vợ/chồng, quan hệ với chủ hộ); nơi cư trú và hộ khẩu có thủ tục riêng.",
                      "Only identity fields can be asked to be corrected (name, date of birth, "
                      "sex, ethnicity, religion, nationality, birth place, hometown, old ID "
                      "number, father, mother, spouse, relation to the head); residence and "
                      "household have procedures of their own.");
    if (in->proposed == NULL)
        in->proposed = "";
    return cs_form_done_or_reply(&f);
}

/* Replies 400 naming proposed_value for each error the proposal would bring into the record. */
static int
value_or_reply(struct dd_req *req, const struct dd_reg_person *rp, const struct request_in *in)
{
    struct dd_person_check check;
    if (dd_correction_value_check(rp, in->field, in->proposed, &check) == 0)
        return DD_OK;
    json_t *ext = NULL;
    for (int i = 0; i < check.count; i++)
        ext = dd_problem_add_error(ext, req, "proposed_value", check.issues[i].code,
                                   check.issues[i].message_vi, check.issues[i].message_en);
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

static int
request_create(struct dd_req *req, struct dd_idem *idem)
{
    const char *me = cs_me_or_reply(req);
    struct request_in in;
    if (me == NULL || request_parse_or_reply(req, &in) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person rp;
    int rc = dd_reg_person_load(db, req->arena, me, &rp);
    if (rc == DD_ENOTFOUND)
        return cs_problem_reply(req, CS_PROBLEM_NOT_IN_REGISTER);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    const char *current = dd_person_get(&rp.p, dd_person_field_index(in.field));
    if (strcmp(current, in.proposed) == 0)
        return cs_problem_reply(req, CS_PROBLEM_CORRECTION_SAME_VALUE);
    if (value_or_reply(req, &rp, &in) != DD_OK)
        return DD_DONE;
    struct dd_correction_new c = {
        .id_number = me,
        .account_id = req->who->account_id,
        .field = in.field,
        .current_value = current,
        .proposed_value = in.proposed,
        .reason = in.reason,
        .evidence_ref = in.evidence,
        .request_id = req->request_id,
    };
    if (!dd_correction_area(&rp, &c.province, &c.commune))
        return cs_problem_reply(req, CS_PROBLEM_NO_COMMUNE);
    int64_t id = 0;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_correction_create(db, &c, dd_clock_now_ms(), &id);
    struct dd_correction out;
    if (rc == DD_OK)
        rc = dd_correction_get(db, req->arena, id, &out);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    return cs_commit_reply(req, db, idem, 201, cs_correction_json(&out), NULL);
}

/* POST /api/v1/me/correction-requests — 201 with the open request; 400 with every problem (a
 * proposal the register's rules refuse included); 422 person-not-in-register,
 * correction-same-value or person-without-commune. */
int
cs_me_corrections_create(struct dd_req *req)
{
    return dd_idem_run(req, request_create);
}

/* Replies {"items", "next_cursor"} with the requests; the cursor is the last id. */
static int
list_reply(struct dd_req *req, const struct dd_correction *list, int n, bool more)
{
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, cs_correction_json(&list[i]));
    return dd_list_reply_page(req, items, more, list[n - 1].id);
}

/* GET /api/v1/me/correction-requests — the caller's requests, newest first, with decisions. */
int
cs_me_corrections_list(struct dd_req *req)
{
    const char *me = cs_me_or_reply(req);
    int limit;
    int64_t before;
    if (me == NULL || dd_list_limit_or_reply(req, &limit) != DD_OK ||
        cs_id_cursor_or_reply(req, &before) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_correction *list = dd_arena_alloc(req->arena, (size_t)limit * sizeof *list);
    int n;
    bool more;
    int rc = dd_correction_list_person(db, req->arena, me, before, limit, list, &n, &more);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    return list_reply(req, list, n, more);
}

/* ?status= (open by default, accepted or rejected), or a 400 reply and NULL. */
static const char *
status_or_reply(struct dd_req *req)
{
    const char *s = dd_req_query(req, "status");
    if (s == NULL)
        return "open";
    if (strcmp(s, "open") == 0 || strcmp(s, "accepted") == 0 || strcmp(s, "rejected") == 0)
        return s;
    json_t *ext = dd_problem_add_error(NULL, req, "status", "status-invalid",
                                       "status là open, accepted hoặc rejected.",
                                       "status is open, accepted or rejected.");
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return NULL;
}

/* Writes one access-log row per request listed, in one transaction. */
static int
log_listed(struct dd_db *db, struct dd_req *req, const struct dd_correction *list, int n,
           const char *purpose)
{
    if (n == 0)
        return DD_OK;
    int rc = dd_db_begin(db);
    for (int i = 0; rc == DD_OK && i < n; i++)
        rc = dd_access_log_write(db, req, list[i].id_number, "read", "correction-request", purpose);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    return rc;
}

/* GET /api/v1/correction-requests?status=&limit=&cursor= — the requests of the officer's area,
 * oldest first (a queue); each person listed gets an access-log row. */
int
cs_corrections_list(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    const char *status = status_or_reply(req);
    int limit;
    int64_t after;
    if (status == NULL || dd_list_limit_or_reply(req, &limit) != DD_OK ||
        cs_id_cursor_or_reply(req, &after) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_correction *list = dd_arena_alloc(req->arena, (size_t)limit * sizeof *list);
    int n;
    bool more;
    int rc = dd_correction_list_area(db, req->arena, req->who->province, req->who->commune, status,
                                     after, limit, list, &n, &more);
    if (rc == DD_OK)
        rc = log_listed(db, req, list, n, purpose);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    return list_reply(req, list, n, more);
}

/* True if the request lies in the officer's area (their commune, or their whole province). */
static bool
in_area(const struct dd_principal *who, const struct dd_correction *c)
{
    return strcmp(who->province, c->province) == 0 &&
           (dd_principal_province_wide(who) || strcmp(who->commune, c->commune) == 0);
}

static const char *const decision_fields[] = {"decision", "note", NULL};

static int
decision_parse_or_reply(struct dd_req *req, bool *accept, const char **note)
{
    struct cs_form f;
    cs_form_init(&f, req, decision_fields);
    const char *d = cs_form_string(&f, "decision", true, 16);
    *note = cs_form_string(&f, "note", true, DD_CORRECTION_MAX_REASON);
    *accept = d && strcmp(d, "accept") == 0;
    if (d && !*accept && strcmp(d, "reject") != 0)
        cs_form_error(&f, "decision", "decision-invalid", "decision là accept hoặc reject.",
                      "decision is accept or reject.");
    return cs_form_done_or_reply(&f);
}

/* The purpose written to the access log for a decision: X-Purpose when valid, else the note. */
static const char *
decision_purpose(struct dd_req *req, const char *note)
{
    const char *purpose = dd_purpose(req);
    return purpose ? purpose : note;
}

static int
decide(struct dd_req *req, struct dd_idem *idem)
{
    int64_t id;
    bool accept;
    const char *note;
    if (cs_path_id_or_reply(req, &id) != DD_OK || decision_parse_or_reply(req, &accept, &note) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_correction c;
    int rc = dd_correction_get(db, req->arena, id, &c);
    if (rc == DD_OK && !in_area(req->who, &c))
        rc = DD_ENOTFOUND;
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    if (strcmp(c.status, "open") != 0)
        return cs_problem_reply(req, CS_PROBLEM_CORRECTION_DECIDED);
    const char *actor = dd_arena_printf(req->arena, "officer:%lld", (long long)req->who->id);
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_correction_decide(db, id, accept, note, actor, req->who->display_name,
                                  dd_clock_now_ms());
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        return cs_problem_reply(req, CS_PROBLEM_CORRECTION_DECIDED);
    }
    if (rc == DD_OK)
        rc = dd_access_log_write(db, req, c.id_number, "change", "correction-request",
                                 decision_purpose(req, note));
    if (rc == DD_OK)
        rc = dd_correction_get(db, req->arena, id, &c);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    return cs_commit_reply(req, db, idem, 201, cs_correction_json(&c), NULL);
}

/* POST /api/v1/correction-requests/{id}/decisions — 201 with the request decided; 404 outside
 * the officer's area; 409 correction-request-decided when it is no longer open. */
int
cs_decisions_create(struct dd_req *req)
{
    return dd_idem_run(req, decide);
}
