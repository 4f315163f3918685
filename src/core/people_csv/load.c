/*
 * load.c — a people load from start to end: the transaction and what it holds (the ID numbers
 * and households of the register, the dropped indexes), the checks of each row against the
 * others, the queue of rows to write, and the end (remaining checks, households, indexes, the
 * event, the audit row, commit or rollback).
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/audit.h"
#include "core/events.h"
#include "core/people_csv/load_impl.h"
#include "core/register/person.h"
#include "core/units/units.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define ID_PAGE               50000
#define HOUSEHOLD_PAGE        20000
#define SQLITE_CACHE_KIB      262144L /* page cache while the rows go in: 256 MiB at most */
#define SQLITE_SORT_CACHE_KIB "4096"  /* and while indexes are built */
#define COMMUNE_PAGE          500

#define COMMUNE_BITS (100L * 100000) /* province (2 digits) × commune (5 digits) */

static int64_t
process_cpu_ms(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (int64_t)ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 +
           (int64_t)ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
}

/* Logs (at debug level) how long the step that ends now took, and the CPU it used. */
static void
step_done(struct dd_people_load *l, const char *step)
{
    int64_t now = dd_clock_mono_ns(), cpu = process_cpu_ms();
    dd_log(DD_LOG_DEBUG, "import.step", "%s: %.3f s (CPU %.3f s)", step,
           (double)(now - l->step_ns) / 1e9, (double)(cpu - l->step_cpu_ms) / 1000);
    l->step_ns = now;
    l->step_cpu_ms = cpu;
}

/* --- problems --- */

static void
add_issue(struct dd_person_check *chk, const char *field, const char *code, bool warning,
          const char *vi, const char *en)
{
    if (chk->count >= DD_PERSON_MAX_ISSUES)
        return;
    struct dd_person_issue *i = &chk->issues[chk->count++];
    i->field = field;
    i->code = code;
    i->warning = warning;
    dd_strlcpy(i->message_vi, vi, sizeof i->message_vi);
    dd_strlcpy(i->message_en, en, sizeof i->message_en);
    if (!warning)
        chk->errors++;
}

static void
report(struct dd_people_load *l, long line, const char *id, const struct dd_person_issue *is)
{
    if (is->warning)
        l->res.warnings++;
    else
        l->res.errors++;
    if (l->opt.on_issue)
        l->opt.on_issue(l->opt.arg, line, id ? id : "", is);
}

static void
report_one(struct dd_people_load *l, long line, const char *id, const char *field, const char *code,
           bool warning, const char *vi, const char *en)
{
    struct dd_person_check chk = {0};
    add_issue(&chk, field, code, warning, vi, en);
    report(l, line, id, &chk.issues[0]);
}

static int
db_failed(struct dd_people_load *l, int rc, const char *what)
{
    snprintf(l->res.message, sizeof l->res.message, "%s: %s", what, dd_db_errmsg(l->db));
    return rc;
}

/* --- what the register already holds --- */

static int
count_people(struct dd_people_load *l, int64_t *n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(l->db, "SELECT COUNT(*) FROM people", &st);
    if (rc != DD_OK)
        return db_failed(l, rc, "counting people");
    rc = dd_stmt_step(st);
    *n = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? db_failed(l, rc, "counting people") : DD_OK;
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
            return db_failed(l, rc, "reading the register's ID numbers");
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
            return db_failed(l, rc, "reading the register's ID numbers");
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
            return db_failed(l, rc, "reading the households");
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
            return db_failed(l, rc, "reading the households");
        if (after > l->next_household_id)
            l->next_household_id = after;
        if (n < HOUSEHOLD_PAGE)
            return DD_OK;
    }
}

static int
query_int(struct dd_people_load *l, const char *sql, int64_t *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(l->db, sql, &st);
    if (rc != DD_OK)
        return db_failed(l, rc, "reading the households' numbering");
    rc = dd_stmt_step(st);
    *out = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? db_failed(l, rc, "reading the households' numbering") : DD_OK;
}

