/*
 * test_register.c — the population register's rules and storage: the 12-digit ID number
 * (length, digits, century/sex digit, year digits, unknown place code as a warning only),
 * partial dates, the checks of a whole person, search keys of names, the history fold, and on
 * SQLite and PostgreSQL: a person written, changed several times and rebuilt from the history
 * alone equals the stored row; a stale version is refused; residence periods open and close;
 * the access-log writer stores every row queued by concurrent readers, and once it is stopped
 * reads write their own rows.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/clock.h"
#include "core/access_log.h"
#include "core/register/api.h"
#include "core/register/person.h"
#include "core/register/register.h"
#include "http/principal.h"
#include "http/req.h"

#include <pthread.h>

/* --- ID numbers --- */

static const struct dd_person_issue *
find_issue(const struct dd_person_check *c, const char *code)
{
    for (int i = 0; i < c->count; i++)
        if (strcmp(c->issues[i].code, code) == 0)
            return &c->issues[i];
    return NULL;
}

static struct dd_person_check
check_id(const char *id, const char *sex, int year)
{
    struct dd_person_check c;
    memset(&c, 0, sizeof c);
    dd_idnumber_check(id, sex, year, &c);
    return c;
}

static void
idnumber_valid_has_no_issue(void **state)
{
    (void)state;
    struct dd_person_check c = check_id("056090001234", "male", 1990);
    assert_int_equal(c.count, 0);
    c = check_id("056190001234", "female", 1990);
    assert_int_equal(c.count, 0);
    c = check_id("079305000001", "female", 2005);
    assert_int_equal(c.count, 0);
    /* sex and year unknown: only the form is checked */
    c = check_id("001999999999", NULL, 0);
    assert_int_equal(c.count, 0);
}

static void
idnumber_length_says_how_many_digits(void **state)
{
    (void)state;
    struct dd_person_check c = check_id("05609000123", "male", 1990);
    assert_int_equal(c.errors, 1);
    const struct dd_person_issue *i = find_issue(&c, "id-length");
    assert_non_null(i);
    assert_string_equal(i->field, "id_number");
    assert_non_null(strstr(i->message_en, "it has 11"));
    assert_non_null(strstr(i->message_vi, "12 chữ số"));
    c = check_id("", "male", 1990);
    assert_non_null(find_issue(&c, "id-length"));
    c = check_id(NULL, "male", 1990);
    assert_non_null(find_issue(&c, "id-length"));
    c = check_id("0560900012345", "male", 1990);
    assert_non_null(find_issue(&c, "id-length"));
}

static void
idnumber_digits_only(void **state)
{
    (void)state;
    struct dd_person_check c = check_id("05609000123A", "male", 1990);
    assert_int_equal(c.errors, 1);
    assert_non_null(find_issue(&c, "id-digits"));
    c = check_id("056 90001234", "male", 1990);
    assert_non_null(find_issue(&c, "id-digits"));
}

static void
idnumber_century_sex_mismatch_explains(void **state)
{
    (void)state;
    /* a woman born in 1990 needs 1, the number has 0 */
    struct dd_person_check c = check_id("056090001234", "female", 1990);
    const struct dd_person_issue *i = find_issue(&c, "id-century-sex");
    assert_non_null(i);
    assert_false(i->warning);
    assert_string_equal(i->message_en,
                        "The 4th digit (century and sex) is 0, but a female born in 1990 needs 1.");
    assert_non_null(strstr(i->message_vi, "nữ sinh năm 1990 phải là 1"));
    /* a man born in 2005 needs 2 */
    c = check_id("056005001234", "male", 2005);
    i = find_issue(&c, "id-century-sex");
    assert_non_null(i);
    assert_non_null(strstr(i->message_en, "needs 2"));
}

static void
idnumber_year_mismatch(void **state)
{
    (void)state;
    struct dd_person_check c = check_id("056091001234", "male", 1990);
    const struct dd_person_issue *i = find_issue(&c, "id-year");
    assert_non_null(i);
    assert_int_equal(c.errors, 1);
    assert_non_null(strstr(i->message_en, "are 91, but the year is 1990"));
}

static void
idnumber_unknown_place_is_a_warning(void **state)
{
    (void)state;
    struct dd_person_check c = check_id("003090001234", "male", 1990);
    const struct dd_person_issue *i = find_issue(&c, "id-place-unknown");
    assert_non_null(i);
    assert_true(i->warning);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.count, 1);
}

