/*
 * write_pg.c — how a people load writes on PostgreSQL: each batch becomes two COPY … FROM
 * STDIN (people, residences) in COPY's text format, and the new households one
 * more at the end, after which the households' identity sequence is moved past the ids the load
 * gave them (the load took its ids itself, holding the table locked, because it cannot ask the
 * sequence in the middle of a COPY).
 */
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/people_csv/load_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_BUFFER_MAX (512u * 1024 * 1024)

struct pg_writer {
    struct dd_buf people, residences;
};

int
dd_pl_pg_open(struct dd_people_load *l)
{
    struct pg_writer *w = dd_xcalloc(1, sizeof *w);
    dd_buf_init(&w->people, NULL, COPY_BUFFER_MAX);
    dd_buf_init(&w->residences, NULL, COPY_BUFFER_MAX);
    l->writer_state = w;
    return DD_OK;
}

void
dd_pl_pg_close(struct dd_people_load *l)
{
    struct pg_writer *w = l->writer_state;
    dd_buf_release(&w->people);
    dd_buf_release(&w->residences);
    free(w);
    l->writer_state = NULL;
}

/* Appends `s` as a value of COPY's text format: backslash, tab, CR and LF escaped. */
static void
put_value(struct dd_buf *b, const char *s)
{
    const char *run = s;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c != '\\' && c != '\t' && c != '\n' && c != '\r')
            continue;
        dd_buf_append(b, run, (size_t)(p - run));
        dd_buf_puts(b, c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r");
        run = p + 1;
    }
    dd_buf_puts(b, run);
}

static void
put_field(struct dd_buf *b, const char *s)
{
    put_value(b, s);
    dd_buf_putc(b, '\t');
}

static void
put_int(struct dd_buf *b, int64_t v)
{
    dd_buf_printf(b, "%lld\t", (long long)v);
}

/* Ends a row: its last tab becomes the line end. */
static void
end_row(struct dd_buf *b)
{
    b->data[b->len - 1] = '\n';
}

static void
person_row(struct dd_people_load *l, struct dd_buf *b, const struct dd_pl_row *r)
{
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        if (i != DD_PL_HOUSEHOLD_FIELD)
            put_field(b, dd_person_get(&r->p, i));
        else if (r->household_id > 0)
            put_int(b, r->household_id);
        else
            dd_buf_puts(b, "\\N\t");
    }
    put_field(b, r->name_folded);
    put_field(b, r->given_folded);
    put_int(b, r->birth_year);
    put_field(b, r->residences);
    put_int(b, 1);
    put_field(b, l->now);
    put_field(b, l->now);
    put_int(b, l->import_id);
    end_row(b);
}

static void
residence_row(struct dd_people_load *l, struct dd_buf *b, const char *id, const char *kind,
              const char *province, const char *commune, const char *address, const char *until)
{
    put_field(b, id);
    put_field(b, kind);
    put_field(b, province);
    put_field(b, commune);
    put_field(b, address);
    put_field(b, l->since);
    put_field(b, until);
    put_field(b, l->opt.source);
    put_field(b, l->now);
    end_row(b);
}

static int
copy(struct dd_people_load *l, const char *sql, struct dd_buf *b, const char *what)
{
    if (b->len == 0)
        return DD_OK;
    int rc = dd_db_copy_begin(l->db, sql);
    if (rc == DD_OK) {
        rc = dd_db_copy_put(l->db, b->data, b->len);
        int end = dd_db_copy_end(l->db, rc != DD_OK);
        if (rc == DD_OK)
            rc = end;
    }
    b->len = 0;
    return rc == DD_OK ? DD_OK : dd_pl_write_failed(l, rc, what);
}

int
dd_pl_pg_rows(struct dd_people_load *l, const struct dd_pl_batch *b)
{
    struct pg_writer *w = l->writer_state;
    for (int i = 0; i < b->count; i++) {
        const struct dd_pl_row *r = &b->rows[i];
        const struct dd_person *p = &r->p;
        person_row(l, &w->people, r);
        if (p->permanent_commune[0] != '\0')
            residence_row(l, &w->residences, p->id_number, "permanent", p->permanent_province,
                          p->permanent_commune, p->permanent_address, "");
        if (p->temporary_commune[0] != '\0')
            residence_row(l, &w->residences, p->id_number, "temporary", p->temporary_province,
                          p->temporary_commune, p->temporary_address, p->temporary_until);
    }
    int rc =
        copy(l, "COPY people (" DD_PL_PEOPLE_COLUMNS ") FROM STDIN", &w->people, "writing people");
    if (rc == DD_OK)
        rc = copy(l, "COPY residences (" DD_PL_RESIDENCE_COLUMNS ") FROM STDIN", &w->residences,
                  "writing residence periods");
    return rc;
}

int
dd_pl_pg_households(struct dd_people_load *l)
{
    struct pg_writer *w = l->writer_state;
    int64_t last = 0;
    for (size_t i = 0; i < l->households.count; i++) {
        const struct dd_pl_household *h = &l->households.items[i];
        if (h->in_register)
            continue;
        put_int(&w->people, h->id);
        put_field(&w->people, h->number);
        put_field(&w->people, h->head);
        put_field(&w->people, h->province);
        put_field(&w->people, h->commune);
        put_field(&w->people, h->address);
        put_field(&w->people, l->now);
        end_row(&w->people);
        last = h->id;
    }
    int rc = copy(l, "COPY households (" DD_PL_HOUSEHOLD_COLUMNS ") FROM STDIN", &w->people,
                  "writing households");
    if (rc == DD_OK && last > 0) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('households', 'id'), %lld)",
                 (long long)last);
        rc = dd_db_exec(l->db, sql);
        if (rc != DD_OK)
            dd_pl_write_failed(l, rc, "moving the households' numbering on");
    }
    if (rc != DD_OK)
        return rc;
    rc = dd_pl_set_heads(l);
    return rc == DD_OK ? DD_OK : dd_pl_write_failed(l, rc, "setting household heads");
}
