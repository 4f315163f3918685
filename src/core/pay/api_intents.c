/*
 * api_intents.c — the intents over HTTP: POST /api/v1/payments (with Idempotency-Key), GET one
 * with its transitions, the officer's list and the payer's own (/api/v1/me/payments).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/idempotency/idempotency.h"
#include "core/pay/internal.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *const create_fields[] = {
    "purpose", "description", "amount",    "payer_id_number", "payer_name",
    "module",  "object_type", "object_id", "expires_in",      NULL,
};

static bool
code_text(const char *s)
{
    for (; s && *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static int
create_parse_or_reply(struct dd_req *req, struct dd_pay_new *n)
{
    struct pay_form f;
    pay_form_init(&f, req, create_fields);
    n->purpose = pay_form_string(&f, "purpose", true, 16);
    n->description = pay_form_string(&f, "description", true, 200);
    n->amount = pay_form_int(&f, "amount", true, 1, DD_PAY_MAX_AMOUNT, 0);
    n->payer_id_number = pay_form_string(&f, "payer_id_number", true, 12);
    n->payer_name = pay_form_string(&f, "payer_name", false, 128);
    n->module = pay_form_string(&f, "module", true, 32);
    n->object_type = pay_form_string(&f, "object_type", true, 32);
    n->object_id = pay_form_string(&f, "object_id", true, 64);
    n->ttl_seconds = pay_form_int(&f, "expires_in", false, 1, DD_PAY_MAX_TTL, 0);
    if (n->purpose && !dd_pay_purpose_valid(n->purpose))
        pay_form_error(&f, "purpose", "purpose-invalid",
                       "Một trong: fee, fine, hospital, ticket, school, other.",
                       "One of: fee, fine, hospital, ticket, school, other.");
    if (n->payer_id_number && !dd_str_all_digits(n->payer_id_number, 12))
        pay_form_error(&f, "payer_id_number", "id-number-invalid", "Số định danh gồm 12 chữ số.",
                       "An ID number is 12 digits.");
    if (n->module && !code_text(n->module))
        pay_form_error(&f, "module", "code-invalid", "Chỉ chữ thường, chữ số, '-' và '_'.",
                       "Lower-case letters, digits, '-' and '_' only.");
    if (n->object_type && !code_text(n->object_type))
        pay_form_error(&f, "object_type", "code-invalid", "Chỉ chữ thường, chữ số, '-' và '_'.",
                       "Lower-case letters, digits, '-' and '_' only.");
    return pay_form_done_or_reply(&f);
}

json_t *
pay_intent_json(struct dd_db *db, const struct dd_payment *p)
{
    json_t *o = dd_pay_json(p);
    json_t *t = dd_pay_transitions_json(db, p->id);
    json_object_set_new(o, "transitions", t ? t : json_array());
    return o;
}

static int
intent_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_pay_new n = {0};
    if (create_parse_or_reply(req, &n) != 0)
        return DD_DONE;
    n.created_by = pay_actor(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_payment p;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_pay_create(db, req->arena, &n, dd_clock_now_ms(), &p);
    if (rc != DD_OK)
        return pay_fail(req, db, rc);
    return dd_idem_commit_json(req, db, idem, 201, pay_intent_json(db, &p),
                               dd_arena_printf(req->arena, "/api/v1/payments/%s", p.id), pay_fail);
}

/* POST /api/v1/payments — 201 with the intent in state created; 400 on bad fields. */
int
pay_create(struct dd_req *req)
{
    return dd_idem_run(req, intent_create);
}

/* GET /api/v1/payments/{id} — the intent and its transitions; 404 if there is none. */
int
pay_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    struct dd_payment p;
    if (db == NULL || pay_intent_or_reply(req, db, NULL, &p) != DD_OK)
        return DD_DONE;
    return dd_reply_json(req, 200, pay_intent_json(db, &p));
}

/* GET /api/v1/me/payments/{id} — one of the caller's own intents; 404 for anyone else's. */
int
pay_me_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    struct dd_payment p;
    if (db == NULL || pay_intent_or_reply(req, db, req->who->id_number, &p) != DD_OK)
        return DD_DONE;
    return dd_reply_json(req, 200, pay_intent_json(db, &p));
}

