/*
 * load_register.c — what a people load reads and changes in the database before its rows: the
 * tables locked (PostgreSQL), the ID numbers and households already in the register, where new
 * households' ids start, the communes in force, and the secondary indexes of empty tables,
 * dropped for the load and built again at its end.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/people_csv/load_impl.h"
#include "core/register/person.h"
#include "core/units/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_PAGE               50000
#define HOUSEHOLD_PAGE        20000
#define COMMUNE_PAGE          500
#define COMMUNE_BITS          (100L * 100000) /* province (2 digits) × commune (5 digits) */
#define SQLITE_SORT_CACHE_KIB "4096"          /* SQLite's page cache while indexes are built */

/* --- what the register already holds --- */

static int
count_people(struct dd_people_load *l, int64_t *n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(l->db, "SELECT COUNT(*) FROM people", &st);
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "counting people");
    rc = dd_stmt_step(st);
    *n = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? dd_pl_db_failed(l, rc, "counting people") : DD_OK;
}

/* Reads every ID number of the register, a page at a time (PostgreSQL fetches whole results). */
static int
load_ids(struct dd_people_load *l)
{
    char after[16] = "";
    for (;;) {
        struct dd_stmt *st;
        int rc = dd_db_prepare(l->db,
                               "SELECT id_number FROM people WHERE id_number > ? "
                               "ORDER BY id_number LIMIT 50000",
                               &st);
        if (rc != DD_OK)
            return dd_pl_db_failed(l, rc, "reading the register's ID numbers");
        dd_stmt_bind_text(st, 1, after);
        int n = 0;
        while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
            const char *id = dd_stmt_text(st, 0);
            uint64_t key = dd_idset_key(id ? id : "");
            if (key)
                dd_idset_add(&l->ids, key, DD_IDSET_REGISTER);
            dd_strlcpy(after, id ? id : "", sizeof after);
            n++;
        }
        dd_stmt_reset(st);
        if (rc < 0)
            return dd_pl_db_failed(l, rc, "reading the register's ID numbers");
        if (n < ID_PAGE)
            return DD_OK;
    }
}

static void
copy_column(struct dd_stmt *st, int col, char *out, size_t outlen)
{
    const char *s = dd_stmt_text(st, col);
    dd_strlcpy(out, s ? s : "", outlen);
}

/* Reads every household of the register; a closed one keeps head "-" so no row can join it. */
static int
load_households(struct dd_people_load *l)
{
    int64_t after = 0;
    for (;;) {
        struct dd_stmt *st;
        int rc = dd_db_prepare(l->db,
                               "SELECT id, number, head_id, province_code, commune_code, "
                               "closed_at FROM households WHERE id > ? ORDER BY id LIMIT 20000",
                               &st);
        if (rc != DD_OK)
            return dd_pl_db_failed(l, rc, "reading the households");
        dd_stmt_bind_int64(st, 1, after);
        int n = 0;
        while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
            const char *number = dd_stmt_text(st, 1);
            after = dd_stmt_int64(st, 0);
            n++;
            if (number == NULL || dd_pl_households_find(&l->households, number))
                continue;
            struct dd_pl_household *h = dd_pl_households_add(&l->households, number);
            h->id = after;
            h->in_register = true;
            copy_column(st, 2, h->head, sizeof h->head);
            copy_column(st, 3, h->province, sizeof h->province);
            copy_column(st, 4, h->commune, sizeof h->commune);
            const char *closed = dd_stmt_text(st, 5);
            h->closed = closed && closed[0];
        }
        dd_stmt_reset(st);
        if (rc < 0)
            return dd_pl_db_failed(l, rc, "reading the households");
        if (after > l->next_household_id)
            l->next_household_id = after;
        if (n < HOUSEHOLD_PAGE)
            return DD_OK;
    }
}

int
dd_pl_query_int(struct dd_people_load *l, const char *sql, int64_t *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(l->db, sql, &st);
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "reading the households' numbering");
    rc = dd_stmt_step(st);
    *out = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? dd_pl_db_failed(l, rc, "reading the households' numbering") : DD_OK;
}

/* New households take ids after every id the table has ever handed out, as its own numbering
 * would (SQLite AUTOINCREMENT, a PostgreSQL identity). */
static int
household_numbering(struct dd_people_load *l)
{
    int64_t used = 0;
    int rc;
    if (l->kind == DD_DB_SQLITE) {
        rc = dd_pl_query_int(l,
                             "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence "
                             "WHERE name = 'households'",
                             &used);
    } else {
        rc = dd_pl_query_int(l,
                             "SELECT COALESCE(MAX(last_value), 0) FROM pg_sequences WHERE "
                             "format('%I.%I', schemaname, sequencename) = "
                             "pg_get_serial_sequence('households', 'id')",
                             &used);
    }
    if (rc == DD_OK && used > l->next_household_id)
        l->next_household_id = used;
    return rc;
}

