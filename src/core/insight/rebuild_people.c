/*
 * rebuild_people.c — on SQLite, the people's stocks computed in one pass over the covering index
 * people_insight (migration 0023), whose order is that of the cells: province, commune, year of
 * birth, sex, ethnicity, religion, temporary province and commune.
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

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { COL_P, COL_C, COL_Y, COL_S, COL_E, COL_R, COL_TP, COL_TC, NCOLS };

static const char *const scan_sql =
    "SELECT permanent_province, permanent_commune, birth_year, sex, ethnicity, religion, "
    "temporary_province, temporary_commune FROM people INDEXED BY people_insight WHERE status <> "
    "'dead'";

/* The previous row's values, kept across steps (a statement's texts are not). */
struct run {
    char *v[NCOLS];
    size_t cap[NCOLS];
    int64_t n;
};

static void
run_set(struct run *r, int col, const char *s)
{
    size_t len = strlen(s) + 1;
    if (len > r->cap[col]) {
        r->cap[col] = len < 32 ? 32 : len;
        r->v[col] = dd_xrealloc(r->v[col], r->cap[col]);
    }
    memcpy(r->v[col], s, len);
}

/* Adds the run's people to its cells. */
static void
run_count(struct insight_tally *t, const struct run *r)
{
    char *const *v = r->v;
    const char *pop[] = {v[COL_P], v[COL_C], v[COL_Y], v[COL_S]};
    const char *eth[] = {v[COL_P], v[COL_C], "ethnicity", v[COL_E]};
    const char *rel[] = {v[COL_P], v[COL_C], "religion", v[COL_R]};
    insight_tally_add(t, insight_population_upsert, pop, 4, &r->n, 1);
    insight_tally_add(t, insight_composition_upsert, eth, 4, &r->n, 1);
    insight_tally_add(t, insight_composition_upsert, rel, 4, &r->n, 1);
    if (v[COL_TC][0] != '\0') {
        const char *org[] = {v[COL_TP], v[COL_TC], "origin", v[COL_P]};
        insight_tally_add(t, insight_composition_upsert, org, 4, &r->n, 1);
    }
}

int
insight_rebuild_people_sqlite(struct dd_db *db)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, scan_sql, &st);
    if (rc != DD_OK)
        return rc;
    struct insight_tally t = {0};
    struct run r = {0};
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        int changed = r.n == 0 ? 0 : NCOLS;
        for (int i = 0; i < NCOLS && changed == NCOLS; i++)
            if (strcmp(dd_stmt_text(st, i), r.v[i]) != 0)
                changed = i;
        if (changed == NCOLS) {
            r.n++;
            continue;
        }
        if (r.n > 0)
            run_count(&t, &r);
        for (int i = changed; i < NCOLS; i++)
            run_set(&r, i, dd_stmt_text(st, i));
        r.n = 1;
    }
    dd_stmt_reset(st);
    if (rc == DD_DB_DONE && r.n > 0)
        run_count(&t, &r);
    for (int i = 0; i < NCOLS; i++)
        free(r.v[i]);
    if (rc != DD_DB_DONE) {
        insight_tally_clear(&t);
        return rc;
    }
    return insight_tally_write(db, &t);
}
