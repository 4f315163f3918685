/*
 * test_consent.c — consents and correction requests (src/core/consent/): calendar dates and
 * Vietnam's day; which consents are refused before anything is stored (unknown or repeated
 * items, a period in the past, reversed or longer than five years, bad service ids); and on
 * SQLite and PostgreSQL: a granted consent holds for its service, items and period only, a
 * withdrawal ends it from that moment while it still held before, a second withdrawal or one
 * of another person's consent is refused, every change emits consent.changed with ids only,
 * listing pages newest first; a correction request goes to the person's commune, proposals the
 * register's rules refuse are found, officers' lists are by area and status, and a request is
 * decided once.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "core/consent/consent.h"
#include "core/consent/corrections.h"
#include "core/consent/dates.h"
#include "core/register/register.h"

#include <jansson.h>

#define T0       1772334000000LL /* 2026-03-01T03:00:00Z: 2026-03-01 in Vietnam */
#define T_LATE   1772303400000LL /* 2026-02-28T18:30:00Z: already 2026-03-01 in Vietnam */
#define DAY_MS   86400000LL
#define PERSON   "056090001234"
#define OTHER    "056190004321"
#define SERVICE  "lgsp:bhxh"
#define SERVICE2 "sso:benh-vien-tinh"

/* --- dates, without a database --- */

static void
dates_parse_and_format(void **state)
{
    (void)state;
    int64_t d;
    assert_int_equal(dd_date_parse("1970-01-01", 0, &d), DD_OK);
    assert_int_equal(d, 0);
    assert_int_equal(dd_date_parse("2026-03-01", 0, &d), DD_OK);
    assert_int_equal(d, 20513);
    char out[11];
    dd_date_format(d, out);
    assert_string_equal(out, "2026-03-01");
    assert_int_equal(dd_date_parse("2024-02-29", 0, &d), DD_OK);
    assert_int_equal(dd_date_parse("2025-02-29", 0, &d), DD_EINVAL);
    assert_int_equal(dd_date_parse("2025-13-01", 0, &d), DD_EINVAL);
    assert_int_equal(dd_date_parse("2025-1-01", 0, &d), DD_EINVAL);
    assert_int_equal(dd_date_parse("2025-01-01T", 0, &d), DD_EINVAL);
    assert_int_equal(dd_date_parse("2025-01-01T10:00:00Z", 1, &d), DD_OK);
    assert_int_equal(dd_date_parse(NULL, 0, &d), DD_EINVAL);
    assert_int_equal(dd_date_parse("", 0, &d), DD_EINVAL);
}

static void
dates_add_years_keeps_the_day(void **state)
{
    (void)state;
    int64_t d, e;
    char out[11];
    dd_date_parse("2024-02-29", 0, &d);
    dd_date_format(dd_days_add_years(d, 5), out);
    assert_string_equal(out, "2029-02-28");
    dd_date_format(dd_days_add_years(d, 4), out);
    assert_string_equal(out, "2028-02-29");
    dd_date_parse("2026-03-01", 0, &d);
    dd_date_parse("2021-03-01", 0, &e);
    assert_int_equal(dd_days_add_years(d, -5), e);
}

static void
vietnam_day_is_seven_hours_ahead(void **state)
{
    (void)state;
    assert_int_equal(dd_day_vietnam(T0), 20513);
    assert_int_equal(dd_day_vietnam(T_LATE), 20513);
    assert_int_equal(dd_day_vietnam(T_LATE - 90 * 60 * 1000), 20513);     /* midnight */
    assert_int_equal(dd_day_vietnam(T_LATE - 90 * 60 * 1000 - 1), 20512); /* 23:59:59.999 */
}

/* --- validation --- */

static const char *const two_items[] = {"identity", "health-insurance"};

static struct dd_consent_new
good_consent(void)
{
    return (struct dd_consent_new){
        .id_number = PERSON,
        .account_id = 7,
        .service = SERVICE,
        .service_name = "Bảo hiểm xã hội tỉnh Khánh Hòa",
        .items = two_items,
        .n_items = 2,
        .purpose = "Cấp lại thẻ bảo hiểm y tế",
        .valid_from = "2026-03-01",
        .valid_until = "2027-02-28",
        .request_id = "req-1",
    };
}

