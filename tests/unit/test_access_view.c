/*
 * test_access_view.c — a person's own view of the access log (src/core/consent/access_view.c):
 * page cursors written and read back, and on SQLite and PostgreSQL: pages come newest first
 * (day, then id) across the rows already in the index by person and those still in the log's
 * tail, each row exactly once however the pages are cut; other people's rows and the person's
 * own reads are left out; rows older than five years are not shown; a row found both in the
 * tail and in the index (indexed between the two reads) is shown once; a person read once,
 * years ago, is still found.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "core/access_log.h"
#include "core/consent/access_view.h"
#include "core/consent/dates.h"

#define T0     1772334000000LL /* 2026-03-01T03:00:00Z */
#define TODAY  20513
#define PERSON "056090001234"
#define OTHER  "056190004321"

static struct dd_db *
migrated(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    return fx->db;
}

/* Appends a row for `id_number` on `day` by `actor`; returns its id. */
static int64_t
add_row(struct dd_db *db, const char *id_number, int64_t day, const char *actor)
{
    char at[32];
    dd_date_format(day, at);
    memcpy(at + 10, "T09:15:00.000Z", 15);
    struct dd_stmt *st;
    assert_int_equal(
        dd_db_prepare(db, DD_ACCESS_LOG_INSERT DD_ACCESS_LOG_VALUES " RETURNING id", &st), DD_OK);
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_int64(st, 2, day);
    dd_stmt_bind_text(st, 3, at);
    dd_stmt_bind_text(st, 4, actor);
    dd_stmt_bind_text(st, 5, "Trần Văn Công");
    dd_stmt_bind_text(st, 6, "commune-police");
    dd_stmt_bind_text(st, 7, "Công an phường Nha Trang");
    dd_stmt_bind_text(st, 8, "read");
    dd_stmt_bind_text(st, 9, "person");
    dd_stmt_bind_text(st, 10, "Kiểm tra hồ sơ");
    dd_stmt_bind_text(st, 11, "req");
    assert_int_equal(dd_stmt_step(st), DD_DB_ROW);
    int64_t id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return id;
}

static void
index_now(struct dd_db *db)
{
    assert_int_equal(dd_access_log_index(db, INT64_MAX, NULL), DD_OK);
}

static struct dd_access_query
query_for(const char *id_number, const char *exclude)
{
    return (struct dd_access_query){
        .id_number = id_number,
        .exclude_actor = exclude,
        .oldest_day = dd_access_oldest_day(T0),
    };
}

/* Reads every page of q with pages of `limit` rows into ids[] (room for max); returns the count
 * and checks that the order is newest first and that only the last page says no more. */
static int
read_all(struct dd_db *db, const struct dd_access_query *q, int limit, int64_t *ids, int max)
{
    struct dd_arena *a = dd_arena_new(0);
    struct dd_access_entry *rows = dd_arena_alloc(a, (size_t)limit * sizeof *rows);
    struct dd_access_pos pos = dd_access_pos_first(T0);
    int total = 0;
    int64_t last_day = INT64_MAX, last_id = INT64_MAX;
    for (bool more = true; more;) {
        int n;
        assert_int_equal(dd_access_page(db, a, q, &pos, limit, rows, &n, &more), DD_OK);
        if (more)
            assert_int_equal(n, limit);
        for (int i = 0; i < n; i++) {
            assert_true(rows[i].day < last_day ||
                        (rows[i].day == last_day && rows[i].id < last_id));
            last_day = rows[i].day;
            last_id = rows[i].id;
            assert_string_equal(rows[i].agency, "Công an phường Nha Trang");
            assert_true(total < max);
            ids[total++] = rows[i].id;
        }
        if (more) {
            /* the cursor survives being written and read back */
            char text[DD_ACCESS_POS_MAX];
            dd_access_pos_format(&pos, text);
            assert_int_equal(dd_access_pos_parse(text, &pos), DD_OK);
        }
    }
    dd_arena_free(a);
    return total;
}

static void
cursors_round_trip(void **state)
{
    (void)state;
    struct dd_access_pos p = {.day = 20513, .id = 987654321}, q;
    char text[DD_ACCESS_POS_MAX];
    dd_access_pos_format(&p, text);
    assert_string_equal(text, "20513.987654321");
    assert_int_equal(dd_access_pos_parse(text, &q), DD_OK);
    assert_int_equal(q.day, p.day);
    assert_int_equal(q.id, p.id);
    assert_int_equal(dd_access_pos_parse("20513", &q), DD_EINVAL);
    assert_int_equal(dd_access_pos_parse("x.1", &q), DD_EINVAL);
    assert_int_equal(dd_access_pos_parse("1.-1", &q), DD_EINVAL);
    assert_int_equal(dd_access_pos_parse(".1", &q), DD_EINVAL);
    assert_int_equal(dd_access_pos_parse("1.", &q), DD_EINVAL);
    assert_int_equal(dd_access_pos_parse("99999999999999.1", &q), DD_EINVAL);
    assert_int_equal(dd_access_pos_parse(NULL, &q), DD_EINVAL);
    assert_string_equal(dd_access_reader_kind("officer:12"), "officer");
    assert_string_equal(dd_access_reader_kind("establishment:4"), "establishment");
    assert_string_equal(dd_access_reader_kind("client:portal"), "client");
    assert_string_equal(dd_access_reader_kind("officers:1"), "system");
    assert_string_equal(dd_access_reader_kind("import"), "system");
}

