/*
 * figures.c — the figures of each area read from the aggregate tables for one filter: the
 * caller's province, one commune or all, a month range and an optional comparison range.
 *
 * Every query reads a few hundred to a few thousand aggregate rows through an index on
 * (province, …), never the people or stays tables. Ages come from the year of birth and the
 * filter's last year; the working age is 15 up to the retirement age of the Labour Code 2019
 * (art. 169) reached in 2026 by the yearly roadmap of Decree 135/2020: 61 for men, 57 for women,
 * taken by whole years.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/insight/internal.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define WORK_FROM  INSIGHT_WORK_FROM
#define RETIRE_MEN INSIGHT_RETIRE_MEN
#define RETIRE_WOM INSIGHT_RETIRE_WOMEN
#define BAND_YEARS INSIGHT_BAND_YEARS
#define BANDS      INSIGHT_BANDS

void
insight_bind_texts(struct dd_stmt *st, const char *const *texts, int n)
{
    for (int i = 0; i < n; i++) {
        if (texts[i])
            dd_stmt_bind_text(st, i + 1, texts[i]);
        else
            dd_stmt_bind_null(st, i + 1);
    }
}

int64_t
insight_number(struct dd_db *db, const char *sql)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    int64_t v = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : rc == DD_DB_DONE ? 0 : rc;
    dd_stmt_reset(st);
    return v;
}

/* Rows of `sql` as objects named by its columns; the first `ntext` columns text, the rest
 * integers. binds[i] NULL binds SQL NULL. Sets *rc on a database failure. */
static json_t *
rows(struct dd_db *db, const char *sql, const char *const *binds, int nb, int ntext, int *rc)
{
    json_t *out = json_array();
    struct dd_stmt *st;
    if (*rc != DD_OK || (*rc = dd_db_prepare(db, sql, &st)) != DD_OK)
        return out;
    insight_bind_texts(st, binds, nb);
    int r;
    while ((r = dd_stmt_step(st)) == DD_DB_ROW) {
        json_t *o = json_object();
        int n = dd_stmt_column_count(st);
        for (int c = 0; c < n; c++)
            json_object_set_new(o, dd_stmt_column_name(st, c),
                                c < ntext ? json_string(dd_stmt_text(st, c))
                                          : json_integer(dd_stmt_int64(st, c)));
        json_array_append_new(out, o);
    }
    dd_stmt_reset(st);
    if (r < 0)
        *rc = r;
    return out;
}

#define AREA "province_code = ? AND (CAST(? AS TEXT) IS NULL OR commune_code = ?)"

static json_t *
q_area(struct dd_db *db, const char *sql, const struct insight_filter *f, int ntext, int *rc)
{
    const char *b[] = {f->province, f->commune, f->commune};
    return rows(db, sql, b, 3, ntext, rc);
}

static json_t *
q_range(struct dd_db *db, const char *sql, const struct insight_filter *f, const char *from,
        const char *to, int ntext, int *rc)
{
    const char *b[] = {f->province, f->commune, f->commune, from, to};
    return rows(db, sql, b, 5, ntext, rc);
}

/* The months of [from, to] shifted by -12. */
static void
year_before(const char *m, char out[8])
{
    int y = 0, mo = 0;
    if (sscanf(m, "%4d-%2d", &y, &mo) != 2)
        y = 1, mo = 1;
    char t[32];
    snprintf(t, sizeof t, "%04d-%02d", y - 1, mo);
    snprintf(out, 8, "%.7s", t);
}

static const char *const flows_sql =
    "SELECT month, SUM(births) AS births, SUM(deaths) AS deaths, SUM(births) - SUM(deaths) AS "
    "natural_growth, SUM(moves_in) AS moves_in, SUM(moves_out) AS moves_out FROM insight_flows "
    "WHERE " AREA " AND month >= ? AND month <= ? GROUP BY month ORDER BY month";

