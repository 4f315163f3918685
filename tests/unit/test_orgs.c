/*
 * test_orgs.c — organisations and their staff without HTTP, on both backends: the tables of
 * kinds and roles (which scopes each role grants, whom each may add or end), the checks shared
 * by the command line and the API (every broken rule named, the input normalised), registering
 * with a registration number used once, staff accounts made with their membership, the
 * principal a staff member's session gives (the organisation as the caller, its area, the
 * member's role, a display name cut on a character boundary), suspension seen by that session,
 * and ending a membership. Each refusal is checked to have stored nothing.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "core/identity/identity.h"
#include "core/identity/org_internal.h"
#include "core/officers.h"
#include "core/units/units.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "http/principal.h"

#define PASSWORD "mật khẩu của cơ sở"

static void
setup(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
    char err[300];
    if (dd_units_ensure_loaded(fx->db, NULL, err, sizeof err) != DD_OK)
        fail_msg("units: %s", err);
    dd_password_configure(1, 1024);
}

static struct dd_org_new
hotel(const char *registration_number)
{
    return (struct dd_org_new){.kind = "hotel",
                               .name = "  Khách sạn Biển Xanh ",
                               .registration_number = registration_number,
                               .address = "12 Trần Phú",
                               .province = "56",
                               .commune = "22366",
                               .phone = "02583822000"};
}

/* Rows of the organisation tables and what goes with them: a refusal must leave them alone. */
static int64_t
rows(struct dd_db *db)
{
    return dbfx_int(db, "SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM "
                        "org_staff) + (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM "
                        "events)");
}

static bool
has_error(const struct org_errors *e, const char *field, const char *code)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->e[i].field, field) == 0 && strcmp(e->e[i].code, code) == 0)
            return true;
    return false;
}

static void
test_roles_and_kinds(void **state)
{
    (void)state;
    assert_true(dd_org_role_grants("owner", "establishment:staff"));
    assert_true(dd_org_role_grants("manager", "establishment:staff"));
    assert_false(dd_org_role_grants("clerk", "establishment:staff"));
    assert_true(dd_org_role_grants("clerk", "establishment:read"));
    assert_true(dd_org_role_grants("clerk", NULL));
    assert_false(dd_org_role_grants("", NULL));
    assert_false(dd_org_role_grants("admin", "establishment:read"));
    assert_false(dd_org_role_grants("owner", "register:read"));
    assert_true(dd_org_role_manages("owner", "manager"));
    assert_true(dd_org_role_manages("owner", "clerk"));
    assert_false(dd_org_role_manages("owner", "owner"));
    assert_true(dd_org_role_manages("manager", "clerk"));
    assert_false(dd_org_role_manages("manager", "manager"));
    assert_false(dd_org_role_manages("clerk", "clerk"));
    assert_false(dd_org_role_manages("owner", NULL));
    assert_null(dd_org_role_scopes("boss"));
    const char *const *r = dd_org_roles();
    assert_string_equal(r[0], "owner");
    assert_string_equal(r[1], "manager");
    assert_string_equal(r[2], "clerk");
    assert_null(r[3]);
    assert_string_equal(dd_org_kind("pawnshop")->licence, "security-order");
    assert_string_equal(dd_org_kind("hospital")->licence, "medical");
    assert_string_equal(dd_org_kind("coach-operator")->licence, "transport");
    assert_string_equal(dd_org_kind("school")->licence, "education");
    assert_null(dd_org_kind("motel"));
    assert_null(dd_org_kind(NULL));
    int n = 0;
    for (const struct dd_org_kind *k = dd_org_kinds(); k->name; k++)
        n++;
    assert_int_equal(n, 11);
}

