/*
 * store.c — dossiers in service_dossiers and their log: reading, inserting with a new code,
 * updating under the version read, the log row with the event that tells the applicant, the
 * JSON view, and the legal deadline.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/events.h"
#include "core/services/internal.h"
#include "crypto/hash.h"
#include "store/store.h"

#include <string.h>

static const char *
text(struct dd_stmt *st, struct dd_arena *a, int col)
{
    const char *s = dd_stmt_text(st, col);
    return dd_arena_strdup(a, s ? s : "");
}

void
svc_dossier_row(struct dd_stmt *st, struct dd_arena *a, struct svc_dossier *d)
{
    d->id = dd_stmt_int64(st, 0);
    d->code = text(st, a, 1);
    d->procedure_code = text(st, a, 2);
    d->bundle_id = dd_stmt_int64(st, 3);
    d->applicant_id = text(st, a, 4);
    d->applicant_name = text(st, a, 5);
    d->province = text(st, a, 6);
    d->commune = text(st, a, 7);
    d->channel = text(st, a, 8);
    d->status = text(st, a, 9);
    d->step = (int)dd_stmt_int64(st, 10);
    d->form = text(st, a, 11);
    d->documents = text(st, a, 12);
    d->fee = dd_stmt_int64(st, 13);
    d->payment_id = text(st, a, 14);
    d->submitted_at = dd_stmt_int64(st, 15);
    d->due_day = text(st, a, 16);
    d->decided_at = dd_stmt_int64(st, 17);
    d->on_time = (int)dd_stmt_int64(st, 18);
    d->reason = text(st, a, 19);
    d->result_doc = text(st, a, 20);
    d->rating = (int)dd_stmt_int64(st, 21);
    d->rating_comment = text(st, a, 22);
    d->version = dd_stmt_int64(st, 23);
    d->updated_at = dd_stmt_int64(st, 24);
}

int
svc_dossier_load(struct dd_db *db, struct dd_arena *a, const char *code, int64_t id,
                 struct svc_dossier *d)
{
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(db,
                      code ? "SELECT " SVC_DOSSIER_COLUMNS " FROM service_dossiers WHERE code = ?"
                           : "SELECT " SVC_DOSSIER_COLUMNS " FROM service_dossiers WHERE id = ?",
                      &st);
    if (rc != DD_OK)
        return rc;
    if (code)
        dd_stmt_bind_text(st, 1, code);
    else
        dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        svc_dossier_row(st, a, d);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

/* "HS" + yymmdd (Vietnam) + "-" + 6 characters of an alphabet without 0/O and 1/I. */
static void
new_code(int64_t now_ms, char out[20])
{
    static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    char day[11];
    svc_day_text(svc_today(now_ms), day);
    unsigned char r[6];
    dd_random_bytes(r, sizeof r);
    memcpy(out, "HS", 2);
    memcpy(out + 2, day + 2, 2);
    memcpy(out + 4, day + 5, 2);
    memcpy(out + 6, day + 8, 2);
    out[8] = '-';
    for (int i = 0; i < 6; i++)
        out[9 + i] = alphabet[r[i] % 32];
    out[15] = '\0';
}

