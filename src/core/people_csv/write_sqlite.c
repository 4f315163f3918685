/*
 * write_sqlite.c — how a people load writes on SQLite: INSERTs of many rows at once (people and
 * residences), each prepared once for the load, with the rows' strings bound in place (they live
 * in the batch until it has been written), then the households at the end.
 *
 * One statement per row would spend most of its time starting and ending statements; one per
 * ROWS_PER_INSERT rows spends it in the B-trees. The rows of a batch that do not fill a whole
 * statement go one by one.
 */
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/people_csv/load_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS_PER_INSERT  32
#define RESIDENCE_PARAMS 6 /* id_number, kind, province, commune, address, until */
/* A person's parameters: the fields, then name_folded, given_folded and birth_year. */
#define PERSON_PARAMS (DD_PERSON_NFIELDS + 4)

/* One table's INSERT, for one row and for ROWS_PER_INSERT rows. */
struct insert {
    struct dd_stmt *one;
    struct dd_stmt *many;
    int params; /* per row */
};

/* A residence period to write: a row's permanent or temporary one. */
struct residence {
    const struct dd_pl_row *row;
    bool temporary;
};

struct sqlite_writer {
    struct insert person, residence;
    struct residence *residences; /* a batch's: two a row at most */
};

/* Prepares `in` from the text of one row's VALUES, which holds `params` parameters. */
static int
prepare_insert(struct dd_people_load *l, struct insert *in, const char *table, const char *columns,
               const char *row, int params)
{
    in->params = params;
    struct dd_buf sql;
    dd_buf_init(&sql, NULL, 1024 * 1024);
    dd_buf_printf(&sql, "INSERT OR ROLLBACK INTO %s (%s) VALUES %s", table, columns, row);
    int rc = dd_db_prepare(l->db, sql.data, &in->one);
    for (int i = 1; i < ROWS_PER_INSERT; i++) {
        dd_buf_putc(&sql, ',');
        dd_buf_puts(&sql, row);
    }
    if (rc == DD_OK)
        rc = dd_db_prepare(l->db, sql.data, &in->many);
    dd_buf_release(&sql);
    return rc;
}

/* Appends `s` as an SQL string literal. */
static void
put_literal(struct dd_buf *b, const char *s)
{
    dd_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            dd_buf_putc(b, '\'');
        dd_buf_putc(b, *s);
    }
    dd_buf_putc(b, '\'');
}

/* The values the load gives every row (its time, its source, when residence periods start) are
 * written into the statements once instead of bound to every row. */
int
dd_pl_sqlite_open(struct dd_people_load *l)
{
    struct sqlite_writer *w = dd_xcalloc(1, sizeof *w);
    w->residences = dd_xcalloc(2 * (size_t)l->batch_rows, sizeof *w->residences);
    l->writer_state = w;
    struct dd_buf row;
    dd_buf_init(&row, NULL, 64 * 1024);
    dd_buf_putc(&row, '(');
    for (int i = 0; i < PERSON_PARAMS; i++)
        dd_buf_puts(&row, "?, ");
    dd_buf_puts(&row, "1, ");
    put_literal(&row, l->now);
    dd_buf_puts(&row, ", ");
    put_literal(&row, l->now);
    dd_buf_printf(&row, ", %lld)", (long long)l->import_id);
    int rc = prepare_insert(l, &w->person, "people", DD_PL_PEOPLE_COLUMNS, row.data, PERSON_PARAMS);
    row.len = 0;
    dd_buf_puts(&row, "(?, ?, ?, ?, ?, ");
    put_literal(&row, l->since);
    dd_buf_puts(&row, ", ?, ");
    put_literal(&row, l->opt.source);
    dd_buf_puts(&row, ", ");
    put_literal(&row, l->now);
    dd_buf_putc(&row, ')');
    if (rc == DD_OK)
        rc = prepare_insert(l, &w->residence, "residences", DD_PL_RESIDENCE_COLUMNS, row.data,
                            RESIDENCE_PARAMS);
    dd_buf_release(&row);
    return rc == DD_OK ? DD_OK : dd_pl_write_failed(l, rc, "preparing the inserts");
}

static void
release_insert(struct insert *in)
{
    dd_stmt_reset(in->one);
    dd_stmt_reset(in->many);
}

void
dd_pl_sqlite_close(struct dd_people_load *l)
{
    struct sqlite_writer *w = l->writer_state;
    release_insert(&w->person);
    release_insert(&w->residence);
    free(w->residences);
    free(w);
    l->writer_state = NULL;
}

static int
run(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_rewind(st);
    return rc < 0 ? rc : DD_OK;
}

static void
bind(struct dd_stmt *st, int idx, const char *s)
{
    dd_stmt_bind_text_static(st, idx, s, strlen(s));
}

static void
bind_n(struct dd_stmt *st, int idx, const char *s, uint32_t n)
{
    dd_stmt_bind_text_static(st, idx, s, n);
}

/* Binds one item to `st` from parameter `idx` on. */
typedef void (*bind_fn)(struct dd_people_load *l, struct dd_stmt *st, int idx, const void *item);

/* Inserts items[0..n) (each `size` bytes): whole statements of ROWS_PER_INSERT, then the rest
 * one by one. */
