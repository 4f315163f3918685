/*
 * test_officers.c — officer accounts, role scopes and bearer tokens, on both backends.
 */
#include "db_fixture.h"

#include "core/officers.h"
#include "crypto/hash.h"

static void
setup(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
}

static struct dd_officer_new
commune_officer(void)
{
    return (struct dd_officer_new){.username = "canbo.xa",
                                   .display_name = "Trần Thị Bích",
                                   .role = "commune-police",
                                   .province = "56",
                                   .commune = "22366",
                                   .agency = "Công an xã"};
}

static void
test_create_checks_fields(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    char err[300];
    int64_t id = 0;
    struct dd_officer_new o = commune_officer();
    assert_int_equal(dd_officer_create(fx->db, &o, &id, err, sizeof err), DD_OK);
    assert_true(id > 0);
    assert_int_equal(dd_officer_create(fx->db, &o, &id, err, sizeof err), DD_EEXIST);
    assert_non_null(strstr(err, "taken"));

    struct dd_officer_new bad = commune_officer();
    bad.username = "Has Space";
    assert_int_equal(dd_officer_create(fx->db, &bad, NULL, err, sizeof err), DD_EINVAL);
    bad = commune_officer();
    bad.username = "other";
    bad.commune = "";
    assert_int_equal(dd_officer_create(fx->db, &bad, NULL, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "commune"));
    bad.role = "emperor";
    assert_int_equal(dd_officer_create(fx->db, &bad, NULL, err, sizeof err), DD_EINVAL);
    bad = commune_officer();
    bad.username = "other";
    bad.province = "5";
    assert_int_equal(dd_officer_create(fx->db, &bad, NULL, err, sizeof err), DD_EINVAL);
    /* Nothing of the refused ones was stored. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM officers"), 1);
}

static void
test_tokens_are_stored_hashed(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    char err[300], token[DD_TOKEN_LEN + 1];
    struct dd_officer_new o = commune_officer();
    assert_int_equal(dd_officer_create(fx->db, &o, NULL, err, sizeof err), DD_OK);
    assert_int_equal(dd_officer_token_issue(fx->db, "nobody", 60, token, err, sizeof err),
                     DD_ENOTFOUND);
    assert_int_equal(dd_officer_token_issue(fx->db, "canbo.xa", 0, token, err, sizeof err),
                     DD_EINVAL);
    assert_int_equal(dd_officer_token_issue(fx->db, "canbo.xa", 3600, token, err, sizeof err),
                     DD_OK);
    assert_int_equal(strlen(token), DD_TOKEN_LEN);
    assert_memory_equal(token, "ddt_", 4);

    char hash[65], sql[300];
    dd_sha256_hex(token, strlen(token), hash);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM api_tokens WHERE token_hash = '%s'", hash);
    assert_int_equal(dbfx_int(fx->db, sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM api_tokens WHERE token_hash = '%s'", token);
    assert_int_equal(dbfx_int(fx->db, sql), 0);

    char second[DD_TOKEN_LEN + 1];
    assert_int_equal(dd_officer_token_issue(fx->db, "canbo.xa", 3600, second, err, sizeof err),
                     DD_OK);
    assert_string_not_equal(token, second);

    dbfx_exec(fx->db, "UPDATE officers SET disabled = 1 WHERE username = 'canbo.xa'");
    assert_int_equal(dd_officer_token_issue(fx->db, "canbo.xa", 60, token, err, sizeof err),
                     DD_EDENIED);
}

static void
roles_grant_their_scopes_only(void **state)
{
    (void)state;
    assert_true(dd_officer_role_grants("commune-police", "register:read"));
    assert_true(dd_officer_role_grants("commune-police", "register:write"));
    assert_true(dd_officer_role_grants("service-officer", "register:read"));
    assert_false(dd_officer_role_grants("service-officer", "register:write"));
    assert_false(dd_officer_role_grants("leader", "register:read"));
    assert_true(dd_officer_role_grants("admin", "anything:at-all"));
    assert_false(dd_officer_role_grants("no-such-role", "register:read"));
    assert_true(dd_officer_role_grants("cashier", "payments:write"));
    assert_false(dd_officer_role_grants("cashier", "register:read"));
    assert_true(dd_officer_role_grants("land-officer", "land:write"));
    assert_false(dd_officer_role_grants("land-officer", "wallet:issue"));
    assert_true(dd_officer_role_grants("notary", "wallet:certify"));
    assert_false(dd_officer_role_grants("document-issuer", "wallet:certify"));
    assert_true(dd_officer_role_grants("service-officer", "services:process"));
    assert_true(dd_officer_role_grants("leader", "services:stats"));
    assert_false(dd_officer_role_grants("leader", "services:process"));
    assert_true(dd_officer_role_grants("leader", "insight:read"));
    assert_true(dd_officer_role_grants("labour", "insight:labour"));
    assert_false(dd_officer_role_grants("labour", "register:read"));
    int n = 0;
    for (const char *const *r = dd_officer_roles(); *r; r++)
        n++;
    assert_int_equal(n, 16);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(test_create_checks_fields),
        DB_TEST(test_tokens_are_stored_hashed),
        cmocka_unit_test(roles_grant_their_scopes_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
