/*
 * effects.c — what an approval does, inside the approval's transaction: the procedure's effect
 * on the population register (through the register's own writers, register.h), the result
 * issued into the applicant's wallet (core/wallet), and for the last part of an inter-agency
 * bundle, the bundle's approval with its effect and result. A bundle's parts never apply their
 * procedures' effects: the bundle applies its one effect once, when every part is approved.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/register/register.h"
#include "core/services/internal.h"
#include "core/wallet/wallet.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static int
refuse(struct dd_req *req, struct dd_db *db, const char *vi, const char *en)
{
    dd_db_rollback(db);
    dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED, vi, en, NULL);
    return -1;
}

static const char *
form_str(const json_t *form, const char *name)
{
    return json_string_value(json_object_get(form, name));
}

/* Applies p's register effect for dossier d. -1 with a reply on a refusal. */
static int
apply_effect(struct dd_req *req, struct dd_db *db, const struct svc_procedure *p,
             struct svc_dossier *d, json_t *form, int64_t now, json_t *claims)
{
    if (p->effect == NULL)
        return DD_OK;
    char today[11];
    svc_day_text(svc_today(now), today);
    int rc;
    if (strncmp(p->effect, "residence.", 10) == 0 || strcmp(p->effect, "absence") == 0) {
        struct dd_reg_residence_in in = {
            .kind = strcmp(p->effect, "absence") == 0 ? "absence" : p->effect + 10,
            .province = form_str(form, "province"),
            .commune = form_str(form, "commune"),
            .address = form_str(form, "address"),
            .from = today,
            .until = form_str(form, "until"),
            .reason = form_str(form, "reason"),
            .dossier = d->code,
        };
        if (in.province == NULL || in.commune == NULL || in.address == NULL)
            return refuse(req, db, "Hồ sơ thiếu nơi cư trú.", "The dossier has no place.");
        rc = dd_reg_residence_apply(req, db, d->applicant_id, &in);
        if (rc == DD_EDENIED)
            return refuse(req, db,
                          "Không thể đăng ký: người đã mất, hoặc chủ hộ rời hộ còn thành viên.",
                          "Cannot register: the person died, or a head leaves members behind.");
    } else if (strcmp(p->effect, "death") == 0) {
        const char *id = form_str(form, "deceased_id_number");
        rc = dd_reg_death_apply(req, db, id, form_str(form, "death_date"), d->code);
        if (rc == DD_EEXIST)
            return refuse(req, db, "Người này đã được đăng ký khai tử.",
                          "This death is already registered.");
        if (rc == DD_ENOTFOUND)
            return refuse(req, db, "Không có người chết trong cơ sở dữ liệu dân cư.",
                          "The deceased is not in the population register.");
    } else if (strcmp(p->effect, "birth") == 0) {
        struct dd_reg_birth_in in = {
            .parent_id = d->applicant_id,
            .other_parent_id = form_str(form, "other_parent_id"),
            .full_name = form_str(form, "child_full_name"),
            .birth_date = form_str(form, "child_birth_date"),
            .sex = form_str(form, "child_sex"),
            .dossier = d->code,
        };
        char *id = dd_arena_alloc(req->arena, 13);
        rc = dd_reg_birth_apply(req, db, &in, id);
        if (rc == DD_OK) {
            json_object_set_new(form, "child_id_number", json_string(id));
            json_object_set_new(claims, "child_id_number", json_string(id));
            d->form = dd_json_dump(req->arena, form);
        }
    } else {
        rc = DD_OK;
    }
    return rc;
}

/* Issues p's result for d into the applicant's wallet. -1 with a reply when the issuer is not
 * set up. */