/* New households take ids after every id the table has ever handed out, as its own numbering
 * would (SQLite AUTOINCREMENT, a PostgreSQL identity). */
static int
household_numbering(struct dd_people_load *l)
{
    int64_t used = 0;
    int rc;
    if (l->kind == DD_DB_SQLITE) {
        rc = query_int(l,
                       "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence "
                       "WHERE name = 'households'",
                       &used);
    } else {
        rc = query_int(l,
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
    return rc == DD_OK ? DD_OK : db_failed(l, rc, "reading the administrative units");
}

static bool
commune_in_force(const struct dd_people_load *l, long bit)
{
    return (l->communes[bit / 8] & (1u << (bit % 8))) != 0;
}

/* --- the indexes of an empty `people` --- */

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

/* True if `table` (one of the register's, named by the caller) has no row. */
static int
table_empty(struct dd_people_load *l, const char *table, bool *empty)
{
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(l->db, dd_arena_printf(l->arena, "SELECT 1 FROM %s LIMIT 1", table), &st);
    if (rc != DD_OK)
        return db_failed(l, rc, "looking into the register");
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    *empty = rc == DD_DB_DONE;
    return rc < 0 ? db_failed(l, rc, "looking into the register") : DD_OK;
}

/* Drops the secondary indexes of `table` (not those behind a constraint), keeping their
 * definitions to build them again before commit: building an index once costs a sort, growing it
 * row by row a B-tree insert per row, most of them at random places. */
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
        return db_failed(l, rc, "listing indexes");
    dd_stmt_bind_text(st, 1, table);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && l->nindexes < DD_PL_MAX_INDEXES) {
        const char *name = dd_stmt_text(st, 0), *def = dd_stmt_text(st, 1);
        if (!plain_name(name) || def == NULL)
            continue;
        names[l->nindexes] = dd_arena_strdup(l->arena, name);
        l->index_sql[l->nindexes++] = dd_arena_strdup(l->arena, def);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return db_failed(l, rc, "listing indexes");
    for (int i = first; i < l->nindexes; i++) {
        rc = dd_db_exec(l->db, dd_arena_printf(l->arena, "DROP INDEX %s", names[i]));
        if (rc != DD_OK)
            return db_failed(l, rc, "dropping an index for the load");
    }
    return DD_OK;
}

static int
rebuild_indexes(struct dd_people_load *l)
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
        return db_failed(l, rc, "preparing to build indexes");
    for (int i = 0; i < l->nindexes; i++) {
        rc = dd_db_exec(l->db, l->index_sql[i]);
        if (rc != DD_OK)
            return db_failed(l, rc, "building an index");
        step_done(l, l->index_sql[i]);
    }
    return DD_OK;
}

/* --- SQLite settings for the load --- */

/* The text of the first column of a one-row query, or "" (errors are not reported). */
static void
quiet_text(struct dd_people_load *l, const char *sql, char *out, size_t outlen)
{
    struct dd_stmt *st;
    out[0] = '\0';
    if (dd_db_prepare(l->db, sql, &st) != DD_OK)
        return;
    if (dd_stmt_step(st) == DD_DB_ROW && dd_stmt_text(st, 0))
        dd_strlcpy(out, dd_stmt_text(st, 0), outlen);
    dd_stmt_reset(st);
}

/* When no other connection has the database open, the load takes it for itself: a rollback
 * journal instead of the WAL, and the file locked until the load ends. A transaction is as
 * atomic with a rollback journal as with the WAL (a crash leaves a journal that the next opener
 * plays back), and synchronous stays FULL; but the pages of a large load are then written once,
 * into the database, instead of into the WAL and again into the database at the checkpoint.
 * Leaving WAL mode needs exclusive access, so the attempt fails at once (busy timeout 0) when a
 * server or another command has the database open: the load then keeps the WAL and lets readers
 * go on. WAL mode comes back at the end of the load (or when the database is next opened). */
