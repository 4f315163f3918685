/*
 * rebuild_tourism.c — the tourism figures computed again from the stays themselves: the daily
 * figures the stays module's figures API reads, the monthly ones of the dashboards, the length of
 * stay and the late notifications and watch-list hits.
 *
 * The stays are first counted by group (arrival day, commune, establishment, nationality,
 * province of origin, hour of departure in UTC, late or not), with neither a join nor date
 * arithmetic per stay: on SQLite summed in memory over ranges of ids that rebuild_scan.c shares
 * between two connections (SQLite's GROUP BY sorts, which for a million stays took seconds), on
 * PostgreSQL by its own hash aggregate. A million stays make a few thousand groups. Each group is
 * then counted through the event consumer's own functions (tourism.c) as that many stays that
 * checked in and, if they have left, checked out: with the establishment's class as it is now and
 * the departure day in Vietnam's time. The rebuild and the events thus count by one rule. The
 * watch-list hits come from the alerts.
 */
#include "base/err.h"
#include "base/log.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

const char insight_stay_group[] = "stays group";

/* A group's keys, in the order the scans select them. */
enum { G_DAY, G_PROVINCE, G_COMMUNE, G_EST, G_NAT, G_ORIGIN, G_HOUR, G_LATE, G_KEYS };
#define HOUR_LEN 13 /* "YYYY-MM-DDTHH" of departed_at */

static const char *const groups_scan_sqlite =
    "SELECT arrival_day, province_code, commune_code, establishment_id, nationality, "
    "origin_province, departed_at, late FROM stays WHERE id BETWEEN ? AND ?";

static const char *const groups_pg =
    "SELECT arrival_day, province_code, commune_code, establishment_id::text, nationality, "
    "origin_province, substr(departed_at, 1, 13), late::text, COUNT(*) FROM stays GROUP BY 1, 2, "
    "3, 4, 5, 6, 7, 8";

static const char *const watch_hits_sql =
    "INSERT INTO insight_order (province_code, commune_code, month, late_stays, watch_hits) "
    "SELECT s.province_code, s.commune_code, substr(s.arrival_day, 1, 7), 0, COUNT(*) FROM "
    "stay_alerts a JOIN stays s ON s.id = a.stay_id WHERE 1 = 1 GROUP BY s.province_code, "
    "s.commune_code, substr(s.arrival_day, 1, 7) ON CONFLICT (province_code, commune_code, month) "
    "DO UPDATE SET watch_hits = excluded.watch_hits";

/* Appends a column's bytes and a '\0' to the row's joined keys (at most `cap` bytes in all,
 * with `keep` of a text); false if they do not fit. */
static bool
append_key(char *joined, size_t cap, size_t *len, const void *p, size_t n, size_t keep)
{
    n = n < keep ? n : keep;
    if (*len + n + 1 > cap)
        return false;
    memcpy(joined + *len, p, n);
    joined[*len + n] = '\0';
    *len += n + 1;
    return true;
}

/* A column's number as decimal text, made again only when it differs from the row before's. */
struct number_text {
    int64_t last;
    char text[24];
};

static const char *
number_text(struct number_text *n, int64_t v)
{
    if (v != n->last) {
        n->last = v;
        snprintf(n->text, sizeof n->text, "%" PRId64, v);
    }
    return n->text;
}

/* The scan's text columns, fetched in one call a row; the establishment and late are numbers. */
static const int text_keys[] = {G_DAY, G_PROVINCE, G_COMMUNE, G_NAT, G_ORIGIN, G_HOUR};
#define NTEXT_KEYS (sizeof text_keys / sizeof text_keys[0])

