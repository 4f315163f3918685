/*
 * test_store.c — the storage interface on SQLite and PostgreSQL: values in and out, the
 * statement cache, transactions, how errors are classified and worded, lock timeouts, `?`
 * numbering for PostgreSQL, and the per-thread pool.
 */
#include "db_fixture.h"

#include "base/buf.h"
#include "store/placeholders.h"

#include <pthread.h>

static void
create_table(struct dbfx *fx)
{
    dbfx_exec(fx->db, fx->kind == DD_DB_SQLITE
                          ? "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n BIGINT, "
                            "note TEXT, data BLOB)"
                          : "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT UNIQUE, n BIGINT, "
                            "note TEXT, data BYTEA)");
}

static int
insert_row(struct dd_db *db, int64_t id, const char *name, int64_t n)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, "INSERT INTO t (id, name, n) VALUES (?, ?, ?)", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    dd_stmt_bind_text(st, 2, name);
    dd_stmt_bind_int64(st, 3, n);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc;
}

/* Text, integers (including the extremes), NULL and blobs with a zero byte come back as bound. */
static void
test_values_round_trip(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    static const unsigned char bytes[] = {0x00, 0xff, 0x10, 0x00, 0x7f};
    struct dd_stmt *st = NULL;
    assert_int_equal(dd_db_prepare(fx->db,
                                   "INSERT INTO t (id, name, n, note, data) VALUES (?, ?, ?, ?, ?)",
                                   &st),
                     DD_OK);
    assert_int_equal(dd_stmt_bind_int64(st, 1, 1), DD_OK);
    assert_int_equal(dd_stmt_bind_text(st, 2, "Nguyễn Văn Đức 'x' ?"), DD_OK);
    assert_int_equal(dd_stmt_bind_int64(st, 3, INT64_MIN), DD_OK);
    assert_int_equal(dd_stmt_bind_null(st, 4), DD_OK);
    assert_int_equal(dd_stmt_bind_blob(st, 5, bytes, sizeof bytes), DD_OK);
    assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
    assert_int_equal(dd_stmt_changes(st), 1);
    dd_stmt_reset(st);

    assert_int_equal(dd_db_prepare(fx->db,
                                   "INSERT INTO t (id, name, n, note, data) VALUES (?, ?, ?, ?, ?)",
                                   &st),
                     DD_OK);
    dd_stmt_bind_int64(st, 1, 2);
    dd_stmt_bind_text(st, 2, NULL);
    dd_stmt_bind_int64(st, 3, INT64_MAX);
    dd_stmt_bind_text(st, 4, "");
    dd_stmt_bind_blob(st, 5, NULL, 0);
    assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
    dd_stmt_reset(st);

    assert_int_equal(
        dd_db_prepare(fx->db, "SELECT id, name, n, note, data FROM t ORDER BY id", &st), DD_OK);
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    assert_int_equal(dd_stmt_column_count(st), 5);
    assert_string_equal(dd_stmt_column_name(st, 1), "name");
    assert_int_equal(dd_stmt_int64(st, 0), 1);
    assert_string_equal(dd_stmt_text(st, 0), "1");
    assert_string_equal(dd_stmt_text(st, 1), "Nguyễn Văn Đức 'x' ?");
    assert_true(dd_stmt_int64(st, 2) == INT64_MIN);
    assert_true(dd_stmt_is_null(st, 3));
    assert_null(dd_stmt_text(st, 3));
    assert_int_equal(dd_stmt_int64(st, 3), 0);
    size_t len = 99;
    assert_null(dd_stmt_blob(st, 3, &len));
    assert_int_equal(len, 0);
    const unsigned char *p = dd_stmt_blob(st, 4, &len);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(p, bytes, sizeof bytes);

    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    assert_true(dd_stmt_is_null(st, 1));
    assert_true(dd_stmt_int64(st, 2) == INT64_MAX);
    assert_false(dd_stmt_is_null(st, 3));
    assert_string_equal(dd_stmt_text(st, 3), "");
    assert_false(dd_stmt_is_null(st, 4));
    p = dd_stmt_blob(st, 4, &len);
    assert_non_null(p);
    assert_int_equal(len, 0);

    assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
    assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
    dd_stmt_reset(st);
}

