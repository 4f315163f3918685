/*
 * test_group_commit.c — the group commit (src/core/group_commit.c) without its thread, on SQLite
 * and PostgreSQL: a write is committed before its answer runs and is seen by another
 * connection; a write that fails is undone alone (its savepoint) and its answer gets its code;
 * inside a caller's transaction the write joins it, and the caller's rollback undoes it. (The
 * parked path, with the thread and many requests at once, is covered by the API tests of the
 * token endpoint: tests/api/sso_negative.test.mjs.)
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "core/group_commit.h"
#include "http/req.h"

struct job {
    const char *key;
    bool fail_after_insert;
    int answered_rc;
    int answers;
};

static int
write_row(struct dd_db *db, void *arg)
{
    struct job *j = arg;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "INSERT INTO gc_rows (k) VALUES (?)", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, j->key);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return j->fail_after_insert ? DD_ECONFLICT : DD_OK;
}

static int
answer(struct dd_req *req, void *arg, int rc)
{
    (void)req;
    struct job *j = arg;
    j->answered_rc = rc;
    j->answers++;
    return rc == DD_OK ? 7 : rc; /* what the handler returns: passed through */
}

static struct dd_req *
fake_req(void)
{
    struct dd_arena *a = dd_arena_new(0);
    struct dd_req *r = dd_arena_zalloc(a, sizeof *r);
    r->arena = a;
    return r;
}

static int64_t
rows(struct dbfx *fx, const char *key)
{
    struct dd_db *other = dbfx_connect(fx, 2000);
    struct dd_stmt *st;
    assert_int_equal(dd_db_prepare(other, "SELECT COUNT(*) FROM gc_rows WHERE k = ?", &st), DD_OK);
    dd_stmt_bind_text(st, 1, key);
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    int64_t n = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    dd_db_close(other);
    return n;
}

static void
make_table(struct dbfx *fx)
{
    dbfx_exec(fx->db, "CREATE TABLE gc_rows (k TEXT PRIMARY KEY)");
}

static void
test_write_is_committed_before_the_answer(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    make_table(fx);
    struct dd_req *req = fake_req();
    struct job j = {.key = "a"};
    assert_int_equal(dd_group_commit(req, fx->db, write_row, answer, &j), 7);
    assert_int_equal(j.answers, 1);
    assert_int_equal(j.answered_rc, DD_OK);
    assert_false(dd_db_in_transaction(fx->db));
    assert_int_equal(rows(fx, "a"), 1);
    dd_arena_free(req->arena);
}

static void
test_failed_write_is_undone_alone(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    make_table(fx);
    struct dd_req *req = fake_req();
    struct job bad = {.key = "b", .fail_after_insert = true};
    assert_int_equal(dd_group_commit(req, fx->db, write_row, answer, &bad), DD_ECONFLICT);
    assert_int_equal(bad.answered_rc, DD_ECONFLICT);
    assert_int_equal(rows(fx, "b"), 0);
    /* A duplicate key is refused by the database: the write's code, nothing else changes. */
    struct job first = {.key = "c"}, again = {.key = "c"};
    assert_int_equal(dd_group_commit(req, fx->db, write_row, answer, &first), 7);
    assert_true(dd_group_commit(req, fx->db, write_row, answer, &again) < 0);
    assert_int_equal(again.answers, 1);
    assert_true(again.answered_rc < 0);
    assert_int_equal(rows(fx, "c"), 1);
    assert_false(dd_db_in_transaction(fx->db));
    dd_arena_free(req->arena);
}

static void
test_write_joins_the_callers_transaction(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    make_table(fx);
    struct dd_req *req = fake_req();
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    struct job j = {.key = "d"};
    assert_int_equal(dd_group_commit(req, fx->db, write_row, answer, &j), 7);
    assert_true(dd_db_in_transaction(fx->db));
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
    assert_int_equal(rows(fx, "d"), 0);
    dd_arena_free(req->arena);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(test_write_is_committed_before_the_answer),
        DB_TEST(test_failed_write_is_undone_alone),
        DB_TEST(test_write_joins_the_callers_transaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
