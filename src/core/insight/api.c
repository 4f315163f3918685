/*
 * api.c — the `insight` module: its event consumer and its routes, the figures of each area as
 * JSON (GET /api/v1/insight/{population,labour,tourism,order}) and the filter they share.
 *
 * Officers see their province, or their commune when their role works in one. Months are
 * YYYY-MM; a range is at most 120 months; the comparison range, when given, is the same length
 * or shorter.
 */
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "core/events.h"
#include "core/insight/insight.h"
#include "core/insight/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "http/route.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_MONTHS 120

static bool
month_ok(const char *m, char out[8])
{
    int y = 0, mo = 0;
    if (m == NULL || strlen(m) != 7 || sscanf(m, "%4d-%2d", &y, &mo) != 2 || m[4] != '-' ||
        y < 1900 || y > 2200 || mo < 1 || mo > 12)
        return false;
    snprintf(out, 8, "%.7s", m);
    return true;
}

static int
months_between(const char *a, const char *b)
{
    int ya = 0, ma = 0, yb = 0, mb = 0;
    if (sscanf(a, "%4d-%2d", &ya, &ma) != 2 || sscanf(b, "%4d-%2d", &yb, &mb) != 2)
        return -1;
    return (yb * 12 + mb) - (ya * 12 + ma);
}

static json_t *
range_error(struct dd_req *req, json_t *ext, const char *field)
{
    return dd_problem_add_error(ext, req, field, "month-invalid",
                                "Tháng phải có dạng YYYY-MM và khoảng tối đa 120 tháng.",
                                "A month is YYYY-MM and a range at most 120 months.");
}

