/*
 * test_audit.c — the hash-chained audit log on SQLite and PostgreSQL: a clean chain verifies,
 * and each kind of tampering (a row changed, a row deleted in the middle or at the end, the head
 * changed) is found at the right row. Tampering first drops the append-only triggers, as someone
 * with full rights on the database could.
 */
#include "db_fixture.h"

#include "core/audit.h"

static void
setup_log(struct dbfx *fx, int rows)
{
    dbfx_migrate_core(fx->db);
    for (int i = 1; i <= rows; i++) {
        char object[32], detail[64];
        snprintf(object, sizeof object, "person:%d", i);
        snprintf(detail, sizeof detail, "{\"field\":\"address\",\"n\":%d}", i);
        const struct dd_audit_entry e = {
            .actor = "officer:1042",
            .action = "person.update",
            .object = object,
            .detail = detail,
            .request_id = "req-7",
        };
        assert_int_equal(dd_audit_record(fx->db, &e), DD_OK);
    }
}

static void
drop_triggers(struct dbfx *fx)
{
    if (fx->kind == DD_DB_SQLITE)
        dbfx_exec(fx->db, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
    else
        dbfx_exec(fx->db, "DROP TRIGGER audit_log_no_change ON audit_log");
}

static void
expect_fault(struct dbfx *fx, enum dd_audit_fault fault, int64_t bad_id, int64_t good_rows,
             const char *words)
{
    struct dd_audit_report r;
    assert_int_equal(dd_audit_verify(fx->db, &r), DD_ECHECKSUM);
    assert_false(r.ok);
    assert_int_equal(r.fault, fault);
    assert_int_equal(r.bad_id, bad_id);
    assert_int_equal(r.rows, good_rows);
    if (strstr(r.reason, words) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", words, r.reason);
    assert_false(dd_db_in_transaction(fx->db));
}

static void
test_chain_verifies(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 5);

    /* Several appends inside one caller transaction, with optional fields left out. */
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    const struct dd_audit_entry bare = {.actor = "system", .action = "server.start"};
    assert_int_equal(dd_audit_append(fx->db, &bare), DD_OK);
    assert_int_equal(dd_audit_append(fx->db, &bare), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);

    struct dd_audit_report r;
    assert_int_equal(dd_audit_verify(fx->db, &r), DD_OK);
    assert_true(r.ok);
    assert_int_equal(r.rows, 7);
    assert_int_equal(r.bad_id, 0);
    assert_int_equal(r.fault, DD_AUDIT_INTACT);

    /* Consecutive ids, linked hashes, the head at the last row, defaults stored. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.id "
                                      "= a.id + 1 WHERE b.prev_hash = a.hash"),
                     6);
    char first_prev[80], head_hash[80], last_hash[80], detail[32], object[32];
    dbfx_text(fx->db, "SELECT prev_hash FROM audit_log WHERE id = 1", first_prev,
              sizeof first_prev);
    assert_string_equal(first_prev,
                        "0000000000000000000000000000000000000000000000000000000000000000");
    assert_int_equal(dbfx_int(fx->db, "SELECT seq FROM audit_head"), 7);
    dbfx_text(fx->db, "SELECT last_hash FROM audit_head", head_hash, sizeof head_hash);
    dbfx_text(fx->db, "SELECT hash FROM audit_log WHERE id = 7", last_hash, sizeof last_hash);
    assert_string_equal(head_hash, last_hash);
    dbfx_text(fx->db, "SELECT detail FROM audit_log WHERE id = 6", detail, sizeof detail);
    assert_string_equal(detail, "{}");
    dbfx_text(fx->db, "SELECT object FROM audit_log WHERE id = 6", object, sizeof object);
    assert_string_equal(object, "");
}

static void
test_empty_log_verifies(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 0);
    struct dd_audit_report r;
    assert_int_equal(dd_audit_verify(fx->db, &r), DD_OK);
    assert_true(r.ok);
    assert_int_equal(r.rows, 0);
}

static void
test_append_checks_its_input(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 0);
    const struct dd_audit_entry ok = {.actor = "system", .action = "x"};
    assert_int_equal(dd_audit_append(fx->db, &ok), DD_EINVAL); /* no transaction */

    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    const struct dd_audit_entry no_actor = {.action = "x"};
    const struct dd_audit_entry empty_action = {.actor = "system", .action = ""};
    const struct dd_audit_entry bad_json = {.actor = "system", .action = "x", .detail = "{oops"};
    const struct dd_audit_entry bad_utf8 = {.actor = "system", .action = "x", .object = "\xc3("};
    char long_actor[DD_AUDIT_MAX_ACTOR + 2];
    memset(long_actor, 'a', sizeof long_actor - 1);
    long_actor[sizeof long_actor - 1] = '\0';
    const struct dd_audit_entry too_long = {.actor = long_actor, .action = "x"};
    assert_int_equal(dd_audit_append(fx->db, &no_actor), DD_EINVAL);
    assert_int_equal(dd_audit_append(fx->db, &empty_action), DD_EINVAL);
    assert_int_equal(dd_audit_append(fx->db, &bad_json), DD_EINVAL);
    assert_int_equal(dd_audit_append(fx->db, &bad_utf8), DD_EINVAL);
    assert_int_equal(dd_audit_append(fx->db, &too_long), DD_EINVAL);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM audit_log"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT seq FROM audit_head"), 0);
}

