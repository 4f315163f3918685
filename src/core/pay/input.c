/*
 * input.c — reading what the payments module's callers send (JSON bodies field by field, so
 * one 400 reply lists every problem; query arguments; the intent of a path), and the shared
 * endings of a failed request. Helpers that fail write the reply themselves.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "core/pay/vnpay.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <microhttpd.h>
#include <string.h>

void
pay_form_error(struct pay_form *f, const char *field, const char *code, const char *vi,
               const char *en)
{
    f->ext = dd_problem_add_error(f->ext, f->req, field, code, vi, en);
}

void
pay_form_init(struct pay_form *f, struct dd_req *req, const char *const *allowed)
{
    f->req = req;
    f->ext = NULL;
    f->body = json_is_object(req->json) ? req->json : NULL;
    if (f->body == NULL) {
        pay_form_error(f, "body", "object-expected", "Nội dung phải là một đối tượng JSON.",
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
            pay_form_error(f, dd_arena_strdup(req->arena, key), "unknown-field",
                           "Trường này không được nhận ở đây.", "This field is not accepted here.");
    }
}

const char *
pay_form_string(struct pay_form *f, const char *name, bool required, size_t max)
{
    json_t *v = f->body ? json_object_get(f->body, name) : NULL;
    if (v == NULL || json_is_null(v)) {
        if (required && f->body)
            pay_form_error(f, name, "required", "Trường này là bắt buộc.",
                           "This field is required.");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!json_is_string(v) || n == 0 || n > max || strlen(s) != n || dd_str_has_control(s)) {
        const char *vi = dd_arena_printf(
            f->req->arena, "Một chuỗi từ 1 đến %zu byte, không có ký tự điều khiển.", max);
        const char *en = dd_arena_printf(
            f->req->arena, "A string of 1 to %zu bytes, without control characters.", max);
        pay_form_error(f, name, "text-invalid", vi, en);
        return NULL;
    }
    return s;
}

int64_t
pay_form_int(struct pay_form *f, const char *name, bool required, int64_t min, int64_t max,
             int64_t dflt)
{
    json_t *v = f->body ? json_object_get(f->body, name) : NULL;
    if (v == NULL || json_is_null(v)) {
        if (required && f->body)
            pay_form_error(f, name, "required", "Trường này là bắt buộc.",
                           "This field is required.");
        return dflt;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        const char *vi = dd_arena_printf(f->req->arena, "Một số nguyên từ %lld đến %lld.",
                                         (long long)min, (long long)max);
        const char *en = dd_arena_printf(f->req->arena, "A whole number from %lld to %lld.",
                                         (long long)min, (long long)max);
        pay_form_error(f, name, "integer-invalid", vi, en);
        return dflt;
    }
    return json_integer_value(v);
}

int
pay_form_done_or_reply(struct pay_form *f)
{
    if (f->ext == NULL)
        return 0;
    dd_reply_problem(f->req, DD_PROBLEM_VALIDATION_FAILED, f->ext);
    f->ext = NULL;
    return -1;
}

const char *
pay_actor(struct dd_req *req)
{
    const struct dd_principal *who = req->who;
    if (who == NULL)
        return "anonymous";
    const char *kind = who->kind == DD_PRINCIPAL_OFFICER   ? "officer"
                       : who->kind == DD_PRINCIPAL_CITIZEN ? "citizen"
                       : who->kind == DD_PRINCIPAL_CLIENT  ? "client"
                                                           : "establishment";
    return dd_arena_printf(req->arena, "%s:%lld", kind, (long long)who->id);
}

int
pay_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_EDB)
        dd_log(DD_LOG_ERROR, "pay.db", "request %s: %s", req->request_id, dd_db_errmsg(db));
    if (rc == DD_EBUSY || rc == DD_EUNAVAIL)
        dd_reply_header(req, "Retry-After", "1");
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND, "Không có khoản thanh toán này.",
                                       "There is no such payment.", NULL);
    if (rc == DD_ECONFLICT)
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       "Khoản thanh toán vừa được thay đổi; hãy thử lại.",
                                       "The payment changed meanwhile; try again.", NULL);
    return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
}

int
pay_not_configured(struct dd_req *req, const char *setting)
{
    const char *vi = dd_arena_printf(req->arena, "Chức năng này chưa được cấu hình (%s).", setting);
    const char *en = dd_arena_printf(req->arena, "This feature is not configured (%s).", setting);
    return dd_reply_problem_detail(req, DD_PROBLEM_SERVICE_UNAVAILABLE, vi, en, NULL);
}

/* Moves p to expired in a transaction of its own when it is due. */
static int
expire_if_due(struct dd_db *db, struct dd_arena *a, struct dd_payment *p)
{
    int64_t now = dd_clock_now_ms();
    if (!dd_pay_due_to_expire(p, now))
        return DD_OK;
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    struct dd_pay_move m = {
        .to = "expired", .actor = "system", .reason = "the payment window closed", .now_ms = now};
    rc = dd_pay_move(db, a, p, &m);
    if (rc == DD_OK)
        return dd_db_commit(db);
    dd_db_rollback(db);
    return rc == DD_ECONFLICT ? dd_pay_get(db, a, p->id, p) : rc;
}

int
pay_intent_or_reply(struct dd_req *req, struct dd_db *db, const char *payer, struct dd_payment *p)
{
    const char *id = dd_req_param(req, "id");
    int rc = dd_pay_get(db, req->arena, id, p);
    if (rc == DD_OK && payer && strcmp(p->payer_id_number, payer) != 0)
        rc = DD_ENOTFOUND;
    if (rc == DD_OK)
        rc = expire_if_due(db, req->arena, p);
    if (rc != DD_OK)
        pay_fail(req, db, rc);
    return rc;
}

struct query_ctx {
    struct dd_req *req;
    struct dd_vnpay_params *p;
    int rc;
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct query_ctx *c = cls;
    if (c->rc != DD_OK)
        return MHD_NO;
    if (dd_vnpay_get(c->p, key) != NULL) {
        c->rc = DD_EINVAL;
        return MHD_NO;
    }
    c->rc = dd_vnpay_set(c->p, dd_arena_strdup(c->req->arena, key),
                         dd_arena_strdup(c->req->arena, value ? value : ""));
    return c->rc == DD_OK ? MHD_YES : MHD_NO;
}

int
pay_query_params(struct dd_req *req, struct dd_vnpay_params *p)
{
    p->n = 0;
    struct query_ctx c = {req, p, DD_OK};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &c);
    return c.rc;
}