static const char *
first_code(const struct dd_consent_issues *is, const char *field)
{
    for (int i = 0; i < is->count; i++)
        if (strcmp(is->list[i].field, field) == 0)
            return is->list[i].code;
    return "";
}

static void
validate_accepts_a_good_consent(void **state)
{
    (void)state;
    struct dd_consent_new c = good_consent();
    struct dd_consent_issues is;
    assert_int_equal(dd_consent_validate(&c, 20513, &is), 0);
    c.valid_until = "2031-02-28"; /* 5 years less a day */
    assert_int_equal(dd_consent_validate(&c, 20513, &is), 0);
    c.valid_until = c.valid_from; /* one day */
    assert_int_equal(dd_consent_validate(&c, 20513, &is), 0);
}

static void
validate_refuses_each_bad_field(void **state)
{
    (void)state;
    struct dd_consent_issues is;
    struct dd_consent_new c = good_consent();
    c.valid_until = "2031-03-01"; /* a full 5 years and a day */
    assert_int_equal(dd_consent_validate(&c, 20513, &is), 1);
    assert_string_equal(first_code(&is, "valid_until"), "period-too-long");

    c = good_consent();
    c.valid_from = "2026-02-28";
    assert_int_equal(dd_consent_validate(&c, 20513, &is), 1);
    assert_string_equal(first_code(&is, "valid_from"), "date-past");

    c = good_consent();
    c.valid_until = "2026-02-28";
    c.valid_from = "2026-03-02";
    dd_consent_validate(&c, 20513, &is);
    assert_string_equal(first_code(&is, "valid_until"), "period-reversed");

    c = good_consent();
    c.valid_until = "2026-02-30";
    dd_consent_validate(&c, 20513, &is);
    assert_string_equal(first_code(&is, "valid_until"), "date-invalid");

    const char *unknown[] = {"identity", "dna"};
    const char *repeated[] = {"residence", "residence"};
    c = good_consent();
    c.items = unknown;
    dd_consent_validate(&c, 20513, &is);
    assert_string_equal(first_code(&is, "items"), "item-unknown");
    c.items = repeated;
    dd_consent_validate(&c, 20513, &is);
    assert_string_equal(first_code(&is, "items"), "item-repeated");
    c.n_items = 0;
    dd_consent_validate(&c, 20513, &is);
    assert_string_equal(first_code(&is, "items"), "items-count");

    c = good_consent();
    c.service = "LGSP BHXH";
    c.service_name = "";
    c.purpose = "tab\there";
    c.id_number = "12345";
    assert_int_equal(dd_consent_validate(&c, 20513, &is), 4);
    assert_string_equal(first_code(&is, "service"), "service-invalid");
    assert_string_equal(first_code(&is, "service_name"), "text-invalid");
    assert_string_equal(first_code(&is, "purpose"), "text-invalid");
    assert_string_equal(first_code(&is, "id_number"), "id-number-invalid");
}

static void
service_ids(void **state)
{
    (void)state;
    assert_true(dd_consent_service_valid("lgsp:bhxh"));
    assert_true(dd_consent_service_valid("sso.benh-vien_1"));
    assert_true(dd_consent_service_valid("9"));
    assert_false(dd_consent_service_valid(""));
    assert_false(dd_consent_service_valid(NULL));
    assert_false(dd_consent_service_valid(":x"));
    assert_false(dd_consent_service_valid("Upper"));
    assert_false(dd_consent_service_valid("a b"));
    char long_id[DD_CONSENT_MAX_SERVICE + 2];
    memset(long_id, 'a', sizeof long_id);
    long_id[DD_CONSENT_MAX_SERVICE] = '\0';
    assert_true(dd_consent_service_valid(long_id));
    long_id[DD_CONSENT_MAX_SERVICE] = 'a';
    long_id[DD_CONSENT_MAX_SERVICE + 1] = '\0';
    assert_false(dd_consent_service_valid(long_id));
    assert_non_null(dd_consent_item_find("health-insurance"));
    assert_null(dd_consent_item_find("Health-Insurance"));
}

