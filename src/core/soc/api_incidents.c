/*
 * api_incidents.c — incidents: raised from alerts (or by hand), with severity, assignee,
 * status, notes and a timeline where every step is a row.
 *
 *   POST /api/v1/soc/incidents             {title, severity, alerts?: [id], assignee?} → 201
 *   GET  /api/v1/soc/incidents             ?status ?limit ?cursor
 *   GET  /api/v1/soc/incidents/{id}        with its alerts and timeline
 *   POST /api/v1/soc/incidents/{id}/updates {status?, severity?, assignee?}
 *   POST /api/v1/soc/incidents/{id}/notes  {text}
 *
 * Each change writes its timeline row and an audit row (dd_audit_append) in its transaction.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/audit.h"
#include "core/soc/internal.h"
#include "http/list.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const severities[] = {"low", "medium", "high", "critical", NULL};
static const char *const statuses[] = {"open", "contained", "resolved", "closed", NULL};

static bool
one_of(const char *s, const char *const *names)
{
    for (size_t i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

int
soc_timeline_add(struct dd_db *db, int64_t incident_id, const char *at, const char *actor,
                 const char *kind, const char *text, json_t *data)
{
    if (data == NULL)
        data = json_object();
    char *d = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(data);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO soc_timeline (incident_id, at, actor, kind, text, data) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, incident_id);
        dd_stmt_bind_text(st, 2, at);
        dd_stmt_bind_text(st, 3, actor);
        dd_stmt_bind_text(st, 4, kind);
        dd_stmt_bind_text(st, 5, text);
        dd_stmt_bind_text(st, 6, d);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    free(d);
    return rc < 0 ? rc : DD_OK;
}

int
soc_audit(struct dd_db *db, struct dd_req *req, const char *action, int64_t incident,
          json_t *detail)
{
    char object[40];
    snprintf(object, sizeof object, "soc-incident:%lld", (long long)incident);
    char *d = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(detail);
    struct dd_audit_entry e = {.actor = soc_actor(req),
                               .action = action,
                               .object = object,
                               .detail = d,
                               .request_id = req->request_id};
    int rc = dd_audit_append(db, &e);
    free(d);
    return rc;
}

#define INCIDENT_COLS                                                                              \
    "id, title, severity, status, assignee, created_by, created_at, updated_at, breach, "          \
    "breach_at, notify_by, breach_facts"

static json_t *
incident_row_json(struct dd_stmt *st)
{
    json_t *facts = json_loads(dd_stmt_text(st, 11), 0, NULL);
    bool breach = dd_stmt_int64(st, 8) != 0;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "id",
                     (json_int_t)dd_stmt_int64(st, 0), "title", dd_stmt_text(st, 1), "severity",
                     dd_stmt_text(st, 2), "status", dd_stmt_text(st, 3), "assignee",
                     dd_stmt_text(st, 4), "created_by", dd_stmt_text(st, 5), "created_at",
                     dd_stmt_text(st, 6), "updated_at", dd_stmt_text(st, 7), "breach", breach,
                     "breach_at", breach ? json_string(dd_stmt_text(st, 9)) : json_null(),
                     "notify_by", breach ? json_string(dd_stmt_text(st, 10)) : json_null(),
                     "breach_facts", facts ? facts : json_object());
}

static int
timeline_json(struct dd_db *db, int64_t id, json_t *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, at, actor, kind, text, data FROM soc_timeline WHERE "
                           "incident_id = ? ORDER BY id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    json_t *items = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        json_t *data = json_loads(dd_stmt_text(st, 5), 0, NULL);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id",
                             (json_int_t)dd_stmt_int64(st, 0), "at", dd_stmt_text(st, 1), "actor",
                             dd_stmt_text(st, 2), "kind", dd_stmt_text(st, 3), "text",
                             dd_stmt_text(st, 4), "data", data ? data : json_object()));
    }
    dd_stmt_reset(st);
    json_object_set_new(out, "timeline", items);
    if (rc < 0)
        return rc;
    rc = dd_db_prepare(db, "SELECT id FROM soc_alerts WHERE incident_id = ? ORDER BY id", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    json_t *alerts = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(alerts, json_integer(dd_stmt_int64(st, 0)));
    dd_stmt_reset(st);
    json_object_set_new(out, "alerts", alerts);
    return rc < 0 ? rc : DD_OK;
}

int
soc_incident_json(struct dd_db *db, struct dd_arena *a, int64_t id, bool full, json_t **out)
{
    (void)a;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT " INCIDENT_COLS " FROM soc_incidents WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    *out = rc == DD_DB_ROW ? incident_row_json(st) : NULL;
    dd_stmt_reset(st);
    if (rc < 0 || *out == NULL)
        return rc < 0 ? rc : DD_ENOTFOUND;
    if (!full)
        return DD_OK;
    rc = timeline_json(db, id, *out);
    if (rc != DD_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Links an open or acknowledged alert to the incident; DD_ENOTFOUND for an alert that is not
 * there, DD_ECONFLICT for one already in an incident. */