/* UPDATE and DELETE report how many rows they changed; a SELECT changes none. */
static void
test_changes(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(insert_row(fx->db, i, i == 1 ? "a" : i == 2 ? "b" : "c", i), DD_DB_DONE);
    struct dd_stmt *st = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "UPDATE t SET n = n + 10 WHERE n >= ?", &st), DD_OK);
    dd_stmt_bind_int64(st, 1, 2);
    assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
    assert_int_equal(dd_stmt_changes(st), 2);
    dd_stmt_reset(st);
    assert_int_equal(dbfx_int(fx->db, "SELECT sum(n) FROM t"), 1 + 12 + 13);
    assert_int_equal(dd_db_prepare(fx->db, "SELECT count(*) FROM t", &st), DD_OK);
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
    assert_int_equal(dd_stmt_changes(st), 0);
    dd_stmt_reset(st);
}

/* The same SQL text gives back the same statement once reset; while it is in use, a second one. */
static void
test_statement_cache(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    const char *sql = "SELECT n FROM t WHERE id = ?";
    struct dd_stmt *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(dd_db_prepare(fx->db, sql, &a), DD_OK);
    dd_stmt_reset(a);
    char copy[64];
    snprintf(copy, sizeof copy, "%s", sql); /* keyed by text, not by pointer */
    assert_int_equal(dd_db_prepare(fx->db, copy, &b), DD_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(dd_db_prepare(fx->db, sql, &c), DD_OK);
    assert_ptr_not_equal(b, c);

    /* Both work at once, each with its own parameters and rows. */
    assert_int_equal(insert_row(fx->db, 1, "a", 100), DD_DB_DONE);
    assert_int_equal(insert_row(fx->db, 2, "b", 200), DD_DB_DONE);
    dd_stmt_bind_int64(b, 1, 1);
    dd_stmt_bind_int64(c, 1, 2);
    assert_int_equal(dd_stmt_step(b), DD_DB_ROW);
    assert_int_equal(dd_stmt_step(c), DD_DB_ROW);
    assert_int_equal(dd_stmt_int64(b, 0), 100);
    assert_int_equal(dd_stmt_int64(c, 0), 200);
    dd_stmt_reset(b);
    dd_stmt_reset(c);

    /* A reset statement forgets its bindings: the parameter is NULL and matches nothing. */
    assert_int_equal(dd_db_prepare(fx->db, sql, &a), DD_OK);
    assert_true(a == b || a == c);
    assert_int_equal(dd_stmt_step(a), DD_DB_DONE);
    dd_stmt_reset(a);

    /* Many distinct texts: the cache stays bounded and every statement still works. */
    for (int i = 0; i < 400; i++) {
        char text[64];
        snprintf(text, sizeof text, "SELECT %d + ?", i);
        struct dd_stmt *st = NULL;
        assert_int_equal(dd_db_prepare(fx->db, text, &st), DD_OK);
        dd_stmt_bind_int64(st, 1, 1);
        assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
        assert_int_equal(dd_stmt_int64(st, 0), i + 1);
        dd_stmt_reset(st);
    }
}

/* A cached statement keeps working after the table under it changes shape (on PostgreSQL the
 * server refuses the old plan and the statement is prepared again). */
/* One column through dd_stmt_texts_bytes. */
static const char *
text_bytes(struct dd_stmt *st, int col, size_t *len)
{
    const char *bytes;
    dd_stmt_texts_bytes(st, &col, 1, &bytes, len);
    return bytes;
}

/* A text's bytes without the '\0' copy: the text and its length, an integer's decimal text, ""
 * for NULL and for a column or row that is not there. */
static void
test_text_bytes(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    assert_int_equal(insert_row(fx->db, 1, "Đức", -42), DD_DB_DONE);
    struct dd_stmt *st = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "SELECT name, n, note FROM t WHERE id = 1", &st), DD_OK);
    size_t n = 99;
    assert_string_equal(text_bytes(st, 0, &n), ""); /* no row yet */
    assert_int_equal(n, 0);
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    const char *p = text_bytes(st, 0, &n);
    assert_int_equal(n, strlen("Đức"));
    assert_memory_equal(p, "Đức", n);
    p = text_bytes(st, 1, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "-42", 3);
    n = 99;
    assert_string_equal(text_bytes(st, 2, &n), ""); /* NULL */
    assert_int_equal(n, 0);
    n = 99;
    assert_string_equal(text_bytes(st, 3, &n), ""); /* no such column */
    assert_int_equal(n, 0);

    /* Several at once, in the order asked, the same as one by one. */
    const int cols[] = {2, 0, 3, 1, 0};
    const char *bytes[5];
    size_t lens[5];
    dd_stmt_texts_bytes(st, cols, 5, bytes, lens);
    assert_int_equal(lens[0], 0);
    assert_string_equal(bytes[0], "");
    assert_int_equal(lens[1], strlen("Đức"));
    assert_memory_equal(bytes[1], "Đức", lens[1]);
    assert_int_equal(lens[2], 0);
    assert_string_equal(bytes[2], "");
    assert_int_equal(lens[3], 3);
    assert_memory_equal(bytes[3], "-42", 3);
    assert_int_equal(lens[4], lens[1]);
    assert_memory_equal(bytes[4], "Đức", lens[4]);
    dd_stmt_reset(st);

    /* An empty text is "" with 0 bytes, as NULL is. */
    assert_int_equal(insert_row(fx->db, 2, "", 7), DD_DB_DONE);
    assert_int_equal(dd_db_prepare(fx->db, "SELECT name, n FROM t WHERE id = 2", &st), DD_OK);
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    const int both[] = {0, 1};
    dd_stmt_texts_bytes(st, both, 2, bytes, lens);
    assert_int_equal(lens[0], 0);
    assert_string_equal(bytes[0], "");
    assert_int_equal(lens[1], 1);
    assert_memory_equal(bytes[1], "7", 1);
    dd_stmt_reset(st);
}

