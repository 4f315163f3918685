/*
 * internal.h — what the files of core/insight/ share: statement helpers, months, the figures'
 * readers (figures.c) and the exports (export.c).
 */
#ifndef DD_CORE_INSIGHT_INTERNAL_H
#define DD_CORE_INSIGHT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_event;
struct dd_req;
struct dd_stmt;

/* Runs `sql` once with `text` bound to the first ntext placeholders and `last` to the next.
 * DD_OK or the database's code. */
int insight_step(struct dd_db *db, const char *sql, const char *const *text, size_t ntext,
                 int64_t last);

/* Upserts adding people (the last placeholder) to a cell of insight_population (province,
 * commune, birth year, sex) and of insight_composition (province, commune, dimension, value). */
extern const char insight_population_upsert[];
extern const char insight_composition_upsert[];

/* Binds texts[i] to placeholder i + 1, NULL as SQL NULL. */
void insight_bind_texts(struct dd_stmt *st, const char *const *texts, int n);

/* The first column of `sql`'s first row as a number (0 with no row), or a DD_E… code. */
int64_t insight_number(struct dd_db *db, const char *sql);

/* "YYYY-MM" of a date "YYYY-MM-DD" or "YYYY-MM"; "YYYY-01" for a year alone; "0000-00" else. */
void insight_month(const char *date, char out[8]);

/* Applies a birth, death or permanent move (its payload `p`) to the monthly flows. */
int insight_flow_event(struct dd_db *db, const char *type, json_t *p);

/* A stay's guest nights stop counting after this many (the check-out's rule and the rebuild's). */
#define INSIGHT_MAX_NIGHTS 366

/* Sums per cell of the stay figures, written later with one upsert each (tally.c). A zeroed
 * struct is an empty tally. */
#define INSIGHT_TALLY_KEYS 8
#define INSIGHT_TALLY_SUMS 2
struct insight_cell;
struct insight_tally {
    struct insight_cell *cells;
    size_t count, cap;
    size_t *index; /* open addressing: a cell's position + 1, 0 for an empty slot */
    size_t slots;
};

/* Adds `sums` (nsums numbers) to the cell of upsert `sql` and `keys` (nkeys texts, copied).
 * `sql` is a statement with nkeys + nsums placeholders, keys first, that adds its numbers to the
 * row of those keys; cells are told apart by the pointer `sql`, so each table has one. */
void insight_tally_add(struct insight_tally *t, const char *sql, const char *const *keys,
                       size_t nkeys, const int64_t *sums, size_t nsums);

/* Runs every cell's upsert (cells whose sums are all zero skipped), in the order they were
 * first added, inside the caller's transaction; the tally is empty afterwards whatever the
 * outcome. DD_OK or the database's code. */
int insight_tally_write(struct dd_db *db, struct insight_tally *t);

/* insight_tally_add with the keys given joined: one after the other, each followed by '\0',
 * `len` bytes in all (a reader's row copied once, with no text of its own per key). */
void insight_tally_add_joined(struct insight_tally *t, const char *sql, const char *joined,
                              size_t len, size_t nkeys, const int64_t *sums, size_t nsums);

/* Cells added two rows behind the caller's reads, one number each: a row's index slot is asked
 * of the memory when it is given, its cell when the next is, and the sum is added with the one
 * after. A scan of a million stays otherwise waits on memory for most of its tally's time, since
 * consecutive stays seldom share a cell. Joined keys of at most INSIGHT_LAG_KEY_MAX bytes. */
#define INSIGHT_LAG_KEY_MAX 512
struct insight_lag_row {
    uint64_t hash;
    size_t len;
    int64_t sum;
    char joined[INSIGHT_LAG_KEY_MAX];
};
struct insight_tally_lag {
    struct insight_tally *t;
    const char *sql;
    size_t nkeys;
    size_t given; /* rows given so far; the last two (at most) wait */
    struct insight_lag_row waiting[3];
};

/* Where the next row's joined keys are to be written (INSIGHT_LAG_KEY_MAX bytes), before
 * insight_tally_lag_add. */
char *insight_tally_lag_keys(struct insight_tally_lag *l);

/* Gives that row (its keys `len` bytes) and its number; adds the row two before. */
void insight_tally_lag_add(struct insight_tally_lag *l, size_t len, int64_t sum);

/* Adds the rows still waiting. */
void insight_tally_lag_flush(struct insight_tally_lag *l);

