/*
 * tables.c — the tables of the exports: every figure of an area as a table of text cells, for
 * one filter (the caller's province, one commune or all, a month range) and, when the filter
 * has a comparison period, the same rows for that period too, told apart by a first column
 * `period` ("YYYY-MM..YYYY-MM").
 *
 * Each table is one statement over the aggregate tables, named by the export's `table`
 * parameter; the first of an area is its default. Columns that count people (or their stays,
 * arrivals, nights) are marked so that a shared export hides the small ones (insight_suppress).
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/insight/internal.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define AREA     "province_code = ? AND (CAST(? AS TEXT) IS NULL OR commune_code = ?)"
#define MAX_COLS 10

/* What a statement's placeholders take, in order. */
enum binds {
    B_AREA,       /* province, commune, commune */
    B_RANGE,      /* province, commune, commune, from, to */
    B_YEAR_AREA,  /* year ×3, province, commune, commune */
    B_WORK_AREA,  /* the working-age years ×4, province, commune, commune */
    B_MOVES,      /* province, province, from, to, commune ×3 */
    B_DAYS_RANGE, /* days ×2, province, commune, commune, from, to */
};

struct spec {
    const char *area, *table;
    enum binds binds;
    bool counts[MAX_COLS]; /* by column of the statement */
    const char *sql;       /* NULL: made by a function of `builders` */
};

