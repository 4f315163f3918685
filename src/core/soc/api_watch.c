/*
 * api_watch.c — what an analyst watches: the security events with filters, the alert queue and
 * one alert with its evidence, closing or acknowledging an alert, and the rules with their hit
 * counts and their reload.
 *
 *   GET  /api/v1/soc/events        ?type ?module ?actor ?subject ?source ?outcome ?since ?until
 *                                  ?limit ?cursor — newest first
 *   GET  /api/v1/soc/alerts        ?status (open, acknowledged, closed) ?rule ?limit ?cursor
 *   GET  /api/v1/soc/alerts/{id}   with its evidence events
 *   POST /api/v1/soc/alerts/{id}/status  {"status": "acknowledged"|"closed"}
 *   GET  /api/v1/soc/rules         {items: [rule with hits and alerts], loaded_at}
 *   POST /api/v1/soc/rules/reload  200 with the new rules; 422 (the old ones stay) on a bad file
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/soc/internal.h"
#include "http/list.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static json_t *
event_row_json(struct dd_stmt *st)
{
    json_t *details = json_loads(dd_stmt_text(st, 9), 0, NULL);
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "id",
                     (json_int_t)dd_stmt_int64(st, 0), "event_id", (json_int_t)dd_stmt_int64(st, 1),
                     "at", dd_stmt_text(st, 2), "type", dd_stmt_text(st, 3), "module",
                     dd_stmt_text(st, 4), "actor", dd_stmt_text(st, 5), "subject",
                     dd_stmt_text(st, 6), "source", dd_stmt_text(st, 7), "outcome",
                     dd_stmt_text(st, 8), "amount", (json_int_t)dd_stmt_int64(st, 10), "details",
                     details ? details : json_object());
}

#define EVENT_COLS                                                                                 \
    "id, event_id, at, type, module, actor, subject, source, outcome, details, amount"

static const char *const event_filters[] = {"type",   "module",  "actor", "subject",
                                            "source", "outcome", NULL};

/* ?cursor: the id of the last row of the previous page. */
static json_t *
cursor_of(struct dd_req *req, json_t *ext, int64_t *before)
{
    const char *c = dd_req_query(req, "cursor");
    *before = INT64_MAX;
    if (c && dd_parse_int64(c, 1, INT64_MAX, before) != DD_OK)
        ext = dd_problem_add_error(ext, req, "cursor", "cursor-invalid",
                                   "Con trỏ trang không hợp lệ.", "The cursor is not valid.");
    return ext;
}

static json_t *
time_of(struct dd_req *req, json_t *ext, const char *name)
{
    const char *t = dd_req_query(req, name);
    if (t && soc_time_ms(t) < 0)
        ext = dd_problem_add_error(ext, req, name, "time-invalid",
                                   "Thời điểm theo ISO 8601 UTC, ví dụ 2026-01-31T08:00:00Z.",
                                   "A time in ISO 8601 UTC, e.g. 2026-01-31T08:00:00Z.");
    return ext;
}

int
soc_events_list(struct dd_req *req)
{
    int limit;
    int64_t before;
    json_t *ext = dd_list_limit(req, NULL, &limit);
    ext = cursor_of(req, ext, &before);
    ext = time_of(req, ext, "since");
    ext = time_of(req, ext, "until");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char sql[700];
    int n = snprintf(sql, sizeof sql, "SELECT " EVENT_COLS " FROM soc_events WHERE id < ?");
    for (size_t i = 0; event_filters[i]; i++)
        if (dd_req_query(req, event_filters[i]))
            n += snprintf(sql + n, sizeof sql - (size_t)n, " AND %s = ?", event_filters[i]);
    if (dd_req_query(req, "since"))
        n += snprintf(sql + n, sizeof sql - (size_t)n, " AND at >= ?");
    if (dd_req_query(req, "until"))
        n += snprintf(sql + n, sizeof sql - (size_t)n, " AND at < ?");
    snprintf(sql + n, sizeof sql - (size_t)n, " ORDER BY id DESC LIMIT ?");
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    int p = 1;
    dd_stmt_bind_int64(st, p++, before);
    for (size_t i = 0; event_filters[i]; i++)
        if (dd_req_query(req, event_filters[i]))
            dd_stmt_bind_text(st, p++, dd_req_query(req, event_filters[i]));
    if (dd_req_query(req, "since"))
        dd_stmt_bind_text(st, p++, dd_req_query(req, "since"));
    if (dd_req_query(req, "until"))
        dd_stmt_bind_text(st, p++, dd_req_query(req, "until"));
    dd_stmt_bind_int64(st, p, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    bool more = false;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = true;
            continue;
        }
        last = dd_stmt_int64(st, 0);
        json_array_append_new(items, event_row_json(st));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return dd_list_reply_page(req, items, more, last);
}

#define ALERT_COLS                                                                                 \
    "id, rule_id, group_key, severity, status, first_at, last_at, hits, value, evidence, "         \
    "incident_id"

