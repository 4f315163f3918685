/*
 * test_store_bulk.c — the storage interface's bulk-loading calls: text bound without a copy,
 * statements run again without going back to the cache, and PostgreSQL's COPY (rows stored,
 * a constraint violation reported, an abandoned COPY storing nothing, the connection refusing
 * other work meanwhile, a rollback in the middle); SQLite refuses COPY.
 */
#include "db_fixture.h"

static void
table(struct dd_db *db)
{
    dbfx_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
}

static void
static_text_and_rewind_run_one_statement_many_times(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    table(fx->db);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    struct dd_stmt *st;
    assert_int_equal(dd_db_prepare(fx->db, "INSERT INTO t (id, name) VALUES (?, ?)", &st), DD_OK);
    char name[32];
    for (int i = 1; i <= 100; i++) {
        snprintf(name, sizeof name, "Người %d and more", i);
        assert_int_equal(dd_stmt_bind_int64(st, 1, i), DD_OK);
        /* Only the first bytes count: the name without " and more". */
        size_t n = strlen(name) - strlen(" and more");
        assert_int_equal(dd_stmt_bind_text_static(st, 2, name, n), DD_OK);
        assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
        assert_int_equal(dd_stmt_changes(st), 1);
        dd_stmt_rewind(st);
    }
    dd_stmt_reset(st);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM t"), 100);
    char v[64];
    dbfx_text(fx->db, "SELECT name FROM t WHERE id = 42", v, sizeof v);
    assert_string_equal(v, "Người 42");
    /* NULL binds SQL NULL, which the column refuses. */
    assert_int_equal(dd_db_prepare(fx->db, "INSERT INTO t (id, name) VALUES (?, ?)", &st), DD_OK);
    dd_stmt_bind_int64(st, 1, 500);
    assert_int_equal(dd_stmt_bind_text_static(st, 2, NULL, 0), DD_OK);
    assert_int_equal(dd_stmt_step(st), DD_ECONFLICT);
    dd_stmt_reset(st);
}

static void
sqlite_has_no_copy(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    table(fx->db);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_copy_begin(fx->db, "COPY t (id, name) FROM STDIN"), DD_EINVAL);
    assert_non_null(strstr(dd_db_errmsg(fx->db), "PostgreSQL"));
    assert_int_equal(dd_db_copy_put(fx->db, "1\tx\n", 4), DD_EINVAL);
    assert_int_equal(dd_db_copy_end(fx->db, false), DD_EINVAL);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
}

static void
copy_stores_rows_inside_the_transaction(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    table(fx->db);
    /* Outside a transaction it is refused. */
    assert_int_equal(dd_db_copy_begin(fx->db, "COPY t (id, name) FROM STDIN"), DD_EINVAL);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_copy_begin(fx->db, "COPY t (id, name) FROM STDIN"), DD_OK);
    /* Meanwhile the connection takes nothing else. */
    struct dd_stmt *st;
    assert_int_equal(dd_db_prepare(fx->db, "SELECT 1", &st), DD_EINVAL);
    assert_int_equal(dd_db_exec(fx->db, "SELECT 1"), DD_EINVAL);
    assert_int_equal(dd_db_commit(fx->db), DD_EINVAL);
    assert_int_equal(dd_db_copy_begin(fx->db, "COPY t (id, name) FROM STDIN"), DD_EINVAL);
    const char rows[] = "1\tAn\n2\tLê \"Bình\"\\tTab\\\\\n3\tN";
    /* A row may be cut between two puts. */
    assert_int_equal(dd_db_copy_put(fx->db, rows, 10), DD_OK);
    assert_int_equal(dd_db_copy_put(fx->db, rows + 10, sizeof rows - 1 - 10), DD_OK);
    assert_int_equal(dd_db_copy_put(fx->db, "x\n", 1), DD_OK);
    assert_int_equal(dd_db_copy_put(fx->db, "\n", 1), DD_OK);
    assert_int_equal(dd_db_copy_end(fx->db, false), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM t"), 3);
    char v[64];
    dbfx_text(fx->db, "SELECT name FROM t WHERE id = 2", v, sizeof v);
    assert_string_equal(v, "Lê \"Bình\"\tTab\\");
    dbfx_text(fx->db, "SELECT name FROM t WHERE id = 3", v, sizeof v);
    assert_string_equal(v, "Nx");
}

static void
copy_reports_a_violation_and_an_abort_stores_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    table(fx->db);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_copy_begin(fx->db, "COPY t (id, name) FROM STDIN"), DD_OK);
    assert_int_equal(dd_db_copy_put(fx->db, "1\ta\n1\tb\n", 8), DD_OK);
    assert_int_equal(dd_db_copy_end(fx->db, false), DD_ECONFLICT);
    assert_non_null(strstr(dd_db_errmsg(fx->db), "23505"));
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);

    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_copy_begin(fx->db, "COPY t (id, name) FROM STDIN"), DD_OK);
    assert_int_equal(dd_db_copy_put(fx->db, "7\tg\n", 4), DD_OK);
    assert_int_equal(dd_db_copy_end(fx->db, true), DD_EINVAL);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);

    /* A rollback in the middle of a COPY ends it too. */
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_copy_begin(fx->db, "COPY t (id, name) FROM STDIN"), DD_OK);
    assert_int_equal(dd_db_copy_put(fx->db, "8\th\n", 4), DD_OK);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
    assert_int_equal(dd_db_copy_end(fx->db, false), DD_EINVAL);

    /* A statement that is not a COPY FROM STDIN is refused; the connection works on. */
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_copy_begin(fx->db, "SELECT 1"), DD_EINVAL);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM t"), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(static_text_and_rewind_run_one_statement_many_times),
        {"sqlite_has_no_copy (sqlite)", sqlite_has_no_copy, dbfx_setup_sqlite, dbfx_teardown, NULL},
        PG_TEST(copy_stores_rows_inside_the_transaction),
        PG_TEST(copy_reports_a_violation_and_an_abort_stores_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