static const char *const flows_total_sql =
    "SELECT COALESCE(SUM(births), 0) AS births, COALESCE(SUM(deaths), 0) AS deaths, "
    "COALESCE(SUM(moves_in), 0) AS moves_in, COALESCE(SUM(moves_out), 0) AS moves_out FROM "
    "insight_flows WHERE " AREA " AND month >= ? AND month <= ?";

/* The one row of a total, or an empty object. */
static json_t *
only_row(json_t *rows_)
{
    json_t *r = json_array_get(rows_, 0);
    json_t *out = r ? json_incref(r) : json_object();
    json_decref(rows_);
    return out;
}

/* The pyramid by band and sex, summed over the communes read. */
static json_t *
pyramid_json(const struct insight_population *pop, int64_t *men, int64_t *women)
{
    json_t *out = json_array();
    *men = *women = 0;
    for (int b = 0; b < BANDS; b++) {
        int64_t m = 0, w = 0;
        for (size_t i = 0; i < pop->n; i++)
            m += pop->communes[i].male[b], w += pop->communes[i].female[b];
        *men += m;
        *women += w;
        char label[16];
        if (b == BANDS - 1)
            snprintf(label, sizeof label, "%d+", b * BAND_YEARS);
        else
            snprintf(label, sizeof label, "%d-%d", b * BAND_YEARS, b * BAND_YEARS + 4);
        json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "band", label, "male",
                                             (json_int_t)m, "female", (json_int_t)w));
    }
    return out;
}

static json_t *
totals_json(int64_t men, int64_t women)
{
    return json_pack("{s:I, s:I, s:I, s:o}", "people", (json_int_t)(men + women), "male",
                     (json_int_t)men, "female", (json_int_t)women, "males_per_100_females",
                     women ? json_real(100.0 * (double)men / (double)women) : json_null());
}

/* [{commune, people, male}] in commune order. */
static json_t *
communes_json(const struct insight_population *pop)
{
    json_t *out = json_array();
    for (size_t i = 0; i < pop->n; i++) {
        int64_t m = 0, w = 0;
        for (int b = 0; b < BANDS; b++)
            m += pop->communes[i].male[b], w += pop->communes[i].female[b];
        json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "commune", pop->communes[i].commune,
                                             "people", (json_int_t)(m + w), "male", (json_int_t)m));
    }
    return out;
}

/* Adds each commune's area and density where its area is known (insight_commune_areas, read in
 * milli-km² as an integer): area_km2 and density are null elsewhere. Takes `communes`. */
static json_t *
with_density(struct dd_db *db, const struct insight_filter *f, json_t *communes, int *rc)
{
    const char *b[] = {f->province};
    json_t *areas = rows(db,
                         "SELECT commune_code AS commune, COALESCE(CAST(ROUND(CAST(area_km2 * "
                         "1000 AS NUMERIC)) AS BIGINT), 0) AS area_m FROM insight_commune_areas "
                         "WHERE province_code = ?",
                         b, 1, 1, rc);
    size_t i, j;
    json_t *r, *a;
    json_array_foreach(communes, i, r)
    {
        int64_t m = 0;
        const char *c = json_string_value(json_object_get(r, "commune"));
        json_array_foreach(areas, j,
                           a) if (strcmp(json_string_value(json_object_get(a, "commune")), c) == 0)
            m = json_integer_value(json_object_get(a, "area_m"));
        int64_t people = json_integer_value(json_object_get(r, "people"));
        json_object_set_new(r, "area_km2", m > 0 ? json_real((double)m / 1000.0) : json_null());
        json_object_set_new(r, "density",
                            m > 0 ? json_real((double)people * 1000.0 / (double)m) : json_null());
    }
    json_decref(areas);
    return communes;
}