/* --- on a database --- */

static struct dd_db *
migrated(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    return fx->db;
}

static int64_t
grant(struct dd_db *db, const struct dd_consent_new *c, int64_t at)
{
    int64_t id = 0;
    assert_int_equal(dd_db_begin(db), DD_OK);
    int rc = dd_consent_grant(db, c, at, &id);
    if (rc != DD_OK)
        fail_msg("grant: %d %s", rc, dd_db_errmsg(db));
    assert_int_equal(dd_db_commit(db), DD_OK);
    assert_true(id > 0);
    return id;
}

static bool
holds(struct dd_db *db, const char *person, const char *service, const char *item, int64_t at)
{
    bool h = true;
    int64_t id = -1;
    assert_int_equal(dd_consent_check(db, person, service, item, at, &h, &id), DD_OK);
    assert_true(h ? id > 0 : id == 0);
    assert_int_equal(dd_consent_holds(db, person, service, item, at), h);
    return h;
}

static void
consent_holds_for_its_service_items_and_period(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_consent_new c = good_consent();
    c.valid_from = "2026-03-05";
    c.valid_until = "2026-03-10";
    grant(db, &c, T0);
    int64_t d5 = T0 + 4 * DAY_MS, d10 = T0 + 9 * DAY_MS;
    assert_true(holds(db, PERSON, SERVICE, "identity", d5));
    assert_true(holds(db, PERSON, SERVICE, "health-insurance", d10));
    assert_false(holds(db, PERSON, SERVICE, "identity", T0));           /* not begun */
    assert_false(holds(db, PERSON, SERVICE, "identity", d10 + DAY_MS)); /* ended */
    assert_false(holds(db, PERSON, SERVICE, "residence", d5));          /* another item */
    assert_false(holds(db, PERSON, SERVICE2, "identity", d5));          /* another service */
    assert_false(holds(db, OTHER, SERVICE, "identity", d5));            /* another person */
    /* The period is Vietnam's calendar: 2026-03-04T17:00Z is already 03-05 in Vietnam. */
    assert_true(holds(db, PERSON, SERVICE, "identity", 1772643600000LL));
    assert_false(holds(db, PERSON, SERVICE, "identity", 1772643600000LL - 1));
    /* A second consent for the same service with a later end is the one named. */
    c.valid_until = "2026-06-01";
    int64_t second = grant(db, &c, T0);
    bool h;
    int64_t which;
    assert_int_equal(dd_consent_check(db, PERSON, SERVICE, "identity", d5, &h, &which), DD_OK);
    assert_true(h);
    assert_int_equal(which, second);
}

static void
withdrawal_ends_consent_from_that_moment(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_consent_new c = good_consent();
    int64_t id = grant(db, &c, T0);
    int64_t at = T0 + 3 * DAY_MS;
    assert_true(holds(db, PERSON, SERVICE, "identity", at));

    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_consent_withdraw(db, OTHER, id, NULL, at), DD_ENOTFOUND);
    assert_int_equal(dd_consent_withdraw(db, PERSON, id + 100, NULL, at), DD_ENOTFOUND);
    assert_int_equal(dd_consent_withdraw(db, PERSON, id, "Không dùng nữa", at), DD_OK);
    assert_int_equal(dd_consent_withdraw(db, PERSON, id, NULL, at + 1), DD_ECONFLICT);
    assert_int_equal(dd_db_commit(db), DD_OK);

    assert_false(holds(db, PERSON, SERVICE, "identity", at));
    assert_false(holds(db, PERSON, SERVICE, "identity", at + DAY_MS));
    assert_true(holds(db, PERSON, SERVICE, "identity", at - 1)); /* it held before */

    struct dd_arena *a = dd_arena_new(0);
    struct dd_consent got;
    assert_int_equal(dd_consent_get(db, a, PERSON, id, &got), DD_OK);
    assert_string_equal(got.withdrawal_reason, "Không dùng nữa");
    assert_string_equal(got.withdrawn_at, "2026-03-04T03:00:00.000Z");
    assert_string_equal(dd_consent_state(&got, at), "withdrawn");
    assert_string_equal(got.items_json, "[\"identity\",\"health-insurance\"]");
    assert_int_equal(dd_consent_get(db, a, OTHER, id, &got), DD_ENOTFOUND);
    /* The consent stays: one row, one withdrawal. */
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM consents"), 1);
    dd_arena_free(a);
}