/* Calls fn with each cell's keys and sums, in the order they were first added. */
void insight_tally_each(const struct insight_tally *t,
                        void (*fn)(void *arg, const char *const *keys, const int64_t *sums),
                        void *arg);

/* Adds every cell of `from` to `into`, and empties `from`. */
void insight_tally_merge(struct insight_tally *into, struct insight_tally *from);

/* Forgets every cell. */
void insight_tally_clear(struct insight_tally *t);

/* Adds stay.checked_in or stay.checked_out (its payload text) to `t`: the daily figures
 * (stay_fig_arrivals, stay_fig_nights), the monthly ones (insight_tourism, insight_arrivals),
 * the length of stay and public order; other types add nothing. */
void insight_stay_event(struct insight_tally *t, const char *type, const char *payload);

/* m like stays, as the tourism figures count them (tourism.c): days "YYYY-MM-DD" (departure ""
 * while they are there), the establishment's area and class, the guests' nationality and
 * province of origin, whether the notice was late and whether a watch-list entry matched. */
struct insight_stay {
    const char *arrival_day, *departure_day;
    const char *province, *commune, *class_;
    const char *nationality, *origin;
    bool late, watched;
    int64_t m;
};

/* Their arrival and first night (a check-in), and the rest of their nights and their length of
 * stay (a check-out; nothing if a day is not a date), added to `t`. */
void insight_stay_in(struct insight_tally *t, const struct insight_stay *s);
void insight_stay_out(struct insight_tally *t, const struct insight_stay *s);

/* The day "YYYY-MM-DD" in Vietnam's time (UTC+7) of an hour "YYYY-MM-DDTHH" in UTC, into out;
 * false if utc_hour is not such an hour. */
bool insight_vietnam_day(const char *utc_hour, char out[11]);

/* dd_insight_apply with the stay figures added to `t` rather than written: the caller writes
 * `t` (insight_tally_write) before the transaction commits. A rebuild that succeeds empties `t`,
 * since it counted those stays already. With defer_rebuild, an event that calls for a rebuild
 * changes nothing and returns DD_ELATER instead: the caller rebuilds outside its transaction
 * (dd_insight_rebuild_staged) and gives the event again. */
int insight_apply_event(struct dd_db *db, const struct dd_event *ev, struct insight_tally *t,
                        bool defer_rebuild);

/* ---- SQLite's rebuild: the people and the stays read in parts by two connections ---- */

/* The parts of the reading: people in a range of (province, commune) keys, from `from`
 * (included) to `to` (excluded; no end unless `bounded`); stays with ids first_id..last_id. */
#define INSIGHT_SCAN_PARTS 48
#define INSIGHT_SCAN_CODE  16
struct insight_people_part {
    char from[2][INSIGHT_SCAN_CODE], to[2][INSIGHT_SCAN_CODE];
    bool bounded;
};
struct insight_stays_part {
    int64_t first_id, last_id;
};
struct insight_scan_plan {
    struct insight_people_part people[INSIGHT_SCAN_PARTS];
    struct insight_stays_part stays[INSIGHT_SCAN_PARTS];
    size_t npeople, nstays;
};

/* SQLite: begins `db`'s read transaction (it must have none) and, where it can, opens a second
 * connection to the same file reading the very same state, into *second (NULL if not: the work
 * is then `db`'s alone). DD_OK or the code of `db`'s failure. (rebuild_scan.c) */
int insight_scan_begin(struct dd_db *db, struct dd_db **second);

/* Ends the second connection's transaction and closes it (NULL is accepted), and lets `db`
 * read as before (the readers map the file into memory while they read). */
void insight_scan_end(struct dd_db *db, struct dd_db *second);

/* Cuts the reading into parts, by the ids of the stays and a sample of the people. */
int insight_scan_plan(struct dd_db *db, struct insight_scan_plan *plan);

/* Reads every part, on `db` and `second` (may be NULL) at once, and writes through `db` the
 * tourism figures from the stays' groups (insight_rebuild_tourism) and the living people's cells
 * of insight_population and insight_composition. */
int insight_scan_run(struct dd_db *db, struct dd_db *second, const struct insight_scan_plan *plan);

/* One part each: the living people from the index people_insight, `to` NULL for no end
 * (rebuild_people.c); the stays' groups (rebuild_tourism.c), cells of insight_stay_group whose
 * keys are the arrival day, province, commune, establishment id, nationality, province of origin,
 * hour of departure in UTC ("YYYY-MM-DDTHH", "" while there) and late (0 or 1), and whose sum is
 * the number of stays. Sums into `t`. */
