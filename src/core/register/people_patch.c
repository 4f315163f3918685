/*
 * people_patch.c — PATCH /api/v1/people/{id}: correcting a person's identity fields, with the
 * reason and legal basis of the correction, against the ETag the officer read (If-Match).
 *
 * Residence, household and death have their own routes, because each is a legal act of its
 * own; the ID number never changes. After the correction every rule is checked again, the ID
 * number's century/sex and year digits included, so that correcting a sex or a date of birth
 * cannot leave a person whose ID number contradicts them.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/register/api.h"
#include "http/problem.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_FIELD_BYTES 300

static const char *const patch_fields[] = {
    "full_name", "other_names", "birth_date",  "sex",       "ethnicity",
    "religion",  "nationality", "birth_place", "hometown",  "old_id_number",
    "photo_ref", "father_id",   "mother_id",   "spouse_id", "relation_to_head",
    "reason",    "legal_basis", "dossier",     NULL,
};

/* Fields a correction may not touch, and where they are changed instead. */
static const struct {
    const char *field;
    const char *vi;
    const char *en;
} read_only[] = {
    {"id_number", "Số định danh cá nhân không thay đổi.", "The ID number never changes."},
    {"status", "Dùng /deaths để đăng ký khai tử.", "Use /deaths to register a death."},
    {"death_date", "Dùng /deaths để đăng ký khai tử.", "Use /deaths to register a death."},
    {"household_number", "Dùng /households để tách, nhập hộ.",
     "Use /households to split or merge households."},
    {"permanent_province", "Dùng /moves để đổi nơi cư trú.", "Use /moves to change residence."},
    {"permanent_commune", "Dùng /moves để đổi nơi cư trú.", "Use /moves to change residence."},
    {"permanent_address", "Dùng /moves để đổi nơi cư trú.", "Use /moves to change residence."},
    {"temporary_province", "Dùng /moves để đổi nơi cư trú.", "Use /moves to change residence."},
    {"temporary_commune", "Dùng /moves để đổi nơi cư trú.", "Use /moves to change residence."},
    {"temporary_address", "Dùng /moves để đổi nơi cư trú.", "Use /moves to change residence."},
    {"temporary_until", "Dùng /moves để đổi nơi cư trú.", "Use /moves to change residence."},
};

/* Every name the body may hold: the correctable fields, and the read-only ones, which are
 * refused with a pointer to their route rather than as unknown. */
static const char *const known_fields[] = {
    "full_name",          "other_names",
    "birth_date",         "sex",
    "ethnicity",          "religion",
    "nationality",        "birth_place",
    "hometown",           "old_id_number",
    "photo_ref",          "father_id",
    "mother_id",          "spouse_id",
    "relation_to_head",   "reason",
    "legal_basis",        "dossier",
    "id_number",          "status",
    "death_date",         "household_number",
    "permanent_province", "permanent_commune",
    "permanent_address",  "temporary_province",
    "temporary_commune",  "temporary_address",
    "temporary_until",    NULL,
};

/* Applies the body's fields to *after; null clears a field. */
static void
apply(struct reg_form *f, struct dd_person *after)
{
    for (int i = 0; patch_fields[i]; i++) {
        int field = dd_person_field_index(patch_fields[i]);
        if (field < 0 || f->body == NULL || json_object_get(f->body, patch_fields[i]) == NULL)
            continue;
        const char *v = reg_form_string(f, patch_fields[i], false, MAX_FIELD_BYTES);
        dd_person_set(after, field, v ? v : "");
    }
}

static int
correction_parse_or_reply(struct dd_req *req, const struct dd_reg_person *before,
                          struct dd_person *after, struct dd_reg_change *c)
{
    struct reg_form f;
    reg_form_init(&f, req, known_fields);
    for (size_t i = 0; f.body && i < sizeof read_only / sizeof read_only[0]; i++)
        if (json_object_get(f.body, read_only[i].field))
            reg_form_error(&f, read_only[i].field, "read-only", read_only[i].vi, read_only[i].en);
    *after = before->p;
    apply(&f, after);
    reg_form_change(&f, c);
    if (after->nationality[0] == '\0')
        after->nationality = "VN";
    struct dd_person_check check;
    dd_person_check(after, &check);
    reg_form_person_issues(&f, &check);
    return reg_form_done_or_reply(&f);
}

static const char *
corrected_payload(struct dd_req *req, const struct dd_reg_person *before,
                  const struct dd_person *after, int64_t version)
{
    json_t *fields = json_array();
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        if (strcmp(dd_person_get(&before->p, i), dd_person_get(after, i)) != 0)
            json_array_append_new(fields, json_string(dd_person_fields[i].name));
    json_t *v = json_pack("{s:s, s:o, s:I}", "id_number", before->p.id_number, "fields", fields,
                          "version", (json_int_t)version);
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

/* PATCH /api/v1/people/{id} — 200 with the corrected person; 400 listing every problem (or
 * without If-Match); 404 outside the caller's area; 412 when the ETag is stale. */
int
reg_people_patch(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person before;
    if (reg_person_or_reply(req, db, dd_req_param(req, "id"), &before) != DD_OK)
        return DD_DONE;
    if (reg_if_match_or_reply(req, before.version, true) != DD_OK)
        return DD_DONE;
    struct dd_person after;
    struct dd_reg_change c = {.kind = "corrected"};
    if (correction_parse_or_reply(req, &before, &after, &c) != 0)
        return DD_DONE;
    c.actor = dd_reg_actor(req->arena, req->who);
    c.request_id = req->request_id;
    int64_t version = before.version;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc =
            reg_change_write(req, db, &before, &after, before.household_id, &c, "person.corrected",
                             corrected_payload(req, &before, &after, before.version + 1), &version);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        return dd_reply_problem(req, DD_PROBLEM_PRECONDITION_FAILED, NULL);
    }
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_reload_reply(req, db, before.p.id_number, 200, NULL);
}
