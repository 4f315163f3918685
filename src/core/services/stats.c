/*
 * stats.c — figures for the leaders' dashboards, and the payments that start a dossier:
 *   GET /api/v1/services/statistics  by procedure and status, decided on time or late, dossiers
 *                                    overdue now and due within a working day, ratings by
 *                                    procedure and by office, queue tickets and their
 *                                    waiting times; within
 *                                    the caller's area, optionally ?from/?to (submission days)
 * and the module's event consumer: `payment.paid` of an intent this module opened moves its
 * dossier from awaiting-payment to submitted, where its legal deadline starts.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "core/events.h"
#include "core/services/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define AREA_AND_DATES                                                                             \
    " WHERE province = ? AND (CAST(? AS TEXT) IS NULL OR commune = ?) AND submitted_at >= ? "      \
    "AND submitted_at < ?"

struct scope {
    const char *province, *commune;
    int64_t from_ms, to_ms;
};

static void
bind_scope(struct dd_stmt *st, const struct scope *s)
{
    dd_stmt_bind_text(st, 1, s->province);
    dd_stmt_bind_text(st, 2, s->commune);
    dd_stmt_bind_text(st, 3, s->commune);
    dd_stmt_bind_int64(st, 4, s->from_ms);
    dd_stmt_bind_int64(st, 5, s->to_ms);
}

static double
rate(int64_t part, int64_t whole)
{
    return whole > 0 ? (double)part / (double)whole : 0.0;
}

static int
by_procedure(struct dd_db *db, const struct scope *s, json_t *out, json_t *statuses,
             int64_t totals[3])
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "SELECT procedure_code, status, COUNT(*), "
        "SUM(CASE WHEN on_time = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN on_time = 0 THEN 1 ELSE 0 "
        "END), SUM(CASE WHEN rating > 0 THEN 1 ELSE 0 END), SUM(rating) FROM "
        "service_dossiers" AREA_AND_DATES
        " GROUP BY procedure_code, status ORDER BY procedure_code, status",
        &st);
    if (rc != DD_OK)
        return rc;
    bind_scope(st, s);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *code = dd_stmt_text(st, 0), *status = dd_stmt_text(st, 1);
        json_t *p = json_object_get(out, code);
        if (p == NULL) {
            const struct svc_procedure *proc = svc_procedure_find(code);
            p = json_pack("{s:s, s:O?, s:I, s:{}, s:I, s:I, s:I, s:I}", "procedure", code, "name",
                          proc ? json_object_get(proc->json, "name") : NULL, "total", (json_int_t)0,
                          "by_status", "on_time", (json_int_t)0, "late", (json_int_t)0, "ratings",
                          (json_int_t)0, "rating_sum", (json_int_t)0);
            json_object_set_new(out, code, p);
        }
        int64_t n = dd_stmt_int64(st, 2);
        const char *keys[] = {"total", "on_time", "late", "ratings", "rating_sum"};
        int64_t add[] = {n, dd_stmt_int64(st, 3), dd_stmt_int64(st, 4), dd_stmt_int64(st, 5),
                         dd_stmt_int64(st, 6)};
        for (int i = 0; i < 5; i++)
            json_object_set_new(
                p, keys[i], json_integer(json_integer_value(json_object_get(p, keys[i])) + add[i]));
        json_object_set_new(json_object_get(p, "by_status"), status, json_integer(n));
        json_object_set_new(
            statuses, status,
            json_integer(json_integer_value(json_object_get(statuses, status)) + n));
        totals[0] += add[1];
        totals[1] += add[2];
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
by_office(struct dd_db *db, const struct scope *s, json_t *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "SELECT province, commune, COUNT(*), SUM(rating) FROM service_dossiers" AREA_AND_DATES
        " AND rating > 0 GROUP BY province, commune ORDER BY province, commune",
        &st);
    if (rc != DD_OK)
        return rc;
    bind_scope(st, s);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        int64_t n = dd_stmt_int64(st, 2), sum = dd_stmt_int64(st, 3);
        json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:f}", "province",
                                             dd_stmt_text(st, 0), "commune", dd_stmt_text(st, 1),
                                             "ratings", (json_int_t)n, "average", rate(sum, n)));
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Open dossiers whose deadline is before `today` (overdue) or, with soon, within one working day
 * from today (due soon: the warning before the deadline passes). */
static int
overdue(struct dd_db *db, const struct scope *s, int64_t now, bool soon, int64_t *n)
{
    char today[11];
    svc_day_text(soon ? svc_add_working_days(svc_today(now), 1) + 1 : svc_today(now), today);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT COUNT(*) FROM service_dossiers" AREA_AND_DATES
                           " AND on_time = -1 AND due_day <> '' AND due_day < ? AND due_day >= ? "
                           "AND status NOT IN ('approved', 'refused')",
                           &st);
    if (rc != DD_OK)
        return rc;
    bind_scope(st, s);
    char from[11];
    svc_day_text(svc_today(now), from);
    dd_stmt_bind_text(st, 6, today);
    dd_stmt_bind_text(st, 7, soon ? from : "");
    rc = dd_stmt_step(st);
    *n = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
}