static json_t *
population(struct dd_db *db, struct dd_arena *a, const struct insight_filter *f, int *rc)
{
    json_t *out = json_object();
    struct insight_population pop = {0};
    if (*rc == DD_OK)
        *rc = insight_population_read(db, a, f, &pop);
    int64_t men = 0, women = 0;
    json_object_set_new(out, "pyramid", pyramid_json(&pop, &men, &women));
    json_object_set_new(out, "totals", totals_json(men, women));
    json_object_set_new(out, "by_commune", with_density(db, f, communes_json(&pop), rc));
    json_object_set_new(out, "by_month", q_range(db, flows_sql, f, f->from, f->to, 1, rc));
    json_object_set_new(out, "period",
                        only_row(q_range(db, flows_total_sql, f, f->from, f->to, 0, rc)));
    if (f->cfrom[0])
        json_object_set_new(out, "compare",
                            only_row(q_range(db, flows_total_sql, f, f->cfrom, f->cto, 0, rc)));
    const char *b[] = {f->province, f->from, f->to, f->commune, f->commune, f->commune};
    json_object_set_new(
        out, "moves",
        rows(
            db,
            "SELECT CASE WHEN from_province <> ? THEN 'into_province' WHEN to_province <> "
            "from_province THEN 'out_of_province' ELSE 'between_communes' END AS kind, "
            "SUM(moves) AS moves FROM insight_moves WHERE month >= ? AND month <= ? AND "
            "(CAST(? AS TEXT) IS NULL OR from_commune = ? OR to_commune = ?) GROUP BY 1 ORDER BY 1",
            b, 6, 1, rc));
    for (int d = 0; d < 3; d++) {
        static const char *const dim[] = {"ethnicity", "religion", "origin"};
        static const char *const key[] = {"ethnicity", "religion", "temporary_by_origin"};
        const char *bd[] = {f->province, f->commune, f->commune, dim[d]};
        json_object_set_new(out, key[d],
                            rows(db,
                                 "SELECT value, SUM(people) AS people FROM insight_composition "
                                 "WHERE " AREA " AND dimension = ? GROUP BY value HAVING "
                                 "SUM(people) <> 0 ORDER BY 2 DESC, 1 LIMIT 50",
                                 bd, 4, 1, rc));
    }
    return out;
}

static json_t *
labour(struct dd_db *db, const struct insight_filter *f, int *rc)
{
    char y[4][16];
    snprintf(y[0], 16, "%d", f->year - RETIRE_MEN + 1);
    snprintf(y[1], 16, "%d", f->year - WORK_FROM);
    snprintf(y[2], 16, "%d", f->year - RETIRE_WOM + 1);
    snprintf(y[3], 16, "%d", f->year - WORK_FROM);
    const char *b[] = {y[0], y[1], y[2], y[3], f->province, f->commune, f->commune};
    json_t *out = json_object();
    json_object_set_new(
        out, "working_age",
        rows(db,
             "SELECT commune_code AS commune, SUM(CASE WHEN (sex = 'male' AND birth_year >= "
             "CAST(? AS INTEGER) AND birth_year <= CAST(? AS INTEGER)) OR (sex = 'female' AND "
             "birth_year >= CAST(? AS INTEGER) AND birth_year <= CAST(? AS INTEGER)) THEN people "
             "ELSE 0 END) AS working_age, SUM(people) AS people FROM insight_population WHERE " AREA
             " GROUP BY commune_code ORDER BY commune_code",
             b, 7, 1, rc));
    json_object_set_new(out, "by_status",
                        q_area(db,
                               "SELECT employment_status AS status, sector, SUM(people) AS "
                               "people FROM insight_labour WHERE " AREA
                               " GROUP BY employment_status, sector HAVING SUM(people) <> 0 ORDER "
                               "BY 1, 2",
                               f, 2, rc));
    json_object_set_new(out, "by_park",
                        q_area(db,
                               "SELECT industrial_park AS park, SUM(people) AS people FROM "
                               "insight_labour WHERE " AREA
                               " AND industrial_park <> '' AND employment_status = 'employed' "
                               "GROUP BY industrial_park HAVING SUM(people) <> 0 ORDER BY 2 DESC",
                               f, 1, rc));
    return out;
}