static void
sqlite_take_alone(struct dd_people_load *l)
{
    char timeout[32], mode[16], sql[64];
    quiet_text(l, "PRAGMA busy_timeout", timeout, sizeof timeout);
    dd_db_exec(l->db, "PRAGMA busy_timeout = 0");
    quiet_text(l, "PRAGMA journal_mode = DELETE", mode, sizeof mode);
    if (strcmp(mode, "delete") == 0)
        l->alone = dd_db_exec(l->db, "PRAGMA locking_mode = EXCLUSIVE") == DD_OK;
    int64_t ms = 0;
    if (dd_parse_int64(timeout, 0, INT32_MAX, &ms) == DD_OK) {
        snprintf(sql, sizeof sql, "PRAGMA busy_timeout = %lld", (long long)ms);
        dd_db_exec(l->db, sql);
    }
}

static void
sqlite_give_back(struct dd_people_load *l)
{
    if (!l->alone)
        return;
    l->alone = false;
    char mode[16];
    dd_db_exec(l->db, "PRAGMA locking_mode = NORMAL");
    quiet_text(l, "PRAGMA journal_mode = WAL", mode, sizeof mode);
    if (strcmp(mode, "wal") != 0)
        dd_log(DD_LOG_WARN, "import.journal",
               "the database stays in rollback-journal mode until it is next opened");
}

/* A page cache big enough to hold the indexes that grow row by row (the ID numbers of people
 * and of history entries), so that their inserts never wait for a read; the tables' new pages
 * go out to the file as the cache fills, while the rows are still coming. A helper thread for
 * the sorts of the index builds. synchronous stays FULL: a lower setting would only spare fsyncs
 * at commit, which is exactly where durability is decided. */
static int
sqlite_tune(struct dd_people_load *l)
{
    int64_t kib = 0;
    int rc = query_int(l, "PRAGMA cache_size", &kib);
    l->saved_cache_size = (long)kib;
    l->tuned = rc == DD_OK;
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%ld; PRAGMA threads = 2", SQLITE_CACHE_KIB);
    if (rc == DD_OK)
        rc = dd_db_exec(l->db, sql);
    if (rc == DD_OK)
        sqlite_take_alone(l);
    return rc == DD_OK ? DD_OK : db_failed(l, rc, "setting up SQLite for the load");
}

static void
sqlite_untune(struct dd_people_load *l)
{
    sqlite_give_back(l);
    if (!l->tuned)
        return;
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %ld; PRAGMA threads = 0", l->saved_cache_size);
    dd_db_exec(l->db, sql);
}

/* --- begin --- */

static const char *
opt_or(struct dd_arena *a, const char *v, const char *fallback)
{
    return dd_arena_strdup(a, v && v[0] ? v : fallback);
}

static int
prepare_tables(struct dd_people_load *l)
{
    int rc = DD_OK;
    if (l->kind == DD_DB_POSTGRES)
        rc = dd_db_exec(l->db, "LOCK TABLE people, households, person_history, residences "
                               "IN EXCLUSIVE MODE");
    if (rc != DD_OK)
        return db_failed(l, rc, "locking the register's tables");
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
        rc = l->kind == DD_DB_SQLITE ? dd_pl_sqlite_open(l) : dd_pl_pg_open(l);
    if (rc != DD_OK && l->res.message[0] == '\0')
        snprintf(l->res.message, sizeof l->res.message, "%s", l->write_msg);
    return rc;
}

static void
release(struct dd_people_load *l)
{
    dd_pl_queue_stop(l);
    if (l->writer_state)
        l->kind == DD_DB_SQLITE ? dd_pl_sqlite_close(l) : dd_pl_pg_close(l);
    if (dd_db_in_transaction(l->db))
        dd_db_rollback(l->db);
    if (l->kind == DD_DB_SQLITE)
        sqlite_untune(l);
    dd_idset_free(&l->ids);
    dd_pl_households_free(&l->households);
    free(l->links);
    free(l->communes);
    dd_buf_release(&l->json);
    dd_arena_free(l->scratch);
    dd_arena_free(l->arena);
    free(l);
}