static void
idnumber_century_digit_table(void **state)
{
    (void)state;
    assert_int_equal(dd_idnumber_century_digit("male", 1900), 0);
    assert_int_equal(dd_idnumber_century_digit("female", 1999), 1);
    assert_int_equal(dd_idnumber_century_digit("male", 2000), 2);
    assert_int_equal(dd_idnumber_century_digit("female", 2099), 3);
    assert_int_equal(dd_idnumber_century_digit("male", 2100), 4);
    assert_int_equal(dd_idnumber_century_digit("female", 2399), 9);
    assert_int_equal(dd_idnumber_century_digit("male", 1899), -1);
    assert_int_equal(dd_idnumber_century_digit("male", 2400), -1);
    assert_int_equal(dd_idnumber_century_digit(NULL, 1990), -1);
}

/* --- partial dates --- */

static void
partial_dates(void **state)
{
    (void)state;
    assert_int_equal(dd_partial_date_year("1990"), 1990);
    assert_int_equal(dd_partial_date_year("1990-05"), 1990);
    assert_int_equal(dd_partial_date_year("1990-05-17"), 1990);
    assert_int_equal(dd_partial_date_year("2000-02-29"), 2000); /* leap: divisible by 400 */
    assert_int_equal(dd_partial_date_year("1900-02-29"), -1);   /* not leap: by 100 */
    assert_int_equal(dd_partial_date_year("2024-02-29"), 2024);
    assert_int_equal(dd_partial_date_year("2023-02-29"), -1);
    assert_int_equal(dd_partial_date_year("1990-04-31"), -1);
    assert_int_equal(dd_partial_date_year("1990-13"), -1);
    assert_int_equal(dd_partial_date_year("1990-00"), -1);
    assert_int_equal(dd_partial_date_year("1990-5-1"), -1);
    assert_int_equal(dd_partial_date_year("1990/05/17"), -1);
    assert_int_equal(dd_partial_date_year("199"), -1);
    assert_int_equal(dd_partial_date_year("1799"), -1);
    assert_int_equal(dd_partial_date_year(""), -1);
    assert_int_equal(dd_partial_date_year(NULL), -1);
}

/* --- whole people --- */

static struct dd_person
valid_person(void)
{
    struct dd_person p = {
        .id_number = "056090001234",
        .full_name = "Nguyễn Văn An",
        .birth_date = "1990-05-17",
        .sex = "male",
        .nationality = "VN",
        .permanent_province = "56",
        .permanent_commune = "22366",
        .permanent_address = "12 Trần Phú",
    };
    dd_person_fill_empty(&p);
    p.status = "alive";
    return p;
}

static void
person_check_accepts_a_valid_person(void **state)
{
    (void)state;
    struct dd_person p = valid_person();
    struct dd_person_check c;
    assert_int_equal(dd_person_check(&p, &c), 0);
    assert_int_equal(c.count, 0);
    p.birth_date = "1990"; /* partial dates are allowed */
    assert_int_equal(dd_person_check(&p, &c), 0);
}

static void
person_check_lists_every_problem(void **state)
{
    (void)state;
    struct dd_person p = valid_person();
    p.full_name = "";
    p.sex = "other";
    p.birth_date = "1990-02-30";
    p.nationality = "vn";
    p.father_id = "056090001234"; /* the person themself */
    p.mother_id = "123";
    p.permanent_commune = "2236";
    p.relation_to_head = "Con";
    struct dd_person_check c;
    int errors = dd_person_check(&p, &c);
    assert_int_equal(errors, 8);
    assert_non_null(find_issue(&c, "name-invalid"));
    assert_non_null(find_issue(&c, "sex-invalid"));
    assert_non_null(find_issue(&c, "date-invalid"));
    assert_non_null(find_issue(&c, "nationality-invalid"));
    assert_non_null(find_issue(&c, "link-self"));
    assert_non_null(find_issue(&c, "id-format"));
    assert_non_null(find_issue(&c, "commune-format"));
    assert_non_null(find_issue(&c, "household-missing"));
}