static int
link_alert(struct dd_db *db, int64_t incident, int64_t alert)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE soc_alerts SET incident_id = ?, status = 'acknowledged' WHERE "
                           "id = ? AND incident_id IS NULL",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, incident);
    dd_stmt_bind_int64(st, 2, alert);
    rc = dd_stmt_step(st);
    int64_t n = rc >= 0 ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : n == 1 ? DD_OK : DD_ECONFLICT;
}

static const char *const create_fields[] = {"title", "severity", "alerts", "assignee", NULL};

struct incident_in {
    const char *title, *severity, *assignee;
    json_t *alerts;
};

static int
create_parse_or_reply(struct dd_req *req, struct incident_in *in)
{
    json_t *ext = NULL;
    in->title = soc_body_text(req, &ext, "title", true, 300);
    in->severity = soc_body_text(req, &ext, "severity", true, 16);
    in->assignee = soc_body_text(req, &ext, "assignee", false, 64);
    in->alerts = req->json ? json_object_get(req->json, "alerts") : NULL;
    if (in->severity && !one_of(in->severity, severities))
        ext = dd_problem_add_error(ext, req, "severity", "severity-invalid",
                                   "Mức độ là low, medium, high hoặc critical.",
                                   "severity is low, medium, high or critical.");
    size_t i;
    json_t *v;
    bool ok =
        in->alerts == NULL || (json_is_array(in->alerts) && json_array_size(in->alerts) <= 100);
    json_array_foreach(in->alerts, i, v) ok = ok && json_is_integer(v) && json_integer_value(v) > 0;
    if (!ok)
        ext = dd_problem_add_error(ext, req, "alerts", "alerts-invalid",
                                   "alerts là danh sách tối đa 100 mã cảnh báo.",
                                   "alerts is a list of at most 100 alert ids.");
    return soc_body_done_or_reply(req, ext, create_fields);
}

int
soc_incidents_create(struct dd_req *req)
{
    struct incident_in in;
    if (create_parse_or_reply(req, &in) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    const char *actor = soc_actor(req);
    struct dd_stmt *st;
    int64_t id = 0;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO soc_incidents (title, severity, status, assignee, "
                           "created_by, created_at, updated_at) VALUES (?, ?, 'open', ?, ?, ?, ?) "
                           "RETURNING id",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, in.title);
        dd_stmt_bind_text(st, 2, in.severity);
        dd_stmt_bind_text(st, 3, in.assignee ? in.assignee : "");
        dd_stmt_bind_text(st, 4, actor);
        dd_stmt_bind_text(st, 5, now);
        dd_stmt_bind_text(st, 6, now);
        rc = dd_stmt_step(st);
        id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    size_t i;
    json_t *v;
    int64_t bad_alert = 0;
    json_array_foreach(in.alerts, i, v)
    {
        if (rc != DD_OK)
            break;
        rc = link_alert(db, id, json_integer_value(v));
        if (rc == DD_ECONFLICT)
            bad_alert = json_integer_value(v);
    }
    json_t *alerts = in.alerts ? json_incref(in.alerts) : json_array();
    if (rc == DD_OK)
        rc = soc_timeline_add(db, id, now, actor, "created", in.title,
                              json_pack("{s:s, s:O}", "severity", in.severity, "alerts", alerts));
    if (rc == DD_OK)
        rc = soc_audit(db, req, "soc.incident.create", id,
                       json_pack("{s:s, s:O}", "severity", in.severity, "alerts", alerts));
    json_decref(alerts);
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        json_t *ext = dd_problem_add_error(NULL, req, "alerts", "alert-unavailable",
                                           "Cảnh báo không tồn tại hoặc đã thuộc một sự cố.",
                                           "The alert does not exist or is in an incident.");
        json_object_set_new(ext, "alert", json_integer(bad_alert));
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, ext);
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    json_t *out;
    rc = soc_incident_json(db, req->arena, id, true, &out);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    dd_reply_header(req, "Location",
                    dd_arena_printf(req->arena, "/api/v1/soc/incidents/%lld", (long long)id));
    return dd_reply_json(req, 201, out);
}