int
dd_people_load_begin(struct dd_db *db, const struct dd_people_load_options *opt,
                     struct dd_people_load **out, char *err, size_t errlen)
{
    *out = NULL;
    if (opt == NULL || opt->source == NULL || opt->source[0] == '\0') {
        snprintf(err, errlen, "a load needs the name of its source");
        return DD_EINVAL;
    }
    if (dd_db_in_transaction(db)) {
        snprintf(err, errlen, "a load needs a connection without an open transaction");
        return DD_EINVAL;
    }
    struct dd_people_load *l = dd_xcalloc(1, sizeof *l);
    l->db = db;
    l->kind = dd_db_kind(db);
    l->arena = dd_arena_new(0);
    l->scratch = dd_arena_new(0);
    l->opt = *opt;
    l->opt.source = dd_arena_strdup(l->arena, opt->source);
    l->opt.actor = opt_or(l->arena, opt->actor, "import");
    l->opt.kind = opt_or(l->arena, opt->kind, "imported");
    l->opt.audit_actor = opt_or(l->arena, opt->audit_actor, l->opt.actor);
    l->batch_rows = opt->batch_rows > 0 && opt->batch_rows < DD_PL_BATCH_ROWS ? opt->batch_rows
                                                                              : DD_PL_BATCH_ROWS;
    dd_clock_iso8601(dd_clock_now_ms(), l->now);
    l->now_len = (uint32_t)strlen(l->now);
    dd_strlcpy(l->since, opt->since && opt->since[0] ? opt->since : l->now, 11);
    l->step_ns = dd_clock_mono_ns();
    l->step_cpu_ms = process_cpu_ms();
    atomic_init(&l->write_rc, DD_OK);
    atomic_init(&l->stop_writing, false);
    dd_pl_households_init(&l->households);
    dd_buf_init(&l->json, NULL, 256 * 1024);

    int rc = dd_units_ensure_loaded(db, NULL, l->res.message, sizeof l->res.message);
    if (rc == DD_OK && l->kind == DD_DB_SQLITE)
        rc = sqlite_tune(l);
    if (rc == DD_OK) {
        rc = dd_db_begin(db);
        if (rc != DD_OK)
            db_failed(l, rc, "starting the transaction");
    }
    if (rc == DD_OK)
        rc = prepare_tables(l);
    if (rc != DD_OK) {
        snprintf(err, errlen, "%s", l->res.message);
        release(l);
        return rc;
    }
    step_done(l, "reading the register");
    dd_pl_queue_start(l);
    *out = l;
    return DD_OK;
}

/* --- checking a row --- */

static bool
is_head(const char *relation)
{
    return strcmp(relation, "Chủ hộ") == 0 || strcmp(relation, "chủ hộ") == 0 ||
           strcmp(relation, "CHỦ HỘ") == 0;
}

static void
check_id(struct dd_people_load *l, const struct dd_person *p, long line,
         struct dd_person_check *chk)
{
    uint64_t key = dd_idset_key(p->id_number);
    if (key == 0)
        return; /* dd_person_check said why */
    long first = dd_idset_add(&l->ids, key, line);
    if (first == DD_IDSET_REGISTER) {
        add_issue(chk, "id_number", "id-exists", false, "Số định danh này đã có trong sổ dân cư.",
                  "This ID number is already in the register.");
    } else if (first > 0) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Số định danh này đã có ở dòng %ld.", first);
        snprintf(en, sizeof en, "This ID number is already on line %ld.", first);
        add_issue(chk, "id_number", "id-duplicate", false, vi, en);
    }
}