/* A second connection to the same SQLite file sees what the first committed and has its own
 * transactions; PostgreSQL and a database in memory have none to give. */
static void
test_open_same(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    struct dd_db *other = (struct dd_db *)1;
    if (fx->kind != DD_DB_SQLITE) {
        assert_int_equal(dd_db_open_same(fx->db, &other), DD_EINVAL);
        assert_null(other);
        return;
    }
    assert_int_equal(insert_row(fx->db, 1, "a", 1), DD_DB_DONE);
    assert_int_equal(dd_db_open_same(fx->db, &other), DD_OK);
    assert_int_equal(dbfx_int(other, "SELECT count(*) FROM t"), 1);
    assert_int_equal(dd_db_begin_read(other), DD_OK); /* a snapshot of its own */
    assert_int_equal(dbfx_int(other, "SELECT count(*) FROM t"), 1);
    assert_int_equal(insert_row(fx->db, 2, "b", 2), DD_DB_DONE);
    assert_int_equal(dbfx_int(other, "SELECT count(*) FROM t"), 1);
    assert_int_equal(dd_db_commit(other), DD_OK);
    assert_int_equal(dbfx_int(other, "SELECT count(*) FROM t"), 2);
    dd_db_close(other);

    struct dd_db *memory = NULL, *again = (struct dd_db *)1;
    char err[256];
    assert_int_equal(dd_db_open("sqlite::memory:", NULL, &memory, err, sizeof err), DD_OK);
    assert_int_equal(dd_db_open_same(memory, &again), DD_EINVAL);
    assert_null(again);
    assert_non_null(strstr(dd_db_errmsg(memory), "memory"));
    dd_db_close(memory);
}

