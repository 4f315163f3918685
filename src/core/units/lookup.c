/*
 * lookup.c — reading the units tables: does a commune exist on a date, what is a unit called,
 * which units a code names, a page of units. Dates compare as 'YYYY-MM-DD' text.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/units/units.h"
#include "store/store.h"

#include <string.h>
#include <time.h>

#define COLUMNS                                                                                    \
    "kind, code, province_code, district_code, name, level, name_en, valid_from, valid_to"
#define IN_FORCE "(valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)"

/* Enough for every period of one code: a code names at most a few units. */
#define MAX_CANDIDATES 16

const char *
dd_units_kind_of_code(const char *code)
{
    if (code == NULL)
        return NULL;
    if (dd_str_all_digits(code, 2))
        return "province";
    if (dd_str_all_digits(code, 3))
        return "district";
    if (dd_str_all_digits(code, 5))
        return "commune";
    return NULL;
}

void
dd_units_today(char out[11])
{
    time_t t = (time_t)(dd_clock_now_ms() / 1000 + 7 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

bool
dd_units_date_valid(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    char part[5];
    int64_t y, m, d;
    memcpy(part, s, 4);
    part[4] = '\0';
    if (!dd_str_all_digits(part, 4) || dd_parse_int64(part, 1900, 2999, &y) != DD_OK)
        return false;
    memcpy(part, s + 5, 2);
    part[2] = '\0';
    if (!dd_str_all_digits(part, 2) || dd_parse_int64(part, 1, 12, &m) != DD_OK)
        return false;
    memcpy(part, s + 8, 2);
    if (!dd_str_all_digits(part, 2) || dd_parse_int64(part, 1, 31, &d) != DD_OK)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

bool
dd_unit_in_force(const struct dd_unit *u, const char *date)
{
    return (u->valid_from[0] == '\0' || strcmp(u->valid_from, date) <= 0) &&
           (u->valid_to[0] == '\0' || strcmp(u->valid_to, date) >= 0);
}

/* The date to use: `date` when valid, today when NULL; DD_EINVAL otherwise. */
static int
date_or_today(const char *date, char out[11])
{
    if (date == NULL) {
        dd_units_today(out);
        return DD_OK;
    }
    if (!dd_units_date_valid(date))
        return DD_EINVAL;
    memcpy(out, date, 11);
    return DD_OK;
}

static void
copy_column(struct dd_stmt *st, int col, char *out, size_t size)
{
    const char *s = dd_stmt_text(st, col);
    dd_strlcpy(out, s ? s : "", size);
}

/* Reads a row of COLUMNS into *u. */
static void
read_unit(struct dd_stmt *st, struct dd_unit *u)
{
    copy_column(st, 0, u->kind, sizeof u->kind);
    copy_column(st, 1, u->code, sizeof u->code);
    copy_column(st, 2, u->province_code, sizeof u->province_code);
    copy_column(st, 3, u->district_code, sizeof u->district_code);
    copy_column(st, 4, u->name, sizeof u->name);
    copy_column(st, 5, u->level, sizeof u->level);
    copy_column(st, 6, u->name_en, sizeof u->name_en);
    copy_column(st, 7, u->valid_from, sizeof u->valid_from);
    copy_column(st, 8, u->valid_to, sizeof u->valid_to);
}

/* Steps through the rows of a bound statement into out[0..max); resets it. */
static int
read_units(struct dd_stmt *st, struct dd_unit *out, size_t max, size_t *count)
{
    int rc = DD_OK;
    *count = 0;
    while (*count < max && (rc = dd_stmt_step(st)) == DD_DB_ROW)
        read_unit(st, &out[(*count)++]);
    dd_stmt_reset(st);
    return *count == max || rc >= 0 ? DD_OK : rc;
}

int
dd_units_commune_exists(struct dd_db *db, const char *province, const char *commune,
                        const char *date)
{
    static const char sql[] = "SELECT 1 FROM units WHERE kind = 'commune' AND province_code = ? "
                              "AND code = ? AND " IN_FORCE " LIMIT 1";
    char day[11];
    if (date_or_today(date, day) != DD_OK)
        return DD_EINVAL;
    if (!dd_str_all_digits(province, 2) || !dd_str_all_digits(commune, 5))
        return 0;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, province);
    dd_stmt_bind_text(st, 2, commune);
    dd_stmt_bind_text(st, 3, day);
    dd_stmt_bind_text(st, 4, day);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : rc == DD_DB_ROW;
}

int
dd_units_find_all(struct dd_db *db, const char *province, const char *code, struct dd_unit *out,
                  size_t max, size_t *count)
{
    static const char sql[] =
        "SELECT " COLUMNS " FROM units WHERE code = ? AND kind = ? AND "
        "(CAST(? AS TEXT) IS NULL OR province_code = ?) "
        "ORDER BY CASE WHEN valid_to IS NULL THEN 1 ELSE 0 END DESC, valid_to DESC, province_code "
        "LIMIT ?";
    *count = 0;
    const char *kind = dd_units_kind_of_code(code);
    if (kind == NULL || (province != NULL && !dd_str_all_digits(province, 2)))
        return DD_EINVAL;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, code);
    dd_stmt_bind_text(st, 2, kind);
    dd_stmt_bind_text(st, 3, province);
    dd_stmt_bind_text(st, 4, province);
    dd_stmt_bind_int64(st, 5, (int64_t)max);
    return read_units(st, out, max, count);
}

int
dd_units_find(struct dd_db *db, const char *province, const char *code, const char *date,
              struct dd_unit *out)
{
    char day[11];
    if (date_or_today(date, day) != DD_OK)
        return DD_EINVAL;
    struct dd_unit found[MAX_CANDIDATES];
    size_t n;
    int rc = dd_units_find_all(db, province, code, found, MAX_CANDIDATES, &n);
    if (rc != DD_OK)
        return rc;
    const struct dd_unit *hit = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!dd_unit_in_force(&found[i], day))
            continue;
        if (hit && strcmp(hit->province_code, found[i].province_code) != 0)
            return DD_ECONFLICT;
        if (hit == NULL)
            hit = &found[i];
    }
    if (hit == NULL)
        return DD_ENOTFOUND;
    *out = *hit;
    return DD_OK;
}