/* --- the communes in force --- */

/* The bit of commune `commune` of province `province` in l->communes; -1 if malformed. */
static long
commune_bit(const char *province, const char *commune)
{
    if (!dd_str_all_digits(province, 2) || !dd_str_all_digits(commune, 5))
        return -1;
    long bit = 0;
    for (const char *p = province; *p; p++)
        bit = bit * 10 + (*p - '0');
    for (const char *c = commune; *c; c++)
        bit = bit * 10 + (*c - '0');
    return bit;
}

/* Marks every commune in force today (units.h), so that rows are checked without a query. */
static int
load_communes(struct dd_people_load *l)
{
    l->communes = dd_xcalloc(COMMUNE_BITS / 8, 1);
    struct dd_unit *page = dd_xcalloc(COMMUNE_PAGE, sizeof *page);
    struct dd_units_query q = {.kind = "commune"};
    char after_province[4] = "", after_code[8] = "";
    int rc;
    for (;;) {
        size_t n = 0;
        rc = dd_units_list(l->db, &q, page, COMMUNE_PAGE, &n);
        if (rc != DD_OK)
            break;
        for (size_t i = 0; i < n; i++) {
            long bit = commune_bit(page[i].province_code, page[i].code);
            if (bit >= 0)
                l->communes[bit / 8] |= (unsigned char)(1u << (bit % 8));
        }
        l->ncommunes += n;
        if (n < COMMUNE_PAGE)
            break;
        dd_strlcpy(after_province, page[n - 1].province_code, sizeof after_province);
        dd_strlcpy(after_code, page[n - 1].code, sizeof after_code);
        q.after_province = after_province;
        q.after_code = after_code;
    }
    free(page);
    return rc == DD_OK ? DD_OK : dd_pl_db_failed(l, rc, "reading the administrative units");
}

int
dd_pl_commune_known(const struct dd_people_load *l, const char *province, const char *commune)
{
    long bit = commune_bit(province, commune);
    if (bit < 0)
        return -1;
    return (l->communes[bit / 8] & (1u << (bit % 8))) != 0;
}

/* --- the indexes of empty tables --- */

static bool
plain_name(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* True if the index defined by `def` is partial (CREATE INDEX … WHERE …). Such an index stays
 * while the rows go in: it holds a small share of them (people_temporary: those with a temporary
 * residence), so growing it row by row costs less than building it, which reads the whole table
 * once more. */
static bool
partial_index(const char *def)
{
    return strstr(def, " WHERE ") != NULL || strstr(def, "\nWHERE ") != NULL;
}

/* True if `table` (one of the register's, named by the caller) has no row. */
static int
table_empty(struct dd_people_load *l, const char *table, bool *empty)
{
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(l->db, dd_arena_printf(l->arena, "SELECT 1 FROM %s LIMIT 1", table), &st);
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "looking into the register");
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    *empty = rc == DD_DB_DONE;
    return rc < 0 ? dd_pl_db_failed(l, rc, "looking into the register") : DD_OK;
}

/* Drops the secondary indexes of `table` (not those behind a constraint, nor partial ones),
 * keeping their definitions to build them again before commit: building an index once costs a
 * sort, growing it row by row a B-tree insert per row, most of them at random places. */
static int
drop_indexes(struct dd_people_load *l, const char *table)
{
    const char *sql =
        l->kind == DD_DB_SQLITE
            ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
              "AND sql IS NOT NULL ORDER BY name"
            : "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON "
              "c.oid = x.indexrelid WHERE x.indrelid = CAST(CAST(? AS TEXT) AS regclass) AND "
              "NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) "
              "ORDER BY c.relname";
    const char *names[DD_PL_MAX_INDEXES];
    int first = l->nindexes;
    struct dd_stmt *st;
    int rc = dd_db_prepare(l->db, sql, &st);
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "listing indexes");
    dd_stmt_bind_text(st, 1, table);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && l->nindexes < DD_PL_MAX_INDEXES) {
        const char *name = dd_stmt_text(st, 0), *def = dd_stmt_text(st, 1);
        if (!plain_name(name) || def == NULL)
            continue;
        if (partial_index(def))
            continue;
        names[l->nindexes] = dd_arena_strdup(l->arena, name);
        l->index_sql[l->nindexes++] = dd_arena_strdup(l->arena, def);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return dd_pl_db_failed(l, rc, "listing indexes");
    for (int i = first; i < l->nindexes; i++) {
        rc = dd_db_exec(l->db, dd_arena_printf(l->arena, "DROP INDEX %s", names[i]));
        if (rc != DD_OK)
            return dd_pl_db_failed(l, rc, "dropping an index for the load");
    }
    return DD_OK;
}