static void
test_schema_change(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_exec(fx->db, "CREATE TABLE s (a INTEGER); INSERT INTO s (a) VALUES (1)");
    struct dd_stmt *st = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "SELECT * FROM s", &st), DD_OK);
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    assert_int_equal(dd_stmt_column_count(st), 1);
    dd_stmt_reset(st);
    dbfx_exec(fx->db, "ALTER TABLE s ADD COLUMN b INTEGER");
    dbfx_exec(fx->db, "UPDATE s SET b = 2");

    struct dd_stmt *again = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "SELECT * FROM s", &again), DD_OK);
    assert_ptr_equal(again, st);
    assert_int_equal(dd_stmt_step(again), DD_DB_ROW);
    assert_int_equal(dd_stmt_column_count(again), 2);
    assert_int_equal(dd_stmt_int64(again, 1), 2);
    dd_stmt_reset(again);

    /* Inside a transaction the first run fails, and works again after the rollback. */
    dbfx_exec(fx->db, "ALTER TABLE s ADD COLUMN c INTEGER");
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_prepare(fx->db, "SELECT * FROM s", &st), DD_OK);
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
    if (fx->kind == DD_DB_SQLITE)
        assert_int_equal(rc, DD_DB_ROW); /* SQLite prepares again by itself */
    else
        assert_int_equal(rc, DD_EDB);
    assert_int_equal(dd_db_prepare(fx->db, "SELECT * FROM s", &st), DD_OK);
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    assert_int_equal(dd_stmt_column_count(st), 3);
    dd_stmt_reset(st);
}

static void
test_transactions(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    assert_false(dd_db_in_transaction(fx->db));
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_true(dd_db_in_transaction(fx->db));
    assert_int_equal(dd_db_begin(fx->db), DD_EINVAL);
    assert_int_equal(insert_row(fx->db, 1, "a", 1), DD_DB_DONE);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 1);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
    assert_false(dd_db_in_transaction(fx->db));
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 0);

    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(insert_row(fx->db, 1, "a", 1), DD_DB_DONE);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_EINVAL);

    /* Seen from another connection: only the committed row. */
    struct dd_db *other = dbfx_connect(fx, 1000);
    assert_int_equal(dbfx_int(other, "SELECT count(*) FROM t"), 1);

    /* A read transaction keeps its snapshot while another connection commits. */
    assert_int_equal(dd_db_begin_read(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 1);
    assert_int_equal(insert_row(other, 2, "b", 2), DD_DB_DONE);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 1);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 2);
    dd_db_close(other);
}

/* dd_stmt_run: runs the statement and gives it back (nothing left in use); a failure is its
 * error code. */
static int
run_insert(struct dd_db *db, int64_t id, const char *name)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, "INSERT INTO t (id, name, n) VALUES (?, ?, 5)", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    dd_stmt_bind_text(st, 2, name);
    return dd_stmt_run(st);
}

static void
test_stmt_run(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    assert_int_equal(run_insert(fx->db, 1, "a"), DD_OK);
    assert_true(run_insert(fx->db, 2, "a") < 0); /* the name is unique */
    assert_int_equal(run_insert(fx->db, 3, "b"), DD_OK);
    assert_int_equal(dd_db_tidy(fx->db), 0); /* no statement left in use */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t WHERE n = 5"), 2);
}

/* Commits that do not wait for the disk: set outside a transaction only, seen by other
 * connections at once, and made durable by dd_db_wait_durable (which a transaction refuses). */
static void
test_deferred_flush(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    assert_int_equal(dd_db_sync_commits(fx->db, false), DD_OK);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_db_sync_commits(fx->db, true), DD_EINVAL);
    assert_int_equal(dd_db_wait_durable(fx->db), DD_EINVAL);
    assert_int_equal(insert_row(fx->db, 1, "a", 1), DD_DB_DONE);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    struct dd_db *other = dbfx_connect(fx, 1000);
    assert_int_equal(dbfx_int(other, "SELECT count(*) FROM t"), 1);
    assert_int_equal(dd_db_wait_durable(other), DD_OK);
    assert_int_equal(dd_db_wait_durable(fx->db), DD_OK);
    if (fx->kind == DD_DB_SQLITE)
        assert_int_equal(dbfx_int(fx->db, "PRAGMA synchronous"), 1); /* NORMAL */
    assert_int_equal(dd_db_sync_commits(fx->db, true), DD_OK);
    if (fx->kind == DD_DB_SQLITE)
        assert_int_equal(dbfx_int(fx->db, "PRAGMA synchronous"), 2); /* FULL */
    dd_db_close(other);
}

