/*
 * me_consents.c — a citizen's consents: GET and POST /api/v1/me/consents, GET
 * /api/v1/me/consents/{id}, and POST /api/v1/me/consents/{id}/withdrawals.
 *
 * A grant names the service (its id and name), the items, the purpose and the period (from today
 * unless `valid_from` says a later day; at most five years). A withdrawal records when and why;
 * the consent stays in the list with the state "withdrawn". Both take an Idempotency-Key.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/consent/api.h"
#include "core/consent/consent.h"
#include "core/consent/dates.h"
#include "core/idempotency/idempotency.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/list.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

/* GET /api/v1/me/consents — the caller's consents, newest first, every state, paged. */
int
cs_me_consents_list(struct dd_req *req)
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
    struct dd_consent *list = dd_arena_alloc(req->arena, (size_t)limit * sizeof *list);
    int n;
    bool more;
    int rc = dd_consent_list(db, req->arena, me, before, limit, list, &n, &more);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    int64_t now = dd_clock_now_ms();
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, cs_consent_json(&list[i], now));
    return dd_list_reply_page(req, items, more, list[n - 1].id);
}

/* GET /api/v1/me/consents/{id} — one of the caller's consents; 404 for anyone else's. */
int
cs_me_consents_get(struct dd_req *req)
{
    const char *me = cs_me_or_reply(req);
    int64_t id;
    if (me == NULL || cs_path_id_or_reply(req, &id) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_consent c;
    int rc = dd_consent_get(db, req->arena, me, id, &c);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    return dd_reply_json(req, 200, cs_consent_json(&c, dd_clock_now_ms()));
}

static const char *const grant_fields[] = {
    "service", "service_name", "items", "purpose", "valid_from", "valid_until", NULL,
};

/* Reads "items": an array of up to 16 strings, into *items (in the arena); returns the count. */
static int
read_items(struct cs_form *f, const char *const **items)
{
    json_t *v = f->body ? json_object_get(f->body, "items") : NULL;
    if (v == NULL) {
        if (f->body)
            cs_form_error(f, "items", "required", "Trường này là bắt buộc.",
                          "This field is required.");
        return 0;
    }
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_array(v) || n > DD_CONSENT_MAX_ITEMS) {
        cs_form_error(f, "items", "items-invalid",
                      "items là một mảng từ 1 đến 16 tên loại dữ liệu.",
                      "items is an array of 1 to 16 item names.");
        return 0;
    }
    const char **list = dd_arena_alloc(f->req->arena, (n + 1) * sizeof *list);
    for (size_t i = 0; i < n; i++) {
        list[i] = json_string_value(json_array_get(v, i));
        if (list[i] == NULL) {
            cs_form_error(f, "items", "items-invalid",
                          "items là một mảng từ 1 đến 16 tên loại dữ liệu.",
                          "items is an array of 1 to 16 item names.");
            return 0;
        }
    }
    *items = list;
    return (int)n;
}

/* Reads and checks a grant; replies 400 with every problem and returns -1 if there are any. */
static int
grant_parse_or_reply(struct dd_req *req, const char *me, struct dd_consent_new *c)
{
    struct cs_form f;
    cs_form_init(&f, req, grant_fields);
    memset(c, 0, sizeof *c);
    c->id_number = me;
    c->account_id = req->who->account_id;
    c->request_id = req->request_id;
    c->service = cs_form_string(&f, "service", true, DD_CONSENT_MAX_SERVICE);
    c->service_name = cs_form_string(&f, "service_name", true, DD_CONSENT_MAX_NAME);
    c->purpose = cs_form_string(&f, "purpose", true, DD_CONSENT_MAX_PURPOSE);
    c->valid_from = cs_form_string(&f, "valid_from", false, 10);
    c->valid_until = cs_form_string(&f, "valid_until", true, 10);
    c->n_items = read_items(&f, &c->items);
    int64_t today = dd_day_vietnam(dd_clock_now_ms());
    if (c->valid_from == NULL && !cs_form_has_error(&f, "valid_from")) {
        char *from = dd_arena_alloc(req->arena, 11);
        dd_date_format(today, from);
        c->valid_from = from;
    }
    struct dd_consent_issues issues;
    dd_consent_validate(c, today, &issues);
    for (int i = 0; i < issues.count; i++)
        if (!cs_form_has_error(&f, issues.list[i].field))
            cs_form_error(&f, issues.list[i].field, issues.list[i].code, issues.list[i].vi,
                          issues.list[i].en);
    return cs_form_done_or_reply(&f);
}

static int
grant(struct dd_req *req, struct dd_idem *idem)
{
    const char *me = cs_me_or_reply(req);
    struct dd_consent_new in;
    if (me == NULL || grant_parse_or_reply(req, me, &in) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms(), id = 0;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_consent_grant(db, &in, now, &id);
    struct dd_consent c;
    if (rc == DD_OK)
        rc = dd_consent_get(db, req->arena, me, id, &c);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    return cs_commit_reply(req, db, idem, 201, cs_consent_json(&c, now),
                           dd_arena_printf(req->arena, "/api/v1/me/consents/%lld", (long long)id));
}

/* POST /api/v1/me/consents — 201 with the consent and Location; 400 with every problem. */
int
cs_me_consents_create(struct dd_req *req)
{
    return dd_idem_run(req, grant);
}

static const char *const withdrawal_fields[] = {"reason", NULL};

static int
withdraw(struct dd_req *req, struct dd_idem *idem)
{
    const char *me = cs_me_or_reply(req);
    int64_t id;
    if (me == NULL || cs_path_id_or_reply(req, &id) != DD_OK)
        return DD_DONE;
    struct cs_form f;
    cs_form_init(&f, req, withdrawal_fields);
    const char *reason = cs_form_string(&f, "reason", false, DD_CONSENT_MAX_PURPOSE);
    if (cs_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms();
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_consent_withdraw(db, me, id, reason, now);
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        return cs_problem_reply(req, CS_PROBLEM_CONSENT_NOT_ACTIVE);
    }
    struct dd_consent c;
    if (rc == DD_OK)
        rc = dd_consent_get(db, req->arena, me, id, &c);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    return cs_commit_reply(req, db, idem, 201, cs_consent_json(&c, now), NULL);
}

/* POST /api/v1/me/consents/{id}/withdrawals — 201 with the consent, now withdrawn; 404 for a
 * consent that is not the caller's; 409 consent-not-active when already withdrawn or ended. */
int
cs_me_withdrawals_create(struct dd_req *req)
{
    return dd_idem_run(req, withdraw);
}