static const struct spec specs[] = {
    /* commune, age_band (0, 5, … 80), sex, people; the cells with people only */
    {"population", "age", B_YEAR_AREA, {false, false, false, true}, NULL},
    {"population",
     "communes",
     B_AREA,
     {false, true, true, false, false},
     "SELECT x.commune, x.people, x.male, a.area_km2, ROUND(CAST(x.people / a.area_km2 AS "
     "NUMERIC), 1) AS density FROM (SELECT province_code, commune_code AS commune, SUM(people) AS "
     "people, SUM(CASE WHEN sex = 'male' THEN people ELSE 0 END) AS male FROM insight_population "
     "WHERE " AREA " GROUP BY province_code, commune_code) x LEFT JOIN insight_commune_areas a ON "
     "a.province_code = x.province_code AND a.commune_code = x.commune ORDER BY 1"},
    {"population",
     "flows",
     B_RANGE,
     {false, false, true, true, true, true, true},
     "SELECT commune_code AS commune, month, births, deaths, births - deaths AS natural_growth, "
     "moves_in, moves_out FROM insight_flows WHERE " AREA " AND month >= ? AND month <= ? AND "
     "(births <> 0 OR deaths <> 0 OR moves_in <> 0 OR moves_out <> 0) ORDER BY 1, 2"},
    {"population",
     "moves",
     B_MOVES,
     {false, false, false, false, false, true},
     "SELECT month, from_province, from_commune, to_province, to_commune, moves FROM "
     "insight_moves WHERE (from_province = ? OR to_province = ?) AND month >= ? AND month <= ? AND "
     "(CAST(? AS TEXT) IS NULL OR from_commune = ? OR "
     "to_commune = ?) AND moves <> 0 ORDER BY 1, 2, 3, 4, 5"},
    {"population",
     "composition",
     B_AREA,
     {false, false, false, true},
     "SELECT commune_code AS commune, dimension, value, SUM(people) AS people FROM "
     "insight_composition WHERE " AREA " GROUP BY 1, 2, 3 HAVING SUM(people) <> 0 ORDER BY 1, 2, "
     "3"},
    {"labour",
     "status",
     B_AREA,
     {false, false, false, false, true},
     "SELECT commune_code AS commune, employment_status AS status, sector, industrial_park AS "
     "park, SUM(people) AS people FROM insight_labour WHERE " AREA " GROUP BY 1, 2, 3, 4 HAVING "
     "SUM(people) <> 0 ORDER BY 1, 2, 3, 4"},
    {"labour",
     "working_age",
     B_WORK_AREA,
     {false, true, true},
     "SELECT commune_code AS commune, SUM(CASE WHEN (sex = 'male' AND birth_year >= CAST(? AS "
     "INTEGER) AND birth_year <= CAST(? AS INTEGER)) OR (sex = 'female' AND birth_year >= CAST(? "
     "AS INTEGER) AND birth_year <= CAST(? AS INTEGER)) THEN people ELSE 0 END) AS working_age, "
     "SUM(people) AS people FROM insight_population WHERE " AREA
     " GROUP BY commune_code ORDER BY commune_code"},
    {"tourism",
     "nights",
     B_RANGE,
     {false, false, false, true, true},
     "SELECT commune_code AS commune, month, class, SUM(arrivals) AS arrivals, SUM(guest_nights) "
     "AS guest_nights FROM insight_tourism WHERE " AREA " AND month >= ? AND month <= ? GROUP BY "
     "1, 2, 3 ORDER BY 1, 2, 3"},
    {"tourism",
     "occupancy",
     B_DAYS_RANGE,
     {false, false, true, false, false, false, false, false},
     "SELECT commune, class, guest_nights, rooms, beds, days, CASE WHEN rooms > 0 THEN "
     "ROUND(CAST(guest_nights * 1.0 / (rooms * days) AS NUMERIC), 3) END AS occupancy, CASE WHEN "
     "beds > "
     "0 THEN ROUND(CAST(guest_nights * 1.0 / (beds * days) AS NUMERIC), 3) END AS bed_occupancy "
     "FROM "
     "(SELECT t.commune_code AS commune, t.class, SUM(t.guest_nights) AS guest_nights, (SELECT "
     "COALESCE(SUM(e.rooms), 0) FROM stay_establishments e WHERE e.province_code = "
     "t.province_code AND e.commune_code = t.commune_code AND e.class = t.class AND e.status = "
     "'approved') AS rooms, (SELECT COALESCE(SUM(e.beds), 0) FROM stay_establishments e WHERE "
     "e.province_code = t.province_code AND e.commune_code = t.commune_code AND e.class = "
     "t.class AND e.status = 'approved') AS beds, CAST(? AS INTEGER) AS days FROM "
     "insight_tourism t WHERE CAST(? AS INTEGER) > 0 AND t." AREA
     " AND t.month >= ? AND t.month <= ? GROUP BY t.province_code, t.commune_code, t.class) x "
     "ORDER BY 1, 2"},
    {"tourism",
     "length_of_stay",
     B_RANGE,
     {false, false, false, false, true},
     "SELECT commune_code AS commune, class, nationality, nights, SUM(stays) AS stays FROM "
     "insight_stay_lengths WHERE " AREA " AND month >= ? AND month <= ? GROUP BY 1, 2, 3, 4 "
     "HAVING SUM(stays) <> 0 ORDER BY 1, 2, 3, 4"},
    {"tourism",
     "arrivals",
     B_RANGE,
     {false, false, false, false, true},
     "SELECT commune_code AS commune, month, dimension, value, SUM(arrivals) AS arrivals FROM "
     "insight_arrivals WHERE " AREA " AND month >= ? AND month <= ? GROUP BY 1, 2, 3, 4 HAVING "
     "SUM(arrivals) <> 0 ORDER BY 1, 2, 3, 4"},
    {"order",
     "late_and_watch",
     B_RANGE,
     {false, false, true, true},
     "SELECT commune_code AS commune, month, SUM(late_stays) AS late_stays, SUM(watch_hits) AS "
     "watch_hits FROM insight_order WHERE " AREA " AND month >= ? AND month <= ? GROUP BY 1, 2 "
     "ORDER BY 1, 2"},
};

static bool
ranged(enum binds b)
{
    return b == B_RANGE || b == B_MOVES || b == B_DAYS_RANGE;
}

