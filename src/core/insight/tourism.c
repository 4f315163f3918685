/*
 * tourism.c — the stay events into the tourism and public order figures, in the one consumer
 * that keeps them all (the check-in and check-out transactions write no figures).
 *
 * stay.checked_in adds one arrival and the first guest night to the daily figures that the
 * stays module's figures API reads (stay_fig_arrivals, stay_fig_nights) and to the monthly ones
 * of the dashboards (insight_tourism, insight_arrivals), and a late notification or a watch-list
 * hit to insight_order. stay.checked_out adds the nights after the first up to the night before
 * the departure day (at most 366 nights in all), or takes the first back when the guest left the
 * day they came, to both; and one stay of that many nights to the length of stay
 * (insight_stay_lengths, by the month of departure). rebuild_tourism.c computes the same tables
 * from the stays themselves.
 */
#include "base/err.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *
str(json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? s : "";
}

/* Days since 1970-01-01 of "YYYY-MM-DD"; false if d is not a date. */
static bool
day_number(const char *d, int64_t *out)
{
    struct tm tm = {0};
    if (d == NULL || strlen(d) != 10 || d[4] != '-' || d[7] != '-' ||
        sscanf(d, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm) / 86400;
    return true;
}

static void
day_text(int64_t n, char out[11])
{
    time_t t = (time_t)(n * 86400);
    struct tm r;
    gmtime_r(&t, &r);
    char text[48];
    snprintf(text, sizeof text, "%04d-%02d-%02d", r.tm_year + 1900, r.tm_mon + 1, r.tm_mday);
    snprintf(out, 11, "%.10s", text);
}

/* n guest nights (and `arrivals`) on `day`, in the daily and the monthly figures. */
static int
nights(struct dd_db *db, json_t *p, const char *day, int64_t arrivals, int64_t n)
{
    const char *d[] = {day, str(p, "province"), str(p, "commune"), str(p, "class")};
    int rc = insight_step(db,
                          "INSERT INTO stay_fig_nights (day, province_code, commune_code, class, "
                          "guest_nights) VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, commune_code, "
                          "class) DO UPDATE SET guest_nights = stay_fig_nights.guest_nights + "
                          "excluded.guest_nights",
                          d, 4, n);
    if (rc != DD_OK)
        return rc;
    char month[8];
    insight_month(day, month);
    const char *m[] = {str(p, "province"), str(p, "commune"), str(p, "class"), month};
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO insight_tourism (province_code, commune_code, class, month, arrivals, "
             "guest_nights) VALUES (?, ?, ?, ?, %lld, ?) ON CONFLICT (province_code, commune_code, "
             "class, month) DO UPDATE SET arrivals = insight_tourism.arrivals + "
             "excluded.arrivals, guest_nights = insight_tourism.guest_nights + "
             "excluded.guest_nights",
             (long long)arrivals);
    return insight_step(db, sql, m, 4, n);
}

static int
checked_in(struct dd_db *db, json_t *p)
{
    const char *day = str(p, "day");
    const char *d[] = {day,
                       str(p, "province"),
                       str(p, "commune"),
                       str(p, "class"),
                       str(p, "nationality"),
                       str(p, "origin")};
    int rc = insight_step(db,
                          "INSERT INTO stay_fig_arrivals (day, province_code, commune_code, "
                          "class, nationality, origin_province, arrivals) VALUES (?, ?, ?, ?, ?, "
                          "?, ?) ON CONFLICT (day, commune_code, class, nationality, "
                          "origin_province) DO UPDATE SET arrivals = stay_fig_arrivals.arrivals "
                          "+ excluded.arrivals",
                          d, 6, 1);
    if (rc == DD_OK)
        rc = nights(db, p, day, 1, 1);
    char month[8];
    insight_month(day, month);
    static const char *const sql =
        "INSERT INTO insight_arrivals (province_code, commune_code, month, dimension, value, "
        "arrivals) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (province_code, commune_code, month, "
        "dimension, value) DO UPDATE SET arrivals = insight_arrivals.arrivals + "
        "excluded.arrivals";
    const char *nat[] = {str(p, "province"), str(p, "commune"), month, "nationality",
                         str(p, "nationality")};
    const char *org[] = {str(p, "province"), str(p, "commune"), month, "origin", str(p, "origin")};
    if (rc == DD_OK)
        rc = insight_step(db, sql, nat, 5, 1);
    if (rc == DD_OK)
        rc = insight_step(db, sql, org, 5, 1);
    bool late = json_is_true(json_object_get(p, "late"));
    bool watched = json_is_true(json_object_get(p, "watched"));
    if (rc == DD_OK && (late || watched)) {
        char q[400];
        snprintf(q, sizeof q,
                 "INSERT INTO insight_order (province_code, commune_code, month, late_stays, "
                 "watch_hits) VALUES (?, ?, ?, %d, ?) ON CONFLICT (province_code, commune_code, "
                 "month) DO UPDATE SET late_stays = insight_order.late_stays + "
                 "excluded.late_stays, watch_hits = insight_order.watch_hits + excluded.watch_hits",
                 late ? 1 : 0);
        const char *t[] = {str(p, "province"), str(p, "commune"), month};
        rc = insight_step(db, q, t, 3, watched ? 1 : 0);
    }
    return rc;
}

static int
checked_out(struct dd_db *db, json_t *p)
{
    const char *arrival = str(p, "arrival_day"), *departure = str(p, "departure_day");
    int64_t a = 0, d = 0;
    if (!day_number(arrival, &a) || !day_number(departure, &d))
        return DD_OK; /* not ours to judge: the stays module wrote both days */
    int64_t n = d <= a ? 0 : d - a > INSIGHT_MAX_NIGHTS ? INSIGHT_MAX_NIGHTS : d - a;
    int rc = n == 0 ? nights(db, p, arrival, 0, -1) : DD_OK;
    for (int64_t i = 1; rc == DD_OK && i < n; i++) {
        char day[11];
        day_text(a + i, day);
        rc = nights(db, p, day, 0, 1);
    }
    char month[8];
    insight_month(departure, month);
    char len[24];
    snprintf(len, sizeof len, "%lld", (long long)n);
    const char *t[] = {str(p, "province"), str(p, "commune"),     month,
                       str(p, "class"),    str(p, "nationality"), len};
    if (rc == DD_OK)
        rc = insight_step(db,
                          "INSERT INTO insight_stay_lengths (province_code, commune_code, month, "
                          "class, nationality, nights, stays) VALUES (?, ?, ?, ?, ?, CAST(? AS "
                          "INTEGER), ?) ON CONFLICT (province_code, commune_code, month, class, "
                          "nationality, nights) DO UPDATE SET stays = insight_stay_lengths.stays + "
                          "excluded.stays",
                          t, 6, 1);
    return rc;
}

int
insight_stay_event(struct dd_db *db, const char *type, const char *payload)
{
    bool in = strcmp(type, "stay.checked_in") == 0;
    if (!in && strcmp(type, "stay.checked_out") != 0)
        return DD_OK;
    json_t *p = json_loads(payload, 0, NULL);
    if (p == NULL)
        return DD_OK; /* not ours to judge: the emitter checked it was JSON */
    int rc = in ? checked_in(db, p) : checked_out(db, p);
    json_decref(p);
    return rc;
}
