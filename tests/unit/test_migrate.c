/*
 * test_migrate.c — the migration runner on SQLite and PostgreSQL: order, idempotence, refusing
 * changed or unknown migrations, rollback of a failing one, backend variants, the status report,
 * concurrent runners, and the migrations shipped in the binary.
 */
#include "db_fixture.h"

#include "crypto/hash.h"

#include <pthread.h>

#define A_SQL   "CREATE TABLE a (x INTEGER NOT NULL); INSERT INTO a (x) VALUES (1);"
#define B_SQL   "CREATE TABLE b (y TEXT); INSERT INTO b (y) VALUES ('?; not a placeholder');"
#define C_SQL   "ALTER TABLE a ADD COLUMN z INTEGER;"
#define BAD_SQL "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);"

struct progress_log {
    char names[8][64];
    int count;
};

static void
on_progress(const struct dd_migration *m, int64_t elapsed_ms, void *arg)
{
    struct progress_log *log = arg;
    assert_true(elapsed_ms >= 0);
    if (log->count < 8)
        snprintf(log->names[log->count], sizeof log->names[0], "%s", m->name);
    log->count++;
}

/* Builds a list for the fixture's backend and runs it; returns the runner's result. */
static int
run(struct dbfx *fx, struct dd_db *db, const struct dd_migration_file *files, size_t n,
    struct progress_log *log, char *err, size_t errlen)
{
    struct dd_migration_list list;
    int rc = dd_migration_list_build(&list, fx->kind, files, n, err, errlen);
    assert_int_equal(rc, DD_OK);
    rc = dd_migrate(db, &list, on_progress, log, err, errlen);
    dd_migration_list_free(&list);
    return rc;
}

static bool
table_exists(struct dbfx *fx, const char *name)
{
    char sql[256];
    if (fx->kind == DD_DB_SQLITE)
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", name);
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND "
                 "tablename = '%s'",
                 name);
    return dbfx_int(fx->db, sql) == 1;
}

static void
test_applies_in_order(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    const struct dd_migration_file files[] = {
        {"migrations/0003_c.sql", C_SQL},
        {"migrations/0001_a.sql", A_SQL},
        {"migrations/0002_b.sql", B_SQL},
        {"migrations/README.md", "not a migration"},
    };
    struct progress_log log = {0};
    char err[512] = "";
    assert_int_equal(run(fx, fx->db, files, 4, &log, err, sizeof err), DD_OK);
    assert_int_equal(log.count, 3);
    assert_string_equal(log.names[0], "0001_a");
    assert_string_equal(log.names[1], "0002_b");
    assert_string_equal(log.names[2], "0003_c"); /* would fail before 0001 created table a */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM schema_migrations"), 3);
    assert_int_equal(dbfx_int(fx->db, "SELECT max(version) FROM schema_migrations"), 3);

    char sum[65], want[65], name[64], at[64];
    dbfx_text(fx->db, "SELECT checksum FROM schema_migrations WHERE version = 1", sum, sizeof sum);
    dd_sha256_hex(A_SQL, strlen(A_SQL), want);
    assert_string_equal(sum, want);
    dbfx_text(fx->db, "SELECT name FROM schema_migrations WHERE version = 2", name, sizeof name);
    assert_string_equal(name, "0002_b");
    dbfx_text(fx->db, "SELECT applied_at FROM schema_migrations WHERE version = 3", at, sizeof at);
    assert_int_equal(strlen(at), 24);
    assert_int_equal(at[23], 'Z');

    /* A second run finds nothing to do. */
    log.count = 0;
    assert_int_equal(run(fx, fx->db, files, 4, &log, err, sizeof err), DD_OK);
    assert_int_equal(log.count, 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM schema_migrations"), 3);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM a"), 1);
}

