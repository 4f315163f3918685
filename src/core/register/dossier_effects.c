/*
 * dossier_effects.c — register changes made by an approved dossier of another module (online
 * public services, core/services/): a residence registered (permanent or temporary), a
 * temporary absence declared, a death registered, a child born. Each runs inside the caller's
 * transaction, the approval's own, so the register changes exactly when the approval is committed;
 * each writes the person's history (with the dossier code), the access-log row and the event as the
 * register's own routes do.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/access_log.h"
#include "core/events.h"
#include "core/register/api.h"
#include "crypto/hash.h"
#include "http/principal.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *
effect_payload(struct dd_req *req, const struct dd_reg_person *p, const char *kind,
               const struct dd_reg_residence_in *in)
{
    bool temporary = strcmp(kind, "temporary") == 0;
    json_t *v =
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:I}", "id_number",
                  p->p.id_number, "kind", kind, "from", "province",
                  temporary ? p->p.temporary_province : p->p.permanent_province, "commune",
                  temporary ? p->p.temporary_commune : p->p.permanent_commune, "to", "province",
                  in->province, "commune", in->commune, "since", in->from, "until",
                  in->until ? in->until : "", "version", (json_int_t)(p->version + 1));
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

static const char *
absence_extra(struct dd_req *req, const struct dd_reg_residence_in *in)
{
    json_t *v = json_pack("{s:{s:n, s:{s:s, s:s, s:s, s:s, s:s}}}", "absence", "from", "to",
                          "province", in->province, "commune", in->commune, "address", in->address,
                          "from", in->from, "until", in->until ? in->until : "");
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

int
dd_reg_residence_apply(struct dd_req *req, struct dd_db *db, const char *id_number,
                       const struct dd_reg_residence_in *in)
{
    struct dd_reg_person before;
    int rc = dd_reg_person_load(db, req->arena, id_number, &before);
    if (rc != DD_OK)
        return rc;
    if (strcmp(before.p.status, "dead") == 0)
        return DD_EDENIED;
    bool absence = strcmp(in->kind, "absence") == 0;
    bool permanent = strcmp(in->kind, "permanent") == 0;
    struct dd_reg_change c = {
        .kind = absence ? "absent" : "moved",
        .actor = dd_reg_actor(req->arena, req->who),
        .reason = in->reason,
        .legal_basis = "Luật Cư trú 2020",
        .dossier = in->dossier,
        .request_id = req->request_id,
        .extra_json = absence ? absence_extra(req, in) : NULL,
    };
    struct dd_person after = before.p;
    int64_t household_id = before.household_id, version;
    if (permanent) {
        after.permanent_province = in->province;
        after.permanent_commune = in->commune;
        after.permanent_address = in->address;
        after.household_number = "";
        after.relation_to_head = "";
        household_id = 0;
        rc = reg_leave_household(db, &before, 0, in->from);
    } else if (!absence) {
        after.temporary_province = in->province;
        after.temporary_commune = in->commune;
        after.temporary_address = in->address;
        after.temporary_until = in->until ? in->until : "";
    }
    if (rc == DD_OK)
        rc = reg_change_write(req, db, &before, &after, household_id, &c, "residence.moved",
                              effect_payload(req, &before, in->kind, in), &version);
    if (rc == DD_OK)
        rc = dd_reg_residence_open(db, id_number, in->kind, in->province, in->commune, in->address,
                                   in->from, in->until, in->reason);
    return rc;
}

int
dd_reg_death_apply(struct dd_req *req, struct dd_db *db, const char *id_number, const char *date,
                   const char *dossier)
{
    struct dd_reg_person before;
    int rc = dd_reg_person_load(db, req->arena, id_number, &before);
    if (rc != DD_OK)
        return rc;
    if (strcmp(before.p.status, "dead") == 0)
        return DD_EEXIST;
    struct dd_reg_change c = {
        .kind = "died",
        .actor = dd_reg_actor(req->arena, req->who),
        .legal_basis = "Luật Hộ tịch 2014",
        .dossier = dossier,
        .request_id = req->request_id,
    };
    struct dd_person after = before.p;
    after.status = "dead";
    after.death_date = date;
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id_number", id_number, "death_date", date,
                          "province", before.p.permanent_province, "commune",
                          before.p.permanent_commune, "version", (json_int_t)(before.version + 1));
    const char *payload = dd_json_dump(req->arena, v);
    json_decref(v);
    int64_t version;
    rc = reg_change_write(req, db, &before, &after, before.household_id, &c, "person.died", payload,
                          &version);
    if (rc == DD_OK)
        rc = reg_residences_end(db, id_number, date);
    return rc;
}

/* A new ID number for a child born in `year` of `sex`, registered in province `province`:
 * "0" + the province code, the century/sex digit, the year's last two digits and six random
 * digits (the national numbering's shape). */