int
dd_units_name(struct dd_db *db, const char *province, const char *code, const char *date,
              char *name, size_t namelen)
{
    struct dd_unit u;
    int rc = dd_units_find(db, province, code, date, &u);
    if (rc != DD_OK)
        return rc;
    return dd_strlcpy(name, u.name, namelen);
}

int
dd_units_list(struct dd_db *db, const struct dd_units_query *q, struct dd_unit *out, size_t max,
              size_t *count)
{
    static const char sql[] = "SELECT " COLUMNS " FROM units WHERE kind = ? AND "
                              "(CAST(? AS TEXT) IS NULL OR province_code = ?) AND " IN_FORCE " AND "
                              "(province_code > ? OR (province_code = ? AND code > ?)) "
                              "ORDER BY province_code, code LIMIT ?";
    *count = 0;
    char day[11];
    bool kind_ok = q->kind && (strcmp(q->kind, "province") == 0 ||
                               strcmp(q->kind, "district") == 0 || strcmp(q->kind, "commune") == 0);
    if (!kind_ok || (q->province && !dd_str_all_digits(q->province, 2)) ||
        date_or_today(q->date, day) != DD_OK)
        return DD_EINVAL;
    const char *after_province = q->after_province ? q->after_province : "";
    const char *after_code = q->after_code ? q->after_code : "";
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, q->kind);
    dd_stmt_bind_text(st, 2, q->province);
    dd_stmt_bind_text(st, 3, q->province);
    dd_stmt_bind_text(st, 4, day);
    dd_stmt_bind_text(st, 5, day);
    dd_stmt_bind_text(st, 6, after_province);
    dd_stmt_bind_text(st, 7, after_province);
    dd_stmt_bind_text(st, 8, after_code);
    dd_stmt_bind_int64(st, 9, (int64_t)max);
    return read_units(st, out, max, count);
}
