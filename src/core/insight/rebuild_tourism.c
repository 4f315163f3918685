/*
 * rebuild_tourism.c — the tourism figures computed again from the stays themselves: the daily
 * figures the stays module's figures API reads, the monthly ones of the dashboards, the length of
 * stay and the late notifications and watch-list hits.
 *
 * The stays are first counted by group (arrival day, commune, establishment, nationality,
 * province of origin, hour of departure in UTC, late or not) into a temporary table, with neither
 * a join nor date arithmetic per stay: on SQLite in one pass over the table summed in memory
 * (tally.c; SQLite's GROUP BY sorts, which for a million stays took seconds), in ranges of ids
 * that rebuild_scan.c shares between two connections; on PostgreSQL by its own hash aggregate. The
 * groups become cells (arrival day, commune, class of the establishment, nationality, province of
 * origin, departure day in Vietnam's time), each with its number of guest nights by the check-out's
 * rule (tourism.c): one while the guest is there, none when they left the day they came, else the
 * days between arrival and departure, at most 366. Every table is then computed from the cells or
 * the groups, never from the stays again: a few thousand groups for a million stays. The date
 * arithmetic is each backend's own; the rest is the same SQL.
 */
#include "base/err.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const groups_pg =
    "CREATE TEMP TABLE insight_stay_groups AS SELECT arrival_day AS a, province_code AS p, "
    "commune_code AS c, establishment_id AS est, nationality AS nat, origin_province AS o, "
    "substr(departed_at, 1, 13) AS h, late, COUNT(*) AS m FROM stays GROUP BY 1, 2, 3, 4, 5, 6, "
    "7, 8";

static const char *const groups_table_sqlite =
    "CREATE TEMP TABLE insight_stay_groups (a TEXT, p TEXT, c TEXT, est INTEGER, nat TEXT, o "
    "TEXT, h TEXT, late INTEGER, m INTEGER)";
static const char *const groups_scan_sqlite =
    "SELECT arrival_day, province_code, commune_code, establishment_id, nationality, "
    "origin_province, departed_at, late FROM stays WHERE id BETWEEN ? AND ?";
static const char *const groups_insert_sqlite =
    "INSERT INTO insight_stay_groups (a, p, c, est, nat, o, h, late, m) VALUES (?, ?, ?, ?, ?, ?, "
    "?, ?, ?)";

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

int
insight_stays_scan(struct dd_db *db, int64_t first_id, int64_t last_id, struct insight_tally *t)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, groups_scan_sqlite, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, first_id);
    dd_stmt_bind_int64(st, 2, last_id);
    const int64_t one = 1;
    struct number_text est = {.last = INT64_MIN}, late = {.last = INT64_MIN};
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        /* The group's keys joined straight from the row's bytes: the establishment and late
         * as their decimal text, the departure cut to its hour ("YYYY-MM-DDTHH"). */
        const char *est_text = number_text(&est, dd_stmt_int64(st, 3));
        const char *late_text = number_text(&late, dd_stmt_int64(st, 7));
        char joined[512];
        size_t len = 0;
        bool fits = true;
        for (int i = 0; i < 8 && fits; i++) {
            size_t n;
            const char *p = i == 3 ? est_text : i == 7 ? late_text : dd_stmt_text_bytes(st, i, &n);
            if (i == 3 || i == 7)
                n = strlen(p);
            fits = append_key(joined, sizeof joined, &len, p, n, i == 6 ? 13 : n);
        }
        if (!fits) {
            rc = DD_EINVAL; /* no code or date is this long: the row is not a stay's */
            break;
        }
        insight_tally_add_joined(t, groups_insert_sqlite, joined, len, 8, &one, 1);
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

int
insight_stay_groups_create(struct dd_db *db)
{
    return dd_db_exec(db, groups_table_sqlite);
}

#define STAY_GROUPS "insight_stay_groups y JOIN stay_establishments e ON e.org_id = y.est"

static const char *const cells_sqlite =
    "CREATE TEMP TABLE insight_stay_cells AS SELECT a, p, c, cl, nat, o, d, m, CASE WHEN d = '' "
    "THEN 1 WHEN d <= a THEN 0 ELSE MIN(CAST(julianday(d) - julianday(a) AS INTEGER), 366) END "
    "AS n FROM (SELECT y.a, y.p, y.c, e.class AS cl, y.nat, y.o, CASE WHEN y.h = '' THEN '' ELSE "
    "date(y.h || ':00:00Z', '+7 hours') END AS d, SUM(y.m) AS m FROM " STAY_GROUPS
    " GROUP BY 1, 2, 3, 4, 5, 6, 7) x";

static const char *const cells_pg =
    "CREATE TEMP TABLE insight_stay_cells AS SELECT a, p, c, cl, nat, o, d, m, CASE WHEN d = '' "
    "THEN 1 WHEN d <= a THEN 0 ELSE LEAST(d::date - a::date, 366) END AS n FROM (SELECT y.a, "
    "y.p, y.c, e.class AS cl, y.nat, y.o, CASE WHEN y.h = '' THEN '' ELSE to_char((y.h || "
    "':00:00')::timestamp + interval '7 hours', 'YYYY-MM-DD') END AS d, SUM(y.m) AS m "
    "FROM " STAY_GROUPS " GROUP BY 1, 2, 3, 4, 5, 6, 7) x";

/* The night offsets 0..365 as a table keyed by them, so that each cell joins only its own n
 * offsets (a range on the key) rather than scanning all 366. */
