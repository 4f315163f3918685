/*
 * submit.c — POST /api/v1/me/dossiers: a citizen submits a procedure.
 *
 * The body names the procedure, the form's typed fields and, for a procedure that is not
 * paperless, the documents it requires: references to documents in the citizen's wallet
 * ({kind, wallet_document}) or to scans the citizen uploaded ({kind, upload}, uploads.c), which
 * the dossier then holds (checked by documents.c: an upload of someone else, or already
 * attached, is refused). The
 * fields the procedure fills from the register or the wallet are filled here and never typed: a
 * value sent for one is refused, and a required one the wallet cannot give is named. A paperless
 * procedure refuses any document. A procedure that asks for a level-2 e-identity refuses a level-1
 * caller. A fee payable at submission opens a payment intent (core/pay) and the dossier waits for
 * it; otherwise the legal deadline starts today. An inter-agency bundle fans out into one part per
 * agency, each a dossier of its own procedure. Everything is one transaction, under the request's
 * Idempotency-Key.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/idempotency/idempotency.h"
#include "core/pay/pay.h"
#include "core/register/register.h"
#include "core/services/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

struct submit {
    const struct svc_procedure *p;
    const char *channel;
    json_t *form; /* the stored form: typed and prefilled values */
    json_t *documents;
    int64_t uploads[SVC_MAX_DOCS]; /* to attach to the dossier */
    int nuploads;
    json_t *ext; /* errors */
};

static void
err(struct dd_req *req, struct submit *s, const char *field, const char *code, const char *vi,
    const char *en)
{
    s->ext = dd_problem_add_error(s->ext, req, field, code, vi, en);
}

bool
svc_field_value_ok(const struct svc_field *f, const json_t *v)
{
    if (strcmp(f->type, "integer") == 0)
        return json_is_integer(v) && json_integer_value(v) >= 0;
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || dd_str_has_control(s))
        return false;
    if (strcmp(f->type, "date") == 0)
        return svc_day_parse(s) >= 0;
    if (strcmp(f->type, "province") == 0)
        return strlen(s) == 2 && dd_str_all_digits(s, 2);
    if (strcmp(f->type, "commune") == 0)
        return strlen(s) == 5 && dd_str_all_digits(s, 5);
    if (strcmp(f->type, "id_number") == 0)
        return dd_reg_id_number_shape(s);
    if (strcmp(f->type, "choice") == 0) {
        size_t i;
        const json_t *c;
        json_array_foreach(f->choices, i, c) if (json_is_string(c) &&
                                                 strcmp(json_string_value(c), s) == 0) return true;
        return false;
    }
    return strlen(s) <= f->max;
}

static void
read_form(struct dd_req *req, struct dd_db *db, struct submit *s, const json_t *typed,
          const struct dd_reg_person *me)
{
    s->form = svc_prefill(db, req->arena, s->p, me, dd_clock_now_ms());
    dd_json_keep(req->arena, s->form);
    if (typed && !json_is_object(typed)) {
        err(req, s, "form", "not-an-object", "form là một đối tượng JSON.", "form is an object.");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)typed, key, v)
    {
        const struct svc_field *f = NULL;
        for (int i = 0; i < s->p->nfields; i++)
            if (strcmp(s->p->fields[i].name, key) == 0)
                f = &s->p->fields[i];
        const char *at = dd_arena_printf(req->arena, "form.%s", key);
        if (f == NULL)
            err(req, s, at, "unknown-field", "Thủ tục không có trường này.",
                "The procedure has no such field.");
        else if (f->prefill)
            err(req, s, at, "field-prefilled",
                "Trường này lấy từ cơ sở dữ liệu dân cư, không nhập lại.",
                "This field comes from the population register and is not typed.");
        else if (!svc_field_value_ok(f, v))
            err(req, s, at, "invalid", "Giá trị không hợp lệ.", "Invalid value.");
        else
            json_object_set(s->form, key, v);
    }
    for (int i = 0; i < s->p->nfields; i++) {
        const struct svc_field *f = &s->p->fields[i];
        if (f->required && !f->prefill && json_object_get(s->form, f->name) == NULL)
            err(req, s, dd_arena_printf(req->arena, "form.%s", f->name), "required",
                "Trường này là bắt buộc.", "This field is required.");
        else if (f->required && f->prefill && json_object_get(s->form, f->name) == NULL)
            err(req, s, dd_arena_printf(req->arena, "form.%s", f->name), "wallet-document-missing",
                "Ví của bạn chưa có giấy tờ còn hiệu lực chứa thông tin này.",
                "Your wallet holds no valid document with this datum.");
    }
}

