/*
 * people_missing.c — a person declared missing and their return:
 * POST /api/v1/people/{id}/missing-declarations records a court's decision declaring the person
 * missing (Bộ luật Dân sự 2015, art. 68), and POST /api/v1/people/{id}/returns records that the
 * person has come back and the declaration is annulled (art. 70): they are alive again.
 *
 * A declaration sets the status "missing" and ends the running residence periods on its date:
 * the residence registrations of a person declared missing are deleted (Luật Cư trú 2020,
 * art. 24(1)(a) and 29(1)(a)). The residence fields keep the last address, so the officers of
 * that area still find the record. A return sets the status "alive" and leaves the periods
 * ended: the person registers a residence again (POST /moves). A dead person cannot be declared
 * missing (422 person-dead), nor twice (409 person-already-missing); only a missing person
 * returns (409 person-not-missing). The history entries are of kind "missing" and "found", with
 * {"missing": {"from": null, "to": {"date": …}}} or {"found": {"from": null, "to": {"date": …}}}
 * beside the status; the events are person.missing and person.found.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/idempotency/idempotency.h"
#include "core/register/api.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *const fields[] = {"date", "reason", "legal_basis", "dossier", NULL};

/* What a declaration or a return changes. */
struct status_change {
    const char *kind;       /* "missing" or "found": the history kind and its extra member */
    const char *status;     /* the status after */
    const char *event;      /* person.missing, person.found */
    const char *date;       /* the day it takes effect */
    const char *not_before; /* the declaration's date, for a return ("" if unknown) */
    struct dd_reg_change change;
};

/* The date of the person's last declaration of missing, or "" (a record imported missing). */
static int
declared_on(struct dd_db *db, struct dd_arena *a, const char *id, const char **out)
{
    *out = "";
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT changes FROM person_history WHERE id_number = ? AND "
                           "kind = 'missing' ORDER BY version DESC LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id);
    rc = dd_stmt_step(st);
    const char *text = rc == DD_DB_ROW ? dd_stmt_text(st, 0) : NULL;
    json_t *changes = text ? json_loads(text, 0, NULL) : NULL;
    const char *date = json_string_value(
        json_object_get(json_object_get(json_object_get(changes, "missing"), "to"), "date"));
    if (date)
        *out = dd_arena_strdup(a, date);
    json_decref(changes);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
parse_or_reply(struct dd_req *req, const struct dd_reg_person *before, struct status_change *sc)
{
    struct reg_form f;
    reg_form_init(&f, req, fields);
    sc->date = reg_form_date(&f, "date", true, false);
    reg_form_change(&f, &sc->change);
    const char *birth = before->p.birth_date;
    if (sc->date && birth[0] && strncmp(sc->date, birth, strlen(birth)) < 0)
        reg_form_error(&f, "date", "date-order", "Ngày này trước ngày sinh.",
                       "This date is before the date of birth.");
    else if (sc->date && sc->not_before[0] && strcmp(sc->date, sc->not_before) < 0)
        reg_form_error(&f, "date", "date-order", "Ngày trở về trước ngày tuyên bố mất tích.",
                       "The return is before the declaration of missing.");
    return reg_form_done_or_reply(&f);
}

/* The history entry's extra member: {"missing" | "found": {"from": null, "to": {"date": …}}}. */
static const char *
extra_json(struct dd_req *req, const struct status_change *sc)
{
    json_t *v = json_pack("{s:{s:n, s:{s:s}}}", sc->kind, "from", "to", "date", sc->date);
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

static const char *
event_payload(struct dd_req *req, const struct dd_reg_person *p, const struct status_change *sc)
{
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id_number", p->p.id_number, "date",
                          sc->date, "province", p->p.permanent_province, "commune",
                          p->p.permanent_commune, "version", (json_int_t)(p->version + 1));
    if (sc->not_before[0])
        json_object_set_new(v, "declared_on", json_string(sc->not_before));
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

/* Writes the change in a transaction left open for its reply. */
static int
status_write(struct dd_req *req, struct dd_db *db, const struct dd_reg_person *before,
             struct status_change *sc)
{
    struct dd_person after = before->p;
    after.status = sc->status;
    sc->change.kind = sc->kind;
    sc->change.actor = dd_reg_actor(req->arena, req->who);
    sc->change.request_id = req->request_id;
    sc->change.extra_json = extra_json(req, sc);
    int64_t version;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = reg_change_write(req, db, before, &after, before->household_id, &sc->change, sc->event,
                              event_payload(req, before, sc), &version);
    if (rc == DD_OK && strcmp(sc->status, "missing") == 0)
        rc = reg_residences_end(db, before->p.id_number, sc->date);
    return rc;
}

/* The person for a change of status, or a reply: 404 outside the area, 412 on a stale If-Match,
 * and the state rules (the status the change needs). */
static int
person_or_reply(struct dd_req *req, struct dd_db *db, const char *needed, struct dd_reg_person *out)
{
    if (reg_person_or_reply(req, db, dd_req_param(req, "id"), out) != DD_OK ||
        reg_if_match_or_reply(req, out->version, false) != DD_OK)
        return -1;
    if (strcmp(out->p.status, "dead") == 0) {
        reg_problem_reply(req, REG_PROBLEM_PERSON_DEAD);
        return -1;
    }
    if (strcmp(out->p.status, needed) == 0)
        return 0;
    reg_problem_reply(req, strcmp(needed, "alive") == 0 ? REG_PROBLEM_PERSON_ALREADY_MISSING
                                                        : REG_PROBLEM_PERSON_NOT_MISSING);
    return -1;
}

static int
missing_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person before;
    if (person_or_reply(req, db, "alive", &before) != 0)
        return DD_DONE;
    struct status_change sc = {
        .kind = "missing", .status = "missing", .event = "person.missing", .not_before = ""};
    if (parse_or_reply(req, &before, &sc) != 0)
        return DD_DONE;
    int rc = status_write(req, db, &before, &sc);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_commit_reply(req, db, idem, before.p.id_number, 201, NULL, NULL);
}

/* POST /api/v1/people/{id}/missing-declarations — 201 with the person, now missing; 400 listing
 * every problem; 404 outside the caller's area; 409 person-already-missing; 412 on a stale
 * If-Match; 422 person-dead. */
int
reg_missing_create(struct dd_req *req)
{
    return dd_idem_run(req, missing_create);
}

static int
return_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person before;
    if (person_or_reply(req, db, "missing", &before) != 0)
        return DD_DONE;
    struct status_change sc = {.kind = "found", .status = "alive", .event = "person.found"};
    int rc = declared_on(db, req->arena, before.p.id_number, &sc.not_before);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    if (parse_or_reply(req, &before, &sc) != 0)
        return DD_DONE;
    rc = status_write(req, db, &before, &sc);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_commit_reply(req, db, idem, before.p.id_number, 201, NULL, NULL);
}

/* POST /api/v1/people/{id}/returns — 201 with the person, alive again; 400 listing every
 * problem (a date before the declaration too); 404 outside the caller's area; 409
 * person-not-missing; 412 on a stale If-Match; 422 person-dead. */
int
reg_returns_create(struct dd_req *req)
{
    return dd_idem_run(req, return_create);
}