static void
test_checks_name_every_broken_rule(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_org_new o = hotel("4201234567-001");
    struct org_errors e = {0};
    assert_int_equal(org_check_new(fx->db, a, &o, &e), DD_OK);
    assert_int_equal(e.n, 0);
    assert_string_equal(o.name, "Khách sạn Biển Xanh"); /* trimmed */
    assert_string_equal(o.phone, "+842583822000");      /* a landline in E.164 */
    assert_null(o.licence_number);

    struct dd_org_new bad = {.kind = "motel",
                             .name = "Nh\x01 ngh\xe1",
                             .registration_number = "42012345671",
                             .licence_issued_on = "2024-02-30",
                             .licence_expires_on = "2020-01-01",
                             .address = "   ",
                             .province = "79",
                             .commune = "22366",
                             .phone = "123"};
    struct org_errors b = {0};
    assert_int_equal(org_check_new(fx->db, a, &bad, &b), DD_OK);
    assert_true(has_error(&b, "kind", "value-invalid"));
    assert_true(has_error(&b, "name", "text-invalid"));
    assert_true(has_error(&b, "registration_number", "registration-number-invalid"));
    assert_true(has_error(&b, "licence_number", "licence-number-required"));
    assert_true(has_error(&b, "licence_issued_on", "date-invalid"));
    assert_true(has_error(&b, "licence_expires_on", "licence-expired"));
    assert_true(has_error(&b, "address", "required"));
    assert_true(has_error(&b, "phone", "phone-invalid"));
    assert_true(has_error(&b, "commune", "commune-unknown")); /* 22366 is not in province 79 */
    char err[600];
    org_errors_sentence(&b, err, sizeof err);
    assert_non_null(strstr(err, "kind: The kind is one of: hotel, guesthouse"));
    assert_non_null(strstr(err, "; address: This field is required."));

    struct dd_org_staff_new s = {.username = "Le.Tan",
                                 .display_name = "",
                                 .role = "boss",
                                 .email = "a@b",
                                 .id_number = "12"};
    struct org_errors c = {0};
    org_check_staff(a, &s, true, &c);
    assert_true(has_error(&c, "username", "username-invalid"));
    assert_true(has_error(&c, "display_name", "required"));
    assert_true(has_error(&c, "role", "value-invalid"));
    assert_true(has_error(&c, "email", "email-invalid"));
    assert_true(has_error(&c, "id_number", "id-invalid"));
    struct dd_org_staff_new none = {
        .username = "le.tan", .display_name = "Lê Tân", .role = "clerk"};
    struct org_errors d = {0};
    org_check_staff(a, &none, true, &d);
    assert_int_equal(d.n, 1);
    assert_true(has_error(&d, "email", "contact-required"));
    struct org_errors f = {0};
    none.phone = "0905123456";
    org_check_staff(a, &none, true, &f);
    assert_int_equal(f.n, 0);
    assert_string_equal(none.phone, "+84905123456");
    dd_arena_free(a);
}

static void
test_registration_numbers_are_used_once(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    char err[600];
    int64_t id = 0, other = 0;
    struct dd_org_new o = hotel("4201234567");
    assert_int_equal(dd_org_create(fx->db, &o, "operator:test", &id, err, sizeof err), DD_OK);
    assert_true(id > 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM events WHERE type = "
                                      "'organisation.created' AND subject = 'organisation:1'"),
                     1);
    char text[200];
    dbfx_text(fx->db,
              "SELECT name || '|' || phone || '|' || status || '|' || created_by FROM "
              "organisations",
              text, sizeof text);
    assert_string_equal(text, "Khách sạn Biển Xanh|+842583822000|active|operator:test");
    int64_t before = rows(fx->db);
    assert_int_equal(dd_org_create(fx->db, &o, "operator:test", &other, err, sizeof err),
                     DD_EEXIST);
    assert_non_null(strstr(err, "registration_number"));
    struct dd_org_new bad = hotel("123");
    assert_int_equal(dd_org_create(fx->db, &bad, "operator:test", &other, err, sizeof err),
                     DD_EINVAL);
    assert_int_equal(rows(fx->db), before);
    /* Without a number, any number of organisations. */
    struct dd_org_new free1 = hotel(NULL), free2 = hotel("");
    assert_int_equal(dd_org_create(fx->db, &free1, "operator:test", NULL, err, sizeof err), DD_OK);
    assert_int_equal(dd_org_create(fx->db, &free2, "operator:test", NULL, err, sizeof err), DD_OK);
    assert_int_equal(dd_org_set_suspended(fx->db, id, false, "x", "operator:test", err, sizeof err),
                     DD_ECONFLICT);
    assert_int_equal(dd_org_set_suspended(fx->db, id, true, "", "operator:test", err, sizeof err),
                     DD_EINVAL);
    assert_int_equal(dd_org_set_suspended(fx->db, 999, true, "x", "operator:test", err, sizeof err),
                     DD_ENOTFOUND);
}