static int
dates_or_reply(struct dd_req *req, struct scope *s)
{
    const char *from = dd_req_query(req, "from"), *to = dd_req_query(req, "to");
    int64_t f = from ? svc_day_parse(from) : 0, t = to ? svc_day_parse(to) : 0;
    json_t *ext = NULL;
    if (f < 0)
        ext = dd_problem_add_error(ext, req, "from", "date-invalid", "Ngày YYYY-MM-DD.",
                                   "A date YYYY-MM-DD.");
    if (t < 0)
        ext = dd_problem_add_error(ext, req, "to", "date-invalid", "Ngày YYYY-MM-DD.",
                                   "A date YYYY-MM-DD.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext), -1;
    /* Days in Vietnam: a day starts at 17:00 UTC the day before. */
    s->from_ms = from ? f * 86400000LL - 7 * 3600000LL : 0;
    s->to_ms = to ? (t + 1) * 86400000LL - 7 * 3600000LL : INT64_MAX;
    return 0;
}

int
svc_statistics_get(struct dd_req *req)
{
    struct scope s = {
        .province = req->who->province,
        .commune = dd_principal_province_wide(req->who) ? NULL : req->who->commune,
    };
    if (dates_or_reply(req, &s) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms(), totals[3] = {0, 0, 0}, late_now = 0, soon_now = 0;
    json_t *procs = dd_json_keep(req->arena, json_object());
    json_t *statuses = json_object(), *offices = json_array();
    int rc = by_procedure(db, &s, procs, statuses, totals);
    if (rc == DD_OK)
        rc = by_office(db, &s, offices);
    if (rc == DD_OK)
        rc = overdue(db, &s, now, false, &late_now);
    if (rc == DD_OK)
        rc = overdue(db, &s, now, true, &soon_now);
    json_t *tickets = NULL;
    if (rc == DD_OK)
        rc = svc_ticket_stats(db, s.province, s.commune, s.from_ms, s.to_ms, &tickets);
    if (rc != DD_OK) {
        json_decref(statuses);
        json_decref(offices);
        return svc_fail(req, db, rc);
    }
    json_t *items = json_array();
    const char *code;
    json_t *p;
    json_object_foreach(procs, code, p)
    {
        int64_t on = json_integer_value(json_object_get(p, "on_time"));
        int64_t late = json_integer_value(json_object_get(p, "late"));
        int64_t n = json_integer_value(json_object_get(p, "ratings"));
        int64_t sum = json_integer_value(json_object_get(p, "rating_sum"));
        json_object_set_new(p, "on_time_rate", json_real(rate(on, on + late)));
        json_object_set_new(p, "satisfaction", json_real(rate(sum, n)));
        json_object_del(p, "rating_sum");
        json_array_append(items, p);
    }
    return dd_reply_json(
        req, 200,
        json_pack("{s:o, s:o, s:I, s:I, s:f, s:I, s:I, s:o, s:o}", "by_procedure", items,
                  "by_status", statuses, "decided_on_time", (json_int_t)totals[0], "decided_late",
                  (json_int_t)totals[1], "on_time_rate", rate(totals[0], totals[0] + totals[1]),
                  "overdue_now", (json_int_t)late_now, "due_soon_now", (json_int_t)soon_now,
                  "satisfaction_by_office", offices, "tickets", tickets));
}

/* ---- payments ---- */

static int
paid(struct dd_db *db, const char *code)
{
    struct dd_arena *a = dd_arena_new(8192);
    struct svc_dossier d;
    int64_t now = dd_clock_now_ms();
    int rc = svc_dossier_load(db, a, code, 0, &d);
    const struct svc_procedure *p = rc == DD_OK ? svc_procedure_find(d.procedure_code) : NULL;
    if (rc == DD_OK && p && strcmp(d.status, "awaiting-payment") == 0) {
        d.status = "submitted";
        svc_dossier_set_due(a, &d, p, now);
        rc = svc_dossier_update(db, &d, now);
        if (rc == DD_OK)
            rc = svc_dossier_log(db, a, &d, "system", "paid", d.payment_id, now);
    } else if (rc == DD_ENOTFOUND) {
        dd_log(DD_LOG_WARN, "services.payment", "a paid intent names no dossier");
        rc = DD_OK;
    }
    dd_arena_free(a);
    return rc;
}

int
svc_on_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)arg;
    if (strcmp(ev->type, "payment.paid") != 0)
        return DD_OK;
    json_t *v = json_loads(ev->payload ? ev->payload : "", 0, NULL);
    const json_t *object = json_object_get(v, "object");
    const char *module = json_string_value(json_object_get(object, "module"));
    const char *code = json_string_value(json_object_get(object, "id"));
    int rc = DD_OK;
    if (module && code && strcmp(module, "services") == 0)
        rc = paid(db, code);
    json_decref(v);
    return rc;
}