/* Links to people not seen yet are kept, to be looked for again at the end. */
static void
note_links(struct dd_people_load *l, const struct dd_person *p, long line)
{
    static const int fields[] = {DD_PL_FIELD(father_id), DD_PL_FIELD(mother_id),
                                 DD_PL_FIELD(spouse_id)};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        uint64_t key = dd_idset_key(dd_person_get(p, fields[i]));
        if (key == 0 || dd_idset_has(&l->ids, key))
            continue;
        if (l->nlinks == l->links_cap) {
            l->links_cap = l->links_cap ? l->links_cap * 2 : 4096;
            l->links = dd_xrealloc(l->links, l->links_cap * sizeof *l->links);
        }
        l->links[l->nlinks++] = (struct dd_pl_link){key, (int32_t)line, (uint8_t)fields[i]};
    }
}

/* Both residences must be in communes in force; malformed codes are dd_person_check's. */
static void
check_places(struct dd_people_load *l, const struct dd_person *p, struct dd_person_check *chk)
{
    const struct {
        const char *field, *province, *commune;
    } places[] = {{"permanent_commune", p->permanent_province, p->permanent_commune},
                  {"temporary_commune", p->temporary_province, p->temporary_commune}};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        long bit = commune_bit(places[i].province, places[i].commune);
        if (bit < 0 || commune_in_force(l, bit))
            continue; /* absent or malformed (dd_person_check tells), or in force */
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Tỉnh %s không có xã/phường mã %s đang có hiệu lực.",
                 places[i].province, places[i].commune);
        snprintf(en, sizeof en, "Province %s has no commune %s in force today.", places[i].province,
                 places[i].commune);
        add_issue(chk, places[i].field, "commune-unknown", false, vi, en);
    }
}

/* The household a row belongs to (its id; 0 for none), created at its first member. */
static int64_t
check_household(struct dd_people_load *l, const struct dd_person *p, long line,
                struct dd_person_check *chk)
{
    if (p->household_number[0] == '\0')
        return 0;
    if (p->permanent_commune[0] == '\0') {
        add_issue(chk, "household_number", "household-place-missing", false,
                  "Thành viên của hộ cần có nơi thường trú (mã tỉnh và mã xã).",
                  "A member of a household needs a permanent residence (province and commune).");
        return 0;
    }
    struct dd_pl_household *h = dd_pl_households_find(&l->households, p->household_number);
    if (h == NULL) {
        h = dd_pl_households_add(&l->households, p->household_number);
        h->id = ++l->next_household_id;
        dd_strlcpy(h->province, p->permanent_province, sizeof h->province);
        dd_strlcpy(h->commune, p->permanent_commune, sizeof h->commune);
        h->address = dd_pl_households_strdup(&l->households, p->permanent_address);
        h->first_line = line;
    } else if (h->closed) {
        add_issue(chk, "household_number", "household-closed", false,
                  "Hộ này đã đóng trong sổ dân cư.", "This household is closed in the register.");
        return 0;
    } else if (strcmp(h->province, p->permanent_province) != 0 ||
               strcmp(h->commune, p->permanent_commune) != 0) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Hộ này thường trú tại xã %s (tỉnh %s); thành viên phải cùng nơi.",
                 h->commune, h->province);
        snprintf(en, sizeof en,
                 "This household lives in commune %s (province %s); its members must too.",
                 h->commune, h->province);
        add_issue(chk, "permanent_commune", "household-place-mismatch", false, vi, en);
        return 0;
    }
    if (is_head(p->relation_to_head)) {
        if (h->head[0] != '\0') {
            add_issue(chk, "relation_to_head", "household-head-twice", false,
                      "Hộ này đã có chủ hộ.", "This household already has a head.");
            return 0;
        }
        dd_strlcpy(h->head, p->id_number, sizeof h->head);
        if (h->in_register)
            h->head_added = true;
        else
            h->address = dd_pl_households_strdup(&l->households, p->permanent_address);
    }
    return h->id;
}

/* --- queueing a row --- */