static int
issue_result(struct dd_req *req, struct dd_db *db, const struct svc_procedure *p,
             struct svc_dossier *d, json_t *claims, int64_t now)
{
    json_object_set_new(claims, "dossier", json_string(d->code));
    json_object_set_new(claims, "procedure", json_string(p->code));
    json_object_set_new(claims, "procedure_name", json_string(p->title_vi));
    json_object_set_new(claims, "full_name", json_string(d->applicant_name));
    struct dd_wallet_issue_in in = {
        .issuer = p->issuer,
        .holder = d->applicant_id,
        .vct = p->vct,
        .title = p->title_vi,
        .claims = claims,
        .expires_at_ms = now + 10LL * 366 * 86400 * 1000,
        .issued_by = req->who->name,
    };
    struct dd_wallet_issued out;
    int rc = dd_wallet_issue(db, req->arena, &in, now, &out);
    if (rc == DD_ENOTFOUND)
        return refuse(
            req, db,
            dd_arena_printf(req->arena, "Cơ quan trả kết quả %s chưa được thiết lập trong ví.",
                            p->issuer),
            dd_arena_printf(req->arena, "The result issuer %s is not set up.", p->issuer));
    if (rc == DD_OK)
        d->result_doc = dd_arena_strdup(req->arena, out.public_id);
    return rc;
}

/* Effect and result of one dossier. */
static int
complete(struct dd_req *req, struct dd_db *db, const struct svc_procedure *p, struct svc_dossier *d,
         bool with_effect, int64_t now)
{
    json_t *form = dd_json_keep(req->arena, json_loads(d->form, 0, NULL));
    json_t *claims = dd_json_keep(req->arena, json_object());
    if (form == NULL)
        return DD_EDB;
    for (int i = 0; i < p->nfields; i++) {
        json_t *v = json_object_get(form, p->fields[i].name);
        if (v && strcmp(p->fields[i].name, "full_name") != 0)
            json_object_set(claims, p->fields[i].name, v);
    }
    int rc = with_effect ? apply_effect(req, db, p, d, form, now, claims) : DD_OK;
    if (rc == DD_OK)
        rc = issue_result(req, db, p, d, claims, now);
    return rc;
}

/* Parts of bundle `bundle_id` other than `except` that are not approved yet. */
static int
parts_left(struct dd_db *db, int64_t bundle_id, int64_t except, int64_t *n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT COUNT(*) FROM service_dossiers WHERE bundle_id = ? AND id <> ? "
                           "AND status <> 'approved'",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, bundle_id);
    dd_stmt_bind_int64(st, 2, except);
    rc = dd_stmt_step(st);
    *n = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
}

int
svc_approve_effects(struct dd_req *req, struct dd_db *db, struct svc_dossier *d, int64_t now)
{
    const struct svc_procedure *p = svc_procedure_find(d->procedure_code);
    int rc = complete(req, db, p, d, d->bundle_id == 0, now);
    if (rc != DD_OK || d->bundle_id == 0)
        return rc;
    int64_t left;
    rc = parts_left(db, d->bundle_id, d->id, &left);
    if (rc != DD_OK || left > 0)
        return rc;
    struct svc_dossier b;
    rc = svc_dossier_load(db, req->arena, NULL, d->bundle_id, &b);
    const struct svc_procedure *bp = rc == DD_OK ? svc_procedure_find(b.procedure_code) : NULL;
    if (rc == DD_OK && bp == NULL)
        rc = DD_EDB;
    if (rc != DD_OK)
        return rc;
    b.status = "approved";
    b.step = 0;
    b.decided_at = now;
    int64_t due = svc_day_parse(b.due_day);
    b.on_time = due >= 0 && svc_today(now) <= due ? 1 : 0;
    rc = complete(req, db, bp, &b, true, now);
    if (rc == DD_OK)
        rc = svc_dossier_update(db, &b, now);
    if (rc == DD_OK)
        rc = svc_dossier_log(db, req->arena, &b, svc_actor(req), "approve",
                             dd_arena_printf(req->arena, "all parts approved (last: %s)", d->code),
                             now);
    return rc;
}