static void
person_check_dates_and_status(void **state)
{
    (void)state;
    struct dd_person p = valid_person();
    struct dd_person_check c;
    p.birth_date = "2100-01-01";
    dd_person_check(&p, &c);
    assert_non_null(find_issue(&c, "date-future"));

    p = valid_person();
    p.status = "dead";
    dd_person_check(&p, &c);
    assert_non_null(find_issue(&c, "date-invalid"));
    assert_string_equal(find_issue(&c, "date-invalid")->field, "death_date");
    p.death_date = "1989-12-31";
    dd_person_check(&p, &c);
    assert_non_null(find_issue(&c, "date-order"));
    p.death_date = "2020-03";
    assert_int_equal(dd_person_check(&p, &c), 0);

    p = valid_person();
    p.death_date = "2020-01-01";
    dd_person_check(&p, &c);
    assert_non_null(find_issue(&c, "death-date-unexpected"));
}

static void
person_check_id_against_sex_and_year(void **state)
{
    (void)state;
    struct dd_person p = valid_person();
    struct dd_person_check c;
    p.sex = "female"; /* the ID number says male */
    assert_int_equal(dd_person_check(&p, &c), 1);
    assert_non_null(find_issue(&c, "id-century-sex"));
    p = valid_person();
    p.birth_date = "1991-01-01";
    assert_int_equal(dd_person_check(&p, &c), 1);
    assert_non_null(find_issue(&c, "id-year"));
}

/* --- search keys --- */

static void
name_keys_fold_and_put_the_given_name_first(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    const char *name, *given;
    dd_person_name_keys(a, "  Nguyễn   Văn  An ", &name, &given);
    assert_string_equal(name, "nguyen van an");
    assert_string_equal(given, "an nguyen van");
    dd_person_name_keys(a, "ĐẶNG Thị Hồng Nhung", &name, &given);
    assert_string_equal(name, "dang thi hong nhung");
    assert_string_equal(given, "nhung dang thi hong");
    dd_person_name_keys(a, "Lộc", &name, &given);
    assert_string_equal(name, "loc");
    assert_string_equal(given, "loc");
    dd_person_name_keys(a, "", &name, &given);
    assert_string_equal(name, "");
    assert_string_equal(given, "");
    dd_arena_free(a);
}

/* --- folding history --- */

static void
fold_applies_changes_in_order(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    struct dd_person p;
    memset(&p, 0, sizeof p);
    dd_person_fill_empty(&p);
    assert_int_equal(dd_person_fold(a, &p,
                                    "{\"id_number\":{\"from\":null,\"to\":\"056090001234\"},"
                                    "\"full_name\":{\"from\":null,\"to\":\"Nguyen Van An\"},"
                                    "\"sex\":{\"from\":null,\"to\":\"male\"}}"),
                     DD_OK);
    assert_int_equal(dd_person_fold(a, &p,
                                    "{\"full_name\":{\"from\":\"Nguyen Van An\",\"to\":\"Nguyễn "
                                    "Văn An\"},\"absence\":{\"from\":null,\"to\":{\"from\":"
                                    "\"2025-01-01\"}}}"),
                     DD_OK);
    assert_int_equal(dd_person_fold(a, &p, "{\"sex\":{\"from\":\"male\",\"to\":null}}"), DD_OK);
    assert_string_equal(p.id_number, "056090001234");
    assert_string_equal(p.full_name, "Nguyễn Văn An");
    assert_string_equal(p.sex, "");
    assert_string_equal(p.status, "");
    assert_int_equal(dd_person_fold(a, &p, "[]"), DD_EINVAL);
    assert_int_equal(dd_person_fold(a, &p, "{\"sex\":\"male\"}"), DD_EINVAL);
    assert_int_equal(dd_person_fold(a, &p, "{\"sex\":{\"to\":5}}"), DD_EINVAL);
    assert_int_equal(dd_person_fold(a, &p, "not json"), DD_EINVAL);
    dd_arena_free(a);
}

static void
field_table_covers_the_struct(void **state)
{
    (void)state;
    struct dd_person p;
    memset(&p, 0, sizeof p);
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        assert_int_equal(dd_person_field_index(dd_person_fields[i].name), i);
        dd_person_set(&p, i, dd_person_fields[i].name);
    }
    assert_string_equal(p.temporary_until, "temporary_until");
    assert_string_equal(p.household_number, "household_number");
    assert_string_equal(p.id_number, "id_number");
    assert_int_equal(dd_person_field_index("absence"), -1);
}

/* --- storage, on both backends --- */

