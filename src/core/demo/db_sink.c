/*
 * db_sink.c — writes the demo's records straight into the register tables (households, people,
 * person_history, residences) inside one transaction that dd_demo_write opens and commits.
 *
 * Rows are gathered per table and written many to a statement (INSERT … VALUES (…), (…), …),
 * which saves a round trip per row on PostgreSQL and a statement run per row on SQLite; the last
 * few rows of each table go one by one when the sink is flushed. Households get their ids from
 * the sink (after the largest already stored), so people can name them before they are written;
 * on PostgreSQL the identity sequence is moved past them when the sink is flushed. The search
 * keys (name_folded, given_folded) are the register's (dd_person_name_keys).
 */
#include "core/demo/demo.h"
#include "core/demo/internal.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/register/person.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum value_type { V_TEXT, V_INT, V_NULL };

struct value {
    enum value_type type;
    int64_t i;
    const char *s;
};

/* Rows of one table waiting to be written. */
struct batch {
    const char *head; /* "INSERT INTO t (a, b) VALUES " */
    int ncols, max_rows, nrows, filled;
    struct value *v;        /* max_rows × ncols */
    struct dd_arena *arena; /* the strings of the waiting rows */
    char *sql_all;          /* the statement for max_rows rows */
    char *sql_one;          /* … for one row */
};

struct dd_demo_db_sink {
    struct dd_db *db;
    struct batch households, people, history, residences;
    int64_t first_house_id; /* households get first_house_id + index */
    int64_t max_house_id;
    int rc; /* the first failure; later calls do nothing */
};

static char *
values_sql(const char *head, int ncols, int nrows)
{
    struct dd_buf b;
    dd_buf_init(&b, NULL, 1024 * 1024);
    dd_buf_puts(&b, head);
    for (int r = 0; r < nrows; r++) {
        dd_buf_puts(&b, r ? ", (" : "(");
        for (int c = 0; c < ncols; c++)
            dd_buf_puts(&b, c ? ", ?" : "?");
        dd_buf_putc(&b, ')');
    }
    return b.data;
}

static void
batch_init(struct batch *b, const char *head, int ncols, int max_rows)
{
    memset(b, 0, sizeof *b);
    b->head = head;
    b->ncols = ncols;
    b->max_rows = max_rows;
    b->v = dd_xcalloc((size_t)ncols * (size_t)max_rows, sizeof *b->v);
    b->arena = dd_arena_new(256 * 1024);
    b->sql_all = values_sql(head, ncols, max_rows);
    b->sql_one = values_sql(head, ncols, 1);
}

static void
batch_free(struct batch *b)
{
    free(b->v);
    dd_arena_free(b->arena);
    free(b->sql_all);
    free(b->sql_one);
}

static void
put_text(struct batch *b, const char *s)
{
    struct value *v = &b->v[b->nrows * b->ncols + b->filled++];
    v->type = V_TEXT;
    v->s = dd_arena_strdup(b->arena, s ? s : "");
}

static void
put_int(struct batch *b, int64_t i)
{
    struct value *v = &b->v[b->nrows * b->ncols + b->filled++];
    v->type = V_INT;
    v->i = i;
}

static void
put_null(struct batch *b)
{
    b->v[b->nrows * b->ncols + b->filled++].type = V_NULL;
}

static int
run_rows(struct dd_db *db, const char *sql, const struct value *v, int nvalues)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    for (int k = 0; k < nvalues; k++) {
        if (v[k].type == V_TEXT)
            dd_stmt_bind_text(st, k + 1, v[k].s);
        else if (v[k].type == V_INT)
            dd_stmt_bind_int64(st, k + 1, v[k].i);
        else
            dd_stmt_bind_null(st, k + 1);
    }
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc < 0 ? rc : DD_EDB;
}

/* Writes the waiting rows: all in one statement when the batch is full, else one by one. */
static int
batch_flush(struct dd_db *db, struct batch *b)
{
    int rc = DD_OK;
    if (b->nrows == b->max_rows)
        rc = run_rows(db, b->sql_all, b->v, b->nrows * b->ncols);
    else
        for (int r = 0; r < b->nrows && rc == DD_OK; r++)
            rc = run_rows(db, b->sql_one, b->v + r * b->ncols, b->ncols);
    b->nrows = 0;
    b->filled = 0;
    dd_arena_reset(b->arena);
    return rc;
}

/* Ends a row; writes the batch when it is full. */
static int
row_done(struct dd_demo_db_sink *s, struct batch *b)
{
    b->filled = 0;
    if (++b->nrows < b->max_rows)
        return DD_OK;
    return batch_flush(s->db, b);
}

static int64_t
query_int(struct dd_db *db, const char *sql, int *rc)
{
    struct dd_stmt *st;
    *rc = dd_db_prepare(db, sql, &st);
    if (*rc != DD_OK)
        return 0;
    int step = dd_stmt_step(st);
    int64_t v = step == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    *rc = step == DD_DB_ROW ? DD_OK : step < 0 ? step : DD_EDB;
    return v;
}

