/*
 * procedures.c — the public catalogue:
 *   GET /api/v1/procedures          every procedure: code, name, agency, fee, processing days,
 *                                   paperless flag (filters ?field, ?paperless=true|false)
 *   GET /api/v1/procedures/{code}   one procedure with its form, documents, workflow and result
 * and the citizen's prefilled form:
 *   GET /api/v1/me/procedures/{code}/form   the form with the value of each field filled from
 *                                           the register or from the newest valid document of
 *                                           a type in the citizen's wallet
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/register/register.h"
#include "core/services/internal.h"
#include "core/wallet/wallet.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"

#include <string.h>

static json_t *
summary_json(const struct svc_procedure *p)
{
    const json_t *d = p->json;
    return json_pack("{s:s, s:O, s:O, s:O, s:O, s:I, s:I, s:I, s:I, s:b, s:b, s:I}", "code",
                     p->code, "name", json_object_get(d, "name"), "agency",
                     json_object_get(d, "agency"), "field", json_object_get(d, "field"), "level",
                     json_object_get(d, "level"), "fee", (json_int_t)p->fee, "online_fee",
                     (json_int_t)svc_fee(p, "online"), "online_discount_percent",
                     (json_int_t)p->discount, "processing_days", (json_int_t)p->days, "paperless",
                     p->paperless, "bundle", p->nparts > 0, "identity_level",
                     (json_int_t)p->identity_level);
}

int
svc_procedures_list(struct dd_req *req)
{
    const struct svc_procedure *list;
    size_t n = svc_catalogue(&list);
    const char *field = dd_req_query(req, "field");
    const char *paperless = dd_req_query(req, "paperless");
    if (paperless && strcmp(paperless, "true") != 0 && strcmp(paperless, "false") != 0) {
        json_t *ext =
            dd_problem_add_error(NULL, req, "paperless", "invalid", "paperless là true hoặc false.",
                                 "paperless is true or false.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *f = json_string_value(json_object_get(list[i].json, "field"));
        if (field && (f == NULL || strcmp(f, field) != 0))
            continue;
        if (paperless && list[i].paperless != (strcmp(paperless, "true") == 0))
            continue;
        json_array_append_new(items, summary_json(&list[i]));
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static const struct svc_procedure *
procedure_or_reply(struct dd_req *req)
{
    const struct svc_procedure *p = svc_procedure_find(dd_req_param(req, "code"));
    if (p == NULL)
        dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND, "Không có thủ tục này.",
                                "No such procedure.", NULL);
    return p;
}

int
svc_procedures_get(struct dd_req *req)
{
    const struct svc_procedure *p = procedure_or_reply(req);
    if (p == NULL)
        return DD_DONE;
    json_t *o = summary_json(p);
    for (const char *k = "form\0documents\0workflow\0result\0effect\0parts\0pay_before\0"; *k;
         k += strlen(k) + 1) {
        json_t *v = json_object_get(p->json, k);
        if (v)
            json_object_set(o, k, v);
    }
    return dd_reply_json(req, 200, o);
}

/* The value of register field `name` ("register.<name>") of person r. */
static const char *
register_value(const struct dd_reg_person *r, const char *name)
{
    const struct dd_person *p = &r->p;
    struct {
        const char *name, *value;
    } map[] = {
        {"full_name", p->full_name},
        {"birth_date", p->birth_date},
        {"sex", p->sex},
        {"ethnicity", p->ethnicity},
        {"nationality", p->nationality},
        {"birth_place", p->birth_place},
        {"hometown", p->hometown},
        {"old_id_number", p->old_id_number},
        {"permanent_address", p->permanent_address},
        {"permanent_commune", p->permanent_commune},
        {"household_number", p->household_number},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, name) == 0)
            return map[i].value ? map[i].value : "";
    return "";
}

json_t *
svc_prefill(struct dd_db *db, struct dd_arena *a, const struct svc_procedure *p,
            const struct dd_reg_person *r, int64_t now_ms)
{
    json_t *o = json_object();
    for (int i = 0; i < p->nfields; i++) {
        const char *src = p->fields[i].prefill;
        if (src == NULL)
            continue;
        if (strncmp(src, "register.", 9) == 0) {
            json_object_set_new(o, p->fields[i].name, json_string(register_value(r, src + 9)));
            continue;
        }
        /* wallet:<vct>#<claim>: the claim of the newest valid document of that type. */
        const char *hash = strchr(src, '#');
        const char *vct = dd_arena_strndup(a, src + 7, (size_t)(hash - (src + 7)));
        struct dd_wallet_verdict v;
        if (dd_wallet_latest_claims(db, a, r->p.id_number, vct, now_ms, &v) == DD_OK && v.valid) {
            json_t *value = json_object_get(v.claims, hash + 1);
            if (value)
                json_object_set(o, p->fields[i].name, value);
        }
    }
    return o;
}

int
svc_me_form_get(struct dd_req *req)
{
    const struct svc_procedure *p = procedure_or_reply(req);
    if (p == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person r;
    int rc = dd_reg_person_load(db, req->arena, req->who->id_number, &r);
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND,
                                       "Không tìm thấy người này trong cơ sở dữ liệu dân cư.",
                                       "This person is not in the population register.", NULL);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return dd_reply_json(req, 200,
                         json_pack("{s:s, s:O, s:o, s:b, s:I}", "procedure", p->code, "form",
                                   json_object_get(p->json, "form"), "values",
                                   svc_prefill(db, req->arena, p, &r, dd_clock_now_ms()),
                                   "level_ok", req->who->level >= p->identity_level, "fee",
                                   (json_int_t)svc_fee(p, "online")));
}