static void
child_id_number(const char *province, const char *sex, int year, char out[13])
{
    unsigned char r[6];
    dd_random_bytes(r, sizeof r);
    int century = dd_idnumber_century_digit(sex, year);
    out[0] = '0';
    out[1] = province[0];
    out[2] = province[1];
    out[3] = (char)('0' + (century < 0 ? 2 : century));
    out[4] = (char)('0' + (year / 10) % 10);
    out[5] = (char)('0' + year % 10);
    for (int i = 0; i < 6; i++)
        out[6 + i] = (char)('0' + r[i] % 10);
    out[12] = '\0';
}

int
dd_reg_birth_apply(struct dd_req *req, struct dd_db *db, const struct dd_reg_birth_in *in,
                   char out_id[13])
{
    struct dd_reg_person parent;
    int rc = dd_reg_person_load(db, req->arena, in->parent_id, &parent);
    if (rc != DD_OK)
        return rc;
    int year = dd_partial_date_year(in->birth_date);
    if (year < 1900)
        return DD_EINVAL;
    struct dd_person child;
    memset(&child, 0, sizeof child);
    dd_person_fill_empty(&child);
    child.full_name = in->full_name;
    child.birth_date = in->birth_date;
    child.sex = in->sex;
    child.nationality = "VN";
    child.status = "alive";
    child.birth_place = parent.p.permanent_commune;
    child.hometown = parent.p.hometown;
    bool mother = strcmp(parent.p.sex, "female") == 0;
    const char *other = in->other_parent_id ? in->other_parent_id : "";
    child.mother_id = mother ? parent.p.id_number : other;
    child.father_id = mother ? other : parent.p.id_number;
    child.permanent_province = parent.p.permanent_province;
    child.permanent_commune = parent.p.permanent_commune;
    child.permanent_address = parent.p.permanent_address;
    child.household_number = parent.p.household_number;
    child.relation_to_head = parent.household_id ? "Con" : "";
    struct dd_reg_change c = {
        .kind = "born",
        .actor = dd_reg_actor(req->arena, req->who),
        .legal_basis = "Luật Hộ tịch 2014",
        .dossier = in->dossier,
        .request_id = req->request_id,
    };
    rc = DD_EEXIST;
    for (int attempt = 0; rc == DD_EEXIST && attempt < 5; attempt++) {
        child_id_number(parent.p.permanent_province, in->sex, year, out_id);
        child.id_number = out_id;
        rc = dd_reg_person_insert(db, req->arena, &child, parent.household_id, in->birth_date, &c);
    }
    if (rc == DD_OK)
        rc = dd_access_log_write(db, req, out_id, "change", "person", "Đăng ký khai sinh");
    if (rc != DD_OK)
        return rc;
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id_number", out_id, "birth_date",
                          in->birth_date, "sex", in->sex, "province", child.permanent_province,
                          "commune", child.permanent_commune, "household_number",
                          child.household_number, "version", (json_int_t)1);
    const char *payload = dd_json_dump(req->arena, v);
    json_decref(v);
    return dd_event_emit(db, "person.born", dd_arena_printf(req->arena, "person:%s", out_id),
                         payload);
}