static json_t *
alert_row_json(struct dd_stmt *st, const struct soc_ruleset *rs)
{
    json_t *evidence = json_loads(dd_stmt_text(st, 9), 0, NULL);
    const char *rule = dd_stmt_text(st, 1);
    const char *title_vi = rule, *title_en = rule;
    for (size_t i = 0; rs && i < rs->count; i++)
        if (strcmp(rs->rules[i].id, rule) == 0) {
            title_vi = rs->rules[i].title_vi;
            title_en = rs->rules[i].title_en;
        }
    return json_pack("{s:I, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o}", "id",
                     (json_int_t)dd_stmt_int64(st, 0), "rule", rule, "title", "vi", title_vi, "en",
                     title_en, "key", dd_stmt_text(st, 2), "severity", dd_stmt_text(st, 3),
                     "status", dd_stmt_text(st, 4), "first_at", dd_stmt_text(st, 5), "last_at",
                     dd_stmt_text(st, 6), "hits", (json_int_t)dd_stmt_int64(st, 7), "value",
                     (json_int_t)dd_stmt_int64(st, 8), "evidence",
                     evidence ? evidence : json_array(), "incident",
                     dd_stmt_is_null(st, 10) ? json_null() : json_integer(dd_stmt_int64(st, 10)));
}