static void
ended_consent_cannot_be_withdrawn(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_consent_new c = good_consent();
    c.valid_until = "2026-03-02";
    int64_t id = grant(db, &c, T0);
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_consent_withdraw(db, PERSON, id, NULL, T0 + 2 * DAY_MS), DD_ECONFLICT);
    assert_int_equal(dd_db_rollback(db), DD_OK);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_consent got;
    assert_int_equal(dd_consent_get(db, a, PERSON, id, &got), DD_OK);
    assert_string_equal(dd_consent_state(&got, T0), "active");
    assert_string_equal(dd_consent_state(&got, T0 + 2 * DAY_MS), "expired");
    assert_string_equal(dd_consent_state(&got, T0 - DAY_MS), "pending");
    assert_string_equal(got.withdrawn_at, "");
    dd_arena_free(a);
}

static void
changes_emit_events_with_ids_only(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_consent_new c = good_consent();
    int64_t id = grant(db, &c, T0);
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_consent_withdraw(db, PERSON, id, "lý do riêng tư", T0 + 1), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'consent.changed'"), 2);
    char payload[512], subject[64];
    dbfx_text(db, "SELECT payload FROM events WHERE type = 'consent.changed' ORDER BY id LIMIT 1",
              payload, sizeof payload);
    json_t *p = json_loads(payload, 0, NULL);
    assert_non_null(p);
    assert_int_equal(json_integer_value(json_object_get(p, "consent_id")), id);
    assert_string_equal(json_string_value(json_object_get(p, "change")), "granted");
    assert_string_equal(json_string_value(json_object_get(p, "id_number")), PERSON);
    assert_string_equal(json_string_value(json_object_get(p, "service")), SERVICE);
    assert_int_equal(json_array_size(json_object_get(p, "items")), 2);
    assert_int_equal(json_object_size(p), 5); /* nothing else: no purpose, no names */
    json_decref(p);
    dbfx_text(db,
              "SELECT payload FROM events WHERE type = 'consent.changed' ORDER BY id DESC "
              "LIMIT 1",
              payload, sizeof payload);
    assert_non_null(strstr(payload, "\"change\":\"withdrawn\""));
    assert_null(strstr(payload, "riêng tư"));
    dbfx_text(db, "SELECT subject FROM events WHERE type = 'consent.changed' LIMIT 1", subject,
              sizeof subject);
    assert_string_equal(subject, "person:" PERSON);
}

static void
bad_grant_stores_nothing(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_consent_new c = good_consent();
    c.valid_until = "2040-01-01";
    int64_t id = 0;
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_consent_grant(db, &c, T0, &id), DD_EINVAL);
    c = good_consent();
    c.service = "Bad Service";
    assert_int_equal(dd_consent_grant(db, &c, T0, &id), DD_EINVAL);
    assert_int_equal(dd_db_commit(db), DD_OK);
    c = good_consent();
    assert_int_equal(dd_consent_grant(db, &c, T0, &id), DD_EINVAL); /* no transaction */
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM consents"), 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM consent_items"), 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events"), 0);
}

static void
list_pages_newest_first(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_consent_new c = good_consent();
    int64_t ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = grant(db, &c, T0 + i);
    c.id_number = OTHER;
    grant(db, &c, T0);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_consent page[2];
    int n;
    bool more;
    int64_t before = 0;
    int seen = 0;
    do {
        assert_int_equal(dd_consent_list(db, a, PERSON, before, 2, page, &n, &more), DD_OK);
        for (int i = 0; i < n; i++, seen++)
            assert_int_equal(page[i].id, ids[4 - seen]);
        before = page[n - 1].id;
    } while (more);
    assert_int_equal(seen, 5);
    dd_arena_free(a);
}

