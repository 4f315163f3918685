/*
 * load.c — stores the units and the conversion table read by source.c, in one transaction.
 *
 * Rows go in as multi-row INSERTs of up to a hundred rows each (one prepared statement per batch
 * size, so some 350 round trips for the whole data set on PostgreSQL instead of 25,000), and
 * `ON CONFLICT DO NOTHING` against the tables' unique keys makes a second load add nothing.
 */
#include "base/clock.h"
#include "base/buf.h"
#include "base/embedded.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/units/source.h"
#include "core/units/units.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMUNES_FILE   "communes-2025-01-04.csv"
#define CONVERSION_FILE "conversion-2025-07-01.csv"
#define EMBEDDED_DIR    "data/admin-units/"
#define MAX_FILE_BYTES  (64L * 1024 * 1024)

static const char unit_insert[] = "INSERT INTO units (kind, code, province_code, district_code, "
                                  "name, level, name_en, valid_from, valid_to) VALUES ";
static const char conversion_insert[] =
    "INSERT INTO unit_conversions (effective, new_province_code, new_province_name, "
    "new_commune_code, new_commune_name, old_province_code, old_province_name, "
    "old_district_code, old_district_name, old_commune_code, old_commune_name, note, whole) "
    "VALUES ";

/* "HEAD (?, …), (?, …) ON CONFLICT DO NOTHING" for `rows` rows of `columns` values. */
static int
batch_sql(char *out, size_t size, const char *head, int columns, size_t rows)
{
    struct dd_buf b;
    dd_buf_init_fixed(&b, out, size);
    int rc = dd_buf_puts(&b, head);
    for (size_t r = 0; r < rows && rc == DD_OK; r++) {
        rc = dd_buf_puts(&b, r ? ",(" : "(");
        for (int c = 0; c < columns && rc == DD_OK; c++)
            rc = dd_buf_puts(&b, c ? ",?" : "?");
        if (rc == DD_OK)
            rc = dd_buf_putc(&b, ')');
    }
    if (rc == DD_OK)
        rc = dd_buf_puts(&b, " ON CONFLICT DO NOTHING");
    return rc;
}

static void
bind_opt(struct dd_stmt *st, int idx, const char *s)
{
    if (s == NULL)
        dd_stmt_bind_null(st, idx);
    else
        dd_stmt_bind_text(st, idx, s);
}

static void
bind_unit(struct dd_stmt *st, int base, const void *row)
{
    const struct dd_units_row *u = row;
    bind_opt(st, base + 1, u->kind);
    bind_opt(st, base + 2, u->code);
    bind_opt(st, base + 3, u->province_code);
    bind_opt(st, base + 4, u->district_code);
    bind_opt(st, base + 5, u->name);
    bind_opt(st, base + 6, u->level);
    bind_opt(st, base + 7, u->name_en);
    bind_opt(st, base + 8, u->valid_from);
    bind_opt(st, base + 9, u->valid_to);
}

static void
bind_conversion(struct dd_stmt *st, int base, const void *row)
{
    const struct dd_units_conversion *c = row;
    bind_opt(st, base + 1, DD_UNITS_REFORM_DATE);
    bind_opt(st, base + 2, c->new_province_code);
    bind_opt(st, base + 3, c->new_province_name);
    bind_opt(st, base + 4, c->new_commune_code);
    bind_opt(st, base + 5, c->new_commune_name);
    bind_opt(st, base + 6, c->old_province_code);
    bind_opt(st, base + 7, c->old_province_name);
    bind_opt(st, base + 8, c->old_district_code);
    bind_opt(st, base + 9, c->old_district_name);
    bind_opt(st, base + 10, c->old_commune_code);
    bind_opt(st, base + 11, c->old_commune_name);
    bind_opt(st, base + 12, c->note);
    dd_stmt_bind_int64(st, base + 13, c->whole);
}

/* How the rows of one table are inserted. */
struct table {
    const char *head; /* "INSERT INTO … VALUES " */
    int columns;
    size_t batch; /* rows per statement */
    size_t row_size;
    void (*bind)(struct dd_stmt *st, int base, const void *row);
};

static const struct table units_table = {unit_insert, 9, 100, sizeof(struct dd_units_row),
                                         bind_unit};
static const struct table conversions_table = {conversion_insert, 13, 50,
                                               sizeof(struct dd_units_conversion), bind_conversion};

/* Inserts rows[0..n) (n at most t->batch) with one statement; adds the rows inserted to
 * *added. */