int
insight_filter_or_reply(struct dd_req *req, struct insight_filter *f)
{
    memset(f, 0, sizeof *f);
    f->province = req->who->province;
    f->commune = req->who->commune[0] ? req->who->commune : dd_req_query(req, "commune");
    if (f->commune && f->commune[0] == '\0')
        f->commune = NULL;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char def_to[32], def_from[32];
    snprintf(def_to, sizeof def_to, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
    snprintf(def_from, sizeof def_from, "%04d-%02d", tm.tm_year + 1900 - 1, tm.tm_mon + 1);
    const char *from = dd_req_query(req, "from"), *to = dd_req_query(req, "to");
    const char *cfrom = dd_req_query(req, "compare_from"), *cto = dd_req_query(req, "compare_to");
    json_t *ext = NULL;
    if (!month_ok(from ? from : def_from, f->from))
        ext = range_error(req, ext, "from");
    if (!month_ok(to ? to : def_to, f->to))
        ext = range_error(req, ext, "to");
    int span = ext ? 0 : months_between(f->from, f->to);
    if (ext == NULL && (span < 0 || span >= MAX_MONTHS))
        ext = range_error(req, ext, "to");
    if ((cfrom != NULL) != (cto != NULL))
        ext = range_error(req, ext, cfrom ? "compare_to" : "compare_from");
    else if (cfrom && (!month_ok(cfrom, f->cfrom) || !month_ok(cto, f->cto) ||
                       months_between(f->cfrom, f->cto) < 0 ||
                       months_between(f->cfrom, f->cto) >= MAX_MONTHS))
        ext = range_error(req, ext, "compare_from");
    if (f->commune && (strlen(f->commune) != 5 || strspn(f->commune, "0123456789") != 5))
        ext = dd_problem_add_error(ext, req, "commune", "commune-invalid", "Mã xã gồm 5 chữ số.",
                                   "A commune code is 5 digits.");
    if (ext) {
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return -1;
    }
    sscanf(f->to, "%4d", &f->year);
    return 0;
}

static int
area_get(struct dd_req *req, const char *area)
{
    struct insight_filter f;
    if (insight_filter_or_reply(req, &f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int rc;
    json_t *body = insight_area_json(req, db, area, &f, &rc);
    if (rc != DD_OK) {
        json_decref(body);
        return rc;
    }
    return dd_reply_json(req, 200, body);
}

/* GET /api/v1/insight/population — totals and sex ratio, age pyramid (5-year bands), people by
 * commune, births, deaths, natural growth and moves by month, moves into, out of and within the
 * province, ethnic and religious composition, temporary residents by province of origin. */
int
insight_population_get(struct dd_req *req)
{
    return area_get(req, "population");
}

/* GET /api/v1/insight/labour — working-age people by commune, people by employment status and
 * sector, employed workers by industrial park. */
int
insight_labour_get(struct dd_req *req)
{
    return area_get(req, "labour");
}

/* GET /api/v1/insight/tourism — arrivals and guest nights by month (and the same months a year
 * before), by commune and class with beds, arrivals by nationality and province of origin. */
int
insight_tourism_get(struct dd_req *req)
{
    return area_get(req, "tourism");
}

/* GET /api/v1/insight/order — late stay notifications and watch-list hits by month, and the
 * communes with the most (hot spots). */
int
insight_order_get(struct dd_req *req)
{
    return area_get(req, "order");
}

/* The stay figures of the batch of events being delivered, written once at its end rather than
 * at each event: a reception desk's check-ins share their day, commune and class, and the
 * database's write lock is held for fewer upserts. Per thread, as a batch is delivered on one. */
static _Thread_local struct insight_tally batch_tally;

/* Set when the consumer met an event that calls for a rebuild (a bulk load, the first event)
 * on SQLite: the dispatcher's after_round runs it outside the delivery transaction, whose write
 * lock would otherwise be held for the seconds a rebuild takes, then the event comes again. */
static atomic_bool rebuild_due;

static int
on_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)arg;
    int rc = insight_apply_event(db, ev, &batch_tally, dd_db_kind(db) == DD_DB_SQLITE);
    if (rc == DD_ELATER)
        atomic_store(&rebuild_due, true);
    return rc;
}

static int
after_round(struct dd_db *db)
{
    if (!atomic_load(&rebuild_due))
        return 0;
    struct dd_insight_rebuild_report rep = {0};
    int rc = dd_insight_rebuild_staged(db, &rep);
    if (rc != DD_OK) {
        dd_log(DD_LOG_WARN, "insight.rebuild_failed", "dashboards' rebuild: %s (will retry)",
               dd_strerror(rc));
        return 0;
    }
    atomic_store(&rebuild_due, false);
    dd_log(DD_LOG_INFO, "insight.rebuilt",
           "dashboards' figures rebuilt up to event %lld: %lld people (%lld ms)",
           (long long)rep.watermark, (long long)rep.people, (long long)rep.elapsed_ms);
    return 1;
}

static int
on_batch_end(struct dd_db *db, void *arg, bool keep)
{
    (void)arg;
    if (keep)
        return insight_tally_write(db, &batch_tally);
    insight_tally_clear(&batch_tally);
    return DD_OK;
}

static const char *const csv_types[] = {"text/csv", NULL};

static const struct dd_route insight_routes[] = {
    DD_ROUTE("GET", "/api/v1/insight/population", insight_population_get, DD_AUTH_OFFICER,
             "insight:read"),
    DD_ROUTE("GET", "/api/v1/insight/labour", insight_labour_get, DD_AUTH_OFFICER, "insight:read"),
    DD_ROUTE("GET", "/api/v1/insight/tourism", insight_tourism_get, DD_AUTH_OFFICER,
             "insight:read"),
    DD_ROUTE("GET", "/api/v1/insight/order", insight_order_get, DD_AUTH_OFFICER, "insight:read"),
    DD_ROUTE("GET", "/api/v1/insight/{area}/export", insight_export_get, DD_AUTH_OFFICER,
             "insight:read"),
    DD_ROUTE_BODY("POST", "/api/v1/insight/labour-imports", insight_labour_import, DD_AUTH_OFFICER,
                  "insight:labour", DD_BODY_RAW, 8 * 1024 * 1024, csv_types),
    DD_ROUTES_END,
};

const struct dd_module dd_module_insight = {
    .name = "insight",
    .routes = insight_routes,
    .on_event = on_event,
    .events_batch_end = on_batch_end,
    .after_round = after_round,
};
