/*
 * figures.c — the tourism figures (for model 29), kept current from the stay events, and read
 * per day.
 *
 * stay.checked_in adds one arrival (by day, commune, class, nationality and province of origin)
 * and the first guest night; stay.checked_out adds the nights after the first up to the night
 * before the departure day, or takes the first back when the guest left on the day they came.
 * Occupancy is guest nights over the beds of the approved establishments of that commune and
 * class. Each stay event is applied to the figures in the transaction that writes it (stay_emit),
 * so the figures are always exactly what the events say, with no disk flush of their own: a
 * consumer of the outbox would commit once per event, which halves the check-ins a disk can take.
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

#define MAX_NIGHTS 366

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

static int
add_nights(struct dd_db *db, const char *day, const char *province, const char *commune,
           const char *class_, int64_t n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO stay_fig_nights (day, province_code, commune_code, class, "
                           "guest_nights) VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, commune_code, "
                           "class) DO UPDATE SET guest_nights = stay_fig_nights.guest_nights + "
                           "excluded.guest_nights",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, day);
    dd_stmt_bind_text(st, 2, province);
    dd_stmt_bind_text(st, 3, commune);
    dd_stmt_bind_text(st, 4, class_);
    dd_stmt_bind_int64(st, 5, n);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

static const char *
str(json_t *p, const char *name)
{
    const char *s = json_string_value(json_object_get(p, name));
    return s ? s : "";
}

static int
checked_in(struct dd_db *db, json_t *p)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO stay_fig_arrivals (day, province_code, commune_code, "
                           "class, nationality, origin_province, arrivals) VALUES (?, ?, ?, ?, ?, "
                           "?, 1) ON CONFLICT (day, commune_code, class, nationality, "
                           "origin_province) DO UPDATE SET arrivals = stay_fig_arrivals.arrivals "
                           "+ 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, str(p, "day"));
    dd_stmt_bind_text(st, 2, str(p, "province"));
    dd_stmt_bind_text(st, 3, str(p, "commune"));
    dd_stmt_bind_text(st, 4, str(p, "class"));
    dd_stmt_bind_text(st, 5, str(p, "nationality"));
    dd_stmt_bind_text(st, 6, str(p, "origin"));
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc != DD_DB_DONE)
        return rc;
    return add_nights(db, str(p, "day"), str(p, "province"), str(p, "commune"), str(p, "class"), 1);
}

static int
checked_out(struct dd_db *db, json_t *p)
{
    const char *arrival = str(p, "arrival_day"), *departure = str(p, "departure_day");
    const char *province = str(p, "province"), *commune = str(p, "commune");
    const char *class_ = str(p, "class");
    if (strcmp(departure, arrival) <= 0)
        return add_nights(db, arrival, province, commune, class_, -1);
    char day[11];
    int rc = DD_OK;
    for (int i = 1;
         rc == DD_OK && i < MAX_NIGHTS && day_add(arrival, i, day) && strcmp(day, departure) < 0;
         i++)
        rc = add_nights(db, day, province, commune, class_, 1);
    return rc;
}

int
stay_figures_apply(struct dd_db *db, const char *type, const char *payload)
{
    bool in = strcmp(type, "stay.checked_in") == 0;
    bool out = strcmp(type, "stay.checked_out") == 0;
    if (!in && !out)
        return DD_OK;
    json_t *p = json_loads(payload, 0, NULL);
    if (p == NULL)
        return DD_EINVAL;
    int rc = in ? checked_in(db, p) : checked_out(db, p);
    json_decref(p);
    return rc;
}

int
stay_emit(struct dd_db *db, const char *type, const char *subject, const char *payload)
{
    int rc = dd_event_emit(db, type, subject, payload);
    return rc == DD_OK ? stay_figures_apply(db, type, payload) : rc;
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
                             (day_add(from, MAX_NIGHTS, limit_day) && strcmp(to, limit_day) >= 0)))
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