int
insight_period_days(const char *from, const char *to)
{
    int y0 = 0, m0 = 0, y1 = 0, m1 = 0;
    if (sscanf(from, "%4d-%2d", &y0, &m0) != 2 || sscanf(to, "%4d-%2d", &y1, &m1) != 2)
        return 0;
    struct tm a = {.tm_year = y0 - 1900, .tm_mon = m0 - 1, .tm_mday = 1};
    struct tm b = {.tm_year = y1 - 1900, .tm_mon = m1, .tm_mday = 1}; /* the month after `to` */
    time_t ta = timegm(&a), tb = timegm(&b), now = time(NULL);
    if (tb > now) /* the current month counts up to today (its night included) */
        tb = now - now % 86400 + 86400;
    return tb > ta ? (int)((tb - ta) / 86400) : 0;
}

static void
bind_all(struct dd_stmt *st, const struct spec *s, const struct insight_filter *f, const char *from,
         const char *to, char (*num)[16])
{
    const char *b[10];
    int n = 0;
    switch (s->binds) {
    case B_YEAR_AREA:
        b[n++] = num[0], b[n++] = num[0], b[n++] = num[0];
        break;
    case B_WORK_AREA:
        b[n++] = num[1], b[n++] = num[2], b[n++] = num[3], b[n++] = num[2];
        break;
    case B_DAYS_RANGE:
        b[n++] = num[4], b[n++] = num[4];
        break;
    case B_MOVES:
        b[n++] = f->province, b[n++] = f->province, b[n++] = from;
        b[n++] = to, b[n++] = f->commune, b[n++] = f->commune, b[n++] = f->commune;
        break;
    default:
        break;
    }
    if (s->binds != B_MOVES) {
        b[n++] = f->province, b[n++] = f->commune, b[n++] = f->commune;
        if (ranged(s->binds))
            b[n++] = from, b[n++] = to;
    }
    insight_bind_texts(st, b, n);
}

static void
grow(struct dd_req *req, struct insight_table *t)
{
    if (t->nrows < t->cap)
        return;
    size_t cap = t->cap ? t->cap * 2 : 64;
    const char **cells = dd_arena_alloc(req->arena, cap * t->ncols * sizeof *cells);
    if (t->nrows)
        memcpy(cells, t->cells, t->nrows * t->ncols * sizeof *cells);
    t->cells = cells;
    t->cap = cap;
}

static void
set_columns(struct dd_req *req, struct insight_table *t, const struct spec *s, struct dd_stmt *st,
            const char *label)
{
    if (t->columns)
        return;
    size_t off = label ? 1 : 0;
    size_t n = (size_t)dd_stmt_column_count(st);
    t->ncols = n + off;
    t->columns = dd_arena_alloc(req->arena, (t->ncols ? t->ncols : 1) * sizeof *t->columns);
    bool *counts = dd_arena_zalloc(req->arena, (t->ncols ? t->ncols : 1) * sizeof *counts);
    if (label)
        t->columns[0] = "period";
    for (size_t c = 0; c < n; c++) {
        t->columns[c + off] = dd_arena_strdup(req->arena, dd_stmt_column_name(st, (int)c));
        counts[c + off] = c < MAX_COLS && s->counts[c];
    }
    t->counts = counts;
}

/* Appends the rows of one period (label NULL: no period column). */
static int
add_rows(struct dd_req *req, struct dd_db *db, struct insight_table *t, const struct spec *s,
         const struct insight_filter *f, const char *from, const char *to, const char *label)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, s->sql, &st);
    if (rc != DD_OK)
        return rc;
    char num[5][16];
    snprintf(num[0], 16, "%d", f->year);
    snprintf(num[1], 16, "%d", f->year - INSIGHT_RETIRE_MEN + 1);
    snprintf(num[2], 16, "%d", f->year - INSIGHT_WORK_FROM);
    snprintf(num[3], 16, "%d", f->year - INSIGHT_RETIRE_WOMEN + 1);
    snprintf(num[4], 16, "%d", insight_period_days(from, to));
    bind_all(st, s, f, from, to, num);
    size_t off = label ? 1 : 0;
    /* The statement's columns are known once it ran (PostgreSQL): after the first step. */
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        set_columns(req, t, s, st, label);
        grow(req, t);
        const char **row = t->cells + t->nrows * t->ncols;
        if (label)
            row[0] = label;
        for (size_t c = off; c < t->ncols; c++)
            row[c] = dd_arena_strdup(req->arena, dd_stmt_text(st, (int)(c - off)));
        t->nrows++;
    }
    set_columns(req, t, s, st, label);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