int insight_people_scan(struct dd_db *db, const char *const from[2], const char *const to[2],
                        struct insight_tally *t);
int insight_stays_scan(struct dd_db *db, int64_t first_id, int64_t last_id,
                       struct insight_tally *t);
extern const char insight_stay_group[];

/* Computes the tourism tables from the stays' groups (rebuild_tourism.c), after they were
 * emptied; `groups` NULL to read them here (PostgreSQL). The groups are used up. */
int insight_rebuild_tourism(struct dd_db *db, struct insight_tally *groups);

/* The watermark of the last rebuild (>= 0) or a DD_E… code; *rebuilt false before the first. */
int64_t insight_watermark(struct dd_db *db, bool *rebuilt);

/* A figure as a table: column names and rows of cells (text), built in the request's arena. */
struct insight_table {
    const char *name;     /* "population", … (the sheet's name) */
    const char **columns; /* ncols names */
    size_t ncols;
    const char **cells; /* nrows × ncols, row-major */
    size_t nrows;
    size_t cap;
    const bool *counts; /* ncols: true for a column counting people (suppressed when small) */
};

/* The filter of every figure: the caller's province, one commune or all (NULL), months
 * [from, to] and, when asked, the comparison period [cfrom, cto]. */
struct insight_filter {
    const char *province;
    const char *commune;
    char from[8], to[8];
    char cfrom[8], cto[8]; /* "" without a comparison */
    int year;              /* the reference year for ages: that of `to` */
};

/* Ages in 5-year bands: 0–4 … 75–79, 80 and over. */
#define INSIGHT_BAND_YEARS 5
#define INSIGHT_BANDS      17

/* The band of a person born in `birth_year` by the reference year `year` (under 0: the first). */
int insight_age_band(int year, int64_t birth_year);

/* People of one commune by age band (at the filter's year) and sex. */
struct insight_commune_ages {
    const char *commune;
    int64_t male[INSIGHT_BANDS], female[INSIGHT_BANDS];
};

/* The filter's area's population cells read once (population_cells.c), one entry per commune in
 * commune order, in the arena. */
struct insight_population {
    struct insight_commune_ages *communes;
    size_t n;
};
int insight_population_read(struct dd_db *db, struct dd_arena *a, const struct insight_filter *f,
                            struct insight_population *out);

/* Parses ?commune=&from=&to=&compare_from=&compare_to= or replies 400; 0 or -1. */
int insight_filter_or_reply(struct dd_req *req, struct insight_filter *f);

/* The figures of one area ("population", "labour", "tourism", "order") as JSON. */
json_t *insight_area_json(struct dd_req *req, struct dd_db *db, const char *area,
                          const struct insight_filter *f, int *rc);

/* The working age: 15 up to the retirement age of the Labour Code 2019 (art. 169) reached in
 * 2026 by the yearly roadmap of Decree 135/2020, by whole years of birth. */
#define INSIGHT_WORK_FROM    15
#define INSIGHT_RETIRE_MEN   61
#define INSIGHT_RETIRE_WOMEN 57

/* One export table of an area (tables.c): `table` by name, or the area's first when NULL; with
 * the comparison period's rows too when the filter has one and the table is by month. NULL and
 * *rc DD_ENOTFOUND for an unknown area or table. */
struct insight_table *insight_area_table(struct dd_req *req, struct dd_db *db, const char *area,
                                         const char *table, const struct insight_filter *f,
                                         int *rc);

/* Whether `area` has an export table named `table`. */
bool insight_table_known(const char *area, const char *table);

/* The days of the months [from, to] ("YYYY-MM"), the current month counted up to today: the
 * nights a bed could be sold in that period. 0 for a period wholly in the future. */
int insight_period_days(const char *from, const char *to);

/* Replaces every count from 1 to threshold - 1 in t's counting columns by `mark` ("<5"). */
void insight_suppress(struct insight_table *t, int64_t threshold, const char *mark);

/* GET handlers (api.c, export.c, labour.c). */
int insight_population_get(struct dd_req *req);
int insight_labour_get(struct dd_req *req);
int insight_tourism_get(struct dd_req *req);
int insight_order_get(struct dd_req *req);
int insight_export_get(struct dd_req *req);
int insight_labour_import(struct dd_req *req);

#endif
