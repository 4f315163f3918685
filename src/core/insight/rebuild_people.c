/*
 * rebuild_people.c — on SQLite, the people's stocks computed over the covering index
 * people_insight (migration 0023), whose order is that of the cells: province, commune, year of
 * birth, sex, ethnicity, religion, temporary province and commune. The index is read in parts,
 * each a range of (province, commune), which rebuild_scan.c shares between two connections.
 *
 * Consecutive rows with the same eight values are counted together, and each run is added once
 * to the cells it belongs to (tally.c): its population cell, its ethnicity and religion, and its
 * province of origin where the person lives temporarily elsewhere. SQLite's GROUP BY over two
 * million rows, and the four sorts of its result that followed, took several times as long.
 * PostgreSQL computes the same with its own aggregates (rebuild.c).
 */
#include "base/err.h"
#include "base/mem.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_P, COL_C, COL_Y, COL_S, COL_E, COL_R, COL_TP, COL_TC, NCOLS };

/* A part's rows are read by two statements that the index answers with a seek and nothing
 * checked per row: the rest of the first province from the first commune, then every later
 * province. The part's end is found in the loop, where the province and commune are compared
 * anyway. (SQLite checks a row-value range such as (province, commune) < (?, ?) on every row,
 * which cost a third more.) */
#define SCAN_COLUMNS                                                                               \
    "SELECT permanent_province, permanent_commune, birth_year, sex, ethnicity, religion, "         \
    "temporary_province, temporary_commune FROM people INDEXED BY people_insight WHERE status "    \
    "<> 'dead' AND "
static const char *const scan_first_province_sql =
    SCAN_COLUMNS "permanent_province = ?1 AND permanent_commune >= ?2";
static const char *const scan_later_provinces_sql = SCAN_COLUMNS "permanent_province > ?1";

/* The previous row's values, kept across steps (a statement's texts are not). The year of
 * birth is compared as a number, and its text made only when it changes. */
struct run {
    char *v[NCOLS];
    size_t len[NCOLS]; /* without the '\0' */
    size_t cap[NCOLS];
    int64_t year;
    int64_t n;     /* people in the run */
    int64_t pop_n; /* in the runs so far with the same province, commune, year and sex */
};

static void
run_set(struct run *r, int col, const char *s, size_t n)
{
    if (n + 1 > r->cap[col]) {
        r->cap[col] = n + 1 < 32 ? 32 : n + 1;
        r->v[col] = dd_xrealloc(r->v[col], r->cap[col]);
    }
    memcpy(r->v[col], s, n);
    r->v[col][n] = '\0';
    r->len[col] = n;
}

/* Adds the run's people to its cells; those of its population cell wait in pop_n, since the
 * runs that follow mostly share it (they differ in the later columns). */
static void
run_count(struct insight_tally *t, struct run *r)
{
    char *const *v = r->v;
    const char *eth[] = {v[COL_P], v[COL_C], "ethnicity", v[COL_E]};
    const char *rel[] = {v[COL_P], v[COL_C], "religion", v[COL_R]};
    insight_tally_add(t, insight_composition_upsert, eth, 4, &r->n, 1);
    insight_tally_add(t, insight_composition_upsert, rel, 4, &r->n, 1);
    if (v[COL_TC][0] != '\0') {
        const char *org[] = {v[COL_TP], v[COL_TC], "origin", v[COL_P]};
        insight_tally_add(t, insight_composition_upsert, org, 4, &r->n, 1);
    }
    r->pop_n += r->n;
}

/* Adds the waiting people to their population cell (before its columns change). */
static void
run_count_population(struct insight_tally *t, struct run *r)
{
    if (r->pop_n == 0)
        return;
    char *const *v = r->v;
    const char *pop[] = {v[COL_P], v[COL_C], v[COL_Y], v[COL_S]};
    insight_tally_add(t, insight_population_upsert, pop, 4, &r->pop_n, 1);
    r->pop_n = 0;
}

/* A row's values: the texts' bytes as the statement holds them (until its next step), the year
 * of birth as a number. */