/* The export of ages: people by commune, 5-year band and sex (population_cells.c), the rows in
 * the order commune, band, sex ("female" before "male"), cells without people left out. */
static int
ages_build(struct dd_req *req, struct dd_db *db, struct insight_table *t,
           const struct insight_filter *f)
{
    struct insight_population pop;
    int rc = insight_population_read(db, req->arena, f, &pop);
    if (rc != DD_OK)
        return rc;
    static const char *const columns[] = {"commune", "age_band", "sex", "people"};
    static const bool counts[] = {false, false, false, true};
    t->ncols = 4;
    t->columns = (const char **)columns;
    t->counts = counts;
    for (size_t i = 0; i < pop.n; i++)
        for (int b = 0; b < INSIGHT_BANDS; b++)
            for (int sx = 0; sx < 2; sx++) {
                int64_t n = sx == 0 ? pop.communes[i].female[b] : pop.communes[i].male[b];
                if (n == 0)
                    continue;
                grow(req, t);
                const char **row = t->cells + t->nrows * t->ncols;
                row[0] = pop.communes[i].commune;
                row[1] = dd_arena_printf(req->arena, "%d", b * INSIGHT_BAND_YEARS);
                row[2] = sx == 0 ? "female" : "male";
                row[3] = dd_arena_printf(req->arena, "%lld", (long long)n);
                t->nrows++;
            }
    return DD_OK;
}

/* The tables made by a function rather than a statement. */
static const struct {
    const char *area, *table;
    int (*build)(struct dd_req *req, struct dd_db *db, struct insight_table *t,
                 const struct insight_filter *f);
} builders[] = {
    {"population", "age", ages_build},
};

struct insight_table *
insight_area_table(struct dd_req *req, struct dd_db *db, const char *area, const char *table,
                   const struct insight_filter *f, int *rc)
{
    const struct spec *s = NULL;
    for (size_t i = 0; s == NULL && i < sizeof specs / sizeof specs[0]; i++)
        if (strcmp(specs[i].area, area) == 0 &&
            (table == NULL || strcmp(specs[i].table, table) == 0))
            s = &specs[i];
    if (s == NULL) {
        *rc = DD_ENOTFOUND;
        return NULL;
    }
    struct insight_table *t = dd_arena_zalloc(req->arena, sizeof *t);
    /* The sheet: the area's name for its default table, else "area table" (spaces, at most 31
     * bytes as a sheet's name may be). */
    char *name = table ? dd_arena_printf(req->arena, "%.12s %.18s", area, s->table)
                       : dd_arena_strdup(req->arena, area);
    for (char *c = name; *c; c++)
        if (*c == '_')
            *c = ' ';
    t->name = name;
    bool compare = f->cfrom[0] && ranged(s->binds);
    const char *label = compare ? dd_arena_printf(req->arena, "%s..%s", f->from, f->to) : NULL;
    for (size_t i = 0; s->sql == NULL && i < sizeof builders / sizeof builders[0]; i++)
        if (strcmp(builders[i].area, s->area) == 0 && strcmp(builders[i].table, s->table) == 0) {
            *rc = builders[i].build(req, db, t, f);
            return t;
        }
    if (s->sql == NULL) {
        *rc = DD_EINTERNAL;
        return t;
    }
    *rc = add_rows(req, db, t, s, f, f->from, f->to, label);
    if (*rc == DD_OK && compare)
        *rc = add_rows(req, db, t, s, f, f->cfrom, f->cto,
                       dd_arena_printf(req->arena, "%s..%s", f->cfrom, f->cto));
    return t;
}

bool
insight_table_known(const char *area, const char *table)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (strcmp(specs[i].area, area) == 0 && strcmp(specs[i].table, table) == 0)
            return true;
    return false;
}