static void
history_json(struct dd_buf *b, const struct dd_person *p)
{
    dd_buf_putc(b, '{');
    bool first = true;
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        const char *v = dd_person_get(p, i);
        if (v[0] == '\0')
            continue;
        dd_buf_puts(b, first ? "\"" : ",\"");
        dd_buf_puts(b, dd_person_fields[i].name);
        dd_buf_puts(b, "\":{\"from\":null,\"to\":\"");
        dd_buf_json_escape(b, v);
        dd_buf_puts(b, "\"}");
        first = false;
    }
    dd_buf_putc(b, '}');
}

/* Copies a field into the batch, measuring it once for the writer. */
static void
keep(struct dd_pl_batch *b, struct dd_pl_row *r, int field, const char *v)
{
    size_t n = strlen(v);
    dd_person_set(&r->p, field, dd_arena_strndup(b->arena, v, n));
    r->len[field] = (uint32_t)n;
}

static void
queue_row(struct dd_people_load *l, const struct dd_person *p, int64_t household_id)
{
    struct dd_pl_batch *b = l->current;
    struct dd_pl_row *r = &b->rows[b->count++];
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        keep(b, r, i, dd_person_get(p, i));
    if (r->p.status[0] == '\0')
        keep(b, r, DD_PL_FIELD(status), "alive");
    if (r->p.nationality[0] == '\0')
        keep(b, r, DD_PL_FIELD(nationality), "VN");
    dd_person_name_keys(b->arena, r->p.full_name, &r->name_folded, &r->given_folded);
    r->name_len = (uint32_t)strlen(r->name_folded);
    r->given_len = (uint32_t)strlen(r->given_folded);
    int year = dd_partial_date_year(r->p.birth_date);
    r->birth_year = year > 0 ? year : 0;
    r->household_id = household_id;
    l->json.len = 0;
    history_json(&l->json, &r->p);
    r->changes = dd_arena_strndup(b->arena, l->json.data, l->json.len);
    r->changes_len = (uint32_t)l->json.len;
    if (b->count == l->batch_rows)
        dd_pl_queue_submit(l);
}

int
dd_people_load_add(struct dd_people_load *l, const struct dd_person *in, long line)
{
    int rc = atomic_load(&l->write_rc);
    if (rc != DD_OK)
        return rc;
    l->res.rows++;
    struct dd_person p = *in;
    dd_person_fill_empty(&p);
    struct dd_person_check chk;
    dd_person_check(&p, &chk);
    check_id(l, &p, line, &chk);
    check_places(l, &p, &chk);
    int64_t household_id = chk.errors == 0 ? check_household(l, &p, line, &chk) : 0;
    note_links(l, &p, line);
    for (int i = 0; i < chk.count; i++)
        report(l, line, p.id_number, &chk.issues[i]);
    if (chk.errors > 0) {
        l->res.bad_rows++;
        l->rows_failed = true;
        atomic_store(&l->stop_writing, true);
        return DD_OK;
    }
    if (!l->rows_failed)
        queue_row(l, &p, household_id);
    return DD_OK;
}

void
dd_people_load_reject(struct dd_people_load *l, long line, const struct dd_person_issue *issue)
{
    struct dd_person_issue copy = *issue;
    copy.warning = false;
    l->res.rows++;
    l->res.bad_rows++;
    l->rows_failed = true;
    atomic_store(&l->stop_writing, true);
    report(l, line, "", &copy);
}

/* --- finishing --- */

static void
check_links(struct dd_people_load *l)
{
    for (size_t i = 0; i < l->nlinks; i++) {
        const struct dd_pl_link *k = &l->links[i];
        if (dd_idset_has(&l->ids, k->key))
            continue;
        report_one(l, k->line, "", dd_person_fields[k->field].name, "link-unknown", true,
                   "Không có người mang số định danh này trong sổ dân cư hay trong tệp.",
                   "Nobody with this ID number is in the register or among the rows.");
    }
}

static void
check_heads(struct dd_people_load *l)
{
    for (size_t i = 0; i < l->households.count; i++) {
        const struct dd_pl_household *h = &l->households.items[i];
        if (h->in_register || h->head[0] != '\0')
            continue;
        report_one(l, h->first_line, "", "household_number", "household-no-head", true,
                   "Hộ này chưa có chủ hộ (quan hệ \"Chủ hộ\").",
                   "This household has no head (relation \"Chủ hộ\").");
    }
}