/* Guest nights by commune and class over the rooms and beds of the approved establishments of
 * that commune and class and the days of the period: occupancy = guest nights / (rooms × days),
 * bed_occupancy = guest nights / (beds × days); null without rooms (beds). */
static json_t *
occupancy(struct dd_db *db, const struct insight_filter *f, const char *from, const char *to,
          int *rc)
{
    json_t *list = q_range(
        db,
        "SELECT t.commune_code AS commune, t.class, SUM(t.arrivals) AS arrivals, "
        "SUM(t.guest_nights) AS guest_nights, (SELECT COALESCE(SUM(e.rooms), 0) FROM "
        "stay_establishments e WHERE e.province_code = t.province_code AND e.commune_code = "
        "t.commune_code AND e.class = t.class AND e.status = 'approved') AS rooms, (SELECT "
        "COALESCE(SUM(e.beds), 0) FROM stay_establishments e WHERE e.province_code = "
        "t.province_code AND e.commune_code = t.commune_code AND e.class = t.class AND e.status = "
        "'approved') AS beds FROM insight_tourism t WHERE t." AREA
        " AND t.month >= ? AND t.month <= ? GROUP BY t.province_code, t.commune_code, t.class "
        "ORDER BY 1, 2",
        f, from, to, 2, rc);
    int days = insight_period_days(from, to);
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r)
    {
        double nights = (double)json_integer_value(json_object_get(r, "guest_nights"));
        int64_t rooms = json_integer_value(json_object_get(r, "rooms"));
        int64_t beds = json_integer_value(json_object_get(r, "beds"));
        json_object_set_new(r, "days", json_integer(days));
        json_object_set_new(r, "occupancy",
                            rooms > 0 && days > 0 ? json_real(nights / ((double)rooms * days))
                                                  : json_null());
        json_object_set_new(r, "bed_occupancy",
                            beds > 0 && days > 0 ? json_real(nights / ((double)beds * days))
                                                 : json_null());
    }
    return list;
}

/* {stays, nights, mean_nights, distribution: [{nights: "0".."4-7".."31+", stays}], by_commune,
 * by_class, by_nationality: [{…, stays, nights, mean_nights}]}: the stays that ended (checked
 * out) in the period, their nights counted as the guest nights are. */
static const struct {
    const char *label;
    int64_t lo, hi;
} los_buckets[] = {
    {"0", 0, 0},   {"1", 1, 1},     {"2", 2, 2},       {"3", 3, 3},
    {"4-7", 4, 7}, {"8-14", 8, 14}, {"15-30", 15, 30}, {"31+", 31, 366},
};

static void
add_means(json_t *list)
{
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r)
    {
        int64_t n = json_integer_value(json_object_get(r, "stays"));
        int64_t nights = json_integer_value(json_object_get(r, "nights"));
        json_object_set_new(r, "mean_nights",
                            n ? json_real((double)nights / (double)n) : json_null());
    }
}

/* Stays and nights of one value of a dimension (a commune, a class, a nationality). */
struct los_group {
    const char *name;
    int64_t stays, nights;
};

/* The group of `name` in g[0..*n) (added when new; `name` is copied into the arena). */
static struct los_group *
los_group(struct dd_arena *a, struct los_group **g, size_t *n, size_t *cap, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*g)[i].name, name) == 0)
            return &(*g)[i];
    if (*n == *cap) {
        size_t more = *cap ? *cap * 2 : 64;
        struct los_group *bigger = dd_arena_alloc(a, more * sizeof *bigger);
        if (*n)
            memcpy(bigger, *g, *n * sizeof *bigger);
        *g = bigger;
        *cap = more;
    }
    (*g)[*n] = (struct los_group){dd_arena_strdup(a, name), 0, 0};
    return &(*g)[(*n)++];
}