/* --- correction requests --- */

static void
insert_person(struct dd_db *db, const char *permanent_commune, const char *temporary_commune)
{
    struct dd_person p = {
        .id_number = PERSON,
        .full_name = "Nguyễn Văn An",
        .birth_date = "1990-05-17",
        .sex = "male",
        .nationality = "VN",
        .status = "alive",
        .permanent_province = permanent_commune[0] ? "56" : "",
        .permanent_commune = permanent_commune,
        .temporary_province = temporary_commune[0] ? "56" : "",
        .temporary_commune = temporary_commune,
    };
    dd_person_fill_empty(&p);
    struct dd_reg_change ch = {.kind = "born", .actor = "test"};
    struct dd_arena *a = dd_arena_new(0);
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_reg_person_insert(db, a, &p, 0, "2020-01-01", &ch), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    dd_arena_free(a);
}

static void
request_goes_to_the_persons_commune(void **state)
{
    struct dd_db *db = migrated(state);
    insert_person(db, "", "22366");
    struct dd_arena *a = dd_arena_new(0);
    struct dd_reg_person rp;
    assert_int_equal(dd_reg_person_load(db, a, PERSON, &rp), DD_OK);
    const char *province, *commune;
    assert_true(dd_correction_area(&rp, &province, &commune));
    assert_string_equal(province, "56");
    assert_string_equal(commune, "22366");
    rp.p.permanent_province = "56";
    rp.p.permanent_commune = "22333";
    assert_true(dd_correction_area(&rp, &province, &commune));
    assert_string_equal(commune, "22333"); /* permanent residence first */
    rp.p.permanent_commune = "";
    rp.p.temporary_commune = "";
    assert_false(dd_correction_area(&rp, &province, &commune));
    dd_arena_free(a);
}

static void
proposals_the_register_refuses_are_found(void **state)
{
    struct dd_db *db = migrated(state);
    insert_person(db, "22366", "");
    struct dd_arena *a = dd_arena_new(0);
    struct dd_reg_person rp;
    assert_int_equal(dd_reg_person_load(db, a, PERSON, &rp), DD_OK);
    struct dd_person_check check;
    assert_int_equal(dd_correction_value_check(&rp, "full_name", "Nguyễn Văn Ân", &check), 0);
    assert_int_equal(dd_correction_value_check(&rp, "birth_date", "1990-05-18", &check), 0);
    /* The ID number says a man born in the 1900s. */
    assert_int_equal(dd_correction_value_check(&rp, "sex", "female", &check), 1);
    assert_string_equal(check.issues[0].code, "id-century-sex");
    assert_int_equal(dd_correction_value_check(&rp, "birth_date", "1991-05-17", &check), 1);
    assert_string_equal(check.issues[0].code, "id-year");
    assert_int_equal(dd_correction_value_check(&rp, "birth_date", "1990-02-30", &check), 1);
    assert_int_equal(dd_correction_value_check(&rp, "father_id", PERSON, &check), 1);
    assert_int_equal(dd_correction_value_check(&rp, "nationality", "vn", &check), 1);
    assert_int_equal(dd_correction_value_check(&rp, "full_name", "", &check), 1);
    assert_true(dd_correction_field_allowed("spouse_id"));
    assert_false(dd_correction_field_allowed("permanent_address"));
    assert_false(dd_correction_field_allowed("id_number"));
    assert_false(dd_correction_field_allowed("photo_ref"));
    dd_arena_free(a);
}

static int64_t
create_request(struct dd_db *db, const char *id_number, const char *commune, int64_t at)
{
    struct dd_correction_new c = {
        .id_number = id_number,
        .field = "full_name",
        .current_value = "Nguyễn Văn An",
        .proposed_value = "Nguyễn Văn Ân",
        .reason = "Sai dấu trong tên",
        .province = "56",
        .commune = commune,
    };
    int64_t id = 0;
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_correction_create(db, &c, at, &id), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    return id;
}