static void
read_documents(struct dd_req *req, struct dd_db *db, struct submit *s, const json_t *docs)
{
    s->documents = dd_json_keep(req->arena, json_array());
    if (docs == NULL || (json_is_array(docs) && json_array_size(docs) == 0)) {
        for (int i = 0; i < s->p->ndocs; i++)
            err(req, s, "documents", "document-required",
                dd_arena_printf(req->arena, "Thiếu giấy tờ: %s.", s->p->docs[i]),
                dd_arena_printf(req->arena, "Missing document: %s.", s->p->docs[i]));
        return;
    }
    if (s->p->paperless) {
        svc_document_paperless_error(req, &s->ext);
        return;
    }
    if (!json_is_array(docs) || json_array_size(docs) > SVC_MAX_DOCS) {
        err(req, s, "documents", "invalid", "documents là một mảng.", "documents is an array.");
        return;
    }
    for (int i = 0; i < s->p->ndocs; i++) {
        const json_t *found = NULL;
        size_t k;
        const json_t *d;
        json_array_foreach(docs, k, d)
        {
            const char *kind = json_string_value(json_object_get(d, "kind"));
            const char *at = dd_arena_printf(req->arena, "documents[%zu]", k);
            if (kind && strcmp(kind, s->p->docs[i]) == 0 &&
                svc_document_ref_ok(req, db, d, at, req->who->id_number, &s->ext))
                found = d;
        }
        if (found && json_object_get(found, "upload"))
            s->uploads[s->nuploads++] = json_integer_value(json_object_get(found, "upload"));
        if (found)
            json_array_append(s->documents, (json_t *)found);
        else
            err(req, s, "documents", "document-required",
                dd_arena_printf(req->arena, "Thiếu giấy tờ: %s.", s->p->docs[i]),
                dd_arena_printf(req->arena, "Missing document: %s.", s->p->docs[i]));
    }
}

static int
parse_or_reply(struct dd_req *req, struct dd_db *db, struct submit *s,
               const struct dd_reg_person *me)
{
    memset(s, 0, sizeof *s);
    const json_t *body = req->json;
    if (!json_is_object(body)) {
        err(req, s, "", "not-an-object", "Nội dung phải là một đối tượng JSON.",
            "The body must be a JSON object.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, s->ext), -1;
    }
    s->p = svc_procedure_find(json_string_value(json_object_get(body, "procedure")));
    s->channel = json_string_value(json_object_get(body, "channel"));
    if (s->channel == NULL)
        s->channel = "online";
    if (strcmp(s->channel, "online") != 0 && strcmp(s->channel, "kiosk") != 0)
        err(req, s, "channel", "invalid", "channel là online hoặc kiosk.",
            "channel is online or kiosk.");
    if (s->p == NULL)
        err(req, s, "procedure", "procedure-unknown", "Không có thủ tục này.",
            "No such procedure.");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key,
                        v) if (strcmp(key, "procedure") != 0 && strcmp(key, "form") != 0 &&
                               strcmp(key, "documents") != 0 && strcmp(key, "channel") != 0)
        err(req, s, key, "unknown-field", "Trường không được nhận.", "Unknown field.");
    if (s->p) {
        read_form(req, db, s, json_object_get(body, "form"), me);
        read_documents(req, db, s, json_object_get(body, "documents"));
    }
    if (s->ext == NULL)
        return 0;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, s->ext);
    return -1;
}

static int
me_or_reply(struct dd_req *req, struct dd_db *db, struct dd_reg_person *me)
{
    int rc = dd_reg_person_load(db, req->arena, req->who->id_number, me);
    if (rc == DD_ENOTFOUND)
        dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED,
                                "Tài khoản không gắn với người nào trong cơ sở dữ liệu dân cư.",
                                "The account's person is not in the population register.", NULL);
    else if (rc != DD_OK)
        svc_fail(req, db, rc);
    else if (strcmp(me->p.status, "alive") != 0) {
        dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED,
                                "Người nộp không còn trong trạng thái có thể nộp hồ sơ.",
                                "The applicant cannot submit a dossier.", NULL);
        rc = DD_EDENIED;
    }
    return rc;
}

static int
level_or_reply(struct dd_req *req, const struct svc_procedure *p)
{
    if (req->who->level >= p->identity_level)
        return 0;
    dd_reply_problem_detail(req, DD_PROBLEM_FORBIDDEN,
                            "Thủ tục này cần tài khoản định danh điện tử mức 2.",
                            "This procedure needs a level-2 electronic identity.", NULL);
    return -1;
}