/* Most stays first, then by name; as the list once ordered by SQL (ORDER BY stays DESC, name). */
static int
los_order(const void *x, const void *y)
{
    const struct los_group *a = x, *b = y;
    if (a->stays != b->stays)
        return a->stays > b->stays ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The groups with stays, at most 65, as [{<key>: name, stays, nights, mean_nights}]. */
static json_t *
los_list(struct los_group *g, size_t n, const char *key)
{
    if (n > 1)
        qsort(g, n, sizeof *g, los_order);
    json_t *out = json_array();
    for (size_t i = 0, kept = 0; i < n && kept < 65; i++) {
        if (g[i].stays == 0)
            continue;
        kept++;
        json_array_append_new(out,
                              json_pack("{s:s, s:I, s:I}", key, g[i].name, "stays",
                                        (json_int_t)g[i].stays, "nights", (json_int_t)g[i].nights));
    }
    add_means(out);
    return out;
}

/* The area's stay lengths of the months [from, to] read once: the totals, the distribution by
 * length and the lists by commune, class and nationality. */
static json_t *
stay_lengths(struct dd_db *db, struct dd_arena *a, const struct insight_filter *f, const char *from,
             const char *to, int *rc)
{
    size_t nb = sizeof los_buckets / sizeof los_buckets[0];
    int64_t count[sizeof los_buckets / sizeof los_buckets[0]] = {0}, stays = 0, nights = 0;
    struct los_group *g[3] = {NULL, NULL, NULL};
    size_t n[3] = {0, 0, 0}, cap[3] = {0, 0, 0};
    struct dd_stmt *st;
    if (*rc == DD_OK &&
        (*rc = dd_db_prepare(db,
                             "SELECT commune_code, class, nationality, nights, stays FROM "
                             "insight_stay_lengths WHERE " AREA " AND month >= ? AND month <= ?",
                             &st)) == DD_OK) {
        const char *b[] = {f->province, f->commune, f->commune, from, to};
        insight_bind_texts(st, b, 5);
        int r;
        while ((r = dd_stmt_step(st)) == DD_DB_ROW) {
            int64_t len = dd_stmt_int64(st, 3), k = dd_stmt_int64(st, 4);
            stays += k;
            nights += k * len;
            for (size_t i = 0; i < nb; i++)
                if (len >= los_buckets[i].lo && len <= los_buckets[i].hi)
                    count[i] += k;
            for (int d = 0; d < 3; d++) {
                struct los_group *one = los_group(a, &g[d], &n[d], &cap[d], dd_stmt_text(st, d));
                one->stays += k;
                one->nights += k * len;
            }
        }
        dd_stmt_reset(st);
        if (r < 0)
            *rc = r;
    }
    json_t *out = json_pack("{s:I, s:I}", "stays", (json_int_t)stays, "nights", (json_int_t)nights);
    json_object_set_new(out, "mean_nights",
                        stays ? json_real((double)nights / (double)stays) : json_null());
    json_t *dist = json_array();
    for (size_t i = 0; i < nb; i++)
        json_array_append_new(dist, json_pack("{s:s, s:I}", "nights", los_buckets[i].label, "stays",
                                              (json_int_t)count[i]));
    json_object_set_new(out, "distribution", dist);
    static const char *const key[] = {"by_commune", "by_class", "by_nationality"};
    static const char *const name[] = {"commune", "class", "nationality"};
    for (int d = 0; d < 3; d++)
        json_object_set_new(out, key[d], los_list(g[d], n[d], name[d]));
    return out;
}

static json_t *
tourism(struct dd_db *db, struct dd_arena *a, const struct insight_filter *f, int *rc)
{
    json_t *out = json_object();
    static const char *const by_month =
        "SELECT month, SUM(arrivals) AS arrivals, SUM(guest_nights) AS guest_nights FROM "
        "insight_tourism WHERE " AREA " AND month >= ? AND month <= ? GROUP BY month ORDER BY "
        "month";
    json_object_set_new(out, "by_month", q_range(db, by_month, f, f->from, f->to, 1, rc));
    char lf[8], lt[8];
    year_before(f->from, lf);
    year_before(f->to, lt);
    json_object_set_new(out, "same_months_last_year", q_range(db, by_month, f, lf, lt, 1, rc));
    if (f->cfrom[0])
        json_object_set_new(out, "compare", q_range(db, by_month, f, f->cfrom, f->cto, 1, rc));
    json_object_set_new(out, "by_commune_class", occupancy(db, f, f->from, f->to, rc));
    json_object_set_new(out, "length_of_stay", stay_lengths(db, a, f, f->from, f->to, rc));
    if (f->cfrom[0]) {
        json_object_set_new(out, "by_commune_class_compare",
                            occupancy(db, f, f->cfrom, f->cto, rc));
        json_object_set_new(out, "length_of_stay_compare",
                            stay_lengths(db, a, f, f->cfrom, f->cto, rc));
    }
    for (int d = 0; d < 2; d++) {
        static const char *const dim[] = {"nationality", "origin"};
        static const char *const key[] = {"by_nationality", "by_origin_province"};
        const char *b[] = {f->province, f->commune, f->commune, f->from, f->to, dim[d]};
        json_object_set_new(out, key[d],
                            rows(db,
                                 "SELECT value, SUM(arrivals) AS arrivals FROM insight_arrivals "
                                 "WHERE " AREA " AND month >= ? AND month <= ? AND dimension = ? "
                                 "GROUP BY value ORDER BY 2 DESC, 1 LIMIT 50",
                                 b, 6, 1, rc));
    }
    return out;
}

static json_t *
order(struct dd_db *db, const struct insight_filter *f, int *rc)
{
    json_t *out = json_object();
    static const char *const by_month =
        "SELECT month, SUM(late_stays) AS late_stays, SUM(watch_hits) AS watch_hits FROM "
        "insight_order WHERE " AREA " AND month >= ? AND month <= ? GROUP BY month ORDER BY month";
    json_object_set_new(out, "by_month", q_range(db, by_month, f, f->from, f->to, 1, rc));
    if (f->cfrom[0])
        json_object_set_new(out, "compare", q_range(db, by_month, f, f->cfrom, f->cto, 1, rc));
    json_object_set_new(out, "hot_spots",
                        q_range(db,
                                "SELECT commune_code AS commune, SUM(late_stays) AS late_stays, "
                                "SUM(watch_hits) AS watch_hits FROM insight_order WHERE " AREA
                                " AND month >= ? AND month <= ? GROUP BY commune_code ORDER BY "
                                "SUM(late_stays) + SUM(watch_hits) DESC, 1 LIMIT 65",
                                f, f->from, f->to, 1, rc));
    return out;
}

json_t *
insight_area_json(struct dd_req *req, struct dd_db *db, const char *area,
                  const struct insight_filter *f, int *rc)
{
    *rc = DD_OK;
    json_t *body = strcmp(area, "population") == 0 ? population(db, req->arena, f, rc)
                   : strcmp(area, "labour") == 0   ? labour(db, f, rc)
                   : strcmp(area, "tourism") == 0  ? tourism(db, req->arena, f, rc)
                                                   : order(db, f, rc);
    json_t *filter = json_pack("{s:s, s:s, s:s, s:s?}", "province", f->province, "from", f->from,
                               "to", f->to, "commune", f->commune);
    if (f->cfrom[0])
        json_object_set_new(filter, "compare",
                            json_pack("{s:s, s:s}", "from", f->cfrom, "to", f->cto));
    json_object_set_new(body, "filter", filter);
    return body;
}

void
insight_suppress(struct insight_table *t, int64_t threshold, const char *mark)
{
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            if (!t->counts[c])
                continue;
            long long v = 0;
            if (sscanf(t->cells[r * t->ncols + c], "%lld", &v) == 1 && v > 0 && v < threshold)
                t->cells[r * t->ncols + c] = mark;
        }
}