int
soc_incidents_list(struct dd_req *req)
{
    int limit;
    json_t *ext = dd_list_limit(req, NULL, &limit);
    const char *c = dd_req_query(req, "cursor");
    const char *status = dd_req_query(req, "status");
    int64_t before = INT64_MAX;
    if (c && dd_parse_int64(c, 1, INT64_MAX, &before) != DD_OK)
        ext = dd_problem_add_error(ext, req, "cursor", "cursor-invalid",
                                   "Con trỏ trang không hợp lệ.", "The cursor is not valid.");
    if (status && !one_of(status, statuses))
        ext = dd_problem_add_error(ext, req, "status", "status-invalid",
                                   "status là open, contained, resolved hoặc closed.",
                                   "status is open, contained, resolved or closed.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " INCIDENT_COLS " FROM soc_incidents WHERE id < ? AND (? = '' "
                           "OR status = ?) ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, before);
    dd_stmt_bind_text(st, 2, status ? status : "");
    dd_stmt_bind_text(st, 3, status ? status : "");
    dd_stmt_bind_int64(st, 4, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    bool more = false;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = true;
            continue;
        }
        last = dd_stmt_int64(st, 0);
        json_array_append_new(items, incident_row_json(st));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return dd_list_reply_page(req, items, more, last);
}

int
soc_incident_get(struct dd_req *req)
{
    int64_t id;
    if (soc_path_id_or_reply(req, &id) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *out;
    int rc = soc_incident_json(db, req->arena, id, true, &out);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    return dd_reply_json(req, 200, out);
}

static const char *const update_fields[] = {"status", "severity", "assignee", NULL};

/* Sets one column of the incident and writes its timeline row. */
static int
set_field(struct dd_db *db, int64_t id, const char *column, const char *value, const char *now,
          const char *actor)
{
    char sql[120];
    snprintf(sql, sizeof sql, "UPDATE soc_incidents SET %s = ?, updated_at = ? WHERE id = ?",
             column);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, value);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_int64(st, 3, id);
    rc = dd_stmt_step(st);
    int64_t n = rc >= 0 ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0 || n == 0)
        return rc < 0 ? rc : DD_ENOTFOUND;
    return soc_timeline_add(db, id, now, actor, column, value, NULL);
}

int
soc_incident_update(struct dd_req *req)
{
    int64_t id;
    if (soc_path_id_or_reply(req, &id) != 0)
        return DD_DONE;
    json_t *ext = NULL;
    const char *status = soc_body_text(req, &ext, "status", false, 16);
    const char *severity = soc_body_text(req, &ext, "severity", false, 16);
    const char *assignee = soc_body_text(req, &ext, "assignee", false, 64);
    if (status && !one_of(status, statuses))
        ext = dd_problem_add_error(ext, req, "status", "status-invalid",
                                   "status là open, contained, resolved hoặc closed.",
                                   "status is open, contained, resolved or closed.");
    if (severity && !one_of(severity, severities))
        ext = dd_problem_add_error(ext, req, "severity", "severity-invalid",
                                   "Mức độ là low, medium, high hoặc critical.",
                                   "severity is low, medium, high or critical.");
    if (!status && !severity && !assignee && ext == NULL)
        ext = dd_problem_add_error(ext, req, "", "nothing-to-change",
                                   "Cần status, severity hoặc assignee.",
                                   "status, severity or assignee is needed.");
    if (soc_body_done_or_reply(req, ext, update_fields) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    const char *actor = soc_actor(req);
    int rc = dd_db_begin(db);
    if (rc == DD_OK && status)
        rc = set_field(db, id, "status", status, now, actor);
    if (rc == DD_OK && severity)
        rc = set_field(db, id, "severity", severity, now, actor);
    if (rc == DD_OK && assignee)
        rc = set_field(db, id, "assignee", assignee, now, actor);
    if (rc == DD_OK)
        rc = soc_audit(db, req, "soc.incident.update", id, json_deep_copy(req->json));
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    json_t *out;
    rc = soc_incident_json(db, req->arena, id, true, &out);
    return rc != DD_OK ? soc_fail(req, db, rc) : dd_reply_json(req, 200, out);
}

static const char *const note_fields[] = {"text", NULL};

int
soc_incident_note(struct dd_req *req)
{
    int64_t id;
    if (soc_path_id_or_reply(req, &id) != 0)
        return DD_DONE;
    json_t *ext = NULL;
    const char *text = soc_body_text(req, &ext, "text", true, 4000);
    if (soc_body_done_or_reply(req, ext, note_fields) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    json_t *out;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = soc_incident_json(db, req->arena, id, false, &out);
    if (rc == DD_OK) {
        json_decref(out);
        rc = soc_timeline_add(db, id, now, soc_actor(req), "note", text, NULL);
    }
    if (rc == DD_OK)
        rc = soc_audit(db, req, "soc.incident.note", id, json_object());
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    rc = soc_incident_json(db, req->arena, id, true, &out);
    return rc != DD_OK ? soc_fail(req, db, rc) : dd_reply_json(req, 201, out);
}
