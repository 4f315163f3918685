/*
 * export.c — people out of the register as CSV, streamed: SQLite steps through one SELECT;
 * PostgreSQL (which fetches a statement's rows whole) reads through a cursor a page at a time.
 * Rows are gathered in a buffer and written in large blocks.
 */
#include "core/people_csv/export.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "core/register/person.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FLUSH_BYTES (1024 * 1024)
#define FETCH_ROWS  5000

static const char select_people[] =
    "SELECT p.id_number, p.full_name, p.other_names, p.birth_date, p.sex, p.ethnicity, "
    "p.religion, p.nationality, p.birth_place, p.hometown, p.old_id_number, p.photo_ref, "
    "p.status, p.death_date, p.father_id, p.mother_id, p.spouse_id, h.number, "
    "p.relation_to_head, p.permanent_province, p.permanent_commune, p.permanent_address, "
    "p.temporary_province, p.temporary_commune, p.temporary_address, p.temporary_until "
    "FROM people p LEFT JOIN households h ON h.id = p.household_id";

int
dd_csv_put_field(struct dd_buf *b, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote)
        return dd_buf_append(b, s, n);
    int rc = dd_buf_putc(b, '"');
    const char *run = s;
    for (const char *p = s; p < s + n && rc == DD_OK; p++) {
        if (*p != '"')
            continue;
        rc = dd_buf_append(b, run, (size_t)(p - run + 1)); /* the quote, then itself again */
        run = p;
    }
    if (rc == DD_OK)
        rc = dd_buf_append(b, run, (size_t)(s + n - run));
    return rc == DD_OK ? dd_buf_putc(b, '"') : rc;
}

/* The query with the filter written in: the codes are digits only (checked), which lets
 * PostgreSQL's DECLARE (which takes no parameters) carry it too. */
static int
build_query(const struct dd_people_export_filter *f, struct dd_buf *sql, char *err, size_t errlen)
{
    const char *province = f && f->province && f->province[0] ? f->province : NULL;
    const char *commune = f && f->commune && f->commune[0] ? f->commune : NULL;
    if (province && !dd_str_all_digits(province, 2)) {
        snprintf(err, errlen, "a province code has 2 digits");
        return DD_EINVAL;
    }
    if (commune && !dd_str_all_digits(commune, 5)) {
        snprintf(err, errlen, "a commune code has 5 digits");
        return DD_EINVAL;
    }
    dd_buf_puts(sql, select_people);
    if (province)
        dd_buf_printf(sql, " WHERE p.permanent_province = '%s'", province);
    if (commune)
        dd_buf_printf(sql, "%s p.permanent_commune = '%s'", province ? " AND" : " WHERE", commune);
    return dd_buf_puts(sql, " ORDER BY p.id_number");
}

static void
header(struct dd_buf *b)
{
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        if (i > 0)
            dd_buf_putc(b, ',');
        dd_buf_puts(b, dd_person_fields[i].name);
    }
    dd_buf_puts(b, "\r\n");
}

struct writer {
    FILE *out;
    struct dd_buf buf;
    int64_t rows;
    bool failed;
};

static void
flush(struct writer *w)
{
    if (w->buf.len > 0 && fwrite(w->buf.data, 1, w->buf.len, w->out) != w->buf.len)
        w->failed = true;
    w->buf.len = 0;
}

static void
put_row(struct writer *w, struct dd_stmt *st)
{
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        const char *v = dd_stmt_text(st, i);
        if (i > 0)
            dd_buf_putc(&w->buf, ',');
        if (v)
            dd_csv_put_field(&w->buf, v, strlen(v));
    }
    dd_buf_puts(&w->buf, "\r\n");
    w->rows++;
    if (w->buf.len >= FLUSH_BYTES)
        flush(w);
}

/* Steps `st` to its end, writing each row; returns the number of rows or a negative code. */
static int64_t
drain(struct writer *w, struct dd_stmt *st)
{
    int64_t n = 0;
    int rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        put_row(w, st);
        n++;
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : n;
}

static int
rows_sqlite(struct dd_db *db, struct writer *w, const char *sql)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    int64_t n = drain(w, st);
    return n < 0 ? (int)n : DD_OK;
}

static int
rows_pg(struct dd_db *db, struct dd_arena *a, struct writer *w, const char *sql)
{
    int rc =
        dd_db_exec(db, dd_arena_printf(a, "DECLARE dd_people_export NO SCROLL CURSOR FOR %s", sql));
    for (int64_t n = FETCH_ROWS; rc == DD_OK && n == FETCH_ROWS;) {
        struct dd_stmt *st;
        rc = dd_db_prepare(db, "FETCH FORWARD 5000 FROM dd_people_export", &st);
        if (rc != DD_OK)
            break;
        n = drain(w, st);
        rc = n < 0 ? (int)n : DD_OK;
    }
    return rc;
}

int
dd_people_export_csv(struct dd_db *db, const struct dd_people_export_filter *f, FILE *out,
                     int64_t *rows, char *err, size_t errlen)
{
    *rows = 0;
    struct dd_arena *a = dd_arena_new(0);
    struct dd_buf sql;
    dd_buf_init(&sql, a, 4096);
    int rc = build_query(f, &sql, err, errlen);
    if (rc != DD_OK) {
        dd_arena_free(a);
        return rc;
    }
    struct writer w = {.out = out};
    dd_buf_init(&w.buf, a, 2 * FLUSH_BYTES);
    header(&w.buf);
    rc = dd_db_begin_read(db);
    if (rc == DD_OK)
        rc = dd_db_kind(db) == DD_DB_SQLITE ? rows_sqlite(db, &w, sql.data)
                                            : rows_pg(db, a, &w, sql.data);
    if (rc != DD_OK)
        snprintf(err, errlen, "reading people: %s", dd_db_errmsg(db));
    if (dd_db_in_transaction(db))
        dd_db_rollback(db); /* a read: nothing to keep */
    flush(&w);
    if (rc == DD_OK && (w.failed || fflush(out) != 0)) {
        snprintf(err, errlen, "cannot write the CSV");
        rc = DD_EIO;
    }
    *rows = w.rows;
    dd_arena_free(a);
    return rc;
}
