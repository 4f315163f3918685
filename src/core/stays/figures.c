/*
 * figures.c — the tourism figures (for model 29) read per day, and the stay writes' events.
 *
 * The daily figures (stay_fig_arrivals, stay_fig_nights) are kept by the `insight` event
 * consumer (core/insight/tourism.c) in the same pass as the leaders' monthly figures, from the
 * stay.checked_in and stay.checked_out events: the check-in and check-out transactions write the
 * event only, and the figures follow within the dispatcher's delay. stay.checked_in adds one
 * arrival (by day, commune, class, nationality and province of origin) and the first guest
 * night; stay.checked_out adds the nights after the first up to the night before the departure
 * day, or takes the first back when the guest left on the day they came. Occupancy is guest
 * nights over the beds of the approved establishments of that commune and class.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/stays/internal.h"
#include "core/stays/stays.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_DAYS 366

/* out = the date n days after d (YYYY-MM-DD); false if d is not a date. */
static bool
day_add(const char *d, int n, char out[11])
{
    int64_t ms;
    char buf[32];
    if (d == NULL || strlen(d) != 10)
        return false;
    snprintf(buf, sizeof buf, "%sT00:00:00Z", d);
    if (dd_stay_time_parse(buf, &ms) != DD_OK)
        return false;
    time_t t = (time_t)(ms / 1000 + (int64_t)n * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    char text[48];
    snprintf(text, sizeof text, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    snprintf(out, 11, "%.10s", text);
    return true;
}

int
stay_emit(struct dd_db *db, const char *type, const char *subject, const char *payload)
{
    return dd_event_emit(db, type, subject, payload);
}

static bool
date_ok(const char *d)
{
    char out[11];
    return day_add(d, 0, out);
}

/* GET /api/v1/stays/figures?from=&to=&commune= — per day of [from, to] (at most 366 days) in the
 * officer's province or one commune: {"nights": [{day, commune, class, guest_nights, beds,
 * occupancy}], "by_nationality": [{day, nationality, arrivals}], "by_origin": [{day,
 * origin_province, arrivals}]}. */
int
stay_figures_get(struct dd_req *req)
{
    const char *from = dd_req_query(req, "from"), *to = dd_req_query(req, "to");
    const char *commune = dd_req_query(req, "commune");
    if (req->who->commune[0])
        commune = req->who->commune;
    json_t *ext = NULL;
    char limit_day[11];
    if (!date_ok(from))
        ext = dd_problem_add_error(ext, req, "from", "date-invalid",
                                   "Ngày phải có dạng YYYY-MM-DD.", "The date must be YYYY-MM-DD.");
    if (!date_ok(to))
        ext = dd_problem_add_error(ext, req, "to", "date-invalid", "Ngày phải có dạng YYYY-MM-DD.",
                                   "The date must be YYYY-MM-DD.");
    else if (ext == NULL && (strcmp(to, from) < 0 ||
                             (day_add(from, MAX_DAYS, limit_day) && strcmp(to, limit_day) >= 0)))
        ext = dd_problem_add_error(ext, req, "to", "range-invalid",
                                   "Khoảng ngày từ 1 đến 366 ngày.", "The range is 1 to 366 days.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    static const char *const sql[] = {
        "SELECT n.day, n.commune_code, n.class, n.guest_nights, (SELECT COALESCE(SUM(e.beds), 0) "
        "FROM stay_establishments e WHERE e.commune_code = n.commune_code AND e.class = n.class "
        "AND e.status = 'approved') FROM stay_fig_nights n WHERE n.province_code = ? AND "
        "(CAST(? AS TEXT) IS NULL OR n.commune_code = ?) AND n.day >= ? AND n.day <= ? ORDER BY "
        "n.day, n.commune_code, n.class LIMIT 20000",
        "SELECT day, nationality, SUM(arrivals) FROM stay_fig_arrivals WHERE province_code = ? AND "
        "(CAST(? AS TEXT) IS NULL OR commune_code = ?) AND day >= ? AND day <= ? GROUP BY day, "
        "nationality ORDER BY day, nationality LIMIT 20000",
        "SELECT day, origin_province, SUM(arrivals) FROM stay_fig_arrivals WHERE province_code = ? "
        "AND (CAST(? AS TEXT) IS NULL OR commune_code = ?) AND day >= ? AND day <= ? GROUP BY day, "
        "origin_province ORDER BY day, origin_province LIMIT 20000",
    };
    static const char *const names[] = {"nights", "by_nationality", "by_origin"};
    json_t *out = json_pack("{s:s, s:s, s:s?}", "from", from, "to", to, "commune", commune);
    for (int q = 0; q < 3; q++) {
        struct dd_stmt *st;
        int rc = dd_db_prepare(db, sql[q], &st);
        if (rc != DD_OK) {
            json_decref(out);
            return stay_fail(req, db, rc);
        }
        dd_stmt_bind_text(st, 1, req->who->province);
        dd_stmt_bind_text(st, 2, commune);
        dd_stmt_bind_text(st, 3, commune);
        dd_stmt_bind_text(st, 4, from);
        dd_stmt_bind_text(st, 5, to);
        json_t *rows = json_array();
        while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
            json_t *r;
            if (q == 0) {
                int64_t nights = dd_stmt_int64(st, 3), beds = dd_stmt_int64(st, 4);
                r = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}", "day", dd_stmt_text(st, 0),
                              "commune", dd_stmt_text(st, 1), "class", dd_stmt_text(st, 2),
                              "guest_nights", (json_int_t)nights, "beds", (json_int_t)beds,
                              "occupancy",
                              beds > 0 ? json_real((double)nights / (double)beds) : json_null());
            } else
                r = json_pack("{s:s, s:s, s:I}", "day", dd_stmt_text(st, 0),
                              q == 1 ? "nationality" : "origin_province", dd_stmt_text(st, 1),
                              "arrivals", (json_int_t)dd_stmt_int64(st, 2));
            json_array_append_new(rows, r);
        }
        dd_stmt_reset(st);
        json_object_set_new(out, names[q], rows);
        if (rc < 0) {
            json_decref(out);
            return stay_fail(req, db, rc);
        }
    }
    return dd_reply_json(req, 200, out);
}