int
dd_pl_rebuild_indexes(struct dd_people_load *l)
{
    if (l->nindexes == 0)
        return DD_OK;
    if (l->opt.on_phase)
        l->opt.on_phase(l->opt.arg, "building indexes");
    /* PostgreSQL sorts in maintenance_work_mem. SQLite's sorter fills as much memory as the page
     * cache holds before it writes a sorted run to a temporary file; small runs (a small cache)
     * fit the CPU's caches and are sorted by the helper thread while the main one reads on, and
     * measure twice as fast here as one big run in memory. */
    int rc = dd_db_exec(l->db, l->kind == DD_DB_POSTGRES
                                   ? "SET LOCAL maintenance_work_mem = '512MB'"
                                   : "PRAGMA cache_size = -" SQLITE_SORT_CACHE_KIB);
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "preparing to build indexes");
    for (int i = 0; i < l->nindexes; i++) {
        rc = dd_db_exec(l->db, l->index_sql[i]);
        if (rc != DD_OK)
            return dd_pl_db_failed(l, rc, "building an index");
        dd_pl_step_done(l, l->index_sql[i]);
    }
    return DD_OK;
}

/* The load's person_imports row: the history kind, actor, reason and time of version 1 of every
 * person it stores (core/register/history.h). */
static int
record_import(struct dd_people_load *l)
{
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(l->db,
                      "INSERT INTO person_imports (kind, actor, reason, at) VALUES (?, ?, ?, ?) "
                      "RETURNING id",
                      &st);
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "recording the load");
    dd_stmt_bind_text(st, 1, l->opt.kind);
    dd_stmt_bind_text(st, 2, l->opt.actor);
    dd_stmt_bind_text(st, 3, l->opt.source);
    dd_stmt_bind_text(st, 4, l->now);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        l->import_id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    if (rc < 0)
        return dd_pl_db_failed(l, rc, "recording the load");
    return l->import_id > 0 ? DD_OK : dd_pl_db_failed(l, DD_EIO, "recording the load");
}

int
dd_pl_prepare_tables(struct dd_people_load *l)
{
    int rc = DD_OK;
    if (l->kind == DD_DB_POSTGRES)
        rc = dd_db_exec(l->db, "LOCK TABLE people, households, person_history, residences "
                               "IN EXCLUSIVE MODE");
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "locking the register's tables");
    int64_t people = 0;
    rc = count_people(l, &people);
    if (rc != DD_OK)
        return rc;
    dd_idset_init(&l->ids, (size_t)people + 1024 * 1024);
    rc = people > 0 ? load_ids(l) : drop_indexes(l, "people");
    static const char *const others[] = {"residences", "households"};
    for (size_t i = 0; i < sizeof others / sizeof others[0] && rc == DD_OK; i++) {
        bool empty = false;
        rc = table_empty(l, others[i], &empty);
        if (rc == DD_OK && empty)
            rc = drop_indexes(l, others[i]);
    }
    if (rc == DD_OK)
        rc = load_households(l);
    if (rc == DD_OK)
        rc = household_numbering(l);
    if (rc == DD_OK)
        rc = load_communes(l);
    if (rc == DD_OK)
        rc = record_import(l);
    if (rc == DD_OK)
        rc = l->kind == DD_DB_SQLITE ? dd_pl_sqlite_open(l) : dd_pl_pg_open(l);
    if (rc != DD_OK && l->res.message[0] == '\0')
        snprintf(l->res.message, sizeof l->res.message, "%s", l->write_msg);
    return rc;
}

int
dd_pl_set_heads(struct dd_people_load *l)
{
    struct dd_stmt *st = NULL;
    int rc = DD_OK;
    for (size_t i = 0; i < l->households.count && rc == DD_OK; i++) {
        const struct dd_pl_household *h = &l->households.items[i];
        if (!h->head_added)
            continue;
        if (st == NULL)
            rc = dd_db_prepare(
                l->db, "UPDATE households SET head_id = ? WHERE id = ? AND head_id = ''", &st);
        if (rc != DD_OK)
            break;
        dd_stmt_bind_text(st, 1, h->head);
        dd_stmt_bind_int64(st, 2, h->id);
        rc = dd_stmt_step(st);
        dd_stmt_rewind(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (st)
        dd_stmt_reset(st);
    return rc;
}