static void
officers_list_by_area_and_decide_once(void **state)
{
    struct dd_db *db = migrated(state);
    int64_t a1 = create_request(db, PERSON, "22366", T0);
    int64_t b1 = create_request(db, OTHER, "22333", T0 + 1);
    int64_t a2 = create_request(db, OTHER, "22366", T0 + 2);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_correction list[4];
    int n;
    bool more;
    assert_int_equal(dd_correction_list_area(db, a, "56", "22366", "open", 0, 4, list, &n, &more),
                     DD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, a1); /* oldest first */
    assert_int_equal(list[1].id, a2);
    assert_string_equal(list[0].current_value, "Nguyễn Văn An");
    assert_int_equal(dd_correction_list_area(db, a, "56", "", "open", 0, 2, list, &n, &more),
                     DD_OK);
    assert_int_equal(n, 2);
    assert_true(more);
    assert_int_equal(list[1].id, b1);
    assert_int_equal(dd_correction_list_area(db, a, "79", "", "open", 0, 4, list, &n, &more),
                     DD_OK);
    assert_int_equal(n, 0);

    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_correction_decide(db, a1, true, "Đúng theo giấy khai sinh", "officer:3",
                                          "Trần Văn Công", T0 + DAY_MS),
                     DD_OK);
    assert_int_equal(dd_correction_decide(db, a1, false, "lần hai", "officer:4", "X", T0),
                     DD_ECONFLICT);
    assert_int_equal(dd_correction_decide(db, a1 + 100, false, "không có", "officer:4", "X", T0),
                     DD_ENOTFOUND);
    assert_int_equal(dd_db_commit(db), DD_OK);

    struct dd_correction got;
    assert_int_equal(dd_correction_get(db, a, a1, &got), DD_OK);
    assert_string_equal(got.status, "accepted");
    assert_string_equal(got.officer, "officer:3");
    assert_string_equal(got.decision_note, "Đúng theo giấy khai sinh");
    assert_int_equal(dd_correction_list_area(db, a, "56", "22366", "open", 0, 4, list, &n, &more),
                     DD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(
        dd_correction_list_area(db, a, "56", "22366", "accepted", 0, 4, list, &n, &more), DD_OK);
    assert_int_equal(n, 1);
    /* The register itself is untouched by an accepted request. */
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM person_history"), 0);
    assert_int_equal(
        dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'correction.requested'"), 3);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'correction.decided'"),
                     1);
    assert_int_equal(dd_correction_list_person(db, a, OTHER, 0, 4, list, &n, &more), DD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, a2); /* newest first */
    dd_arena_free(a);
}

static void
bad_request_stores_nothing(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_correction_new c = {
        .id_number = PERSON,
        .field = "permanent_address",
        .proposed_value = "x",
        .reason = "r",
        .province = "56",
        .commune = "22366",
    };
    int64_t id;
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_correction_create(db, &c, T0, &id), DD_EINVAL);
    c.field = "full_name";
    c.reason = "";
    assert_int_equal(dd_correction_create(db, &c, T0, &id), DD_EINVAL);
    c.reason = "r";
    c.commune = "2236";
    assert_int_equal(dd_correction_create(db, &c, T0, &id), DD_EINVAL);
    assert_int_equal(dd_db_commit(db), DD_OK);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM correction_requests"), 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events"), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_parse_and_format),
        cmocka_unit_test(dates_add_years_keeps_the_day),
        cmocka_unit_test(vietnam_day_is_seven_hours_ahead),
        cmocka_unit_test(validate_accepts_a_good_consent),
        cmocka_unit_test(validate_refuses_each_bad_field),
        cmocka_unit_test(service_ids),
        DB_TEST(consent_holds_for_its_service_items_and_period),
        DB_TEST(withdrawal_ends_consent_from_that_moment),
        DB_TEST(ended_consent_cannot_be_withdrawn),
        DB_TEST(changes_emit_events_with_ids_only),
        DB_TEST(bad_grant_stores_nothing),
        DB_TEST(list_pages_newest_first),
        DB_TEST(request_goes_to_the_persons_commune),
        DB_TEST(proposals_the_register_refuses_are_found),
        DB_TEST(officers_list_by_area_and_decide_once),
        DB_TEST(bad_request_stores_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