static int
insert_batch(struct dd_db *db, const struct table *t, const char *rows, size_t n, int64_t *added)
{
    char sql[8192];
    int rc = batch_sql(sql, sizeof sql, t->head, t->columns, n);
    struct dd_stmt *st = NULL;
    if (rc == DD_OK)
        rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        t->bind(st, (int)i * t->columns, rows + i * t->row_size);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_DONE)
        *added += dd_stmt_changes(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
insert_all(struct dd_db *db, const struct table *t, const void *rows, size_t n, int64_t *added)
{
    int rc = DD_OK;
    for (size_t i = 0; i < n && rc == DD_OK; i += t->batch) {
        size_t count = n - i < t->batch ? n - i : t->batch;
        rc = insert_batch(db, t, (const char *)rows + i * t->row_size, count, added);
    }
    return rc;
}

static int
store_source(struct dd_db *db, const struct dd_units_source *src, int64_t *added)
{
    int rc = insert_all(db, &units_table, src->units, src->nunits, added);
    if (rc == DD_OK)
        rc = insert_all(db, &conversions_table, src->conversions, src->nconversions, added);
    return rc;
}

int
dd_units_count(struct dd_db *db, struct dd_units_counts *out)
{
    static const char sql[] = "SELECT kind, CASE WHEN valid_to IS NULL THEN 1 ELSE 0 END, "
                              "count(*) FROM units GROUP BY 1, 2";
    memset(out, 0, sizeof *out);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *kind = dd_stmt_text(st, 0);
        bool in_force = dd_stmt_int64(st, 1) == 1;
        int64_t n = dd_stmt_int64(st, 2);
        if (strcmp(kind, "province") == 0)
            *(in_force ? &out->provinces_new : &out->provinces_old) += n;
        else if (strcmp(kind, "district") == 0)
            out->districts_old += n;
        else
            *(in_force ? &out->communes_new : &out->communes_old) += n;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = dd_db_prepare(db, "SELECT count(*) FROM unit_conversions", &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    out->conversions = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_units_import_text(struct dd_db *db, const char *communes, size_t communes_len,
                     const char *communes_name, const char *conversion, size_t conversion_len,
                     const char *conversion_name, struct dd_units_report *rep, char *err,
                     size_t errlen)
{
    struct dd_units_report local;
    if (rep == NULL)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    int64_t start = dd_clock_mono_ns();
    struct dd_units_source src;
    int rc = dd_units_source_read(&src, communes, communes_len, communes_name, conversion,
                                  conversion_len, conversion_name, err, errlen);
    rep->in_files = src.counts;
    if (rc != DD_OK) {
        dd_units_source_free(&src);
        return rc;
    }
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = store_source(db, &src, &rep->added);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    dd_units_source_free(&src);
    if (rc != DD_OK) {
        snprintf(err, errlen, "the units were not stored: %s", dd_db_errmsg(db));
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        rep->added = 0;
        return rc;
    }
    rc = dd_units_count(db, &rep->stored);
    rep->elapsed_ms = (dd_clock_mono_ns() - start) / 1000000;
    if (rc != DD_OK)
        snprintf(err, errlen, "the units were stored but cannot be counted: %s", dd_db_errmsg(db));
    return rc;
}

/* Reads a whole file into a new heap buffer. */
static int
read_file(const char *dir, const char *name, char **data, size_t *len, char *err, size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        snprintf(err, errlen, "the folder name is too long");
        return DD_EINVAL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return DD_EIO;
    }
    struct dd_buf b;
    dd_buf_init(&b, NULL, MAX_FILE_BYTES);
    char chunk[65536];
    size_t n;
    int rc = DD_OK;
    while (rc == DD_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = dd_buf_append(&b, chunk, n);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (rc != DD_OK || failed) {
        snprintf(err, errlen, failed ? "cannot read %s" : "%s is larger than 64 MiB", path);
        dd_buf_release(&b);
        return failed ? DD_EIO : DD_ETOOBIG;
    }
    *data = b.data ? b.data : dd_xstrdup("");
    *len = b.len;
    return DD_OK;
}

static int
import_embedded(struct dd_db *db, struct dd_units_report *rep, char *err, size_t errlen)
{
    const struct dd_embedded *communes = dd_embedded_find(EMBEDDED_DIR COMMUNES_FILE);
    const struct dd_embedded *conversion = dd_embedded_find(EMBEDDED_DIR CONVERSION_FILE);
    if (communes == NULL || conversion == NULL) {
        snprintf(err, errlen, "this build holds no copy of the units: give the folder");
        return DD_ENOTFOUND;
    }
    return dd_units_import_text(db, (const char *)communes->data, communes->len, COMMUNES_FILE,
                                (const char *)conversion->data, conversion->len, CONVERSION_FILE,
                                rep, err, errlen);
}

int
dd_units_import(struct dd_db *db, const char *dir, struct dd_units_report *rep, char *err,
                size_t errlen)
{
    if (dir == NULL)
        return import_embedded(db, rep, err, errlen);
    char *communes = NULL, *conversion = NULL;
    size_t communes_len = 0, conversion_len = 0;
    int rc = read_file(dir, COMMUNES_FILE, &communes, &communes_len, err, errlen);
    if (rc == DD_OK)
        rc = read_file(dir, CONVERSION_FILE, &conversion, &conversion_len, err, errlen);
    if (rc == DD_OK)
        rc = dd_units_import_text(db, communes, communes_len, COMMUNES_FILE, conversion,
                                  conversion_len, CONVERSION_FILE, rep, err, errlen);
    free(communes);
    free(conversion);
    return rc;
}

int
dd_units_ensure_loaded(struct dd_db *db, struct dd_units_report *rep, char *err, size_t errlen)
{
    if (rep)
        memset(rep, 0, sizeof *rep);
    if (errlen)
        err[0] = '\0';
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT count(*) FROM units", &st);
    if (rc == DD_OK) {
        rc = dd_stmt_step(st);
        bool empty = rc == DD_DB_ROW && dd_stmt_int64(st, 0) == 0;
        dd_stmt_reset(st);
        if (rc == DD_DB_ROW)
            rc = empty ? import_embedded(db, rep, err, errlen) : DD_OK;
    }
    if (rc < 0 && err[0] == '\0')
        snprintf(err, errlen, "cannot read the units table: %s", dd_db_errmsg(db));
    if (rc == DD_OK && rep && rep->added == 0)
        rc = dd_units_count(db, &rep->stored);
    return rc < 0 ? rc : DD_OK;
}