static struct dd_reg_change
change(const char *kind)
{
    struct dd_reg_change c = {
        .kind = kind,
        .actor = "officer:1 (commune-police 22366)",
        .reason = "Kiểm tra",
        .legal_basis = "Luật Cư trú 2020",
        .request_id = "test",
    };
    return c;
}

static void
assert_same_person(const struct dd_person *a, const struct dd_person *b)
{
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        if (strcmp(dd_person_get(a, i), dd_person_get(b, i)) != 0)
            fail_msg("field %s: \"%s\" vs \"%s\"", dd_person_fields[i].name, dd_person_get(a, i),
                     dd_person_get(b, i));
}

/* The rebuilt person must be the stored one, field by field, at the same version. */
static void
assert_rebuild_matches(struct dd_db *db, struct dd_arena *a, const char *id)
{
    struct dd_reg_person stored;
    struct dd_person rebuilt;
    int64_t version = 0;
    assert_int_equal(dd_reg_person_load(db, a, id, &stored), DD_OK);
    assert_int_equal(dd_reg_person_rebuild(db, a, id, &rebuilt, &version), DD_OK);
    assert_int_equal(version, stored.version);
    assert_same_person(&rebuilt, &stored.p);
}

static void
history_fold_rebuilds_the_row(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    struct dd_db *db = fx->db;
    struct dd_arena *a = dd_arena_new(0);

    int64_t h1 = 0, h2 = 0;
    struct dd_person p = valid_person();
    struct dd_reg_change born = change("born");
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(
        dd_reg_household_create(db, "HK-1", "056090001234", "56", "22366", "12 Trần Phú", &h1),
        DD_OK);
    assert_int_equal(dd_reg_household_create(db, "HK-2", "", "56", "22333", "5 Lê Lợi", &h2),
                     DD_OK);
    p.household_number = "HK-1";
    p.relation_to_head = "Chủ hộ";
    assert_int_equal(dd_reg_person_insert(db, a, &p, h1, "2020-01-01", &born), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    assert_rebuild_matches(db, a, p.id_number);

    /* 1: a correction of the name and ethnicity */
    struct dd_reg_person before;
    struct dd_person after;
    int64_t version;
    assert_int_equal(dd_reg_person_load(db, a, p.id_number, &before), DD_OK);
    assert_int_equal(before.version, 1);
    assert_string_equal(before.household_province, "56");
    after = before.p;
    after.full_name = "Nguyễn Văn Ân";
    after.ethnicity = "Kinh";
    struct dd_reg_change corrected = change("corrected");
    assert_int_equal(
        dd_reg_person_update(db, a, &before, &after, before.household_id, &corrected, &version),
        DD_OK);
    assert_int_equal(version, 2);
    assert_rebuild_matches(db, a, p.id_number);

    /* 2: a move to another household and a temporary residence */
    assert_int_equal(dd_reg_person_load(db, a, p.id_number, &before), DD_OK);
    after = before.p;
    after.household_number = "HK-2";
    after.relation_to_head = "Con";
    after.permanent_commune = "22333";
    after.permanent_address = "5 Lê Lợi";
    after.temporary_province = "79";
    after.temporary_commune = "26734";
    after.temporary_until = "2027-01-01";
    struct dd_reg_change moved = change("moved");
    assert_int_equal(dd_reg_person_update(db, a, &before, &after, h2, &moved, &version), DD_OK);
    assert_int_equal(version, 3);
    assert_rebuild_matches(db, a, p.id_number);

    /* 3: an absence, which changes no field but is a version of its own */
    assert_int_equal(dd_reg_person_load(db, a, p.id_number, &before), DD_OK);
    struct dd_reg_change absent = change("absent");
    absent.extra_json = "{\"absence\":{\"from\":null,\"to\":{\"from\":\"2026-01-01\"}}}";
    assert_int_equal(
        dd_reg_person_update(db, a, &before, &before.p, before.household_id, &absent, &version),
        DD_OK);
    assert_int_equal(version, 4);
    assert_rebuild_matches(db, a, p.id_number);

    /* 4: leaving the household, then death */
    assert_int_equal(dd_reg_person_load(db, a, p.id_number, &before), DD_OK);
    after = before.p;
    after.household_number = "";
    after.relation_to_head = "";
    after.status = "dead";
    after.death_date = "2026-02-03";
    struct dd_reg_change died = change("died");
    assert_int_equal(dd_reg_person_update(db, a, &before, &after, 0, &died, &version), DD_OK);
    assert_int_equal(version, 5);
    assert_rebuild_matches(db, a, p.id_number);

    struct dd_reg_person last;
    assert_int_equal(dd_reg_person_load(db, a, p.id_number, &last), DD_OK);
    assert_string_equal(last.p.full_name, "Nguyễn Văn Ân");
    assert_string_equal(last.p.status, "dead");
    assert_int_equal(last.household_id, 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM person_history WHERE id_number = "
                                  "'056090001234'"),
                     5);
    char keys[128];
    dbfx_text(db, "SELECT name_folded || '|' || given_folded || '|' || birth_year FROM people",
              keys, sizeof keys);
    assert_string_equal(keys, "nguyen van an|an nguyen van|1990");
    dd_arena_free(a);
}

