/*
 * units.h — Vietnam's administrative units (provinces, districts, communes) with the period each
 * was in force, and the official conversion to the units in force since 1 July 2025. Other
 * modules check and name place codes here; nothing else reads the units tables.
 *
 * The data comes from the national statistics office's published lists, kept in
 * data/admin-units/ and built into the binary: the three-level units in force before the reform
 * (valid until 2025-06-30) and the conversion table that defines the two-level ones (valid from
 * 2025-07-01). A commune code is unique only with its province code: new communes reuse old
 * codes, and a code says nothing about its province. Dates are 'YYYY-MM-DD'; a NULL date means
 * today in Vietnam (UTC+7).
 */
#ifndef DD_CORE_UNITS_UNITS_H
#define DD_CORE_UNITS_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_db;

/* The day the two-level units came into force, and the last day of the three-level ones. */
#define DD_UNITS_REFORM_DATE "2025-07-01"
#define DD_UNITS_OLD_UNTIL   "2025-06-30"

#define DD_UNITS_NAME_MAX 192 /* bytes of a name, with its NUL */

/* How many units of each kind and period, and conversion rows. "old": valid until 2025-06-30;
 * "new": in force. */
struct dd_units_counts {
    int64_t provinces_old;
    int64_t districts_old;
    int64_t communes_old;
    int64_t provinces_new;
    int64_t communes_new;
    int64_t conversions;
};

struct dd_units_report {
    struct dd_units_counts in_files; /* what the two files hold */
    struct dd_units_counts stored;   /* what the tables hold afterwards */
    int64_t added;                   /* rows this load added: 0 when all were there */
    int64_t elapsed_ms;
};

/* One unit as stored. Absent values are "" (district_code, name_en, valid_from for a unit in
 * force since before the records, valid_to for one still in force). */
struct dd_unit {
    char kind[12]; /* "province", "district", "commune" */
    char code[8];
    char province_code[4];
    char district_code[4];
    char name[DD_UNITS_NAME_MAX];
    char level[24]; /* Tỉnh, Thành phố, Quận, Huyện, Thị xã, Phường, Xã, Thị trấn, Đặc khu */
    char name_en[DD_UNITS_NAME_MAX];
    char valid_from[11];
    char valid_to[11];
};

/* Loads the units and the conversion table from the two files in folder `dir`
 * (communes-2025-01-04.csv and conversion-2025-07-01.csv), or from the copies built into the
 * binary when `dir` is NULL, in one transaction. Rows already stored are left alone, so loading
 * twice changes nothing. Needs the migrations applied and no open transaction. `rep` may be NULL.
 * DD_EIO when a file cannot be read, DD_EINVAL for malformed content (err names the file and
 * line), or a database error; on failure nothing is stored. */
int dd_units_import(struct dd_db *db, const char *dir, struct dd_units_report *rep, char *err,
                    size_t errlen);

/* The same from two texts in memory (for tests and tools); `communes_name` and
 * `conversion_name` name them in messages. */
int dd_units_import_text(struct dd_db *db, const char *communes, size_t communes_len,
                         const char *communes_name, const char *conversion, size_t conversion_len,
                         const char *conversion_name, struct dd_units_report *rep, char *err,
                         size_t errlen);

/* Loads the built-in units when the units table is empty; does nothing otherwise (rep->added 0).
 * What `serve` and `demo` call at start, after the migrations. `rep` may be NULL. */
int dd_units_ensure_loaded(struct dd_db *db, struct dd_units_report *rep, char *err, size_t errlen);

/* Counts what the tables hold. */
int dd_units_count(struct dd_db *db, struct dd_units_counts *out);

/* 1 if commune `commune` (5 digits) of province `province` (2 digits) was in force on `date`
 * (NULL: today), 0 if not (malformed codes included), DD_EINVAL for a malformed date, or a
 * database error. */
int dd_units_commune_exists(struct dd_db *db, const char *province, const char *commune,
                            const char *date);

/* The unit `code` in force on `date` (NULL: today). The kind follows from the code's length: 2
 * digits a province, 3 a district, 5 a commune. `province` (NULL: any) narrows the search; a
 * commune code is unambiguous only with it. DD_ENOTFOUND when none was in force, DD_ECONFLICT
 * when several provinces had one (give the province), DD_EINVAL for a malformed code, province
 * or date. */
int dd_units_find(struct dd_db *db, const char *province, const char *code, const char *date,
                  struct dd_unit *out);

/* Copies the name of the unit dd_units_find gives into name[0..namelen) ("Phường Nha Trang");
 * same returns, and DD_ETOOBIG if it does not fit. */
int dd_units_name(struct dd_db *db, const char *province, const char *code, const char *date,
                  char *name, size_t namelen);

/* Every unit with this code (of the kind its length says) in every period, narrowed to
 * `province` when not NULL, the latest first (in force, then by end date): at most `max` into
 * out, the number found in *count. DD_EINVAL for a malformed code or province. */
int dd_units_find_all(struct dd_db *db, const char *province, const char *code, struct dd_unit *out,
                      size_t max, size_t *count);

/* A page of units of one kind in force on a date, in (province, code) order. */
struct dd_units_query {
    const char *kind;           /* "province", "district" or "commune" */
    const char *province;       /* NULL: every province */
    const char *date;           /* NULL: today */
    const char *after_province; /* the page starts after this (province, code); NULL: first */
    const char *after_code;
};

/* Fills out[0..max) with the next units of `q`; *count says how many. DD_EINVAL for a malformed
 * kind, province or date. */
int dd_units_list(struct dd_db *db, const struct dd_units_query *q, struct dd_unit *out, size_t max,
                  size_t *count);

/* Whether `u` was in force on `date` ('YYYY-MM-DD'). */
bool dd_unit_in_force(const struct dd_unit *u, const char *date);

/* Today's date in Vietnam (UTC+7), 'YYYY-MM-DD'. */
void dd_units_today(char out[11]);

/* True for a real calendar date written 'YYYY-MM-DD' (years 1900–2999). */
bool dd_units_date_valid(const char *s);

/* The kind of unit a code's form names: "province" (2 digits), "district" (3) or "commune" (5);
 * NULL for anything else. */
const char *dd_units_kind_of_code(const char *code);

#endif
