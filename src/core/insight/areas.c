/*
 * areas.c — the communes' areas (km²) for the population density, loaded from a CSV file by
 * `dinhdanh insight areas FILE`.
 *
 * The project ships no areas: the administrative-unit tables it has (data/admin-units) hold
 * names and codes only, and a density computed from a made-up area would mislead a leader. An
 * operator loads the areas the province publishes; the density is then shown for those communes
 * and left empty (null) for the others.
 */
#include "base/err.h"
#include "core/insight/insight.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 512

/* Splits `line` (no quotes: codes, a number and a short source) at commas into at most n
 * fields; the count. */
static int
split(char *line, char **field, int n)
{
    int k = 0;
    char *s = line;
    while (k < n) {
        field[k++] = s;
        char *c = strchr(s, ',');
        if (c == NULL)
            break;
        *c = '\0';
        s = c + 1;
    }
    return k;
}

static bool
digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

int
dd_insight_areas_load(struct dd_db *db, FILE *in, int64_t *rows, char *err, size_t errlen)
{
    char line[LINE_MAX_LEN];
    int64_t n = 0, lineno = 0;
    int rc = dd_db_exec(db, "DELETE FROM insight_commune_areas");
    while (rc == DD_OK && fgets(line, sizeof line, in)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1 || line[0] == '\0' || line[0] == '#')
            continue; /* the header, blank lines, comments */
        char *f[4];
        char *end = NULL;
        errno = 0;
        double km2 = split(line, f, 4) == 4 ? strtod(f[2], &end) : -1;
        if (!digits(f[0], 2) || !digits(f[1], 5) || end == NULL || *end != '\0' || errno ||
            !(km2 > 0) || f[3][0] == '\0') {
            snprintf(err, errlen,
                     "line %lld: expected province_code (2 digits), commune_code (5 digits), "
                     "area_km2 (> 0), source",
                     (long long)lineno);
            return DD_EINVAL;
        }
        struct dd_stmt *st;
        rc = dd_db_prepare(db,
                           "INSERT INTO insight_commune_areas (province_code, commune_code, "
                           "area_km2, source) VALUES (?, ?, ?, ?) ON CONFLICT (province_code, "
                           "commune_code) DO UPDATE SET area_km2 = excluded.area_km2, source = "
                           "excluded.source",
                           &st);
        if (rc != DD_OK)
            break;
        char num[64];
        snprintf(num, sizeof num, "%.6f", km2);
        dd_stmt_bind_text(st, 1, f[0]);
        dd_stmt_bind_text(st, 2, f[1]);
        dd_stmt_bind_text(st, 3, num);
        dd_stmt_bind_text(st, 4, f[3]);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
        rc = rc == DD_DB_DONE ? DD_OK : rc;
        n++;
    }
    *rows = n;
    return rc;
}