static void
nothing_changed_writes_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_person p = valid_person();
    struct dd_reg_change born = change("born");
    assert_int_equal(dd_reg_person_insert(fx->db, a, &p, 0, NULL, &born), DD_OK);
    struct dd_reg_person before;
    assert_int_equal(dd_reg_person_load(fx->db, a, p.id_number, &before), DD_OK);
    struct dd_reg_change corrected = change("corrected");
    int64_t version = -1;
    assert_int_equal(dd_reg_person_update(fx->db, a, &before, &before.p, 0, &corrected, &version),
                     DD_OK);
    assert_int_equal(version, 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM person_history"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT version FROM people"), 1);
    dd_arena_free(a);
}

static void
stale_version_is_a_conflict(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_person p = valid_person();
    struct dd_reg_change born = change("born");
    assert_int_equal(dd_reg_person_insert(fx->db, a, &p, 0, NULL, &born), DD_OK);
    assert_int_equal(dd_reg_person_insert(fx->db, a, &p, 0, NULL, &born), DD_EEXIST);

    struct dd_reg_person first, second;
    assert_int_equal(dd_reg_person_load(fx->db, a, p.id_number, &first), DD_OK);
    second = first;
    struct dd_person after = first.p;
    after.religion = "Phật giáo";
    struct dd_reg_change c = change("corrected");
    int64_t version;
    assert_int_equal(dd_reg_person_update(fx->db, a, &first, &after, 0, &c, &version), DD_OK);
    after.religion = "Không";
    assert_int_equal(dd_reg_person_update(fx->db, a, &second, &after, 0, &c, &version),
                     DD_ECONFLICT);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM person_history"), 2);
    char religion[64];
    dbfx_text(fx->db, "SELECT religion FROM people", religion, sizeof religion);
    assert_string_equal(religion, "Phật giáo");
    dd_arena_free(a);
}

static void
residence_periods_open_and_close(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_person p = valid_person();
    p.temporary_province = "79";
    p.temporary_commune = "26734";
    p.temporary_address = "1 Nguyễn Huệ";
    p.temporary_until = "2027-06-30";
    struct dd_reg_change born = change("born");
    assert_int_equal(dd_reg_person_insert(fx->db, a, &p, 0, "2020-01-01", &born), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences WHERE to_date = '' AND "
                                      "kind = 'permanent' AND from_date = '2020-01-01'"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences WHERE kind = 'temporary' "
                                      "AND to_date = '2027-06-30'"),
                     1);
    /* a new permanent residence ends the old one on its first day */
    assert_int_equal(dd_reg_residence_open(fx->db, p.id_number, "permanent", "56", "22333",
                                           "5 Lê Lợi", "2024-03-01", NULL, "chuyển"),
                     DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences WHERE kind = 'permanent' "
                                      "AND commune_code = '22366' AND to_date = '2024-03-01'"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences WHERE kind = 'permanent' "
                                      "AND to_date = ''"),
                     1);
    /* closing the temporary residence early shortens it; a period already over is left */
    assert_int_equal(dd_reg_residence_close(fx->db, p.id_number, "temporary", "2025-01-01"), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences WHERE kind = 'temporary' "
                                      "AND to_date = '2025-01-01'"),
                     1);
    assert_int_equal(dd_reg_residence_close(fx->db, p.id_number, "permanent", "2026-01-01"), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences WHERE to_date = "
                                      "'2024-03-01' OR to_date = '2026-01-01'"),
                     2);
    struct dd_reg_household h;
    assert_int_equal(dd_reg_household_find(fx->db, a, "none", &h), DD_ENOTFOUND);
    int64_t id;
    assert_int_equal(dd_reg_household_create(fx->db, "HK-9", "", "56", "22366", "", &id), DD_OK);
    assert_int_equal(dd_reg_household_create(fx->db, "HK-9", "", "56", "22366", "", &id),
                     DD_EEXIST);
    assert_int_equal(dd_reg_household_close(fx->db, id, "2026-01-01"), DD_OK);
    assert_int_equal(dd_reg_household_find(fx->db, a, "HK-9", &h), DD_OK);
    assert_string_equal(h.closed_at, "2026-01-01");
    dd_arena_free(a);
}

