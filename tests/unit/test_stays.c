/*
 * test_stays.c — the rules of stays that need no server (src/core/stays/): the deadlines at their
 * edges (22:59:59.999 and 23:00:00.000 local, a report at 23:00:00.000 exactly, 08:00 the next
 * day, 12 hours for foreigners, 24 in remote communes), local days across UTC midnight, the times
 * clients send; and on SQLite and PostgreSQL, the schema refusing a second present stay of a
 * guest while allowing it after the check-out, and the tourism figures kept from the stay events
 * (arrivals, guest nights added at check-in and check-out, a same-day stay taken back).
 */
#include "db_fixture.h"

#include "core/stays/internal.h"
#include "core/stays/stays.h"

#define H (3600LL * 1000)

/* ms of a UTC wall time. */
static int64_t
at(const char *iso)
{
    int64_t ms = 0;
    assert_int_equal(dd_stay_time_parse(iso, &ms), DD_OK);
    return ms;
}

static void
before_23_is_due_at_23_the_same_day(void **state)
{
    (void)state;
    int64_t due = at("2026-11-28T23:00:00+07:00");
    assert_int_equal(dd_stay_due_ms(at("2026-11-28T00:00:00+07:00"), false, false), due);
    assert_int_equal(dd_stay_due_ms(at("2026-11-28T14:10:00+07:00"), false, false), due);
    assert_int_equal(dd_stay_due_ms(at("2026-11-28T22:59:59.999+07:00"), false, false), due);
    /* The remote flag is for foreigners only. */
    assert_int_equal(dd_stay_due_ms(at("2026-11-28T22:59:59.999+07:00"), false, true), due);
}

static void
from_23_is_due_at_08_the_next_day(void **state)
{
    (void)state;
    int64_t due = at("2026-11-29T08:00:00+07:00");
    assert_int_equal(dd_stay_due_ms(at("2026-11-28T23:00:00+07:00"), false, false), due);
    assert_int_equal(dd_stay_due_ms(at("2026-11-28T23:59:59.999+07:00"), false, false), due);
    /* Given in UTC: 16:00Z is 23:00 in Vietnam. */
    assert_int_equal(dd_stay_due_ms(at("2026-11-28T16:00:00Z"), false, false), due);
    /* Across a month's and a year's end. */
    assert_int_equal(dd_stay_due_ms(at("2026-12-31T23:30:00+07:00"), false, false),
                     at("2027-01-01T08:00:00+07:00"));
}

static void
a_report_at_the_deadline_is_late(void **state)
{
    (void)state;
    int64_t due = at("2026-11-28T23:00:00+07:00");
    assert_false(dd_stay_late(due - 1, due));
    assert_true(dd_stay_late(due, due));
    assert_true(dd_stay_late(due + 1, due));
    int64_t morning = at("2026-11-29T08:00:00+07:00");
    assert_false(dd_stay_late(at("2026-11-29T07:59:59.999+07:00"), morning));
    assert_true(dd_stay_late(at("2026-11-29T08:00:00+07:00"), morning));
}

static void
foreigners_within_12_hours_or_24_when_remote(void **state)
{
    (void)state;
    int64_t a = at("2026-11-28T21:15:00+07:00");
    assert_int_equal(dd_stay_due_ms(a, true, false), a + 12 * H);
    assert_int_equal(dd_stay_due_ms(a, true, true), a + 24 * H);
    assert_false(dd_stay_late(a + 12 * H - 1, dd_stay_due_ms(a, true, false)));
    assert_true(dd_stay_late(a + 12 * H, dd_stay_due_ms(a, true, false)));
    assert_false(dd_stay_late(a + 23 * H, dd_stay_due_ms(a, true, true)));
}

static void
local_days_are_vietnams(void **state)
{
    (void)state;
    char d[11];
    dd_stay_local_day(at("2026-11-28T16:59:59.999Z"), d);
    assert_string_equal(d, "2026-11-28");
    dd_stay_local_day(at("2026-11-28T17:00:00Z"), d);
    assert_string_equal(d, "2026-11-29");
    dd_stay_local_day(0, d);
    assert_string_equal(d, "1970-01-01");
}

static void
times_need_a_zone_and_a_real_date(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(at("2026-11-28T22:00:00.5+07:00"), at("2026-11-28T15:00:00.500Z"));
    assert_int_equal(at("2026-11-28T22:00:00-02:30"), at("2026-11-29T00:30:00Z"));
    const char *bad[] = {"2026-11-28T22:00:00",
                         "2026-11-28 22:00:00Z",
                         "2026-02-29T10:00:00Z",
                         "2026-11-31T10:00:00Z",
                         "2026-11-28T24:00:00Z",
                         "2026-11-28T22:00:00+7",
                         "2026-11-28T22:00:00.Z",
                         "",
                         NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(dd_stay_time_parse(bad[i], &ms), DD_EINVAL);
    assert_int_equal(dd_stay_time_parse(NULL, &ms), DD_EINVAL);
}

/* --- on both backends --- */

static struct dd_db *
migrated(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    dbfx_exec(fx->db, "INSERT INTO organisations (kind, name, address, province_code, "
                      "commune_code, created_by, created_at, updated_at) VALUES ('hotel', 'KS', "
                      "'1 Trần Phú', '56', '22366', 'test', 'now', 'now')");
    dbfx_exec(fx->db, "INSERT INTO stay_establishments (org_id, type, stars, class, beds, name, "
                      "address, province_code, commune_code, status, requested_by, requested_at, "
                      "updated_at) SELECT id, 'hotel', 3, 'hotel-3', 10, 'KS', '1 Trần Phú', '56', "
                      "'22366', 'approved', 'test', 'now', 'now' FROM organisations");
    return fx->db;
}

static int
insert_stay(struct dd_db *db, const char *key, const char *departed)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO stays (establishment_id, province_code, commune_code, "
                           "guest_key, nationality, source, arrived_at, arrival_day, "
                           "departed_at, reported_at, due_at, reported_by, updated_at) SELECT "
                           "org_id, '56', '22366', ?, 'VNM', 'typed', 'a', '2026-11-28', ?, 'r', "
                           "'d', 'test', 'u' FROM stay_establishments",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, key);
    dd_stmt_bind_text(st, 2, departed);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc;
}

static void
a_guest_is_present_once_per_establishment(void **state)
{
    struct dd_db *db = migrated(state);
    assert_int_equal(insert_stay(db, "id:056090000001", "2026-11-27T10:00:00.000Z"), DD_DB_DONE);
    assert_int_equal(insert_stay(db, "id:056090000001", ""), DD_DB_DONE);
    assert_int_equal(insert_stay(db, "id:056090000001", ""), DD_ECONFLICT);
    assert_int_equal(insert_stay(db, "pp:KOR:M1234567", ""), DD_DB_DONE);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM stays"), 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(before_23_is_due_at_23_the_same_day),
        cmocka_unit_test(from_23_is_due_at_08_the_next_day),
        cmocka_unit_test(a_report_at_the_deadline_is_late),
        cmocka_unit_test(foreigners_within_12_hours_or_24_when_remote),
        cmocka_unit_test(local_days_are_vietnams),
        cmocka_unit_test(times_need_a_zone_and_a_real_date),
        DB_TEST(a_guest_is_present_once_per_establishment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