static const char *const offsets_sqlite[] = {
    "CREATE TEMP TABLE insight_k (i INTEGER PRIMARY KEY)",
    "INSERT INTO insight_k (i) WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k "
    "WHERE i < 365) SELECT i FROM k",
};

static const char *const nights_sqlite =
    "INSERT INTO stay_fig_nights (day, province_code, commune_code, class, guest_nights) SELECT "
    "date(x.a, '+' || k.i || ' days'), x.p, x.c, x.cl, SUM(x.m) FROM (SELECT a, p, c, cl, n, "
    "SUM(m) AS m FROM insight_stay_cells WHERE n > 0 GROUP BY a, p, c, cl, n) x JOIN insight_k k "
    "ON k.i < x.n GROUP BY 1, 2, 3, 4";

static const char *const nights_pg =
    "INSERT INTO stay_fig_nights (day, province_code, commune_code, class, guest_nights) SELECT "
    "to_char(x.a::date + k.i, 'YYYY-MM-DD'), x.p, x.c, x.cl, SUM(x.m) FROM (SELECT a, p, c, cl, "
    "n, SUM(m) AS m FROM insight_stay_cells WHERE n > 0 GROUP BY a, p, c, cl, n) x CROSS JOIN "
    "LATERAL generate_series(0, x.n - 1) AS k(i) GROUP BY 1, 2, 3, 4";

static const char *const common_sql[] = {
    "INSERT INTO stay_fig_arrivals (day, province_code, commune_code, class, nationality, "
    "origin_province, arrivals) SELECT a, p, c, cl, nat, o, SUM(m) FROM insight_stay_cells GROUP "
    "BY a, p, c, cl, nat, o",
    "INSERT INTO insight_stay_lengths (province_code, commune_code, month, class, nationality, "
    "nights, stays) SELECT p, c, substr(d, 1, 7), cl, nat, n, SUM(m) FROM insight_stay_cells "
    "WHERE d <> '' GROUP BY p, c, substr(d, 1, 7), cl, nat, n",
    "DROP TABLE insight_stay_cells",
    "INSERT INTO insight_tourism (province_code, commune_code, class, month, arrivals, "
    "guest_nights) SELECT province_code, commune_code, class, substr(day, 1, 7), 0, "
    "SUM(guest_nights) FROM stay_fig_nights GROUP BY province_code, commune_code, class, "
    "substr(day, 1, 7)",
    "INSERT INTO insight_tourism (province_code, commune_code, class, month, arrivals, "
    "guest_nights) SELECT province_code, commune_code, class, substr(day, 1, 7), SUM(arrivals), "
    "0 FROM stay_fig_arrivals WHERE 1 = 1 GROUP BY province_code, commune_code, class, "
    "substr(day, 1, 7) ON CONFLICT (province_code, commune_code, class, month) DO UPDATE SET "
    "arrivals = excluded.arrivals",
    "INSERT INTO insight_arrivals (province_code, commune_code, month, dimension, value, "
    "arrivals) SELECT province_code, commune_code, substr(day, 1, 7), 'nationality', nationality, "
    "SUM(arrivals) FROM stay_fig_arrivals GROUP BY province_code, commune_code, substr(day, 1, "
    "7), nationality",
    "INSERT INTO insight_arrivals (province_code, commune_code, month, dimension, value, "
    "arrivals) SELECT province_code, commune_code, substr(day, 1, 7), 'origin', origin_province, "
    "SUM(arrivals) FROM stay_fig_arrivals GROUP BY province_code, commune_code, substr(day, 1, "
    "7), origin_province",
    "INSERT INTO insight_order (province_code, commune_code, month, late_stays, watch_hits) "
    "SELECT p, c, substr(a, 1, 7), SUM(m), 0 FROM insight_stay_groups WHERE late = 1 GROUP BY p, "
    "c, substr(a, 1, 7)",
    "DROP TABLE insight_stay_groups",
    "INSERT INTO insight_order (province_code, commune_code, month, late_stays, watch_hits) "
    "SELECT s.province_code, s.commune_code, substr(s.arrival_day, 1, 7), 0, COUNT(*) FROM "
    "stay_alerts a JOIN stays s ON s.id = a.stay_id WHERE 1 = 1 GROUP BY s.province_code, "
    "s.commune_code, substr(s.arrival_day, 1, 7) ON CONFLICT (province_code, commune_code, month) "
    "DO UPDATE SET watch_hits = excluded.watch_hits",
};

int
insight_rebuild_tourism(struct dd_db *db)
{
    bool pg = dd_db_kind(db) == DD_DB_POSTGRES;
    int rc = pg ? dd_db_exec(db, groups_pg) : DD_OK; /* SQLite's: rebuild_scan.c */
    if (rc == DD_OK)
        rc = dd_db_exec(db, pg ? cells_pg : cells_sqlite);
    for (size_t i = 0; !pg && rc == DD_OK && i < 2; i++)
        rc = dd_db_exec(db, offsets_sqlite[i]);
    if (rc == DD_OK)
        rc = dd_db_exec(db, pg ? nights_pg : nights_sqlite);
    if (rc == DD_OK && !pg)
        rc = dd_db_exec(db, "DROP TABLE insight_k");
    for (size_t i = 0; rc == DD_OK && i < sizeof common_sql / sizeof common_sql[0]; i++)
        rc = dd_db_exec(db, common_sql[i]);
    return rc;
}