/* people.residences as stored for `id` (in `a`). */
static const char *
stored_residences(struct dd_db *db, struct dd_arena *a, const char *id)
{
    struct dd_reg_person rp;
    assert_int_equal(dd_reg_person_load(db, a, id, &rp), DD_OK);
    return rp.residences;
}

static void
residences_column_follows_the_periods(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_person p = valid_person();
    p.temporary_province = "79";
    p.temporary_commune = "26734";
    p.temporary_address = "1 \"Nguyễn Huệ\"";
    p.temporary_until = "2099-06-30";
    struct dd_reg_change born = change("born");
    assert_int_equal(dd_reg_person_insert(fx->db, a, &p, 0, "2020-01-01", &born), DD_OK);
    assert_string_equal(stored_residences(fx->db, a, p.id_number),
                        "[{\"kind\":\"permanent\",\"province\":\"56\",\"commune\":\"22366\","
                        "\"address\":\"12 Trần Phú\",\"from\":\"2020-01-01\",\"until\":null},"
                        "{\"kind\":\"temporary\",\"province\":\"79\",\"commune\":\"26734\","
                        "\"address\":\"1 \\\"Nguyễn Huệ\\\"\",\"from\":\"2020-01-01\","
                        "\"until\":\"2099-06-30\"}]");
    /* a period ended in the past leaves the column; a new permanent one replaces the old */
    assert_int_equal(dd_reg_residence_close(fx->db, p.id_number, "temporary", "2021-01-01"), DD_OK);
    assert_int_equal(dd_reg_residence_open(fx->db, p.id_number, "permanent", "56", "22333",
                                           "5 Lê Lợi", "2024-03-01", NULL, "chuyển"),
                     DD_OK);
    assert_string_equal(stored_residences(fx->db, a, p.id_number),
                        "[{\"kind\":\"permanent\",\"province\":\"56\",\"commune\":\"22333\","
                        "\"address\":\"5 Lê Lợi\",\"from\":\"2024-03-01\",\"until\":null}]");
    /* an absence with an end ahead stays until that day has passed */
    assert_int_equal(dd_reg_residence_open(fx->db, p.id_number, "absence", "79", "26734", "",
                                           "2026-01-01", "2099-01-01", "học tập"),
                     DD_OK);
    const char *stored = stored_residences(fx->db, a, p.id_number);
    assert_ptr_equal(dd_reg_residences_running(a, stored, "2098-12-31"), stored);
    assert_string_equal(dd_reg_residences_running(a, stored, "2099-01-02"),
                        "[{\"kind\":\"permanent\",\"province\":\"56\",\"commune\":\"22333\","
                        "\"address\":\"5 Lê Lợi\",\"from\":\"2024-03-01\",\"until\":null}]");
    assert_string_equal(dd_reg_residences_running(a, "", "2026-01-01"), "[]");
    assert_string_equal(dd_reg_residences_running(a, NULL, "2026-01-01"), "[]");
    dd_arena_free(a);
}

/* Migration 0014 fills people.residences of a register written before it: the periods running
 * today, oldest first, in the writers' form. */