struct dd_demo_db_sink *
dd_demo_db_sink_new(struct dd_db *db)
{
    struct dd_demo_db_sink *s = dd_xcalloc(1, sizeof *s);
    s->db = db;
    batch_init(&s->households,
               "INSERT INTO households (id, number, head_id, province_code, commune_code, "
               "address, created_at) VALUES ",
               7, 200);
    batch_init(&s->people,
               "INSERT INTO people (id_number, full_name, name_folded, given_folded, "
               "other_names, birth_date, birth_year, sex, ethnicity, religion, nationality, "
               "birth_place, hometown, old_id_number, photo_ref, status, death_date, father_id, "
               "mother_id, spouse_id, household_id, relation_to_head, permanent_province, "
               "permanent_commune, permanent_address, temporary_province, temporary_commune, "
               "temporary_address, temporary_until, residences, version, created_at, "
               "updated_at) VALUES ",
               33, 64);
    batch_init(&s->history,
               "INSERT INTO person_history (id_number, version, kind, changes, actor, reason, "
               "legal_basis, at) VALUES ",
               8, 200);
    batch_init(&s->residences,
               "INSERT INTO residences (id_number, kind, province_code, commune_code, address, "
               "from_date, to_date, reason, created_at) VALUES ",
               9, 200);
    s->first_house_id = query_int(db, "SELECT COALESCE(MAX(id), 0) FROM households", &s->rc) + 1;
    if (s->rc == DD_OK && dd_db_kind(db) == DD_DB_SQLITE) {
        /* AUTOINCREMENT never reuses an id, even of a deleted row. */
        int64_t seq = query_int(db,
                                "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE "
                                "name = 'households'",
                                &s->rc);
        if (seq + 1 > s->first_house_id)
            s->first_house_id = seq + 1;
    }
    return s;
}

void
dd_demo_db_sink_free(struct dd_demo_db_sink *s)
{
    if (s == NULL)
        return;
    batch_free(&s->households);
    batch_free(&s->people);
    batch_free(&s->history);
    batch_free(&s->residences);
    free(s);
}

static int
put_household(void *ctx, const struct dd_demo_household *h)
{
    struct dd_demo_db_sink *s = ctx;
    if (s->rc != DD_OK)
        return s->rc;
    struct batch *b = &s->households;
    int64_t id = s->first_house_id + h->index;
    if (id > s->max_house_id)
        s->max_house_id = id;
    put_int(b, id);
    put_text(b, h->number);
    put_text(b, h->head_id);
    put_text(b, h->province);
    put_text(b, h->commune);
    put_text(b, h->address);
    put_text(b, h->created);
    return s->rc = row_done(s, b);
}

static int
put_person(void *ctx, const struct dd_person *p, const struct dd_demo_person_meta *m)
{
    struct dd_demo_db_sink *s = ctx;
    if (s->rc != DD_OK)
        return s->rc;
    struct batch *b = &s->people;
    const char *name_key, *given_key;
    dd_person_name_keys(b->arena, p->full_name, &name_key, &given_key);
    put_text(b, p->id_number);
    put_text(b, p->full_name);
    put_text(b, name_key);
    put_text(b, given_key);
    put_text(b, p->other_names);
    put_text(b, p->birth_date);
    put_int(b, dd_partial_date_year(p->birth_date));
    put_text(b, p->sex);
    put_text(b, p->ethnicity);
    put_text(b, p->religion);
    put_text(b, p->nationality);
    put_text(b, p->birth_place);
    put_text(b, p->hometown);
    put_text(b, p->old_id_number);
    put_text(b, p->photo_ref);
    put_text(b, p->status);
    put_text(b, p->death_date);
    put_text(b, p->father_id);
    put_text(b, p->mother_id);
    put_text(b, p->spouse_id);
    if (m->household_index >= 0)
        put_int(b, s->first_house_id + m->household_index);
    else
        put_null(b);
    put_text(b, p->relation_to_head);
    put_text(b, p->permanent_province);
    put_text(b, p->permanent_commune);
    put_text(b, p->permanent_address);
    put_text(b, p->temporary_province);
    put_text(b, p->temporary_commune);
    put_text(b, p->temporary_address);
    put_text(b, p->temporary_until);
    put_text(b, m->residences);
    put_int(b, m->version);
    put_text(b, m->created);
    put_text(b, m->updated);
    return s->rc = row_done(s, b);
}

static int
put_history(void *ctx, const struct dd_demo_history *h)
{
    struct dd_demo_db_sink *s = ctx;
    if (s->rc != DD_OK)
        return s->rc;
    struct batch *b = &s->history;
    put_text(b, h->id_number);
    put_int(b, h->version);
    put_text(b, h->kind);
    put_text(b, h->changes);
    put_text(b, h->actor);
    put_text(b, h->reason);
    put_text(b, h->legal_basis);
    put_text(b, h->at);
    return s->rc = row_done(s, b);
}

