/*
 * population_cells.c — the area's population cells (insight_population: province, commune, year
 * of birth, sex) read once, in the order of its index by commune, into people by commune, 5-year
 * age band and sex. The population page's pyramid, totals and communes (figures.c) and the export
 * of ages by commune (tables.c) are made from it: SQLite took longer to group the same rows by an
 * age expression than this pass takes to read them.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <string.h>

int
insight_age_band(int year, int64_t birth_year)
{
    int64_t age = (int64_t)year - birth_year;
    if (age < 0)
        return 0;
    return age / INSIGHT_BAND_YEARS >= INSIGHT_BANDS ? INSIGHT_BANDS - 1
                                                     : (int)(age / INSIGHT_BAND_YEARS);
}

int
insight_population_read(struct dd_db *db, struct dd_arena *a, const struct insight_filter *f,
                        struct insight_population *out)
{
    memset(out, 0, sizeof *out);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT commune_code, sex, birth_year, people FROM insight_population "
                           "WHERE province_code = ? AND (CAST(? AS TEXT) IS NULL OR commune_code = "
                           "?) ORDER BY commune_code",
                           &st);
    if (rc != DD_OK)
        return rc;
    const char *b[] = {f->province, f->commune, f->commune};
    insight_bind_texts(st, b, 3);
    size_t cap = 0;
    struct insight_commune_ages *cur = NULL;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *commune = dd_stmt_text(st, 0);
        if (cur == NULL || strcmp(cur->commune, commune) != 0) {
            if (out->n == cap) {
                cap = cap ? cap * 2 : 128;
                struct insight_commune_ages *more = dd_arena_zalloc(a, cap * sizeof *more);
                if (out->n)
                    memcpy(more, out->communes, out->n * sizeof *more);
                out->communes = more;
            }
            cur = &out->communes[out->n++];
            cur->commune = dd_arena_strdup(a, commune);
        }
        bool male = strcmp(dd_stmt_text(st, 1), "male") == 0;
        int band = insight_age_band(f->year, dd_stmt_int64(st, 2));
        (male ? cur->male : cur->female)[band] += dd_stmt_int64(st, 3);
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}