struct row {
    const char *v[NCOLS];
    size_t len[NCOLS];
    int64_t year;
};

static const int text_columns[] = {COL_P, COL_C, COL_S, COL_E, COL_R, COL_TP, COL_TC};
#define NTEXTS (sizeof text_columns / sizeof text_columns[0])

/* The statement's row: its seven texts in one call, its year of birth. */
static void
row_read(struct dd_stmt *st, struct row *w)
{
    const char *bytes[NTEXTS];
    size_t lens[NTEXTS];
    dd_stmt_texts_bytes(st, text_columns, NTEXTS, bytes, lens);
    for (size_t i = 0; i < NTEXTS; i++) {
        w->v[text_columns[i]] = bytes[i];
        w->len[text_columns[i]] = lens[i];
    }
    w->year = dd_stmt_int64(st, COL_Y);
}

/* The first column at which the row differs from the run, NCOLS if none. */
static int
first_change(const struct row *w, const struct run *r)
{
    if (r->n == 0)
        return 0;
    for (int i = 0; i < NCOLS; i++) {
        bool same = i == COL_Y ? w->year == r->year
                               : w->len[i] == r->len[i] && memcmp(w->v[i], r->v[i], w->len[i]) == 0;
        if (!same)
            return i;
    }
    return NCOLS;
}

/* `n` bytes at p against the text `to`, as strcmp orders them (and SQLite's index). */
static int
compare_text(const char *p, size_t n, const char *to)
{
    size_t m = strlen(to);
    int c = memcmp(p, to, n < m ? n : m);
    return c != 0 ? c : (n > m) - (n < m);
}

/* Whether the row's (province, commune) is at or past the part's end. */
static bool
past_end(const struct row *w, const char *const *to)
{
    int c = compare_text(w->v[COL_P], w->len[COL_P], to[0]);
    return c > 0 || (c == 0 && compare_text(w->v[COL_C], w->len[COL_C], to[1]) >= 0);
}

/* A part being read: the run so far, where it goes, where it ends (NULL: no end). */
struct scan {
    struct run r;
    struct insight_tally *t;
    const char *const *to;
    bool ended;
};

/* Adds the statement's rows to the runs, up to the part's end. */
static int
scan_rows(struct dd_stmt *st, struct scan *s)
{
    struct run *r = &s->r;
    int rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        struct row w;
        row_read(st, &w);
        int changed = first_change(&w, r);
        if (changed == NCOLS) {
            r->n++;
            continue;
        }
        if (changed <= COL_C && s->to != NULL && past_end(&w, s->to)) {
            s->ended = true;
            break;
        }
        if (r->n > 0)
            run_count(s->t, r);
        if (changed <= COL_S)
            run_count_population(s->t, r);
        for (int i = changed; i < NCOLS; i++) {
            if (i != COL_Y) {
                run_set(r, i, w.v[i], w.len[i]);
                continue;
            }
            char year[24];
            r->year = w.year;
            run_set(r, i, year, (size_t)snprintf(year, sizeof year, "%" PRId64, r->year));
        }
        r->n = 1;
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE || s->ended ? DD_OK : rc;
}

int
insight_people_scan(struct dd_db *db, const char *const from[2], const char *const to[2],
                    struct insight_tally *t)
{
    struct scan s = {.t = t, .to = to};
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, scan_first_province_sql, &st);
    if (rc == DD_OK) {
        insight_bind_texts(st, from, 2);
        rc = scan_rows(st, &s);
    }
    if (rc == DD_OK && !s.ended)
        rc = dd_db_prepare(db, scan_later_provinces_sql, &st);
    if (rc == DD_OK && !s.ended) {
        insight_bind_texts(st, from, 1);
        rc = scan_rows(st, &s);
    }
    if (rc == DD_OK && s.r.n > 0)
        run_count(t, &s.r);
    if (rc == DD_OK)
        run_count_population(t, &s.r);
    for (int i = 0; i < NCOLS; i++)
        free(s.r.v[i]);
    return rc;
}