static int
put_residence(void *ctx, const struct dd_demo_residence *r)
{
    struct dd_demo_db_sink *s = ctx;
    if (s->rc != DD_OK)
        return s->rc;
    struct batch *b = &s->residences;
    char created[32];
    snprintf(created, sizeof created, "%.10sT03:00:00.000Z", r->from_date);
    put_text(b, r->id_number);
    put_text(b, r->kind);
    put_text(b, r->province);
    put_text(b, r->commune);
    put_text(b, r->address);
    put_text(b, r->from_date);
    put_text(b, r->to_date);
    put_text(b, r->reason);
    put_text(b, created);
    return s->rc = row_done(s, b);
}

struct dd_demo_sink
dd_demo_db_sink_callbacks(struct dd_demo_db_sink *s)
{
    return (struct dd_demo_sink){
        .ctx = s,
        .household = put_household,
        .person = put_person,
        .history = put_history,
        .residence = put_residence,
    };
}

int
dd_demo_db_sink_flush(struct dd_demo_db_sink *s)
{
    struct batch *all[] = {&s->households, &s->people, &s->history, &s->residences};
    for (size_t i = 0; i < sizeof all / sizeof all[0] && s->rc == DD_OK; i++)
        s->rc = batch_flush(s->db, all[i]);
    if (s->rc == DD_OK && s->max_house_id > 0 && dd_db_kind(s->db) == DD_DB_POSTGRES) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('households', 'id'), %lld)",
                 (long long)s->max_house_id);
        query_int(s->db, sql, &s->rc);
    }
    return s->rc;
}

long
dd_demo_count_people(struct dd_db *db)
{
    int rc;
    int64_t n = query_int(db, "SELECT COUNT(*) FROM people", &rc);
    return rc == DD_OK ? (long)n : rc;
}

int
dd_demo_sample_id(struct dd_db *db, char out[13])
{
    out[0] = '\0';
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT h.head_id FROM households h JOIN people p ON p.id_number = "
                           "h.head_id WHERE p.status = 'alive' ORDER BY h.id LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        snprintf(out, 13, "%s", dd_stmt_text(st, 0) ? dd_stmt_text(st, 0) : "");
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_ENOTFOUND;
}

int
dd_demo_write(struct dd_db *db, const struct dd_demo_world *w, const struct dd_demo_options *o,
              struct dd_demo_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    if (errlen > 0)
        err[0] = '\0';
    long have = dd_demo_count_people(db);
    if (have < 0) {
        snprintf(err, errlen, "cannot count people: %s", dd_db_errmsg(db));
        return (int)have;
    }
    if (have > 0) {
        snprintf(err, errlen, "the register already holds %ld people", have);
        return DD_EEXIST;
    }
    /* One large transaction: let SQLite keep its pages in memory rather than spill them to the
     * WAL and read them back (256 MiB at most, for this connection, until the end). */
    bool sqlite = dd_db_kind(db) == DD_DB_SQLITE;
    if (sqlite)
        dd_db_exec(db, "PRAGMA cache_size = -262144");
    int rc = dd_db_begin(db);
    if (rc != DD_OK) {
        snprintf(err, errlen, "cannot start a transaction: %s", dd_db_errmsg(db));
        return rc;
    }
    /* The register is empty: its secondary indexes are built once at the end instead. */
    struct dd_demo_indexes saved = {.count = 0};
    static const char *const tables[] = {"people", "residences", "households"};
    for (size_t i = 0; rc == DD_OK && i < sizeof tables / sizeof tables[0]; i++)
        rc = dd_demo_indexes_drop(db, tables[i], &saved);
    struct dd_demo_db_sink *s = dd_demo_db_sink_new(db);
    struct dd_demo_sink sink = dd_demo_db_sink_callbacks(s);
    if (rc == DD_OK)
        rc = s->rc;
    if (rc == DD_OK)
        rc = dd_demo_generate(w, o, &sink, sum, err, errlen);
    if (rc == DD_OK)
        rc = dd_demo_db_sink_flush(s);
    if (rc == DD_OK)
        rc = dd_demo_indexes_rebuild(db, &saved);
    if (rc == DD_OK)
        rc = dd_demo_record(db, w, o, sum);
    dd_demo_indexes_free(&saved);
    /* Bad options have their sentence already; a database failure is told here. */
    if (rc != DD_OK && (s->rc != DD_OK || err[0] == '\0'))
        snprintf(err, errlen, "writing the demo failed: %s", dd_db_errmsg(db));
    if (rc == DD_OK) {
        rc = dd_db_commit(db);
        if (rc != DD_OK)
            snprintf(err, errlen, "cannot commit: %s", dd_db_errmsg(db));
    } else {
        dd_db_rollback(db);
    }
    dd_demo_db_sink_free(s);
    if (sqlite)
        dd_db_exec(db, "PRAGMA cache_size = -2000");
    return rc;
}