/* A constraint is DD_ECONFLICT, and the message names the constraint, never the values. */
static void
test_constraint_conflict(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    assert_int_equal(insert_row(fx->db, 1, "secret-079201004242", 1), DD_DB_DONE);
    assert_int_equal(insert_row(fx->db, 2, "secret-079201004242", 2), DD_ECONFLICT);
    const char *msg = dd_db_errmsg(fx->db);
    assert_non_null(strstr(msg, "unique") ? strstr(msg, "unique") : strstr(msg, "UNIQUE"));
    assert_null(strstr(msg, "079201004242"));
    assert_int_equal(insert_row(fx->db, 1, "other", 3), DD_ECONFLICT);
    assert_null(strstr(dd_db_errmsg(fx->db), "other"));
    /* The connection goes on working. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 1);
}

/* A COMMIT that fails (a deferred reference left dangling) is an error with a message; the
 * transaction is over, nothing of it stayed, and the next transaction commits as usual. */
static void
test_failed_commit(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_exec(fx->db, "CREATE TABLE parent (id INTEGER PRIMARY KEY)");
    dbfx_exec(fx->db, "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
                      "REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
    for (int round = 0; round < 2; round++) {
        assert_int_equal(dd_db_begin(fx->db), DD_OK);
        dbfx_exec(fx->db, "INSERT INTO child (id, parent_id) VALUES (1, 42)");
        assert_int_not_equal(dd_db_commit(fx->db), DD_OK);
        assert_true(dd_db_errmsg(fx->db)[0] != '\0');
        assert_false(dd_db_in_transaction(fx->db));
        assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM child"), 0);
    }
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    dbfx_exec(fx->db, "INSERT INTO parent (id) VALUES (42)");
    dbfx_exec(fx->db, "INSERT INTO child (id, parent_id) VALUES (1, 42)");
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM child"), 1);
}

/* A value the database cannot take is an error whose message does not quote it. */
static void
test_error_hides_values(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_exec(fx->db, "CREATE TABLE c (n INTEGER NOT NULL CHECK (n > 0))");
    struct dd_stmt *st = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "INSERT INTO c (n) VALUES (?)", &st), DD_OK);
    dd_stmt_bind_int64(st, 1, -424242);
    assert_int_equal(dd_stmt_step(st), DD_ECONFLICT);
    assert_null(strstr(dd_db_errmsg(fx->db), "424242"));
    dd_stmt_reset(st);
    if (fx->kind == DD_DB_POSTGRES) {
        assert_int_equal(dd_db_prepare(fx->db, "SELECT CAST(? AS BIGINT)", &st), DD_OK);
        dd_stmt_bind_text(st, 1, "not-a-number-SECRET");
        assert_int_equal(dd_stmt_step(st), DD_EDB);
        assert_non_null(strstr(dd_db_errmsg(fx->db), "22P02"));
        assert_null(strstr(dd_db_errmsg(fx->db), "SECRET"));
        dd_stmt_reset(st);
    }
}

static void
test_bad_sql(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_stmt *st = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "SELEC 1", &st), DD_EDB);
    assert_null(st);
    assert_non_null(strstr(dd_db_errmsg(fx->db), "syntax error"));
    assert_int_equal(dd_db_exec(fx->db, "SELECT * FROM no_such_table"), DD_EDB);
    assert_non_null(strstr(dd_db_errmsg(fx->db), "no_such_table"));
    assert_int_equal(dd_db_ping(fx->db), DD_OK);
}