int
soc_alert_json(struct dd_db *db, struct dd_arena *a, int64_t id, bool with_evidence, json_t **out)
{
    (void)a;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT " ALERT_COLS " FROM soc_alerts WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    struct soc_ruleset *rs = soc_rules_get();
    *out = rc == DD_DB_ROW ? alert_row_json(st, rs) : NULL;
    soc_rules_put(rs);
    dd_stmt_reset(st);
    if (rc < 0 || *out == NULL)
        return rc < 0 ? rc : DD_ENOTFOUND;
    if (!with_evidence)
        return DD_OK;
    json_t *events = json_array();
    json_t *ids = json_object_get(*out, "evidence");
    size_t i;
    json_t *v;
    rc = dd_db_prepare(db, "SELECT " EVENT_COLS " FROM soc_events WHERE id = ?", &st);
    json_array_foreach(ids, i, v)
    {
        if (rc != DD_OK)
            break;
        dd_stmt_bind_int64(st, 1, json_integer_value(v));
        if (dd_stmt_step(st) == DD_DB_ROW)
            json_array_append_new(events, event_row_json(st));
        dd_stmt_reset(st);
    }
    json_object_set_new(*out, "evidence_events", events);
    if (rc != DD_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int
soc_alerts_list(struct dd_req *req)
{
    int limit;
    int64_t before;
    json_t *ext = dd_list_limit(req, NULL, &limit);
    ext = cursor_of(req, ext, &before);
    const char *status = dd_req_query(req, "status");
    const char *rule = dd_req_query(req, "rule");
    if (status && strcmp(status, "open") != 0 && strcmp(status, "acknowledged") != 0 &&
        strcmp(status, "closed") != 0)
        ext = dd_problem_add_error(ext, req, "status", "status-invalid",
                                   "status là open, acknowledged hoặc closed.",
                                   "status is open, acknowledged or closed.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " ALERT_COLS " FROM soc_alerts WHERE id < ? AND (? = '' OR "
                           "status = ?) AND (? = '' OR rule_id = ?) ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, before);
    dd_stmt_bind_text(st, 2, status ? status : "");
    dd_stmt_bind_text(st, 3, status ? status : "");
    dd_stmt_bind_text(st, 4, rule ? rule : "");
    dd_stmt_bind_text(st, 5, rule ? rule : "");
    dd_stmt_bind_int64(st, 6, limit + 1);
    struct soc_ruleset *rs = soc_rules_get();
    json_t *items = json_array();
    int64_t last = 0;
    bool more = false;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = true;
            continue;
        }
        last = dd_stmt_int64(st, 0);
        json_array_append_new(items, alert_row_json(st, rs));
    }
    soc_rules_put(rs);
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return dd_list_reply_page(req, items, more, last);
}

int
soc_alert_get(struct dd_req *req)
{
    int64_t id;
    if (soc_path_id_or_reply(req, &id) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *out;
    int rc = soc_alert_json(db, req->arena, id, true, &out);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    return dd_reply_json(req, 200, out);
}

static const char *const status_fields[] = {"status", NULL};

int
soc_alert_status(struct dd_req *req)
{
    int64_t id;
    if (soc_path_id_or_reply(req, &id) != 0)
        return DD_DONE;
    json_t *ext = NULL;
    const char *status = soc_body_text(req, &ext, "status", true, 20);
    if (status && strcmp(status, "acknowledged") != 0 && strcmp(status, "closed") != 0)
        ext = dd_problem_add_error(ext, req, "status", "status-invalid",
                                   "status là acknowledged hoặc closed.",
                                   "status is acknowledged or closed.");
    if (soc_body_done_or_reply(req, ext, status_fields) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "UPDATE soc_alerts SET status = ? WHERE id = ? AND status <> 'closed'", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, status);
    dd_stmt_bind_int64(st, 2, id);
    rc = dd_stmt_step(st);
    int64_t changed = rc >= 0 ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    json_t *out;
    rc = soc_alert_json(db, req->arena, id, false, &out);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    if (changed == 0) {
        json_decref(out);
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, "Cảnh báo đã đóng.",
                                       "The alert is closed.", NULL);
    }
    return dd_reply_json(req, 200, out);
}

/* The members of the later rules: roles, field, baseline, passwords. */
static void
rule_extras_json(const struct soc_rule *r, json_t *o)
{
    if (r->nroles > 0) {
        json_t *roles = json_array();
        for (int i = 0; i < r->nroles; i++)
            json_array_append_new(roles, json_string(r->roles[i]));
        json_object_set_new(o, "roles", roles);
    }
    if (r->field[0])
        json_object_set_new(o, "field", json_string(r->field));
    if (r->baseline != SOC_BASELINE_NONE)
        json_object_set_new(o, "baseline",
                            json_pack("{s:s, s:I, s:f}", "compare",
                                      r->baseline == SOC_BASELINE_OWN ? "own" : "peers", "days",
                                      (json_int_t)(r->baseline_ms / (24 * 3600 * 1000LL)), "factor",
                                      r->factor));
    if (r->pw_max >= 0)
        json_object_set_new(o, "passwords", json_pack("{s:I}", "max", (json_int_t)r->pw_max));
    if (r->pw_min_percent >= 0)
        json_object_set_new(o, "passwords",
                            json_pack("{s:I}", "min_percent", (json_int_t)r->pw_min_percent));
}

static json_t *
rules_json(struct dd_db *db, const struct soc_ruleset *rs, int *rc)
{
    json_t *items = json_array();
    struct dd_stmt *st;
    *rc = dd_db_prepare(db,
                        "SELECT COALESCE(SUM(hits), 0), COUNT(*), COALESCE(SUM(CASE WHEN status "
                        "<> 'closed' THEN 1 ELSE 0 END), 0) FROM soc_alerts WHERE rule_id = ?",
                        &st);
    for (size_t i = 0; rs && *rc == DD_OK && i < rs->count; i++) {
        const struct soc_rule *r = &rs->rules[i];
        dd_stmt_bind_text(st, 1, r->id);
        int s = dd_stmt_step(st);
        json_int_t hits = s == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
        json_int_t alerts = s == DD_DB_ROW ? dd_stmt_int64(st, 1) : 0;
        json_int_t open = s == DD_DB_ROW ? dd_stmt_int64(st, 2) : 0;
        dd_stmt_reset(st);
        if (s < 0)
            *rc = s;
        json_t *o = json_pack(
            "{s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "id", r->id,
            "title", "vi", r->title_vi, "en", r->title_en, "severity", r->severity, "type", r->type,
            "key", soc_key_name(r->key), "measure", soc_measure_name(r->measure), "window_minutes",
            (json_int_t)(r->window_ms / 60000), "threshold", (json_int_t)r->threshold, "hits", hits,
            "alerts", alerts, "open_alerts", open);
        if (r->outcome[0])
            json_object_set_new(o, "outcome", json_string(r->outcome));
        if (r->subject_prefix[0])
            json_object_set_new(o, "subject_prefix", json_string(r->subject_prefix));
        if (r->hours_from >= 0)
            json_object_set_new(o, "outside_hours",
                                json_pack("[i, i]", r->hours_from, r->hours_to));
        rule_extras_json(r, o);
        json_array_append_new(items, o);
    }
    return items;
}

static int
reply_rules(struct dd_req *req, struct dd_db *db)
{
    struct soc_ruleset *rs = soc_rules_get();
    int rc;
    json_t *items = rules_json(db, rs, &rc);
    json_t *body = json_pack("{s:o, s:o, s:o}", "items", items, "next_cursor", json_null(),
                             "loaded_at", rs ? json_string(rs->loaded_at) : json_null());
    soc_rules_put(rs);
    if (rc != DD_OK) {
        json_decref(body);
        return rc;
    }
    return dd_reply_json(req, 200, body);
}

int
soc_rules_list(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    return reply_rules(req, db);
}

int
soc_rules_reload(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char err[400];
    int rc = dd_soc_reload(err, sizeof err);
    dd_soc_reload_event(db, soc_actor(req), rc, err);
    if (rc != DD_OK)
        return dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED,
                                       "Không nạp được tệp quy tắc; các quy tắc đang dùng vẫn giữ "
                                       "nguyên.",
                                       "The rules file could not be loaded; the rules in use are "
                                       "kept.",
                                       json_pack("{s:s}", "reason", err));
    return reply_rules(req, db);
}
