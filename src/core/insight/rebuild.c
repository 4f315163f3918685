/*
 * rebuild.c — the aggregate tables computed again from scratch (`dinhdanh insight rebuild`, the
 * consumer's first event and bulk loads of people).
 *
 * Stocks come from the tables that hold the current state (people, people_labour), flows from
 * the register's birth, death and move events replayed through the same code as the consumer,
 * tourism (daily and monthly), length of stay and public order from the stays and their
 * watch-list alerts (rebuild_tourism.c). The watermark is the newest event included: the
 * consumer skips the events at or below it.
 */
#include "base/clock.h"
#include "base/err.h"
#include "core/insight/insight.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <string.h>

/* The aggregate tables, emptied and computed again. */
static const char *const tables[] = {
    "insight_population",   "insight_composition", "insight_flows",    "insight_moves",
    "insight_labour",       "insight_tourism",     "insight_arrivals", "insight_order",
    "insight_stay_lengths", "stay_fig_arrivals",   "stay_fig_nights",
};
#define NTABLES (sizeof tables / sizeof tables[0])

/* PostgreSQL: the people's cells in one pass over the covering index people_insight (migration
 * 0023), then the four stock tables from those cells, never from the wide people rows. SQLite
 * sums them in memory instead, on two connections where it can (rebuild_scan.c). */
static const char *const people_sql[] = {
    "CREATE TEMP TABLE insight_cells AS SELECT permanent_province AS p, permanent_commune AS c, "
    "birth_year AS y, sex AS s, ethnicity AS e, religion AS r, temporary_province AS tp, "
    "temporary_commune AS tc, COUNT(*) AS n FROM people WHERE status <> 'dead' GROUP BY "
    "permanent_province, permanent_commune, birth_year, sex, ethnicity, religion, "
    "temporary_province, temporary_commune",
    "INSERT INTO insight_population (province_code, commune_code, birth_year, sex, people) SELECT "
    "p, c, y, s, SUM(n) FROM insight_cells GROUP BY p, c, y, s",
    "INSERT INTO insight_composition (province_code, commune_code, dimension, value, people) "
    "SELECT p, c, 'ethnicity', e, SUM(n) FROM insight_cells GROUP BY p, c, e",
    "INSERT INTO insight_composition (province_code, commune_code, dimension, value, people) "
    "SELECT p, c, 'religion', r, SUM(n) FROM insight_cells GROUP BY p, c, r",
    "INSERT INTO insight_composition (province_code, commune_code, dimension, value, people) "
    "SELECT tp, tc, 'origin', p, SUM(n) FROM insight_cells WHERE tc <> '' GROUP BY tp, tc, p",
    "DROP TABLE insight_cells",
};

static const char *const stock_sql[] = {
    "INSERT INTO insight_labour (province_code, commune_code, employment_status, sector, "
    "industrial_park, people) SELECT province_code, commune_code, employment_status, sector, "
    "industrial_park, COUNT(*) FROM people_labour GROUP BY province_code, commune_code, "
    "employment_status, sector, industrial_park",
};

static int
exec_all(struct dd_db *db, const char *const *sql, size_t n)
{
    int rc = DD_OK;
    for (size_t i = 0; rc == DD_OK && i < n; i++)
        rc = dd_db_exec(db, sql[i]);
    return rc;
}

static int64_t
newest_event(struct dd_db *db)
{
    return insight_number(db, "SELECT COALESCE(MAX(id), 0) FROM events");
}

/* The register's flows: every birth, death and move event up to `watermark`, in order. */
static int
replay_flows(struct dd_db *db, int64_t watermark)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT type, payload FROM events WHERE type IN ('person.born', "
                           "'person.died', 'residence.moved') AND id <= ? ORDER BY id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, watermark);
    /* The flows are written on the same connection while the rows are read: gather first. */
    json_t *list = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        json_t *p = json_loads(dd_stmt_text(st, 1), 0, NULL);
        if (p)
            json_array_append_new(list, json_pack("{s:s, s:o}", "t", dd_stmt_text(st, 0), "p", p));
    }
    dd_stmt_reset(st);
    rc = rc == DD_DB_DONE ? DD_OK : rc;
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (rc == DD_OK)
            rc = insight_flow_event(db, json_string_value(json_object_get(e, "t")),
                                    json_object_get(e, "p"));
    }
    json_decref(list);
    return rc;
}

/* Every figure computed from scratch into the tables `insight_…` as the connection resolves
 * them (the main ones, or their temporary shadows: rebuild_staged), up to event `watermark`.
 * SQLite reads the people and the stays on `second` too if it is not NULL. */
static int
compute(struct dd_db *db, int64_t watermark, struct dd_db *second)
{
    bool sqlite = dd_db_kind(db) == DD_DB_SQLITE;
    struct insight_scan_plan plan;
    int rc = sqlite ? insight_scan_plan(db, &plan) : DD_OK;
    for (size_t i = 0; rc == DD_OK && i < NTABLES; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "DELETE FROM %s", tables[i]);
        rc = dd_db_exec(db, sql);
    }
    if (rc == DD_OK && sqlite)
        rc = insight_scan_run(db, second, &plan); /* the people's stocks and the tourism */
    if (rc == DD_OK && !sqlite)
        rc = exec_all(db, people_sql, sizeof people_sql / sizeof people_sql[0]);
    if (rc == DD_OK && !sqlite)
        rc = insight_rebuild_tourism(db, NULL);
    if (rc == DD_OK)
        rc = exec_all(db, stock_sql, sizeof stock_sql / sizeof stock_sql[0]);
    if (rc == DD_OK)
        rc = replay_flows(db, watermark);
    return rc;
}

