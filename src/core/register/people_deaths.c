/*
 * people_deaths.c — POST /api/v1/people/{id}/deaths: registering a death.
 *
 * The person's status becomes "dead" with the date of death, and their running residence
 * periods end on that date (residence registrations are deleted on death); the residence fields
 * keep the last address, so the officers of that area still find the record. A second
 * registration of the same death is a conflict; the same request repeated under its
 * Idempotency-Key gets the first reply again.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/idempotency/idempotency.h"
#include "core/register/api.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *const death_fields[] = {"date", "reason", "legal_basis", "dossier", NULL};

struct death {
    const char *date;
    struct dd_reg_change change;
};

static int
death_parse_or_reply(struct dd_req *req, const struct dd_reg_person *before, struct death *d,
                     struct dd_person *after)
{
    struct reg_form f;
    reg_form_init(&f, req, death_fields);
    d->date = reg_form_string(&f, "date", true, 10);
    reg_form_change(&f, &d->change);
    *after = before->p;
    after->status = "dead";
    after->death_date = d->date ? d->date : "";
    char today[11];
    dd_clock_vietnam_day(dd_clock_now_ms(), today);
    if (d->date && dd_partial_date_year(d->date) > 0 &&
        strncmp(d->date, today, strlen(d->date)) > 0)
        reg_form_error(&f, "date", "date-future", "Ngày mất ở tương lai.",
                       "The date of death is in the future.");
    struct dd_person_check check;
    dd_person_check(after, &check);
    for (int i = 0; i < check.count; i++)
        if (!check.issues[i].warning && strcmp(check.issues[i].field, "death_date") == 0)
            reg_form_error(&f, "date", check.issues[i].code, check.issues[i].message_vi,
                           check.issues[i].message_en);
    return reg_form_done_or_reply(&f);
}

static int
alive_or_reply(struct dd_req *req, const struct dd_reg_person *p)
{
    if (strcmp(p->p.status, "dead") != 0)
        return 0;
    dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, "Người này đã được đăng ký khai tử.",
                            "This person's death is already registered.", NULL);
    return -1;
}

static const char *
died_payload(struct dd_req *req, const struct dd_reg_person *p, const char *date)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id_number", p->p.id_number, "death_date",
                          date, "province", p->p.permanent_province, "commune",
                          p->p.permanent_commune, "version", (json_int_t)(p->version + 1));
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

int
reg_residences_end(struct dd_db *db, const char *id, const char *date)
{
    static const char *const kinds[] = {"permanent", "temporary", "absence"};
    int rc = DD_OK;
    for (size_t i = 0; rc == DD_OK && i < sizeof kinds / sizeof kinds[0]; i++)
        rc = dd_reg_residence_close(db, id, kinds[i], date);
    return rc;
}

/* The registration under the request's Idempotency-Key (idem NULL without one). */
static int
death_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person before;
    if (reg_person_or_reply(req, db, dd_req_param(req, "id"), &before) != DD_OK)
        return DD_DONE;
    if (reg_if_match_or_reply(req, before.version, false) != DD_OK)
        return DD_DONE;
    if (alive_or_reply(req, &before) != 0)
        return DD_DONE;
    struct death d = {.change = {.kind = "died"}};
    struct dd_person after;
    if (death_parse_or_reply(req, &before, &d, &after) != 0)
        return DD_DONE;
    d.change.actor = dd_reg_actor(req->arena, req->who);
    d.change.request_id = req->request_id;
    int64_t version;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = reg_change_write(req, db, &before, &after, before.household_id, &d.change,
                              "person.died", died_payload(req, &before, d.date), &version);
    if (rc == DD_OK)
        rc = reg_residences_end(db, before.p.id_number, d.date);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_commit_reply(req, db, idem, before.p.id_number, 201, NULL, NULL);
}

/* POST /api/v1/people/{id}/deaths — 201 with the person; 400 on a bad date; 404 outside the
 * caller's area; 409 if the death is already registered; 412 on a stale If-Match. */
int
reg_deaths_create(struct dd_req *req)
{
    return dd_idem_run(req, death_create);
}
