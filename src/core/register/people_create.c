/*
 * people_create.c — POST /api/v1/people: birth registration, a new person in the register.
 *
 * Every field is checked at once (dd_person_check, shared with the CSV import) and every problem
 * is listed in one 400 reply; what is only worth telling (an ID number whose place code is not
 * in the table) comes back as `warnings` in the 201 body. A person who joins a household takes
 * its place as permanent residence unless one is given. The row, its history entry, residence
 * periods, the officer's access-log row, the `person.born` event and, under an Idempotency-Key,
 * the stored reply are one transaction.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/access_log.h"
#include "core/events.h"
#include "core/idempotency/idempotency.h"
#include "core/register/api.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_FIELD_BYTES 300

static const char *const create_fields[] = {
    "id_number",
    "full_name",
    "other_names",
    "birth_date",
    "sex",
    "ethnicity",
    "religion",
    "nationality",
    "birth_place",
    "hometown",
    "old_id_number",
    "photo_ref",
    "father_id",
    "mother_id",
    "spouse_id",
    "household_number",
    "relation_to_head",
    "permanent_province",
    "permanent_commune",
    "permanent_address",
    "temporary_province",
    "temporary_commune",
    "temporary_address",
    "temporary_until",
    "reason",
    "legal_basis",
    "dossier",
    NULL,
};

struct birth {
    struct dd_person p;
    struct dd_reg_change change;
    struct dd_reg_household household; /* id 0: none */
    struct dd_person_check check;
};

/* Reads the person's fields that the body may hold; the others stay "". */
static void
read_person(struct reg_form *f, struct dd_person *p)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; create_fields[i]; i++) {
        int field = dd_person_field_index(create_fields[i]);
        if (field >= 0)
            dd_person_set(p, field, reg_form_string(f, create_fields[i], false, MAX_FIELD_BYTES));
    }
    dd_person_fill_empty(p);
    if (p->nationality[0] == '\0')
        p->nationality = "VN";
    p->status = "alive";
}

/* The household to join, if one is named: it must exist and be open; its place becomes the
 * permanent residence when none is given. */
static void
read_household(struct reg_form *f, struct dd_db *db, struct birth *b)
{
    b->household.id = 0;
    if (b->p.household_number[0] == '\0')
        return;
    int rc = dd_reg_household_find(db, f->req->arena, b->p.household_number, &b->household);
    if (rc != DD_OK || b->household.closed_at[0] != '\0') {
        b->household.id = 0;
        reg_form_error(f, "household_number", "household-unknown",
                       "Không có hộ đang hoạt động mang số này.",
                       "There is no open household with this number.");
        return;
    }
    if (b->p.relation_to_head[0] == '\0')
        reg_form_error(f, "relation_to_head", "required", "Cần quan hệ với chủ hộ khi nhập vào hộ.",
                       "A relation to the head is needed to join a household.");
    if (b->p.permanent_commune[0] == '\0' && b->p.permanent_province[0] == '\0') {
        b->p.permanent_province = b->household.province;
        b->p.permanent_commune = b->household.commune;
        b->p.permanent_address = b->household.address;
    }
}

static void
check_units(struct reg_form *f, struct dd_db *db, const struct dd_person *p)
{
    if (p->permanent_commune[0])
        reg_form_unit(f, db, "permanent_commune", p->permanent_province, p->permanent_commune,
                      NULL);
    if (p->temporary_commune[0])
        reg_form_unit(f, db, "temporary_commune", p->temporary_province, p->temporary_commune,
                      NULL);
}

/* Parses and checks the body; replies 400 and returns -1 on any error. */
static int
birth_parse_or_reply(struct dd_req *req, struct dd_db *db, struct birth *b)
{
    struct reg_form f;
    reg_form_init(&f, req, create_fields);
    read_person(&f, &b->p);
    reg_form_change(&f, &b->change);
    read_household(&f, db, b);
    dd_person_check(&b->p, &b->check);
    reg_form_person_issues(&f, &b->check);
    check_units(&f, db, &b->p);
    return reg_form_done_or_reply(&f);
}

/* A new person must belong to the caller's area, or the caller could not see them after. */
static int
in_area_or_reply(struct dd_req *req, const struct birth *b)
{
    struct dd_reg_person rp = {.p = b->p, .household_id = b->household.id};
    rp.household_province = b->household.id ? b->household.province : "";
    rp.household_commune = b->household.id ? b->household.commune : "";
    if (dd_reg_area_sees(req->who, &rp))
        return 0;
    dd_reply_problem_detail(req, DD_PROBLEM_FORBIDDEN,
                            "Người được đăng ký phải cư trú hoặc thuộc hộ trong địa bàn của bạn.",
                            "The person registered must reside or have a household in your area.",
                            NULL);
    return -1;
}

static const char *
warnings_json(struct dd_req *req, const struct dd_person_check *check)
{
    json_t *list = json_array();
    for (int i = 0; i < check->count; i++) {
        const struct dd_person_issue *is = &check->issues[i];
        if (is->warning)
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s}", "field", is->field, "code", is->code, "message",
                                req->lang == DD_LANG_EN ? is->message_en : is->message_vi));
    }
    const char *text = dd_json_dump(req->arena, list);
    json_decref(list);
    return text;
}

static const char *
born_payload(struct dd_req *req, const struct dd_person *p)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id_number", p->id_number,
                          "birth_date", p->birth_date, "sex", p->sex, "province",
                          p->permanent_province, "commune", p->permanent_commune,
                          "household_number", p->household_number, "version", (json_int_t)1);
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

/* Writes the birth in a transaction left open for its reply. */
static int
birth_write(struct dd_req *req, struct dd_db *db, struct birth *b)
{
    b->change.kind = "born";
    b->change.actor = dd_reg_actor(req->arena, req->who);
    b->change.request_id = req->request_id;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_reg_person_insert(db, req->arena, &b->p, b->household.id, NULL, &b->change);
    if (rc == DD_OK)
        rc = dd_access_log_write(db, req, b->p.id_number, "change", "person",
                                 reg_change_purpose(req, b->change.reason));
    if (rc == DD_OK)
        rc = dd_event_emit(
            db, "person.born", dd_arena_printf(req->arena, "person:%s", b->p.id_number),
            reg_payload_with_dims(req->arena, born_payload(req, &b->p), NULL, &b->p));
    return rc;
}

/* The registration under the request's Idempotency-Key (idem NULL without one). */
static int
birth_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct birth *b = dd_arena_zalloc(req->arena, sizeof *b);
    if (birth_parse_or_reply(req, db, b) != 0)
        return DD_DONE;
    if (in_area_or_reply(req, b) != 0)
        return DD_DONE;
    int rc = birth_write(req, db, b);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        json_t *ext = dd_problem_add_error(NULL, req, "id_number", "id-taken",
                                           "Số định danh cá nhân này đã có trong cơ sở dữ liệu.",
                                           "This personal ID number is already registered.");
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, ext);
    }
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_commit_reply(
        req, db, idem, b->p.id_number, 201, warnings_json(req, &b->check),
        dd_arena_printf(req->arena, "/api/v1/people/%s", b->p.id_number));
}

/* POST /api/v1/people — 201 with the person, Location and ETag, and `warnings`; 400 listing
 * every problem; 403 outside the caller's area; 409 if the ID number is already registered.
 * With an Idempotency-Key, a repeat gets the first reply again. */
int
reg_people_create(struct dd_req *req)
{
    return dd_idem_run(req, birth_create);
}