static int
write_households(struct dd_people_load *l)
{
    int rc = l->kind == DD_DB_SQLITE ? dd_pl_sqlite_households(l) : dd_pl_pg_households(l);
    if (rc != DD_OK)
        snprintf(l->res.message, sizeof l->res.message, "%s", l->write_msg);
    return rc;
}

static int64_t
households_created(const struct dd_people_load *l)
{
    int64_t n = 0;
    for (size_t i = 0; i < l->households.count; i++)
        n += !l->households.items[i].in_register;
    return n;
}

static const char *
counts_json(struct dd_people_load *l)
{
    struct dd_buf b;
    dd_buf_init(&b, l->arena, 8192);
    dd_buf_puts(&b, "{\"source\":\"");
    dd_buf_json_escape(&b, l->opt.source);
    dd_buf_printf(&b, "\",\"people\":%lld,\"households\":%lld,\"warnings\":%lld}",
                  (long long)l->res.stored, (long long)l->res.households,
                  (long long)l->res.warnings);
    return b.data;
}

static int
record(struct dd_people_load *l)
{
    const char *detail = counts_json(l);
    int rc = dd_event_emit(l->db, "register.imported", NULL, detail);
    if (rc != DD_OK)
        return db_failed(l, rc, "emitting register.imported");
    struct dd_audit_entry e = {
        .actor = l->opt.audit_actor,
        .action = "register.import",
        .object = l->opt.source,
        .detail = detail,
    };
    rc = dd_audit_append(l->db, &e);
    return rc == DD_OK ? DD_OK : db_failed(l, rc, "appending the audit row");
}

static int
commit(struct dd_people_load *l)
{
    l->res.stored = l->written;
    l->res.households = households_created(l);
    int rc = write_households(l);
    step_done(l, "writing households");
    if (rc == DD_OK)
        rc = rebuild_indexes(l);
    step_done(l, "building indexes");
    if (rc == DD_OK)
        rc = record(l);
    if (rc != DD_OK)
        return rc;
    if (l->opt.on_phase)
        l->opt.on_phase(l->opt.arg, "committing");
    rc = dd_db_commit(l->db);
    step_done(l, "committing");
    if (rc != DD_OK)
        return db_failed(l, rc, "committing");
    l->res.committed = true;
    if (l->kind == DD_DB_SQLITE && !l->alone) {
        dd_db_exec(l->db, "PRAGMA wal_checkpoint(TRUNCATE)"); /* best effort: shrink the WAL */
        step_done(l, "checkpoint");
    }
    return DD_OK;
}

int
dd_people_load_finish(struct dd_people_load *l, struct dd_people_load_result *res)
{
    dd_pl_queue_stop(l);
    step_done(l, "checking and writing the rows");
    dd_log(DD_LOG_DEBUG, "import.step", "CPU used: checking %.3f s, writing %.3f s",
           (double)l->checker_cpu_ms / 1000, (double)l->writer_cpu_ms / 1000);
    check_links(l);
    check_heads(l);
    int rc = atomic_load(&l->write_rc);
    if (rc != DD_OK)
        snprintf(l->res.message, sizeof l->res.message, "%s", l->write_msg);
    else if (l->rows_failed)
        rc = DD_EINVAL;
    else
        rc = commit(l);
    if (!l->res.committed) {
        l->res.stored = 0;
        l->res.households = 0;
    }
    *res = l->res;
    release(l);
    return rc;
}

void
dd_people_load_abort(struct dd_people_load *l)
{
    if (l != NULL)
        release(l);
}

int
dd_pl_write_failed(struct dd_people_load *l, int rc, const char *what)
{
    snprintf(l->write_msg, sizeof l->write_msg, "%s: %s", what, dd_db_errmsg(l->db));
    return rc;
}