/* A migration edited after it ran stops the runner before anything newer is applied. */
static void
test_changed_migration_refused(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct progress_log log = {0};
    char err[512] = "";
    const struct dd_migration_file first[] = {{"0001_a.sql", A_SQL}};
    assert_int_equal(run(fx, fx->db, first, 1, &log, err, sizeof err), DD_OK);

    const struct dd_migration_file edited[] = {
        {"0001_a.sql", A_SQL " -- edited"},
        {"0002_b.sql", B_SQL},
    };
    log.count = 0;
    assert_int_equal(run(fx, fx->db, edited, 2, &log, err, sizeof err), DD_ECHECKSUM);
    assert_non_null(strstr(err, "migration 0001_a was changed after it was applied: checksum "));
    char old_sum[65], new_sum[65];
    dd_sha256_hex(A_SQL, strlen(A_SQL), old_sum);
    dd_sha256_hex(A_SQL " -- edited", strlen(A_SQL " -- edited"), new_sum);
    char expect[300];
    snprintf(expect, sizeof expect, "checksum %s in the database, %s in this build", old_sum,
             new_sum);
    assert_non_null(strstr(err, expect));
    assert_int_equal(log.count, 0);
    assert_false(table_exists(fx, "b"));
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM schema_migrations"), 1);
}

/* A database migrated by a newer build is left alone. */
static void
test_unknown_version_refused(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct progress_log log = {0};
    char err[512] = "";
    const struct dd_migration_file newer[] = {{"0001_a.sql", A_SQL}, {"0002_b.sql", B_SQL}};
    assert_int_equal(run(fx, fx->db, newer, 2, &log, err, sizeof err), DD_OK);
    const struct dd_migration_file older[] = {{"0001_a.sql", A_SQL}};
    assert_int_equal(run(fx, fx->db, older, 1, &log, err, sizeof err), DD_ECONFLICT);
    assert_non_null(strstr(err, "0002_b"));
    assert_non_null(strstr(err, "newer dinhdanh"));
}

/* A new migration numbered below one already applied is refused rather than run out of order. */
static void
test_out_of_order_refused(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct progress_log log = {0};
    char err[512] = "";
    const struct dd_migration_file first[] = {{"0001_a.sql", A_SQL}, {"0003_c.sql", C_SQL}};
    assert_int_equal(run(fx, fx->db, first, 2, &log, err, sizeof err), DD_OK);
    const struct dd_migration_file later[] = {
        {"0001_a.sql", A_SQL}, {"0002_b.sql", B_SQL}, {"0003_c.sql", C_SQL}};
    assert_int_equal(run(fx, fx->db, later, 3, &log, err, sizeof err), DD_ECONFLICT);
    assert_non_null(strstr(err, "0002_b is older than 0003_c"));
    assert_false(table_exists(fx, "b"));
}

/* A failing migration leaves nothing behind and is not recorded; those before it stay. */
static void
test_failing_migration_rolls_back(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct progress_log log = {0};
    char err[512] = "";
    const struct dd_migration_file files[] = {
        {"0001_a.sql", A_SQL},
        {"0002_bad.sql", BAD_SQL},
        {"0003_c.sql", C_SQL},
    };
    int rc = run(fx, fx->db, files, 3, &log, err, sizeof err);
    assert_int_equal(rc, DD_EDB);
    assert_non_null(strstr(err, "migration 0002_bad failed: "));
    assert_non_null(strstr(err, "no_such_table"));
    assert_int_equal(log.count, 1);
    assert_false(dd_db_in_transaction(fx->db));
    assert_true(table_exists(fx, "a"));
    assert_false(table_exists(fx, "half"));
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM schema_migrations"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM schema_migrations WHERE version = 2"),
                     0);
}

/* A backend's own file replaces the common one for that backend only. */
static void
test_backend_variants(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    const struct dd_migration_file files[] = {
        {"0001_v.sql", "CREATE TABLE common_t (x INTEGER);"},
        {"0001_v.sqlite.sql", "CREATE TABLE lite_t (x INTEGER);"},
        {"0001_v.pg.sql", "CREATE TABLE pg_t (x BIGINT);"},
        {"0002_w.sql", "CREATE TABLE w (x INTEGER);"},
        {"0003_only.sqlite.sql", "CREATE TABLE only_lite (x INTEGER);"},
        {"0003_only.pg.sql", "CREATE TABLE only_pg (x INTEGER);"},
    };
    struct progress_log log = {0};
    char err[512] = "";
    assert_int_equal(run(fx, fx->db, files, 6, &log, err, sizeof err), DD_OK);
    bool sqlite = fx->kind == DD_DB_SQLITE;
    assert_false(table_exists(fx, "common_t"));
    assert_true(table_exists(fx, "lite_t") == sqlite);
    assert_true(table_exists(fx, "pg_t") == !sqlite);
    assert_true(table_exists(fx, "w"));
    assert_true(table_exists(fx, "only_lite") == sqlite);
    assert_true(table_exists(fx, "only_pg") == !sqlite);
}

