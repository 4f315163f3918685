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
 * (insight_stay_lengths, by the month of departure). The rebuild (rebuild_tourism.c) computes
 * the same tables from the stays themselves through the same two functions, each group of like
 * stays once with its number. The figures are added to a tally (tally.c) that the caller writes,
 * once per event or once per batch of events.
 */
#include "base/err.h"
#include "core/consent/dates.h"
#include "core/insight/internal.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *
str(json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? s : "";
}

bool
insight_vietnam_day(const char *utc_hour, char out[11])
{
    int64_t day = 0;
    if (strlen(utc_hour) != 13 || utc_hour[10] != 'T' ||
        dd_date_parse(utc_hour, 1, &day) != DD_OK || utc_hour[11] < '0' || utc_hour[11] > '2' ||
        utc_hour[12] < '0' || utc_hour[12] > '9')
        return false;
    int hour = (utc_hour[11] - '0') * 10 + (utc_hour[12] - '0');
    if (hour > 23)
        return false;
    dd_date_format(hour + 7 >= 24 ? day + 1 : day, out);
    return true;
}

static const char *const nights_sql =
    "INSERT INTO stay_fig_nights (day, province_code, commune_code, class, guest_nights) VALUES "
    "(?, ?, ?, ?, ?) ON CONFLICT (day, commune_code, class) DO UPDATE SET guest_nights = "
    "stay_fig_nights.guest_nights + excluded.guest_nights";
static const char *const tourism_sql =
    "INSERT INTO insight_tourism (province_code, commune_code, class, month, arrivals, "
    "guest_nights) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (province_code, commune_code, class, "
    "month) DO UPDATE SET arrivals = insight_tourism.arrivals + excluded.arrivals, guest_nights = "
    "insight_tourism.guest_nights + excluded.guest_nights";
static const char *const daily_arrivals_sql =
    "INSERT INTO stay_fig_arrivals (day, province_code, commune_code, class, nationality, "
    "origin_province, arrivals) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, commune_code, "
    "class, nationality, origin_province) DO UPDATE SET arrivals = stay_fig_arrivals.arrivals + "
    "excluded.arrivals";
static const char *const arrivals_sql =
    "INSERT INTO insight_arrivals (province_code, commune_code, month, dimension, value, "
    "arrivals) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (province_code, commune_code, month, "
    "dimension, value) DO UPDATE SET arrivals = insight_arrivals.arrivals + excluded.arrivals";
static const char *const order_sql =
    "INSERT INTO insight_order (province_code, commune_code, month, late_stays, watch_hits) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (province_code, commune_code, month) DO UPDATE SET "
    "late_stays = insight_order.late_stays + excluded.late_stays, watch_hits = "
    "insight_order.watch_hits + excluded.watch_hits";
static const char *const lengths_sql =
    "INSERT INTO insight_stay_lengths (province_code, commune_code, month, class, nationality, "
    "nights, stays) VALUES (?, ?, ?, ?, ?, CAST(? AS INTEGER), ?) ON CONFLICT (province_code, "
    "commune_code, month, class, nationality, nights) DO UPDATE SET stays = "
    "insight_stay_lengths.stays + excluded.stays";

/* n guest nights (and `arrivals`) on `day`, in the daily and the monthly figures, for m stays. */
static void
nights(struct insight_tally *t, const struct insight_stay *s, const char *day, int64_t arrivals,
       int64_t n)
{
    n *= s->m;
    arrivals *= s->m;
    const char *d[] = {day, s->province, s->commune, s->class_};
    insight_tally_add(t, nights_sql, d, 4, &n, 1);
    char month[8];
    insight_month(day, month);
    const char *m[] = {s->province, s->commune, s->class_, month};
    const int64_t sums[] = {arrivals, n};
    insight_tally_add(t, tourism_sql, m, 4, sums, 2);
}

void
insight_stay_in(struct insight_tally *t, const struct insight_stay *s)
{
    const char *d[] = {s->arrival_day, s->province,    s->commune,
                       s->class_,      s->nationality, s->origin};
    insight_tally_add(t, daily_arrivals_sql, d, 6, &s->m, 1);
    nights(t, s, s->arrival_day, 1, 1);
    char month[8];
    insight_month(s->arrival_day, month);
    const char *nat[] = {s->province, s->commune, month, "nationality", s->nationality};
    const char *org[] = {s->province, s->commune, month, "origin", s->origin};
    insight_tally_add(t, arrivals_sql, nat, 5, &s->m, 1);
    insight_tally_add(t, arrivals_sql, org, 5, &s->m, 1);
    if (s->late || s->watched) {
        const char *k[] = {s->province, s->commune, month};
        const int64_t sums[] = {s->late ? s->m : 0, s->watched ? s->m : 0};
        insight_tally_add(t, order_sql, k, 3, sums, 2);
    }
}

void
insight_stay_out(struct insight_tally *t, const struct insight_stay *s)
{
    int64_t a = 0, d = 0;
    if (dd_date_parse(s->arrival_day, 0, &a) != DD_OK ||
        dd_date_parse(s->departure_day, 0, &d) != DD_OK)
        return; /* not ours to judge: the stays module wrote both days */
    int64_t n = d <= a ? 0 : d - a > INSIGHT_MAX_NIGHTS ? INSIGHT_MAX_NIGHTS : d - a;
    if (n == 0)
        nights(t, s, s->arrival_day, 0, -1);
    for (int64_t i = 1; i < n; i++) {
        char day[11];
        dd_date_format(a + i, day);
        nights(t, s, day, 0, 1);
    }
    char month[8];
    insight_month(s->departure_day, month);
    char len[24];
    snprintf(len, sizeof len, "%lld", (long long)n);
    const char *k[] = {s->province, s->commune, month, s->class_, s->nationality, len};
    insight_tally_add(t, lengths_sql, k, 6, &s->m, 1);
}

void
insight_stay_event(struct insight_tally *t, const char *type, const char *payload)
{
    bool in = strcmp(type, "stay.checked_in") == 0;
    if (!in && strcmp(type, "stay.checked_out") != 0)
        return;
    json_t *p = json_loads(payload, 0, NULL);
    if (p == NULL)
        return; /* not ours to judge: the emitter checked it was JSON */
    struct insight_stay s = {
        .arrival_day = str(p, in ? "day" : "arrival_day"),
        .departure_day = str(p, "departure_day"),
        .province = str(p, "province"),
        .commune = str(p, "commune"),
        .class_ = str(p, "class"),
        .nationality = str(p, "nationality"),
        .origin = str(p, "origin"),
        .late = json_is_true(json_object_get(p, "late")),
        .watched = json_is_true(json_object_get(p, "watched")),
        .m = 1,
    };
    if (in)
        insight_stay_in(t, &s);
    else
        insight_stay_out(t, &s);
    json_decref(p);
}