/* A session of `account` opened now; its token's hash in `hash`. */
static void
open_session(struct dbfx *fx, int64_t account, char hash[ID_HEX_HASH])
{
    struct id_client c = {.network = "198.51.100.0/24", .user_agent = "curl", .service = "api"};
    struct id_session_new s = {.account_id = account,
                               .purpose = ID_SESSION_FULL,
                               .method = "password",
                               .level = 1,
                               .lifetime_ms = ID_SESSION_OFFICER_MS,
                               .client = &c};
    struct id_session_made made;
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(id_session_create(fx->db, &s, dd_clock_now_ms(), &made), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    dd_sha256_hex(made.token, strlen(made.token), hash);
}

static void
test_staff_act_as_their_organisation(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    char err[600];
    int64_t org = 0, owner = 0, clerk = 0;
    struct dd_org_new o = hotel(NULL);
    /* A name of 120 bytes: the display name "<member> (<organisation>)" is cut before 128. */
    o.name = "Khách sạn Hoàng Gia Nha Trang – Chi nhánh đường Trần Phú, phường Nha Trang, tỉnh "
             "Khánh Hòa ồ";
    assert_int_equal(dd_org_create(fx->db, &o, "operator:test", &org, err, sizeof err), DD_OK);
    struct dd_org_staff_new s = {.org_id = org,
                                 .username = "chu.ks",
                                 .display_name = "Trần Thị Bé",
                                 .role = "owner",
                                 .email = "Chu@Example.VN"};
    assert_int_equal(
        dd_org_staff_add(fx->db, &s, PASSWORD, "operator:test", &owner, err, sizeof err), DD_OK);
    s = (struct dd_org_staff_new){
        .org_id = org, .username = "le.tan", .display_name = "Lê Tân", .role = "clerk"};
    assert_int_equal(dd_org_staff_add(fx->db, &s, NULL, "operator:test", &clerk, err, sizeof err),
                     DD_OK);

    struct dd_arena *a = dd_arena_new(0);
    struct id_account acc;
    assert_int_equal(id_account_by_login(fx->db, a, "chu.ks", &acc), DD_OK);
    assert_string_equal(acc.kind, "staff");
    assert_string_equal(acc.email, "chu@example.vn");
    assert_int_equal(acc.org_id, org);
    assert_string_equal(acc.org_role, "owner");
    struct dd_principal p;
    id_account_principal(&acc, &p);
    assert_int_equal(p.kind, DD_PRINCIPAL_ESTABLISHMENT);
    assert_int_equal(p.id, org);
    assert_int_equal(p.account_id, owner);
    assert_string_equal(p.role, "owner");
    assert_string_equal(p.province, "56");
    assert_string_equal(p.commune, "22366");
    assert_string_equal(p.name, "chu.ks");
    assert_int_equal(p.level, 1);
    /* Byte 127 of the whole text is inside "ò": the cut falls before that character. */
    assert_true(strncmp(p.display_name, "Trần Thị Bé (Khách sạn Hoàng Gia", 35) == 0);
    assert_int_equal(strlen(p.display_name), 126);
    assert_string_equal(p.display_name + 118, "Khánh H");
    assert_true(dd_utf8_valid(p.display_name, strlen(p.display_name), NULL));
    assert_true(strncmp(p.agency, "Khách sạn Hoàng Gia", 20) == 0);
    assert_true(dd_utf8_valid(p.agency, strlen(p.agency), NULL));

    /* The session gives the same principal; suspension is seen once the cache forgets. */
    char hash[ID_HEX_HASH];
    open_session(fx, owner, hash);
    struct id_session_seen seen;
    assert_int_equal(id_session_lookup(fx->db, hash, dd_clock_now_ms(), &seen), DD_OK);
    assert_int_equal(seen.who.kind, DD_PRINCIPAL_ESTABLISHMENT);
    assert_int_equal(seen.who.id, org);
    assert_string_equal(seen.who.role, "owner");
    assert_false(seen.org_suspended);
    assert_int_equal(
        dd_org_set_suspended(fx->db, org, true, "Vi phạm", "officer:1", err, sizeof err), DD_OK);
    assert_int_equal(org_forget_staff_sessions(fx->db, org), DD_OK);
    assert_int_equal(id_session_lookup(fx->db, hash, dd_clock_now_ms(), &seen), DD_OK);
    assert_true(seen.org_suspended);
    assert_int_equal(dd_org_set_suspended(fx->db, org, true, "again", "officer:1", err, sizeof err),
                     DD_ECONFLICT);
    assert_int_equal(
        dd_org_set_suspended(fx->db, org, false, "Đã khắc phục", "officer:1", err, sizeof err),
        DD_OK);
    assert_int_equal(org_forget_staff_sessions(fx->db, org), DD_OK);
    assert_int_equal(id_session_lookup(fx->db, hash, dd_clock_now_ms(), &seen), DD_OK);
    assert_false(seen.org_suspended);

    /* A member without a password has none; an officer's username is taken too. */
    assert_int_equal(id_account_by_login(fx->db, a, "le.tan", &acc), DD_OK);
    assert_string_equal(acc.password_hash, "");
    int64_t before = rows(fx->db);
    struct dd_officer_new off = {.username = "cand.nt",
                                 .display_name = "Cán bộ",
                                 .role = "commune-police",
                                 .province = "56",
                                 .commune = "22366"};
    assert_int_equal(dd_identity_officer_create(fx->db, &off, NULL, NULL, NULL, err, sizeof err),
                     DD_OK);
    before = rows(fx->db);
    s.username = "cand.nt";
    assert_int_equal(dd_org_staff_add(fx->db, &s, NULL, "operator:test", NULL, err, sizeof err),
                     DD_EEXIST);
    s.username = "le.tan";
    assert_int_equal(dd_org_staff_add(fx->db, &s, NULL, "operator:test", NULL, err, sizeof err),
                     DD_EEXIST);
    s.username = "nv.moi";
    assert_int_equal(dd_org_staff_add(fx->db, &s, "short", "operator:test", NULL, err, sizeof err),
                     DD_EINVAL);
    s.org_id = 999;
    assert_int_equal(dd_org_staff_add(fx->db, &s, NULL, "operator:test", NULL, err, sizeof err),
                     DD_ENOTFOUND);
    assert_int_equal(rows(fx->db), before);

    /* Ending the owner's membership: disabled, sessions ended, the session unusable. */
    assert_int_equal(
        dd_org_staff_end(fx->db, org, "chu.ks", "Bán cơ sở", "operator:test", err, sizeof err),
        DD_OK);
    assert_int_equal(id_session_lookup(fx->db, hash, dd_clock_now_ms(), &seen), DD_ENOTFOUND);
    assert_int_equal(id_account_by_login(fx->db, a, "chu.ks", &acc), DD_OK);
    assert_string_equal(acc.status, "disabled");
    assert_int_equal(acc.org_id, 0); /* no current membership */
    id_account_principal(&acc, &p);
    assert_int_equal(p.kind, DD_PRINCIPAL_ESTABLISHMENT);
    assert_false(dd_org_role_grants(p.role, NULL)); /* allowed nothing */
    assert_int_equal(
        dd_org_staff_end(fx->db, org, "chu.ks", NULL, "operator:test", err, sizeof err),
        DD_ENOTFOUND);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM events WHERE type = "
                                      "'organisation.staff_ended'"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM events WHERE type = "
                                      "'organisation.staff_added'"),
                     2);
    dd_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_kinds),
        DB_TEST(test_checks_name_every_broken_rule),
        DB_TEST(test_registration_numbers_are_used_once),
        DB_TEST(test_staff_act_as_their_organisation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