/* Rows appended in a transaction that rolls back leave no trace, not even a gap. */
static void
test_rollback_leaves_no_gap(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 2);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    const struct dd_audit_entry e = {.actor = "system", .action = "x"};
    assert_int_equal(dd_audit_append(fx->db, &e), DD_OK);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
    assert_int_equal(dd_audit_record(fx->db, &e), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT max(id) FROM audit_log"), 3);
    struct dd_audit_report r;
    assert_int_equal(dd_audit_verify(fx->db, &r), DD_OK);
    assert_int_equal(r.rows, 3);
}

/* The triggers refuse changes to the log in the first place. */
static void
test_log_is_append_only(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 2);
    assert_int_equal(dd_db_exec(fx->db, "UPDATE audit_log SET action = 'x' WHERE id = 1"),
                     DD_ECONFLICT);
    assert_non_null(strstr(dd_db_errmsg(fx->db), "append-only"));
    assert_int_equal(dd_db_exec(fx->db, "DELETE FROM audit_log WHERE id = 2"), DD_ECONFLICT);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM audit_log"), 2);
}

static void
test_altered_row_found(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 5);
    drop_triggers(fx);
    dbfx_exec(fx->db, "UPDATE audit_log SET action = 'person.view' WHERE id = 3");
    expect_fault(fx, DD_AUDIT_ALTERED, 3, 2, "row 3 was altered");
}

static void
test_altered_detail_found(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 5);
    drop_triggers(fx);
    /* Moving one byte between two fields keeps their concatenation: the lengths still differ. */
    dbfx_exec(fx->db, "UPDATE audit_log SET actor = 'officer:104', object = '2person:4' WHERE id "
                      "= 4");
    expect_fault(fx, DD_AUDIT_ALTERED, 4, 3, "row 4 was altered");
}

static void
test_deleted_middle_row_found(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 5);
    drop_triggers(fx);
    dbfx_exec(fx->db, "DELETE FROM audit_log WHERE id = 3");
    expect_fault(fx, DD_AUDIT_GAP, 3, 2, "rows 3 to 3 are missing");
}

/* Deleting a row and renumbering the rest to hide the gap breaks the hashes instead. */
static void
test_renumbered_rows_found(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 5);
    drop_triggers(fx);
    dbfx_exec(fx->db, "DELETE FROM audit_log WHERE id = 3");
    dbfx_exec(fx->db, "UPDATE audit_log SET id = id - 1 WHERE id = 4");
    dbfx_exec(fx->db, "UPDATE audit_log SET id = id - 1 WHERE id = 5");
    dbfx_exec(fx->db, "UPDATE audit_head SET seq = 4");
    expect_fault(fx, DD_AUDIT_ALTERED, 3, 2, "row 3 was altered");
}

static void
test_deleted_last_row_found(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 5);
    drop_triggers(fx);
    dbfx_exec(fx->db, "DELETE FROM audit_log WHERE id = 5");
    expect_fault(fx, DD_AUDIT_HEAD, 5, 4, "rows at the end were deleted");
}

static void
test_altered_head_found(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 3);
    dbfx_exec(fx->db, "UPDATE audit_head SET last_hash = "
                      "'1111111111111111111111111111111111111111111111111111111111111111'");
    expect_fault(fx, DD_AUDIT_HEAD, 3, 3, "the head was altered");
}

/* A log longer than one page is walked page by page; a fault deep inside is still found. */
static void
test_long_log(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup_log(fx, 0);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    for (int i = 0; i < 1000; i++) {
        char detail[48];
        snprintf(detail, sizeof detail, "{\"i\":%d}", i);
        const struct dd_audit_entry e = {.actor = "system", .action = "bulk", .detail = detail};
        assert_int_equal(dd_audit_append(fx->db, &e), DD_OK);
    }
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    struct dd_audit_report r;
    assert_int_equal(dd_audit_verify(fx->db, &r), DD_OK);
    assert_int_equal(r.rows, 1000);

    drop_triggers(fx);
    dbfx_exec(fx->db, "UPDATE audit_log SET detail = '{\"i\":0}' WHERE id = 700");
    expect_fault(fx, DD_AUDIT_ALTERED, 700, 699, "row 700 was altered");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(test_chain_verifies),          DB_TEST(test_empty_log_verifies),
        DB_TEST(test_append_checks_its_input), DB_TEST(test_rollback_leaves_no_gap),
        DB_TEST(test_log_is_append_only),      DB_TEST(test_altered_row_found),
        DB_TEST(test_altered_detail_found),    DB_TEST(test_deleted_middle_row_found),
        DB_TEST(test_renumbered_rows_found),   DB_TEST(test_deleted_last_row_found),
        DB_TEST(test_altered_head_found),      DB_TEST(test_long_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