static void
build_fails(enum dd_db_kind kind, const struct dd_migration_file *files, size_t n, const char *why)
{
    struct dd_migration_list list;
    char err[512] = "";
    assert_int_equal(dd_migration_list_build(&list, kind, files, n, err, sizeof err), DD_EINVAL);
    if (strstr(err, why) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", why, err);
}

/* Badly named or inconsistent files are refused before anything runs. */
static void
test_bad_lists(void **state)
{
    (void)state;
    const struct dd_migration_file bad_name[] = {{"migrations/1-core.sql", "SELECT 1;"}};
    build_fails(DD_DB_SQLITE, bad_name, 1, "not a migration name");
    const struct dd_migration_file upper[] = {{"0001_Core.sql", "SELECT 1;"}};
    build_fails(DD_DB_SQLITE, upper, 1, "not a migration name");
    const struct dd_migration_file no_name[] = {{"0001_.sql", "SELECT 1;"}};
    build_fails(DD_DB_SQLITE, no_name, 1, "not a migration name");
    const struct dd_migration_file same_version[] = {{"0001_a.sql", "SELECT 1;"},
                                                     {"0001_b.sql", "SELECT 1;"}};
    build_fails(DD_DB_POSTGRES, same_version, 2, "same version");
    const struct dd_migration_file twice[] = {{"x/0001_a.sql", "SELECT 1;"},
                                              {"y/0001_a.sql", "SELECT 2;"}};
    build_fails(DD_DB_SQLITE, twice, 2, "given twice");
    const struct dd_migration_file pg_only[] = {{"0001_a.pg.sql", "SELECT 1;"}};
    build_fails(DD_DB_SQLITE, pg_only, 1, "no text for SQLite");

    struct dd_migration_list list;
    char err[256] = "";
    assert_int_equal(dd_migration_list_build(&list, DD_DB_POSTGRES, pg_only, 1, err, sizeof err),
                     DD_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(list.items[0].version, 1);
    assert_string_equal(list.items[0].name, "0001_a");
    dd_migration_list_free(&list);
}

static const struct dd_migration_status *
status_of(const struct dd_migration_status *s, size_t n, int version)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].version == version)
            return &s[i];
    fail_msg("no status for version %d", version);
    return NULL;
}