static void
migration_fills_the_residences_column(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_migration_list list;
    char err[512] = "";
    assert_int_equal(dd_migration_list_embedded(&list, dd_db_kind(fx->db), err, sizeof err), DD_OK);
    size_t all = list.count;
    while (list.count > 0 && list.items[list.count - 1].version >= 14)
        list.count--;
    assert_int_equal(dd_migrate(fx->db, &list, NULL, NULL, err, sizeof err), DD_OK);
    list.count = all;
    dd_migration_list_free(&list);
    dbfx_exec(fx->db, "INSERT INTO people (id_number, full_name, name_folded, given_folded, "
                      "birth_date, birth_year, sex, created_at, updated_at) VALUES "
                      "('056090000001', 'A', 'a', 'a', '1990', 1990, 'male', 'x', 'x'), "
                      "('056090000002', 'B', 'b', 'b', '1990', 1990, 'male', 'x', 'x')");
    dbfx_exec(fx->db,
              "INSERT INTO residences (id_number, kind, province_code, commune_code, "
              "address, from_date, to_date, created_at) VALUES "
              "('056090000001', 'permanent', '56', '22366', 'Số \"1\"', '2000-01-01', "
              "'2010-01-01', 'x'), "
              "('056090000001', 'permanent', '56', '22333', 'Số 2', '2010-01-01', '', 'x'), "
              "('056090000001', 'temporary', '79', '26734', '', '2020-01-01', "
              "'2099-01-01', 'x')");
    dbfx_migrate_core(fx->db);
    struct dd_arena *a = dd_arena_new(0);
    assert_string_equal(stored_residences(fx->db, a, "056090000001"),
                        "[{\"kind\":\"permanent\",\"province\":\"56\",\"commune\":\"22333\","
                        "\"address\":\"Số 2\",\"from\":\"2010-01-01\",\"until\":null},"
                        "{\"kind\":\"temporary\",\"province\":\"79\",\"commune\":\"26734\","
                        "\"address\":\"\",\"from\":\"2020-01-01\",\"until\":\"2099-01-01\"}]");
    assert_string_equal(stored_residences(fx->db, a, "056090000002"), "[]");
    dd_arena_free(a);
}

/* --- the access-log writer --- */

#define READERS          4
#define READS_PER_READER 500
#define ROWS_PER_READ    10

static const struct dd_principal reader = {
    .kind = DD_PRINCIPAL_OFFICER,
    .id = 7,
    .name = "reader",
    .display_name = "Cán bộ Đọc",
    .role = "province-police",
    .agency = "Công an tỉnh",
    .province = "56",
};

static void *
read_many(void *arg)
{
    struct dd_db *db = dd_db_pool_get();
    struct dd_req req = {.who = &reader};
    snprintf(req.request_id, sizeof req.request_id, "reader-%d", *(int *)arg);
    char ids[ROWS_PER_READ][13];
    const char *list[ROWS_PER_READ];
    for (int r = 0; r < READS_PER_READER; r++) {
        for (int i = 0; i < ROWS_PER_READ; i++) {
            snprintf(ids[i], sizeof ids[i], "0560%02d%06d", *(int *)arg, r * ROWS_PER_READ + i);
            list[i] = ids[i];
        }
        if (dd_reg_access_reads(db, &req, list, ROWS_PER_READ, "search", "person", "Rà soát") !=
            DD_OK)
            return (void *)1;
    }
    return NULL;
}

