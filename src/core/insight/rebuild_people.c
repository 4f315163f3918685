/*
 * rebuild_people.c — on SQLite, the people's stocks computed over the index people_insight
 * (migration 0031), which holds each living person's cell as one text, people.insight_key:
 * province, commune, year of birth, sex, ethnicity, religion, temporary province and commune,
 * joined by the unit separator (the byte 31), NULL for the dead. The index orders the people
 * as those eight values do. It is read in parts, each a range of (province, commune), which
 * rebuild_scan.c shares between two connections.
 *
 * Consecutive rows with the same key are counted together, and each run is added once to the
 * cells it belongs to (tally.c): its population cell, its ethnicity and religion, and its
 * province of origin where the person lives temporarily elsewhere. One text a row is what makes
 * this fast: SQLite decodes an index's columns one by one, and the same eight values read as
 * eight columns took four times as long. SQLite's GROUP BY over two million rows, and the four
 * sorts of its result that followed, took several times as long again. PostgreSQL computes the
 * same with its own aggregates (rebuild.c).
 */
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The key's fields, in its order. */
enum { COL_P, COL_C, COL_Y, COL_S, COL_E, COL_R, COL_TP, COL_TC, NCOLS };
#define SEPARATOR '\x1f' /* x'1f' in migration 0031 */

/* The part's rows: keys from its start, before its end if it has one. */
static const char scan_from_sql[] =
    "SELECT insight_key FROM people INDEXED BY people_insight WHERE insight_key >= ?1";
static const char scan_between_sql[] = "SELECT insight_key FROM people INDEXED BY people_insight "
                                       "WHERE insight_key >= ?1 AND insight_key < ?2";

/* The run so far: its key as stored (compared with each row's), the same bytes with a '\0' for
 * each separator (its fields as texts, for the cells), and its counts. */
struct run {
    char *key, *fields;
    size_t len, cap;
    const char *v[NCOLS]; /* into fields */
    int64_t n;            /* people in the run */
    int64_t pop_n;        /* in the runs so far with the same province, commune, year and sex */
};

/* Makes `key` (n bytes) the run's key; false if it does not have NCOLS fields. */
static bool
run_set(struct run *r, const char *key, size_t n)
{
    if (n + 1 > r->cap) {
        r->cap = n + 1 < 64 ? 64 : n + 1;
        r->key = dd_xrealloc(r->key, r->cap);
        r->fields = dd_xrealloc(r->fields, r->cap);
    }
    memcpy(r->key, key, n);
    memcpy(r->fields, key, n);
    r->fields[n] = '\0';
    r->len = n;
    int col = 0;
    r->v[col] = r->fields;
    for (char *p = r->fields; (p = memchr(p, SEPARATOR, (size_t)(r->fields + n - p))) != NULL;) {
        *p++ = '\0';
        if (++col == NCOLS)
            return false;
        r->v[col] = p;
    }
    return col == NCOLS - 1;
}

/* Adds the run's people to its cells; those of its population cell wait in pop_n, since the
 * runs that follow mostly share it (they differ in the later fields). */
static void
run_count(struct insight_tally *t, struct run *r)
{
    const char *const *v = r->v;
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

/* Adds the waiting people to their population cell (before its fields change). */
static void
run_count_population(struct insight_tally *t, struct run *r)
{
    if (r->pop_n == 0)
        return;
    const char *const *v = r->v;
    const char *pop[] = {v[COL_P], v[COL_C], v[COL_Y], v[COL_S]};
    insight_tally_add(t, insight_population_upsert, pop, 4, &r->pop_n, 1);
    r->pop_n = 0;
}

/* The first field in which `key` (n bytes) differs from the run's, NCOLS if none: the number of
 * separators before the first byte that differs, since the fields before it are all equal. */
static int
first_change(const struct run *r, const char *key, size_t n)
{
    if (r->n == 0)
        return 0;
    if (n == r->len && memcmp(key, r->key, n) == 0)
        return NCOLS;
    size_t same = 0, least = n < r->len ? n : r->len;
    while (same < least && key[same] == r->key[same])
        same++;
    int col = 0;
    for (const char *p = key; (p = memchr(p, SEPARATOR, (size_t)(key + same - p))) != NULL; p++)
        col++;
    return col;
}

/* "province␟commune␟": where the keys of (province, commune) begin, into `out`. */
static void
key_prefix(const char *const pc[2], char out[2 * INSIGHT_SCAN_CODE + 2])
{
    size_t a = strnlen(pc[0], INSIGHT_SCAN_CODE), b = strnlen(pc[1], INSIGHT_SCAN_CODE);
    memcpy(out, pc[0], a);
    out[a] = SEPARATOR;
    memcpy(out + a + 1, pc[1], b);
    out[a + 1 + b] = SEPARATOR;
    out[a + b + 2] = '\0';
}

int
insight_people_scan(struct dd_db *db, const char *const from[2], const char *const to[2],
                    struct insight_tally *t)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, to ? scan_between_sql : scan_from_sql, &st);
    if (rc != DD_OK)
        return rc;
    char first[2 * INSIGHT_SCAN_CODE + 2], end[2 * INSIGHT_SCAN_CODE + 2];
    key_prefix(from, first);
    dd_stmt_bind_text(st, 1, first);
    if (to) {
        key_prefix(to, end);
        dd_stmt_bind_text(st, 2, end);
    }
    struct run r = {0};
    static const int key_column[] = {0};
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *key;
        size_t n;
        dd_stmt_texts_bytes(st, key_column, 1, &key, &n);
        int changed = first_change(&r, key, n);
        if (changed == NCOLS) {
            r.n++;
            continue;
        }
        if (r.n > 0)
            run_count(t, &r);
        if (changed <= COL_S)
            run_count_population(t, &r);
        if (!run_set(&r, key, n)) {
            dd_log(DD_LOG_ERROR, "insight.bad_cell",
                   "dashboards' rebuild: a living person's cell is not eight codes (one holds the "
                   "byte 31, which the register refuses): %.*s",
                   (int)(n < 200 ? n : 200), key);
            rc = DD_EINVAL;
            break;
        }
        r.n = 1;
    }
    dd_stmt_reset(st);
    rc = rc == DD_DB_DONE ? DD_OK : rc;
    if (rc == DD_OK && r.n > 0)
        run_count(t, &r);
    if (rc == DD_OK)
        run_count_population(t, &r);
    free(r.key);
    free(r.fields);
    return rc;
}
