/*
 * write_sqlite.c — how a people load writes on SQLite: INSERTs of many rows at once (people,
 * person_history, residences), each prepared once for the load, with the rows' strings bound in
 * place (they live in the batch until it has been written), then the households at the end.
 *
 * One statement per row would spend most of its time starting and ending statements; one per
 * ROWS_PER_INSERT rows spends it in the B-trees. The rows of a batch that do not fill a whole
 * statement go one by one.
 */
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/people_csv/load_impl.h"

#include <stdlib.h>
#include <string.h>

#define ROWS_PER_INSERT 32

/* One table's INSERT, for one row and for ROWS_PER_INSERT rows. */
struct insert {
    struct dd_stmt *one;
    struct dd_stmt *many;
    int params; /* per row */
};

/* A residence period to write: a row's permanent or temporary one. */
struct residence {
    const char *id, *kind, *province, *commune, *address, *until;
};

struct sqlite_writer {
    struct insert person, history, residence;
    struct residence *residences; /* a batch's: two a row at most */
};

static int
prepare_insert(struct dd_people_load *l, struct insert *in, const char *table, const char *columns,
               const char *row)
{
    int params = 0;
    for (const char *p = row; *p; p++)
        params += *p == '?';
    in->params = params;
    struct dd_buf sql;
    dd_buf_init(&sql, NULL, 64 * 1024);
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

int
dd_pl_sqlite_open(struct dd_people_load *l)
{
    struct sqlite_writer *w = dd_xcalloc(1, sizeof *w);
    w->residences = dd_xcalloc(2 * DD_PL_BATCH_ROWS, sizeof *w->residences);
    l->writer_state = w;
    int rc = prepare_insert(l, &w->person, "people", DD_PL_PEOPLE_COLUMNS,
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?, ?, ?, 1, ?, ?)");
    if (rc == DD_OK)
        rc = prepare_insert(l, &w->history, "person_history", DD_PL_HISTORY_COLUMNS,
                            "(?, 1, ?, ?, ?, ?, '', '', '', ?)");
    if (rc == DD_OK)
        rc = prepare_insert(l, &w->residence, "residences", DD_PL_RESIDENCE_COLUMNS,
                            "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
    release_insert(&w->history);
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
    const struct dd_pl_row *r = item;
    for (int i = 0; i < DD_PERSON_NFIELDS; i++, idx++) {
        if (i != DD_PL_HOUSEHOLD_FIELD)
            bind(st, idx, dd_person_get(&r->p, i));
        else if (r->household_id > 0)
            dd_stmt_bind_int64(st, idx, r->household_id);
        else
            dd_stmt_bind_null(st, idx);
    }
    bind(st, idx, r->name_folded);
    bind(st, idx + 1, r->given_folded);
    dd_stmt_bind_int64(st, idx + 2, r->birth_year);
    bind(st, idx + 3, l->now);
    bind(st, idx + 4, l->now);
}

static void
bind_history(struct dd_people_load *l, struct dd_stmt *st, int idx, const void *item)
{
    const struct dd_pl_row *r = item;
    bind(st, idx, r->p.id_number);
    bind(st, idx + 1, l->opt.kind);
    bind(st, idx + 2, r->changes);
    bind(st, idx + 3, l->opt.actor);
    bind(st, idx + 4, l->opt.source);
    bind(st, idx + 5, l->now);
}

static void
bind_residence(struct dd_people_load *l, struct dd_stmt *st, int idx, const void *item)
{
    const struct residence *r = item;
    bind(st, idx, r->id);
    bind(st, idx + 1, r->kind);
    bind(st, idx + 2, r->province);
    bind(st, idx + 3, r->commune);
    bind(st, idx + 4, r->address);
    bind(st, idx + 5, l->since);
    bind(st, idx + 6, r->until);
    bind(st, idx + 7, l->opt.source);
    bind(st, idx + 8, l->now);
}

static int
residences_of(const struct dd_pl_batch *b, struct residence *out)
{
    int n = 0;
    for (int i = 0; i < b->count; i++) {
        const struct dd_person *p = &b->rows[i].p;
        if (p->permanent_commune[0] != '\0')
            out[n++] = (struct residence){p->id_number,          "permanent",
                                          p->permanent_province, p->permanent_commune,
                                          p->permanent_address,  ""};
        if (p->temporary_commune[0] != '\0')
            out[n++] = (struct residence){p->id_number,          "temporary",
                                          p->temporary_province, p->temporary_commune,
                                          p->temporary_address,  p->temporary_until};
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
    rc = insert_all(l, &w->history, b->rows, sizeof b->rows[0], b->count, bind_history);
    if (rc != DD_OK)
        return dd_pl_write_failed(l, rc, "writing history entries");
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

/* Gives their heads to households of the register that had none. */
static int
set_heads(struct dd_people_load *l)
{
    struct dd_stmt *st = NULL;
    int rc = DD_OK;
    for (size_t i = 0; i < l->households.count && rc == DD_OK; i++) {
        const struct dd_pl_household *h = &l->households.items[i];
        if (!h->head_added)
            continue;
        if (st == NULL)
            rc = dd_db_prepare(l->db,
                               "UPDATE households SET head_id = ? WHERE id = ? AND head_id = ''",
                               &st);
        if (rc != DD_OK)
            break;
        bind(st, 1, h->head);
        dd_stmt_bind_int64(st, 2, h->id);
        rc = run(st);
    }
    if (st)
        dd_stmt_reset(st);
    return rc;
}

int
dd_pl_sqlite_households(struct dd_people_load *l)
{
    const struct dd_pl_household **created =
        dd_xcalloc(l->households.count + 1, sizeof *created);
    int n = 0;
    for (size_t i = 0; i < l->households.count; i++)
        if (!l->households.items[i].in_register)
            created[n++] = &l->households.items[i];
    struct insert in;
    int rc = prepare_insert(l, &in, "households", DD_PL_HOUSEHOLD_COLUMNS,
                            "(?, ?, ?, ?, ?, ?, ?)");
    if (rc == DD_OK)
        rc = insert_all(l, &in, created, sizeof *created, n, bind_household);
    release_insert(&in);
    free(created);
    if (rc == DD_OK)
        rc = set_heads(l);
    return rc == DD_OK ? DD_OK : dd_pl_write_failed(l, rc, "writing the households");
}