/* The dossier's office: the place the form names, else the applicant's permanent residence. */
static void
set_area(struct svc_dossier *d, const json_t *form, const struct dd_reg_person *me)
{
    const char *prov = json_string_value(json_object_get(form, "province"));
    const char *comm = json_string_value(json_object_get(form, "commune"));
    d->province = prov && comm ? prov : me->p.permanent_province;
    d->commune = prov && comm ? comm : me->p.permanent_commune;
}

static int
open_payment(struct dd_req *req, struct dd_db *db, struct svc_dossier *d,
             const struct svc_procedure *p, int64_t now)
{
    struct dd_pay_new n = {
        .purpose = "fee",
        .description = dd_arena_printf(req->arena, "Lệ phí hồ sơ %s", d->code),
        .amount = d->fee,
        .payer_id_number = d->applicant_id,
        .payer_name = d->applicant_name,
        .module = "services",
        .object_type = "dossier",
        .object_id = d->code,
        .created_by = svc_actor(req),
        .ttl_seconds = 7 * 24 * 3600,
    };
    (void)p;
    struct dd_payment pay;
    int rc = dd_pay_create(db, req->arena, &n, now, &pay);
    if (rc == DD_OK)
        d->payment_id = pay.id;
    return rc;
}

static int
insert_parts(struct dd_req *req, struct dd_db *db, const struct svc_dossier *bundle,
             const struct svc_procedure *p, int64_t now)
{
    int rc = DD_OK;
    for (int i = 0; rc == DD_OK && i < p->nparts; i++) {
        const struct svc_procedure *pp = svc_procedure_find(p->parts[i]);
        if (pp == NULL)
            return DD_EINVAL;
        struct svc_dossier part = *bundle;
        part.procedure_code = pp->code;
        part.bundle_id = bundle->id;
        part.fee = 0;
        part.payment_id = "";
        part.status = "submitted";
        part.documents = "[]";
        svc_dossier_set_due(req->arena, &part, pp, now);
        rc = svc_dossier_insert(db, req->arena, &part);
        if (rc == DD_OK)
            rc =
                svc_dossier_log(db, req->arena, &part, svc_actor(req), "submit", bundle->code, now);
    }
    return rc;
}

static int
submit_run(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person me;
    if (me_or_reply(req, db, &me) != DD_OK)
        return DD_DONE;
    struct submit s;
    if (parse_or_reply(req, db, &s, &me) != 0 || level_or_reply(req, s.p) != 0)
        return DD_DONE;
    int64_t now = dd_clock_now_ms();
    struct svc_dossier d = {
        .procedure_code = s.p->code,
        .applicant_id = me.p.id_number,
        .applicant_name = me.p.full_name,
        .channel = s.channel,
        .form = dd_json_dump(req->arena, s.form),
        .documents = dd_json_dump(req->arena, s.documents),
        .fee = svc_fee(s.p, s.channel),
        .payment_id = "",
        .submitted_at = now,
        .due_day = "",
        .reason = "",
        .result_doc = "",
        .rating_comment = "",
        .on_time = -1,
    };
    set_area(&d, s.form, &me);
    bool pay_first = d.fee > 0 && s.p->pay_before != NULL;
    d.status = pay_first ? "awaiting-payment" : "submitted";
    if (!pay_first)
        svc_dossier_set_due(req->arena, &d, s.p, now);
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = svc_dossier_insert(db, req->arena, &d);
    if (rc == DD_OK && pay_first)
        rc = open_payment(req, db, &d, s.p, now);
    if (rc == DD_OK && pay_first)
        rc = svc_dossier_update(db, &d, now);
    if (rc == DD_OK)
        rc = svc_dossier_log(db, req->arena, &d, svc_actor(req), "submit", NULL, now);
    if (rc == DD_OK && s.p->nparts > 0)
        rc = insert_parts(req, db, &d, s.p, now);
    for (int i = 0; rc == DD_OK && i < s.nuploads; i++)
        rc = svc_upload_attach(db, s.uploads[i], me.p.id_number, d.id);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    json_t *body = svc_dossier_json(db, req->arena, &d, true, now);
    return dd_idem_commit_json(req, db, idem, 201, body,
                               dd_arena_printf(req->arena, "/api/v1/me/dossiers/%s", d.code),
                               svc_fail);
}

int
svc_me_dossiers_create(struct dd_req *req)
{
    return dd_idem_run(req, submit_run);
}