/* Records the rebuild in insight_state and fills `rep` (may be NULL). */
static int
finish(struct dd_db *db, int64_t watermark, int64_t t0, struct dd_insight_rebuild_report *rep)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    const char *t[] = {now};
    int rc = insight_step(db, "UPDATE insight_state SET rebuilt_at = ?, watermark = ? WHERE id = 1",
                          t, 1, watermark);
    if (rc == DD_OK && rep) {
        rep->watermark = watermark;
        struct dd_stmt *st;
        rep->people = 0;
        if (dd_db_prepare(db, "SELECT COALESCE(SUM(people), 0) FROM insight_population", &st) ==
            DD_OK) {
            if (dd_stmt_step(st) == DD_DB_ROW)
                rep->people = dd_stmt_int64(st, 0);
            dd_stmt_reset(st);
        }
        rep->elapsed_ms = dd_clock_now_ms() - t0;
    }
    return rc;
}

int
dd_insight_rebuild(struct dd_db *db, struct dd_insight_rebuild_report *rep)
{
    int64_t t0 = dd_clock_now_ms();
    int rc = DD_OK;
    if (dd_db_kind(db) == DD_DB_POSTGRES)
        rc = dd_db_exec(db, "LOCK TABLE events IN EXCLUSIVE MODE");
    int64_t watermark = rc == DD_OK ? newest_event(db) : rc;
    if (watermark < 0)
        return (int)watermark;
    rc = compute(db, watermark, NULL);
    return rc == DD_OK ? finish(db, watermark, t0, rep) : rc;
}

/* ---- SQLite: computed in a read snapshot, stored in a short write transaction ---- */

/* The statements creating `name`'s temporary shadow: its table, then its unique indexes, from
 * the main schema's own definitions, into `ddl`. */
static int
shadow_ddl(struct dd_db *db, const char *name, json_t *ddl)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT type, sql FROM main.sqlite_master WHERE tbl_name = ? AND sql IS "
                           "NOT NULL AND (type = 'table' OR sql LIKE 'CREATE UNIQUE INDEX %') "
                           "ORDER BY type DESC",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, name);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        bool table = strcmp(dd_stmt_text(st, 0), "table") == 0;
        const char *sql = dd_stmt_text(st, 1);
        const char *from = table ? "CREATE TABLE " : "CREATE UNIQUE INDEX ";
        const char *to = table ? "CREATE TEMP TABLE " : "CREATE UNIQUE INDEX temp.";
        if (strncmp(sql, from, strlen(from)) != 0) {
            rc = DD_EINTERNAL; /* a definition of another shape: the migrations changed */
            break;
        }
        json_array_append_new(ddl, json_pack("s++", to, sql + strlen(from), ""));
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc < 0 ? rc : DD_EINTERNAL;
}

/* Creates a temporary table of each aggregate table's name and definition, with its unique
 * indexes (the upserts' ON CONFLICT needs them): SQLite resolves an unqualified name to the
 * temporary table first, so compute() fills the shadows with the very same statements. */
static int
shadows_create(struct dd_db *db)
{
    json_t *ddl = json_array(); /* gathered first, then run */
    int rc = DD_OK;
    for (size_t i = 0; rc == DD_OK && i < NTABLES; i++)
        rc = shadow_ddl(db, tables[i], ddl);
    size_t i;
    json_t *v;
    json_array_foreach(ddl, i, v)
    {
        if (rc == DD_OK)
            rc = dd_db_exec(db, json_string_value(v));
    }
    json_decref(ddl);
    return rc;
}

static void
shadows_drop(struct dd_db *db)
{
    for (size_t i = 0; i < NTABLES; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", tables[i]);
        (void)dd_db_exec(db, sql);
    }
}

/* Replaces each main table's rows by its shadow's, inside the caller's write transaction. */
static int
shadows_store(struct dd_db *db)
{
    int rc = DD_OK;
    for (size_t i = 0; rc == DD_OK && i < NTABLES; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM main.%s", tables[i]);
        rc = dd_db_exec(db, sql);
        snprintf(sql, sizeof sql, "INSERT INTO main.%s SELECT * FROM temp.%s", tables[i],
                 tables[i]);
        if (rc == DD_OK)
            rc = dd_db_exec(db, sql);
    }
    return rc;
}

int
dd_insight_rebuild_staged(struct dd_db *db, struct dd_insight_rebuild_report *rep)
{
    if (dd_db_kind(db) != DD_DB_SQLITE || dd_db_in_transaction(db))
        return DD_EINVAL;
    int64_t t0 = dd_clock_now_ms();
    shadows_drop(db);            /* those of an attempt that failed half-way */
    struct dd_db *second = NULL; /* reading the same snapshot, for the long reads */
    int rc = insight_scan_begin(db, &second);
    int64_t watermark = rc == DD_OK ? newest_event(db) : rc;
    rc = watermark < 0 ? (int)watermark : shadows_create(db);
    if (rc == DD_OK)
        rc = compute(db, watermark, second);
    insight_scan_end(db, second);
    if (rc == DD_OK)
        rc = dd_db_commit(db); /* ends the snapshot; the shadows stay with the connection */
    if (rc == DD_OK)
        rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = shadows_store(db);
    if (rc == DD_OK)
        rc = finish(db, watermark, t0, rep);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    shadows_drop(db);
    return rc;
}