static int
insert_all(struct dd_people_load *l, struct insert *in, const void *items, size_t size, int n,
           bind_fn fn)
{
    const char *item = items;
    int i = 0, rc = DD_OK;
    for (; i + ROWS_PER_INSERT <= n && rc == DD_OK; i += ROWS_PER_INSERT) {
        for (int k = 0; k < ROWS_PER_INSERT; k++, item += size)
            fn(l, in->many, 1 + k * in->params, item);
        rc = run(in->many);
    }
    for (; i < n && rc == DD_OK; i++, item += size) {
        fn(l, in->one, 1, item);
        rc = run(in->one);
    }
    return rc;
}

static void
bind_person(struct dd_people_load *l, struct dd_stmt *st, int idx, const void *item)
{
    (void)l;
    const struct dd_pl_row *r = item;
    for (int i = 0; i < DD_PERSON_NFIELDS; i++, idx++) {
        if (i != DD_PL_HOUSEHOLD_FIELD)
            bind_n(st, idx, dd_person_get(&r->p, i), r->len[i]);
        else if (r->household_id > 0)
            dd_stmt_bind_int64(st, idx, r->household_id);
        else
            dd_stmt_bind_null(st, idx);
    }
    bind_n(st, idx, r->name_folded, r->name_len);
    bind_n(st, idx + 1, r->given_folded, r->given_len);
    dd_stmt_bind_int64(st, idx + 2, r->birth_year);
    bind_n(st, idx + 3, r->residences, r->residences_len);
}

/* The fields of a row's permanent or temporary residence, by index in dd_person_fields. */
static const int permanent_fields[] = {DD_PL_FIELD(permanent_province),
                                       DD_PL_FIELD(permanent_commune),
                                       DD_PL_FIELD(permanent_address), -1};
static const int temporary_fields[] = {
    DD_PL_FIELD(temporary_province), DD_PL_FIELD(temporary_commune), DD_PL_FIELD(temporary_address),
    DD_PL_FIELD(temporary_until)};

static void
bind_residence(struct dd_people_load *l, struct dd_stmt *st, int idx, const void *item)
{
    (void)l;
    const struct residence *res = item;
    const struct dd_pl_row *r = res->row;
    const int *f = res->temporary ? temporary_fields : permanent_fields;
    bind_n(st, idx, r->p.id_number, r->len[DD_PL_FIELD(id_number)]);
    bind_n(st, idx + 1, res->temporary ? "temporary" : "permanent", 9);
    for (int k = 0; k < 3; k++)
        bind_n(st, idx + 2 + k, dd_person_get(&r->p, f[k]), r->len[f[k]]);
    if (f[3] >= 0)
        bind_n(st, idx + 5, dd_person_get(&r->p, f[3]), r->len[f[3]]);
    else
        bind_n(st, idx + 5, "", 0);
}

static int
residences_of(const struct dd_pl_batch *b, struct residence *out)
{
    int n = 0;
    for (int i = 0; i < b->count; i++) {
        const struct dd_person *p = &b->rows[i].p;
        if (p->permanent_commune[0] != '\0')
            out[n++] = (struct residence){&b->rows[i], false};
        if (p->temporary_commune[0] != '\0')
            out[n++] = (struct residence){&b->rows[i], true};
    }
    return n;
}

int
dd_pl_sqlite_rows(struct dd_people_load *l, const struct dd_pl_batch *b)
{
    struct sqlite_writer *w = l->writer_state;
    int rc = insert_all(l, &w->person, b->rows, sizeof b->rows[0], b->count, bind_person);
    if (rc != DD_OK)
        return dd_pl_write_failed(l, rc, "writing people");
    int n = residences_of(b, w->residences);
    rc = insert_all(l, &w->residence, w->residences, sizeof w->residences[0], n, bind_residence);
    return rc == DD_OK ? DD_OK : dd_pl_write_failed(l, rc, "writing residence periods");
}

static void
bind_household(struct dd_people_load *l, struct dd_stmt *st, int idx, const void *item)
{
    const struct dd_pl_household *h = *(const struct dd_pl_household *const *)item;
    dd_stmt_bind_int64(st, idx, h->id);
    bind(st, idx + 1, h->number);
    bind(st, idx + 2, h->head);
    bind(st, idx + 3, h->province);
    bind(st, idx + 4, h->commune);
    bind(st, idx + 5, h->address);
    bind(st, idx + 6, l->now);
}

int
dd_pl_sqlite_households(struct dd_people_load *l)
{
    const struct dd_pl_household **created = dd_xcalloc(l->households.count + 1, sizeof *created);
    int n = 0;
    for (size_t i = 0; i < l->households.count; i++)
        if (!l->households.items[i].in_register)
            created[n++] = &l->households.items[i];
    struct insert in;
    int rc =
        prepare_insert(l, &in, "households", DD_PL_HOUSEHOLD_COLUMNS, "(?, ?, ?, ?, ?, ?, ?)", 7);
    if (rc == DD_OK)
        rc = insert_all(l, &in, created, sizeof *created, n, bind_household);
    release_insert(&in);
    free(created);
    if (rc == DD_OK)
        rc = dd_pl_set_heads(l);
    return rc == DD_OK ? DD_OK : dd_pl_write_failed(l, rc, "writing the households");
}