int
insight_stays_scan(struct dd_db *db, int64_t first_id, int64_t last_id, struct insight_tally *t)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, groups_scan_sqlite, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, first_id);
    dd_stmt_bind_int64(st, 2, last_id);
    struct insight_tally_lag lag = {.t = t, .sql = insight_stay_group, .nkeys = G_KEYS};
    struct number_text est = {.last = INT64_MIN}, late = {.last = INT64_MIN};
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        /* The group's keys joined straight from the row's bytes: the establishment and late
         * as their decimal text, the departure cut to its hour ("YYYY-MM-DDTHH"). */
        const char *key[G_KEYS];
        size_t n[G_KEYS];
        const char *bytes[NTEXT_KEYS];
        size_t lens[NTEXT_KEYS];
        dd_stmt_texts_bytes(st, text_keys, NTEXT_KEYS, bytes, lens);
        for (size_t i = 0; i < NTEXT_KEYS; i++) {
            key[text_keys[i]] = bytes[i];
            n[text_keys[i]] = lens[i];
        }
        key[G_EST] = number_text(&est, dd_stmt_int64(st, G_EST));
        key[G_LATE] = number_text(&late, dd_stmt_int64(st, G_LATE));
        n[G_EST] = strlen(key[G_EST]);
        n[G_LATE] = strlen(key[G_LATE]);
        char *joined = insight_tally_lag_keys(&lag);
        size_t len = 0;
        bool fits = true;
        for (int i = 0; i < G_KEYS && fits; i++)
            fits = append_key(joined, INSIGHT_LAG_KEY_MAX, &len, key[i], n[i],
                              i == G_HOUR ? HOUR_LEN : n[i]);
        if (!fits) {
            dd_log(DD_LOG_ERROR, "insight.bad_stay",
                   "dashboards' rebuild: the codes of the stays between ids %" PRId64
                   " and %" PRId64 " are longer than a stay's can be",
                   first_id, last_id);
            rc = DD_EINVAL; /* no code or date is this long: the row is not a stay's */
            break;
        }
        insight_tally_lag_add(&lag, len, 1);
    }
    insight_tally_lag_flush(&lag);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

/* PostgreSQL: the groups by its own aggregate, into `groups` as the SQLite scan makes them. */
static int
groups_pg_read(struct dd_db *db, struct insight_tally *groups)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, groups_pg, &st);
    if (rc != DD_OK)
        return rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *k[G_KEYS];
        for (int i = 0; i < G_KEYS; i++)
            k[i] = dd_stmt_text(st, i) ? dd_stmt_text(st, i) : "";
        int64_t m = dd_stmt_int64(st, G_KEYS);
        insight_tally_add(groups, insight_stay_group, k, G_KEYS, &m, 1);
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

/* Every establishment's class, by its id as text. */
static int
classes_read(struct dd_db *db, json_t *classes)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT org_id, class FROM stay_establishments", &st);
    if (rc != DD_OK)
        return rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        char id[24];
        snprintf(id, sizeof id, "%" PRId64, dd_stmt_int64(st, 0));
        json_object_set_new(classes, id, json_string(dd_stmt_text(st, 1)));
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

struct replay {
    json_t *classes;
    struct insight_tally figures;
};

/* One group as its m stays: in, and out if they have left. A group whose establishment is gone
 * is not counted (its stays have no class). */
static void
replay_group(void *arg, const char *const *k, const int64_t *sums)
{
    struct replay *r = arg;
    const char *class_ = json_string_value(json_object_get(r->classes, k[G_EST]));
    if (class_ == NULL)
        return;
    char departure[11] = "";
    bool left = k[G_HOUR][0] != '\0' && insight_vietnam_day(k[G_HOUR], departure);
    struct insight_stay s = {
        .arrival_day = k[G_DAY],
        .departure_day = departure,
        .province = k[G_PROVINCE],
        .commune = k[G_COMMUNE],
        .class_ = class_,
        .nationality = k[G_NAT],
        .origin = k[G_ORIGIN],
        .late = strcmp(k[G_LATE], "1") == 0,
        .m = sums[0],
    };
    insight_stay_in(&r->figures, &s);
    if (left)
        insight_stay_out(&r->figures, &s);
}

int
insight_rebuild_tourism(struct dd_db *db, struct insight_tally *groups)
{
    struct insight_tally read = {0};
    int rc = DD_OK;
    if (groups == NULL) {
        rc = groups_pg_read(db, &read);
        groups = &read;
    }
    struct replay r = {.classes = json_object()};
    if (rc == DD_OK)
        rc = classes_read(db, r.classes);
    if (rc == DD_OK)
        insight_tally_each(groups, replay_group, &r);
    json_decref(r.classes);
    insight_tally_clear(groups);
    if (rc == DD_OK)
        rc = insight_tally_write(db, &r.figures);
    insight_tally_clear(&r.figures);
    return rc == DD_OK ? dd_db_exec(db, watch_hits_sql) : rc;
}