static void
pages_newest_first_across_tail_and_index(void **state)
{
    struct dd_db *db = migrated(state);
    /* Days out of order, several rows on some days, other people between them. */
    int64_t days[] = {TODAY - 3, TODAY, TODAY - 40, TODAY - 3, TODAY - 700, TODAY, TODAY - 1};
    int64_t mine[16];
    int n_mine = 0;
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        mine[n_mine++] = add_row(db, PERSON, days[i], "officer:1");
        add_row(db, OTHER, days[i], "officer:1");
    }
    index_now(db);
    /* The tail: not indexed yet, including an older day than some indexed rows. */
    mine[n_mine++] = add_row(db, PERSON, TODAY, "officer:2");
    mine[n_mine++] = add_row(db, PERSON, TODAY - 2, "officer:2");
    add_row(db, OTHER, TODAY, "officer:2");
    struct dd_access_query q = query_for(PERSON, "citizen:9");
    for (int limit = 1; limit <= 10; limit++) {
        int64_t got[32];
        int n = read_all(db, &q, limit, got, 32);
        assert_int_equal(n, n_mine);
        for (int i = 0; i < n_mine; i++) {
            int found = 0;
            for (int j = 0; j < n; j++)
                found += got[j] == mine[i];
            assert_int_equal(found, 1);
        }
    }
}

static void
own_reads_and_old_rows_are_left_out(void **state)
{
    struct dd_db *db = migrated(state);
    int64_t oldest = dd_access_oldest_day(T0);
    int64_t kept_old = add_row(db, PERSON, oldest, "officer:1");
    add_row(db, PERSON, oldest - 1, "officer:1");
    add_row(db, PERSON, TODAY - 5, "citizen:9");
    index_now(db);
    int64_t recent = add_row(db, PERSON, TODAY, "officer:1");
    add_row(db, PERSON, TODAY, "citizen:9");
    struct dd_access_query q = query_for(PERSON, "citizen:9");
    int64_t got[8];
    assert_int_equal(read_all(db, &q, 50, got, 8), 2);
    assert_int_equal(got[0], recent);
    assert_int_equal(got[1], kept_old);
    /* Without an actor to leave out, the person's own rows show. */
    q.exclude_actor = NULL;
    assert_int_equal(read_all(db, &q, 50, got, 8), 4);
    char oldest_text[11];
    dd_date_format(oldest, oldest_text);
    assert_string_equal(oldest_text, "2021-03-01");
}

static void
row_both_in_tail_and_index_is_shown_once(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_db *db = migrated(state);
    int64_t a = add_row(db, PERSON, TODAY - 1, "officer:1");
    index_now(db);
    int64_t b = add_row(db, PERSON, TODAY, "officer:1");
    if (fx->kind == DD_DB_SQLITE) {
        /* As if the index took row b between the tail's read and the index's. */
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT INTO access_log_by_person (day, id_number, id) VALUES (%d, '%s', %lld)",
                 TODAY, PERSON, (long long)b);
        dbfx_exec(db, sql);
    }
    struct dd_access_query q = query_for(PERSON, NULL);
    int64_t got[4];
    for (int limit = 1; limit <= 3; limit++) {
        assert_int_equal(read_all(db, &q, limit, got, 4), 2);
        assert_int_equal(got[0], b);
        assert_int_equal(got[1], a);
    }
}

static void
person_read_once_years_ago_is_found(void **state)
{
    struct dd_db *db = migrated(state);
    for (int d = 0; d < 400; d++)
        add_row(db, OTHER, TODAY - d * 4, "officer:1");
    int64_t only = add_row(db, PERSON, TODAY - 1500, "officer:1");
    index_now(db);
    struct dd_access_query q = query_for(PERSON, NULL);
    int64_t got[2];
    assert_int_equal(read_all(db, &q, 1, got, 2), 1);
    assert_int_equal(got[0], only);
    q.id_number = "079000000000";
    assert_int_equal(read_all(db, &q, 5, got, 2), 0);
    struct dd_arena *ar = dd_arena_new(0);
    struct dd_access_entry rows[1];
    struct dd_access_pos pos = dd_access_pos_first(T0);
    int n;
    bool more;
    assert_int_equal(dd_access_page(db, ar, &q, &pos, 0, rows, &n, &more), DD_EINVAL);
    dd_arena_free(ar);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursors_round_trip),
        DB_TEST(pages_newest_first_across_tail_and_index),
        DB_TEST(own_reads_and_old_rows_are_left_out),
        DB_TEST(row_both_in_tail_and_index_is_shown_once),
        DB_TEST(person_read_once_years_ago_is_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