/* dd_db_exec runs several statements, as a migration holds. */
static void
test_exec_several(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_exec(fx->db, "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1); INSERT INTO a "
                      "VALUES (2);\n-- a comment ?\n");
    assert_int_equal(dbfx_int(fx->db, "SELECT sum(x) FROM a"), 3);
}

/* A second writer waits for the configured timeout, then gets DD_EBUSY. */
static void
test_busy(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    assert_int_equal(insert_row(fx->db, 1, "a", 1), DD_DB_DONE);
    struct dd_db *other = dbfx_connect(fx, 150);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    dbfx_exec(fx->db, "UPDATE t SET n = 2 WHERE id = 1");

    int rc = dd_db_begin(other); /* SQLite: BEGIN IMMEDIATE waits here */
    if (rc == DD_OK)
        rc = dd_db_exec(other, "UPDATE t SET n = 3 WHERE id = 1"); /* PostgreSQL: the row lock */
    assert_int_equal(rc, DD_EBUSY);
    assert_true(dd_db_errmsg(other)[0] != '\0');
    dd_db_rollback(other);
    assert_false(dd_db_in_transaction(other));

    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dd_db_begin(other), DD_OK);
    dbfx_exec(other, "UPDATE t SET n = 3 WHERE id = 1");
    assert_int_equal(dd_db_commit(other), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT n FROM t WHERE id = 1"), 3);
    dd_db_close(other);
}

static void
test_open_errors(void **state)
{
    (void)state;
    struct dd_db *db = (struct dd_db *)1;
    char err[256] = "";
    assert_int_equal(dd_db_open("mysql://x", NULL, &db, err, sizeof err), DD_EINVAL);
    assert_null(db);
    assert_non_null(strstr(err, "sqlite:"));
    assert_int_equal(dd_db_open("sqlite:", NULL, &db, err, sizeof err), DD_EINVAL);
    assert_int_equal(dd_db_open("sqlite:/proc/no/such/dir/x.db", NULL, &db, err, sizeof err),
                     DD_EIO);
    assert_int_equal(dd_db_open("postgres://nobody@127.0.0.1:1/none", NULL, &db, err, sizeof err),
                     DD_EUNAVAIL);
    assert_non_null(strstr(err, "cannot connect"));
}

static void
rewrite_is(const char *sql, const char *want, int want_count)
{
    struct dd_buf out;
    dd_buf_init(&out, NULL, 4096);
    int count = -1;
    assert_int_equal(dd_sql_number_placeholders(sql, &out, &count), DD_OK);
    assert_string_equal(out.data ? out.data : "", want);
    assert_int_equal(count, want_count);
    dd_buf_release(&out);
}