int
svc_dossier_insert(struct dd_db *db, struct dd_arena *a, struct svc_dossier *d)
{
    char *code = dd_arena_alloc(a, 20);
    new_code(d->submitted_at, code);
    d->code = code;
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "INSERT INTO service_dossiers (code, procedure_code, bundle_id, applicant_id, "
        "applicant_name, province, commune, channel, status, step, form, documents, fee, "
        "payment_id, submitted_at, due_day, version, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
        &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, d->code);
    dd_stmt_bind_text(st, 2, d->procedure_code);
    dd_stmt_bind_int64(st, 3, d->bundle_id);
    dd_stmt_bind_text(st, 4, d->applicant_id);
    dd_stmt_bind_text(st, 5, d->applicant_name);
    dd_stmt_bind_text(st, 6, d->province);
    dd_stmt_bind_text(st, 7, d->commune);
    dd_stmt_bind_text(st, 8, d->channel);
    dd_stmt_bind_text(st, 9, d->status);
    dd_stmt_bind_int64(st, 10, d->step);
    dd_stmt_bind_text(st, 11, d->form);
    dd_stmt_bind_text(st, 12, d->documents);
    dd_stmt_bind_int64(st, 13, d->fee);
    dd_stmt_bind_text(st, 14, d->payment_id ? d->payment_id : "");
    dd_stmt_bind_int64(st, 15, d->submitted_at);
    dd_stmt_bind_text(st, 16, d->due_day ? d->due_day : "");
    dd_stmt_bind_int64(st, 17, d->submitted_at);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        d->id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    d->version = 1;
    d->updated_at = d->submitted_at;
    return rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
}

int
svc_dossier_update(struct dd_db *db, struct svc_dossier *d, int64_t now_ms)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "UPDATE service_dossiers SET status = ?, step = ?, reason = ?, due_day = ?, "
        "decided_at = ?, on_time = ?, result_doc = ?, payment_id = ?, rating = ?, "
        "rating_comment = ?, form = ?, documents = ?, version = version + 1, updated_at = ? "
        "WHERE id = ? AND version = ?",
        &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, d->status);
    dd_stmt_bind_int64(st, 2, d->step);
    dd_stmt_bind_text(st, 3, d->reason);
    dd_stmt_bind_text(st, 4, d->due_day);
    dd_stmt_bind_int64(st, 5, d->decided_at);
    dd_stmt_bind_int64(st, 6, d->on_time);
    dd_stmt_bind_text(st, 7, d->result_doc);
    dd_stmt_bind_text(st, 8, d->payment_id);
    dd_stmt_bind_int64(st, 9, d->rating);
    dd_stmt_bind_text(st, 10, d->rating_comment);
    dd_stmt_bind_text(st, 11, d->form);
    dd_stmt_bind_text(st, 12, d->documents);
    dd_stmt_bind_int64(st, 13, now_ms);
    dd_stmt_bind_int64(st, 14, d->id);
    dd_stmt_bind_int64(st, 15, d->version);
    rc = dd_stmt_step(st);
    int64_t changed = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (changed != 1)
        return DD_ECONFLICT;
    d->version++;
    d->updated_at = now_ms;
    return DD_OK;
}

int
svc_dossier_log(struct dd_db *db, struct dd_arena *a, const struct svc_dossier *d,
                const char *actor, const char *action, const char *note, int64_t now_ms)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO service_dossier_log (dossier_id, at, actor, action, "
                           "status, step, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, d->id);
    dd_stmt_bind_int64(st, 2, now_ms);
    dd_stmt_bind_text(st, 3, actor);
    dd_stmt_bind_text(st, 4, action);
    dd_stmt_bind_text(st, 5, d->status);
    dd_stmt_bind_int64(st, 6, d->step);
    dd_stmt_bind_text(st, 7, note ? note : "");
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "code", d->code, "procedure",
                          d->procedure_code, "status", d->status, "action", action, "note",
                          note ? note : "", "result_doc", d->result_doc ? d->result_doc : "");
    const char *payload = dd_json_dump(a, v);
    json_decref(v);
    return dd_event_emit(db, "dossier.changed", dd_arena_printf(a, "person:%s", d->applicant_id),
                         payload);
}

void
svc_dossier_set_due(struct dd_arena *a, struct svc_dossier *d, const struct svc_procedure *p,
                    int64_t now_ms)
{
    char *due = dd_arena_alloc(a, 11);
    svc_day_text(svc_add_working_days(svc_today(now_ms), p->days), due);
    d->due_day = due;
}

const char *
svc_deadline_state(const struct svc_dossier *d, int64_t now_ms)
{
    if (d->on_time == 1)
        return "on-time";
    if (d->on_time == 0)
        return "late";
    int64_t due = svc_day_parse(d->due_day);
    if (due < 0)
        return "not-started";
    int64_t today = svc_today(now_ms);
    if (today > due)
        return "overdue";
    return svc_working_days_between(today, due) <= 1 ? "due-soon" : "on-track";
}