static void
test_status(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    const struct dd_migration_file files[] = {{"0001_a.sql", A_SQL}, {"0002_b.sql", B_SQL}};
    struct dd_migration_list list;
    char err[512] = "";
    assert_int_equal(dd_migration_list_build(&list, fx->kind, files, 2, err, sizeof err), DD_OK);

    /* Never migrated: all pending, and nothing is created by asking. */
    struct dd_migration_status *s = NULL;
    size_t n = 0;
    assert_int_equal(dd_migrate_status(fx->db, &list, &s, &n, err, sizeof err), DD_OK);
    assert_int_equal(n, 2);
    assert_false(s[0].applied);
    assert_false(s[1].applied);
    assert_string_equal(s[0].applied_at, "");
    free(s);
    assert_false(table_exists(fx, "schema_migrations"));

    /* 0001 applied, 0002 pending; then 0001 edited and an unknown 0005 recorded. */
    const struct dd_migration_file first[] = {{"0001_a.sql", A_SQL}};
    struct progress_log log = {0};
    assert_int_equal(run(fx, fx->db, first, 1, &log, err, sizeof err), DD_OK);
    assert_int_equal(dd_migrate_status(fx->db, &list, &s, &n, err, sizeof err), DD_OK);
    assert_int_equal(n, 2);
    assert_true(s[0].applied);
    assert_false(s[0].changed);
    assert_int_equal(strlen(s[0].applied_at), 24);
    assert_string_equal(s[1].name, "0002_b");
    assert_false(s[1].applied);
    free(s);
    dd_migration_list_free(&list);

    dbfx_exec(fx->db, "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                      "VALUES (5, '0005_future', 'x', '2030-01-01T00:00:00.000Z')");
    const struct dd_migration_file edited[] = {{"0001_a.sql", A_SQL "\n"}, {"0002_b.sql", B_SQL}};
    assert_int_equal(dd_migration_list_build(&list, fx->kind, edited, 2, err, sizeof err), DD_OK);
    assert_int_equal(dd_migrate_status(fx->db, &list, &s, &n, err, sizeof err), DD_OK);
    assert_int_equal(n, 3);
    assert_true(status_of(s, n, 1)->changed);
    assert_false(status_of(s, n, 2)->applied);
    const struct dd_migration_status *future = status_of(s, n, 5);
    assert_true(future->unknown);
    assert_true(future->applied);
    assert_string_equal(future->name, "0005_future");
    assert_int_equal(s[2].version, 5); /* in version order */
    free(s);
    dd_migration_list_free(&list);
}

struct runner {
    struct dbfx *fx;
    const struct dd_migration_list *list;
    struct progress_log log;
    int rc;
    char err[512];
};

static void *
run_concurrently(void *arg)
{
    struct runner *r = arg;
    struct dd_db_options opt = {.timeout_ms = 10000};
    struct dd_db *db = NULL;
    r->rc = dd_db_open(r->fx->url, &opt, &db, r->err, sizeof r->err);
    if (r->rc == DD_OK)
        r->rc = dd_migrate(db, r->list, on_progress, &r->log, r->err, sizeof r->err);
    dd_db_close(db);
    return NULL;
}

/* Runners started together apply each migration exactly once between them. */
static void
test_concurrent_runners(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    const struct dd_migration_file files[] = {
        {"0001_a.sql", A_SQL}, {"0002_b.sql", B_SQL}, {"0003_c.sql", C_SQL}};
    struct dd_migration_list list;
    char err[512] = "";
    assert_int_equal(dd_migration_list_build(&list, fx->kind, files, 3, err, sizeof err), DD_OK);
    struct runner r[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].fx = fx;
        r[i].list = &list;
        assert_int_equal(pthread_create(&t[i], NULL, run_concurrently, &r[i]), 0);
    }
    int applied = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        if (r[i].rc != DD_OK)
            fail_msg("runner %d: %s", i, r[i].err);
        applied += r[i].log.count;
    }
    assert_int_equal(applied, 3);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM schema_migrations"), 3);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM a"), 1);
    dd_migration_list_free(&list);
}

/* The migrations built into the binary apply on both backends and create the core tables. */
static void
test_embedded_migrations(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_migration_list list;
    char err[512] = "";
    assert_int_equal(dd_migration_list_embedded(&list, fx->kind, err, sizeof err), DD_OK);
    assert_true(list.count >= 1);
    assert_string_equal(list.items[0].name, "0001_core");
    dd_migration_list_free(&list);

    struct progress_log log = {0};
    assert_int_equal(dd_migrate_embedded(fx->db, on_progress, &log, err, sizeof err), DD_OK);
    assert_string_equal(log.names[0], "0001_core");
    const char *tables[] = {"schema_migrations", "audit_log",       "audit_head", "events",
                            "event_cursors",     "security_reports"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (!table_exists(fx, tables[i]))
            fail_msg("table %s is missing", tables[i]);
    assert_int_equal(dbfx_int(fx->db, "SELECT seq FROM audit_head WHERE id = 1"), 0);

    /* security_reports hands out ids by itself. */
    dbfx_exec(fx->db, "INSERT INTO security_reports (received_at, document_uri, "
                      "violated_directive, blocked_uri, raw, request_id) VALUES "
                      "('2025-07-01T16:05:00.123Z', 'https://x/', 'script-src', 'inline', '{}', "
                      "'r1'), ('2025-07-01T16:05:01.000Z', 'https://x/', 'img-src', "
                      "'https://evil/', '{}', 'r2')");
    assert_int_equal(dbfx_int(fx->db, "SELECT max(id) FROM security_reports"), 2);

    log.count = 0;
    assert_int_equal(dd_migrate_embedded(fx->db, on_progress, &log, err, sizeof err), DD_OK);
    assert_int_equal(log.count, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_lists),        DB_TEST(test_applies_in_order),
        DB_TEST(test_changed_migration_refused), DB_TEST(test_unknown_version_refused),
        DB_TEST(test_out_of_order_refused),      DB_TEST(test_failing_migration_rolls_back),
        DB_TEST(test_backend_variants),          DB_TEST(test_status),
        DB_TEST(test_concurrent_runners),        DB_TEST(test_embedded_migrations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