static void
access_writer_keeps_every_row(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    char err[512];
    struct dd_db_options opt = {.timeout_ms = 5000};
    assert_int_equal(dd_db_pool_init(fx->url, &opt, err, sizeof err), DD_OK);
    assert_int_equal(dd_reg_access_writer_start(20), DD_OK);
    pthread_t t[READERS];
    int n[READERS];
    for (int i = 0; i < READERS; i++) {
        n[i] = i;
        assert_int_equal(pthread_create(&t[i], NULL, read_many, &n[i]), 0);
    }
    for (int i = 0; i < READERS; i++) {
        void *failed;
        pthread_join(t[i], &failed);
        assert_null(failed);
    }
    dd_reg_access_writer_stop();
    /* stopped: rows are written by the reader itself, at once */
    struct dd_req req = {.who = &reader};
    snprintf(req.request_id, sizeof req.request_id, "after-stop");
    const char *one[] = {"056090001234"};
    assert_int_equal(dd_reg_access_reads(fx->db, &req, one, 1, "read", "person", "Xác minh"),
                     DD_OK);
    dd_db_pool_shutdown();

    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM access_log"),
                     READERS * READS_PER_READER * ROWS_PER_READ + 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(DISTINCT id_number) FROM access_log WHERE "
                                      "request_id LIKE 'reader-%'"),
                     READERS * READS_PER_READER * ROWS_PER_READ);
    char row[512];
    dbfx_text(fx->db,
              "SELECT actor || '|' || actor_name || '|' || role || '|' || agency || '|' || action "
              "|| '|' || data || '|' || purpose || '|' || request_id FROM access_log WHERE "
              "id_number = '056002000123'",
              row, sizeof row);
    assert_string_equal(row, "officer:7|Cán bộ Đọc|province-police|Công an tỉnh|search|person|Rà "
                             "soát|reader-2");
    dbfx_text(fx->db, "SELECT purpose FROM access_log WHERE request_id = 'after-stop'", row,
              sizeof row);
    assert_string_equal(row, "Xác minh");

    /* the writer indexed by person what it appended when it stopped; the row written after it
     * stopped waits past `upto` (SQLite) until a batch takes the days before the one given */
    int64_t today = dd_access_log_day(dd_clock_now_ms()), added = -1;
    bool sqlite = dd_db_kind(fx->db) == DD_DB_SQLITE;
    const char *tail = "SELECT COUNT(*) FROM access_log WHERE id > (SELECT upto FROM "
                       "access_log_indexed)";
    const char *by_person = "SELECT COUNT(*) FROM access_log_by_person p JOIN access_log l ON "
                            "l.id = p.id WHERE p.day = l.day AND p.id_number = '056090001234' "
                            "AND l.request_id = 'after-stop'";
    int64_t all = READERS * READS_PER_READER * ROWS_PER_READ + 1;
    assert_int_equal(dbfx_int(fx->db, tail), sqlite ? 1 : 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM access_log_by_person"),
                     sqlite ? all - 1 : all);
    assert_int_equal(dd_access_log_index(fx->db, today, &added), DD_OK);
    assert_int_equal(added, 0);
    assert_int_equal(dbfx_int(fx->db, by_person), sqlite ? 0 : 1);
    assert_int_equal(dd_access_log_index(fx->db, today + 1, &added), DD_OK);
    assert_int_equal(added, sqlite ? 1 : 0);
    assert_int_equal(dbfx_int(fx->db, by_person), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM access_log_by_person"), all);
    assert_int_equal(dbfx_int(fx->db, tail), 0);
    assert_int_equal(dd_access_log_index(fx->db, today + 1, &added), DD_OK);
    assert_int_equal(added, 0);
    /* a row written after the batch waits past `upto` again */
    assert_int_equal(dd_reg_access_reads(fx->db, &req, one, 1, "read", "person", "Xác minh"),
                     DD_OK);
    assert_int_equal(dbfx_int(fx->db, tail), sqlite ? 1 : 0);
    /* the day is the date in Vietnam (UTC+7) of the time of the read */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM access_log WHERE day <> %s",
             sqlite
                 ? "CAST(julianday(at, '+7 hours') - 2440587.5 AS INTEGER)"
                 : "(at::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - DATE '1970-01-01'");
    assert_int_equal(dbfx_int(fx->db, sql), 0);
    assert_int_equal(dd_access_log_day(0), 0);                   /* 07:00 on 1 Jan 1970 */
    assert_int_equal(dd_access_log_day(17 * 3600000LL - 1), 0);  /* 23:59:59.999 there */
    assert_int_equal(dd_access_log_day(17 * 3600000LL), 1);      /* midnight in Vietnam */
    assert_int_equal(dd_access_log_day(-7 * 3600000LL - 1), -1); /* before midnight */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idnumber_valid_has_no_issue),
        cmocka_unit_test(idnumber_length_says_how_many_digits),
        cmocka_unit_test(idnumber_digits_only),
        cmocka_unit_test(idnumber_century_sex_mismatch_explains),
        cmocka_unit_test(idnumber_year_mismatch),
        cmocka_unit_test(idnumber_unknown_place_is_a_warning),
        cmocka_unit_test(idnumber_century_digit_table),
        cmocka_unit_test(partial_dates),
        cmocka_unit_test(person_check_accepts_a_valid_person),
        cmocka_unit_test(person_check_lists_every_problem),
        cmocka_unit_test(person_check_dates_and_status),
        cmocka_unit_test(person_check_id_against_sex_and_year),
        cmocka_unit_test(name_keys_fold_and_put_the_given_name_first),
        cmocka_unit_test(fold_applies_changes_in_order),
        cmocka_unit_test(field_table_covers_the_struct),
        DB_TEST(history_fold_rebuilds_the_row),
        DB_TEST(nothing_changed_writes_nothing),
        DB_TEST(stale_version_is_a_conflict),
        DB_TEST(residence_periods_open_and_close),
        DB_TEST(residences_column_follows_the_periods),
        DB_TEST(migration_fills_the_residences_column),
        DB_TEST(access_writer_keeps_every_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