/* `?` becomes $1, $2, … in SQL code only. */
static void
test_placeholders(void **state)
{
    (void)state;
    rewrite_is("SELECT 1", "SELECT 1", 0);
    rewrite_is("", "", 0);
    rewrite_is("SELECT ?, ?", "SELECT $1, $2", 2);
    rewrite_is("WHERE a = ? AND b = '?' AND c = ?", "WHERE a = $1 AND b = '?' AND c = $2", 2);
    rewrite_is("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1);
    rewrite_is("SELECT \"odd?name\" FROM t WHERE x = ?", "SELECT \"odd?name\" FROM t WHERE x = $1",
               1);
    rewrite_is("SELECT \"a\"\"?\" , ?", "SELECT \"a\"\"?\" , $1", 1);
    rewrite_is("SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1);
    rewrite_is("SELECT '\\', ?", "SELECT '\\', $1", 1); /* standard strings: \ is plain */
    rewrite_is("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2);
    rewrite_is("SELECT /* a ? /* nested ? */ still ? */ ?",
               "SELECT /* a ? /* nested ? */ still ? */ $1", 1);
    rewrite_is("SELECT $$ ? $$, $tag$ it's ? $x$ $tag$, ?",
               "SELECT $$ ? $$, $tag$ it's ? $x$ $tag$, $1", 1);
    rewrite_is("SELECT a$b, ?", "SELECT a$b, $1", 1);
    rewrite_is("SELECT 'unterminated ?", "SELECT 'unterminated ?", 0);
    struct dd_buf small;
    dd_buf_init(&small, NULL, 8);
    int count = 0;
    assert_int_equal(dd_sql_number_placeholders("SELECT ?, ?, ?", &small, &count), DD_ETOOBIG);
    dd_buf_release(&small);
}

struct thread_result {
    struct dd_db *db;
    int64_t value;
};

static void *
pool_worker(void *arg)
{
    struct thread_result *r = arg;
    r->db = dd_db_pool_get();
    if (r->db)
        r->value = dbfx_int(r->db, "SELECT 40 + 2");
    return NULL;
}

/* Each thread has its own connection, reused on every call; shutdown closes them all. */
static void
test_pool(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_db_options opt = {.timeout_ms = 1000};
    char err[256] = "";
    assert_int_equal(dd_db_pool_init(fx->url, &opt, err, sizeof err), DD_OK);
    struct dd_db *mine = dd_db_pool_get();
    assert_non_null(mine);
    assert_ptr_equal(dd_db_pool_get(), mine);
    struct thread_result r[2] = {{0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, pool_worker, &r[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        assert_non_null(r[i].db);
        assert_ptr_not_equal(r[i].db, mine);
        assert_int_equal(r[i].value, 42);
    }
    assert_ptr_not_equal(r[0].db, r[1].db);

    uint64_t before = dd_db_pool_errors();
    assert_int_equal(dd_db_exec(mine, "SELEC"), DD_EDB);
    assert_true(dd_db_pool_errors() == before + 1);
    dd_db_pool_shutdown(); /* closes the three connections (ASan reports any leak) */

    assert_null(dd_db_pool_get()); /* not initialised any more */
    assert_int_equal(dd_db_pool_init("sqlite:/proc/nope/x.db", &opt, err, sizeof err), DD_EIO);
    dd_db_pool_shutdown();
}

/* A connection the server dropped is DD_EUNAVAIL, and the pool replaces it. */
static void
test_pool_reconnects(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    char err[256] = "";
    assert_int_equal(dd_db_pool_init(fx->url, NULL, err, sizeof err), DD_OK);
    struct dd_db *db = dd_db_pool_get();
    assert_non_null(db);
    int64_t pid = dbfx_int(db, "SELECT pg_backend_pid()");
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)", (long long)pid);
    assert_int_equal(dbfx_int(fx->db, sql), 1);
    usleep(100 * 1000);
    assert_int_equal(dd_db_exec(db, "SELECT 1"), DD_EUNAVAIL);
    assert_int_equal(dd_db_exec(db, "SELECT 1"), DD_EUNAVAIL);
    struct dd_db *again = dd_db_pool_get();
    assert_non_null(again);
    assert_true(dbfx_int(again, "SELECT pg_backend_pid()") != pid);
    dd_db_pool_shutdown();
}

/* What a caller leaves open is ended by dd_db_tidy: an unreset statement (on SQLite it pins the
 * connection's view: a change committed by another connection stays unseen until it is reset)
 * and an open transaction. */
static void
test_tidy(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    create_table(fx);
    assert_int_equal(insert_row(fx->db, 1, "a", 1), DD_DB_DONE);
    assert_int_equal(insert_row(fx->db, 2, "b", 2), DD_DB_DONE);
    assert_int_equal(dd_db_tidy(fx->db), 0);
    assert_int_equal(dd_db_tidy(NULL), 0);

    struct dd_stmt *left = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "SELECT id FROM t ORDER BY id", &left), DD_OK);
    assert_int_equal(dd_stmt_step(left), DD_DB_ROW); /* and never reset */

    struct dd_db *other = NULL;
    char err[256];
    assert_int_equal(dd_db_open(fx->url, NULL, &other, err, sizeof err), DD_OK);
    assert_int_equal(insert_row(other, 3, "c", 3), DD_DB_DONE);
    if (fx->kind == DD_DB_SQLITE)
        assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 2);

    assert_int_equal(dd_db_tidy(fx->db), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM t"), 3);
    assert_int_equal(dd_db_tidy(fx->db), 0);

    /* The statement is usable again, from the cache. */
    struct dd_stmt *again = NULL;
    assert_int_equal(dd_db_prepare(fx->db, "SELECT id FROM t ORDER BY id", &again), DD_OK);
    assert_ptr_equal(again, left);
    dd_stmt_reset(again);

    /* A transaction left open is rolled back, with its statement. */
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(insert_row(fx->db, 4, "d", 4), DD_DB_DONE);
    assert_int_equal(dd_db_prepare(fx->db, "SELECT id FROM t ORDER BY id", &left), DD_OK);
    assert_int_equal(dd_stmt_step(left), DD_DB_ROW);
    assert_int_equal(dd_db_tidy(fx->db), 2);
    assert_false(dd_db_in_transaction(fx->db));
    assert_int_equal(dbfx_int(other, "SELECT count(*) FROM t"), 3);
    dd_db_close(other);
}

/* Bytes of a file; -1 if it cannot be opened. */
static long
file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* With manual checkpoints a commit leaves its pages in SQLite's log, not in the database file;
 * dd_db_checkpoint copies them there. PostgreSQL has nothing to do. Never inside a
 * transaction. */
static void
test_manual_checkpoint(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_db_options opt = {.timeout_ms = 1000, .manual_checkpoints = true};
    struct dd_db *db = NULL;
    char err[256];
    assert_int_equal(dd_db_open(fx->url, &opt, &db, err, sizeof err), DD_OK);
    dbfx_exec(db, "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT)");
    char pad[2001];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    assert_int_equal(dd_db_begin(db), DD_OK);
    for (int i = 1; i <= 3000; i++) { /* about 6 MiB: 1500 pages of 4 KiB */
        struct dd_stmt *st = NULL;
        assert_int_equal(dd_db_prepare(db, "INSERT INTO big (id, pad) VALUES (?, ?)", &st), DD_OK);
        dd_stmt_bind_int64(st, 1, i);
        dd_stmt_bind_text(st, 2, pad);
        assert_int_equal(dd_stmt_step(st), DD_DB_DONE);
        dd_stmt_reset(st);
    }
    int frames = -1, copied = -1;
    assert_int_equal(dd_db_checkpoint(db, &frames, &copied), DD_EINVAL);
    assert_int_equal(dd_db_commit(db), DD_OK);
    const char *file = fx->url + strlen("sqlite:");
    if (fx->kind == DD_DB_SQLITE) /* past SQLite's automatic checkpoint at 1000 pages: not copied */
        assert_true(file_size(file) < 1024 * 1024);
    assert_int_equal(dd_db_checkpoint(db, &frames, &copied), DD_OK);
    if (fx->kind == DD_DB_SQLITE) {
        assert_true(frames > 1000);
        assert_int_equal(copied, frames);
        assert_true(file_size(file) > 5 * 1024 * 1024);
    } else {
        assert_int_equal(frames, 0);
        assert_int_equal(copied, 0);
    }
    assert_int_equal(dbfx_int(db, "SELECT count(*) FROM big"), 3000);
    dd_db_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_open_errors),
        DB_TEST(test_values_round_trip),
        DB_TEST(test_changes),
        DB_TEST(test_stmt_run),
        DB_TEST(test_deferred_flush),
        DB_TEST(test_statement_cache),
        DB_TEST(test_text_bytes),
        DB_TEST(test_open_same),
        DB_TEST(test_schema_change),
        DB_TEST(test_transactions),
        DB_TEST(test_constraint_conflict),
        DB_TEST(test_error_hides_values),
        DB_TEST(test_bad_sql),
        DB_TEST(test_exec_several),
        DB_TEST(test_busy),
        DB_TEST(test_failed_commit),
        DB_TEST(test_pool),
        DB_TEST(test_tidy),
        DB_TEST(test_manual_checkpoint),
        PG_TEST(test_pool_reconnects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
