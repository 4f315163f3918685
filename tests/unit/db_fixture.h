/*
 * db_fixture.h — runs each database test twice: on SQLite (a fresh file in a new folder under
 * /tmp) and on PostgreSQL when DD_TEST_PG_URL names a database the tests may write to. Each
 * PostgreSQL test gets a schema of its own (dd_unit_<pid>, dropped and created again), reached
 * through the URL's search_path so that every connection a test opens lands in it. Without
 * DD_TEST_PG_URL the PostgreSQL runs are reported as skipped.
 *
 * Included by the unit tests of store/ and core/; everything here is static.
 */
#ifndef DD_TESTS_DB_FIXTURE_H
#define DD_TESTS_DB_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"
#include "store/migrate.h"
#include "store/store.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DBFX_UNUSED __attribute__((unused))

struct dbfx {
    enum dd_db_kind kind;
    bool skip;
    char dir[64];     /* SQLite: the temporary folder */
    char url[1200];   /* what dd_db_open takes */
    char admin[1024]; /* PostgreSQL: DD_TEST_PG_URL itself */
    char schema[64];  /* PostgreSQL: this test's schema */
    struct dd_db *db;
};

/* Opens another connection to the test's database; fails the test if it cannot. */
DBFX_UNUSED static struct dd_db *
dbfx_connect(struct dbfx *fx, long timeout_ms)
{
    struct dd_db_options opt = {.timeout_ms = timeout_ms};
    struct dd_db *db = NULL;
    char err[512] = "";
    int rc = dd_db_open(fx->url, &opt, &db, err, sizeof err);
    if (rc != DD_OK)
        fail_msg("cannot open %s: %s", fx->url, err);
    return db;
}

DBFX_UNUSED static void
dbfx_exec(struct dd_db *db, const char *sql)
{
    int rc = dd_db_exec(db, sql);
    if (rc != DD_OK)
        fail_msg("%s failed: %s", sql, dd_db_errmsg(db));
}

/* The first column of the first row of a query without parameters, as an integer. */
DBFX_UNUSED static int64_t
dbfx_int(struct dd_db *db, const char *sql)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        fail_msg("%s failed: %s", sql, dd_db_errmsg(db));
    rc = dd_stmt_step(st);
    if (rc != DD_DB_ROW)
        fail_msg("%s gave no row (%d): %s", sql, rc, dd_db_errmsg(db));
    int64_t v = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return v;
}

/* The first column of the first row as text, copied into out. */
DBFX_UNUSED static void
dbfx_text(struct dd_db *db, const char *sql, char *out, size_t outlen)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        fail_msg("%s failed: %s", sql, dd_db_errmsg(db));
    rc = dd_stmt_step(st);
    if (rc != DD_DB_ROW)
        fail_msg("%s gave no row (%d): %s", sql, rc, dd_db_errmsg(db));
    const char *s = dd_stmt_text(st, 0);
    snprintf(out, outlen, "%s", s ? s : "");
    dd_stmt_reset(st);
}

/* Applies the migrations built into the binary (the migrations folder). */
DBFX_UNUSED static void
dbfx_migrate_core(struct dd_db *db)
{
    struct dd_migration_list list;
    char err[512] = "";
    int rc = dd_migration_list_embedded(&list, dd_db_kind(db), err, sizeof err);
    if (rc == DD_OK)
        rc = dd_migrate(db, &list, NULL, NULL, err, sizeof err);
    dd_migration_list_free(&list);
    if (rc != DD_OK)
        fail_msg("migrating failed: %s", err);
}

static void
dbfx_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

DBFX_UNUSED static int
dbfx_setup_sqlite(void **state)
{
    struct dbfx *fx = calloc(1, sizeof *fx);
    fx->kind = DD_DB_SQLITE;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/dd-unit-XXXXXX");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->url, sizeof fx->url, "sqlite:%s/sub/test.db", fx->dir);
    *state = fx;
    fx->db = dbfx_connect(fx, 5000);
    return 0;
}

/* Drops the test's schema and, if `create`, creates it empty. */
static int
dbfx_admin_schema(struct dbfx *fx, bool create)
{
    struct dd_db *admin = NULL;
    char err[512] = "";
    struct dd_db_options opt = {.timeout_ms = 5000};
    int rc = dd_db_open(fx->admin, &opt, &admin, err, sizeof err);
    if (rc != DD_OK) {
        fprintf(stderr, "cannot open DD_TEST_PG_URL: %s\n", err);
        return rc;
    }
    char sql[512];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE%s%s", fx->schema,
             create ? "; CREATE SCHEMA " : "", create ? fx->schema : "");
    rc = dd_db_exec(admin, sql);
    if (rc != DD_OK)
        fprintf(stderr, "%s: %s\n", sql, dd_db_errmsg(admin));
    dd_db_close(admin);
    return rc;
}

DBFX_UNUSED static int
dbfx_setup_pg(void **state)
{
    struct dbfx *fx = calloc(1, sizeof *fx);
    fx->kind = DD_DB_POSTGRES;
    *state = fx;
    const char *base = getenv("DD_TEST_PG_URL");
    if (base == NULL || *base == '\0') {
        fx->skip = true;
        return 0;
    }
    snprintf(fx->admin, sizeof fx->admin, "%s", base);
    snprintf(fx->schema, sizeof fx->schema, "dd_unit_%ld", (long)getpid());
    if (dbfx_admin_schema(fx, true) != DD_OK)
        return -1;
    snprintf(fx->url, sizeof fx->url, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", fx->schema);
    fx->db = dbfx_connect(fx, 5000);
    return 0;
}

DBFX_UNUSED static int
dbfx_teardown(void **state)
{
    struct dbfx *fx = *state;
    if (fx == NULL)
        return 0;
    dd_db_close(fx->db);
    if (fx->kind == DD_DB_SQLITE) {
        char sub[128];
        snprintf(sub, sizeof sub, "%s/sub", fx->dir);
        dbfx_remove_dir(sub);
        dbfx_remove_dir(fx->dir);
    } else if (!fx->skip) {
        dbfx_admin_schema(fx, false);
    }
    free(fx);
    return 0;
}

/* The test's fixture; skips the test (cmocka's skip() leaves it) when its backend is not
 * available. */
DBFX_UNUSED static struct dbfx *
dbfx_get(void **state)
{
    struct dbfx *fx = *state;
    if (fx->skip)
        skip();
    return fx;
}

/* Two entries of a cmocka test table: the test on SQLite and on PostgreSQL. */
// clang-format off
#define DB_TEST(fn)                                                                                \
    {#fn " (sqlite)", fn, dbfx_setup_sqlite, dbfx_teardown, NULL},                                 \
    {#fn " (postgres)", fn, dbfx_setup_pg, dbfx_teardown, NULL}

/* A test on PostgreSQL only (what SQLite cannot show, such as a dropped connection). */
#define PG_TEST(fn) {#fn " (postgres)", fn, dbfx_setup_pg, dbfx_teardown, NULL}

/* A test on SQLite only (what only its backend does, such as a second reader of one file). */
#define SQLITE_TEST(fn) {#fn " (sqlite)", fn, dbfx_setup_sqlite, dbfx_teardown, NULL}
// clang-format on

#endif