static json_t *
log_json(struct dd_db *db, int64_t id)
{
    json_t *items = json_array();
    struct dd_stmt *st;
    if (dd_db_prepare(db,
                      "SELECT at, actor, action, status, step, note FROM service_dossier_log "
                      "WHERE dossier_id = ? ORDER BY id",
                      &st) != DD_OK)
        return items;
    dd_stmt_bind_int64(st, 1, id);
    while (dd_stmt_step(st) == DD_DB_ROW) {
        char at[32];
        dd_clock_iso8601(dd_stmt_int64(st, 0), at);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "at", at, "actor",
                                               dd_stmt_text(st, 1), "action", dd_stmt_text(st, 2),
                                               "status", dd_stmt_text(st, 3), "step",
                                               dd_stmt_int64(st, 4), "note", dd_stmt_text(st, 5)));
    }
    dd_stmt_reset(st);
    return items;
}

static json_t *
parts_json(struct dd_db *db, struct dd_arena *a, int64_t id, int64_t now_ms)
{
    json_t *items = json_array();
    struct dd_stmt *st;
    if (dd_db_prepare(db,
                      "SELECT " SVC_DOSSIER_COLUMNS
                      " FROM service_dossiers WHERE bundle_id = ? ORDER BY id",
                      &st) != DD_OK)
        return items;
    dd_stmt_bind_int64(st, 1, id);
    while (dd_stmt_step(st) == DD_DB_ROW) {
        struct svc_dossier p;
        svc_dossier_row(st, a, &p);
        json_array_append_new(items, svc_dossier_json(NULL, a, &p, false, now_ms));
    }
    dd_stmt_reset(st);
    return items;
}

json_t *
svc_dossier_json(struct dd_db *db, struct dd_arena *a, const struct svc_dossier *d, bool full,
                 int64_t now_ms)
{
    const struct svc_procedure *p = svc_procedure_find(d->procedure_code);
    char submitted[32];
    dd_clock_iso8601(d->submitted_at, submitted);
    json_t *o = json_pack(
        "{s:s, s:s, s:O?, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s}",
        "code", d->code, "procedure", d->procedure_code, "procedure_name",
        p ? json_object_get(p->json, "name") : NULL, "applicant_id", d->applicant_id,
        "applicant_name", d->applicant_name, "province", d->province, "commune", d->commune,
        "channel", d->channel, "status", d->status, "step", (json_int_t)d->step, "step_name",
        p && d->step < p->nsteps ? p->steps[d->step].step : "", "submitted_at", submitted,
        "due_day", d->due_day, "fee", (json_int_t)d->fee, "payment_id", d->payment_id, "deadline",
        svc_deadline_state(d, now_ms), "reason", d->reason);
    json_object_set_new(o, "result_doc",
                        d->result_doc[0] ? json_string(d->result_doc) : json_null());
    json_object_set_new(o, "rating", d->rating ? json_integer(d->rating) : json_null());
    json_object_set_new(o, "version", json_integer(d->version));
    json_object_set_new(o, "step_count", json_integer(p ? p->nsteps : 0));
    if (d->decided_at) {
        char at[32];
        dd_clock_iso8601(d->decided_at, at);
        json_object_set_new(o, "decided_at", json_string(at));
    }
    json_t *form = json_loads(d->form, 0, NULL);
    json_object_set_new(o, "form", form ? form : json_object());
    json_t *docs = json_loads(d->documents, 0, NULL);
    json_object_set_new(o, "documents", docs ? docs : json_array());
    if (full && db) {
        json_object_set_new(o, "log", log_json(db, d->id));
        if (p && p->nparts > 0)
            json_object_set_new(o, "parts", parts_json(db, a, d->id, now_ms));
    }
    return o;
}