struct list_filter {
    const char *state, *payer, *module, *object_id;
    const char *after_at, *after_id; /* the cursor: created_at and id of the last row shown */
    int limit;
};

static int
list_query(struct dd_req *req, struct dd_db *db, const struct list_filter *lf, json_t *items,
           json_t **next)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "SELECT id FROM payments WHERE (CAST(? AS TEXT) IS NULL OR state = ?) AND "
        "(CAST(? AS TEXT) IS NULL OR payer_id_number = ?) AND (CAST(? AS TEXT) IS NULL OR "
        "module = ?) AND (CAST(? AS TEXT) IS NULL OR object_id = ?) AND (CAST(? AS TEXT) IS NULL "
        "OR created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC "
        "LIMIT ?",
        &st);
    if (rc != DD_OK)
        return rc;
    const char *binds[] = {lf->state,    lf->state,    lf->payer,     lf->payer,
                           lf->module,   lf->module,   lf->object_id, lf->object_id,
                           lf->after_at, lf->after_at, lf->after_at,  lf->after_id};
    for (int i = 0; i < 12; i++)
        dd_stmt_bind_text(st, i + 1, binds[i]);
    dd_stmt_bind_int64(st, 13, lf->limit + 1);
    const char *ids[DD_LIST_MAX_LIMIT + 1];
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && n <= lf->limit)
        ids[n++] = dd_arena_strdup(req->arena, dd_stmt_text(st, 0));
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    bool more = n > lf->limit;
    if (more)
        n = lf->limit;
    struct dd_payment p;
    for (int i = 0; i < n; i++) {
        rc = dd_pay_get(db, req->arena, ids[i], &p);
        if (rc != DD_OK)
            return rc;
        json_array_append_new(items, dd_pay_json(&p));
    }
    *next = more ? json_sprintf("%s~%s", p.created_at, p.id) : json_null();
    return DD_OK;
}

static int
cursor_or_reply(struct dd_req *req, struct list_filter *lf)
{
    const char *c = dd_req_query(req, "cursor");
    if (c == NULL)
        return DD_OK;
    const char *sep = strchr(c, '~');
    if (sep && sep - c == 24 && strlen(sep + 1) == 24 && dd_str_has_prefix(sep + 1, "pay_")) {
        lf->after_at = dd_arena_strndup(req->arena, c, 24);
        lf->after_id = sep + 1;
        return DD_OK;
    }
    json_t *ext = dd_problem_add_error(NULL, req, "cursor", "cursor-invalid",
                                       "Con trỏ trang không hợp lệ; dùng next_cursor nhận được.",
                                       "The cursor is not valid; use the next_cursor received.");
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

static int
list_reply(struct dd_req *req, struct list_filter *lf)
{
    if (dd_list_limit_or_reply(req, &lf->limit) != DD_OK || cursor_or_reply(req, lf) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *items = json_array();
    json_t *next = NULL;
    int rc = list_query(req, db, lf, items, &next);
    if (rc != DD_OK) {
        json_decref(items);
        return pay_fail(req, db, rc);
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* GET /api/v1/payments — intents, newest first, filtered by ?state, ?payer_id_number, ?module,
 * ?object_id. */
int
pay_list(struct dd_req *req)
{
    struct list_filter lf = {
        .state = dd_req_query(req, "state"),
        .payer = dd_req_query(req, "payer_id_number"),
        .module = dd_req_query(req, "module"),
        .object_id = dd_req_query(req, "object_id"),
    };
    return list_reply(req, &lf);
}

/* GET /api/v1/me/payments — the caller's own intents, newest first (?state filters). */
int
pay_me_list(struct dd_req *req)
{
    struct list_filter lf = {
        .state = dd_req_query(req, "state"),
        .payer = req->who->id_number,
    };
    if (!dd_str_all_digits(lf.payer, 12))
        return dd_reply_problem_detail(req, DD_PROBLEM_FORBIDDEN,
                                       "Tài khoản chưa gắn với số định danh.",
                                       "The account has no ID number.", NULL);
    return list_reply(req, &lf);
}
