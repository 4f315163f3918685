/*
 * test_sso_clients.c — the single sign-on client registry (sso/sso.h), on SQLite and
 * PostgreSQL: what a registration accepts and refuses (and that a refused one stores nothing),
 * secrets kept only as SHA-256 and shown once, rotation, disabling (which revokes the client's
 * refresh families), listing in pages, and the checks of an authorization request
 * (sso/internal.h: exact redirect URI, PKCE S256 only, scopes within the client's).
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "crypto/hash.h"
#include "sso/internal.h"
#include "sso/sso.h"

static void
setup(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
}

static struct dd_sso_client_new
web_app(void)
{
    struct dd_sso_client_new c = {.name = "Dịch vụ công tỉnh",
                                  .grant_type = "authorization_code",
                                  .scope = "openid profile national_id",
                                  .redirect_uris = {"https://dvc.example.vn/cb"},
                                  .nredirect = 1,
                                  .actor = "operator:test"};
    return c;
}

static json_t *
add_ok(struct dbfx *fx, struct dd_sso_client_new *c)
{
    json_t *out = NULL;
    char err[300] = "";
    int rc = dd_sso_client_add(fx->db, c, &out, err, sizeof err);
    if (rc != DD_OK)
        fail_msg("client add failed: %s", err);
    return out;
}

static void
test_add_stores_the_secret_hashed(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_sso_client_new c = web_app();
    json_t *out = add_ok(fx, &c);
    const char *id = json_string_value(json_object_get(out, "client_id"));
    const char *secret = json_string_value(json_object_get(out, "client_secret"));
    assert_non_null(id);
    assert_true(strncmp(id, "ddc_", 4) == 0);
    assert_int_equal(strlen(secret), 43); /* 256 bits, base64url */
    assert_string_equal(json_string_value(json_object_get(out, "token_endpoint_auth_method")),
                        "client_secret_basic");
    char want[65], stored[80], sql[200];
    dd_sha256_hex(secret, strlen(secret), want);
    snprintf(sql, sizeof sql, "SELECT secret_hash FROM sso_clients WHERE client_id = '%s'", id);
    dbfx_text(fx->db, sql, stored, sizeof stored);
    assert_string_equal(stored, want);
    /* The JSON of a stored client never holds the secret or its hash. */
    int rc;
    json_t *again = dd_sso_client_json(fx->db, id, &rc);
    assert_int_equal(rc, DD_OK);
    assert_null(json_object_get(again, "client_secret"));
    assert_null(json_object_get(again, "secret_hash"));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(again, "redirect_uris"), 0)),
        "https://dvc.example.vn/cb");
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM audit_log WHERE action = "
                                      "'sso.client.add'"),
                     1);
    json_decref(again);
    json_decref(out);
}

static void
refused(struct dbfx *fx, struct dd_sso_client_new c, const char *words)
{
    json_t *out = NULL;
    char err[300] = "";
    assert_int_equal(dd_sso_client_add(fx->db, &c, &out, err, sizeof err), DD_EINVAL);
    if (strstr(err, words) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", words, err);
    assert_null(out);
}

static void
test_bad_registrations_store_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_sso_client_new c = web_app();
    c.grant_type = "implicit";
    refused(fx, c, "grant");
    c = web_app();
    c.nredirect = 0;
    refused(fx, c, "redirect-uri");
    c = web_app();
    c.redirect_uris[0] = "http://evil.example/cb";
    refused(fx, c, "redirect URI");
    c = web_app();
    c.redirect_uris[0] = "https://dvc.example.vn/cb#frag";
    refused(fx, c, "redirect URI");
    c = web_app();
    c.scope = "profile";
    refused(fx, c, "openid");
    c = web_app();
    c.scope = "openid admin";
    refused(fx, c, "scopes");
    c = web_app();
    c.auth_method = "private_key_jwt";
    refused(fx, c, "--jwks");
    c = web_app();
    c.auth_method = "private_key_jwt";
    c.jwks = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}";
    refused(fx, c, "JWKS");
    c = web_app();
    c.name = "";
    refused(fx, c, "name");
    struct dd_sso_client_new m = {
        .name = "Cổng LGSP", .grant_type = "client_credentials", .auth_method = "none"};
    refused(fx, m, "must authenticate");
    m.auth_method = NULL;
    m.scope = "openid";
    refused(fx, m, "scopes");
    m.scope = "lgsp:read";
    m.redirect_uris[0] = "https://x.example/cb";
    m.nredirect = 1;
    refused(fx, m, "no redirect");
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_clients"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_client_uris"), 0);
}

static void
test_private_key_jwt_client_keeps_its_public_keys(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_sso_client_new c = {
        .name = "Cổng dữ liệu",
        .grant_type = "client_credentials",
        .scope = "lgsp:read lgsp:write",
        .jwks = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"a3\",\"x\":"
                "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":"
                "\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}"};
    json_t *out = add_ok(fx, &c);
    assert_string_equal(json_string_value(json_object_get(out, "token_endpoint_auth_method")),
                        "private_key_jwt");
    assert_null(json_object_get(out, "client_secret"));
    assert_non_null(json_object_get(out, "jwks"));
    json_decref(out);
}

static void
test_rotate_and_disable(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_sso_client_new c = web_app();
    json_t *out = add_ok(fx, &c);
    char id[64], old_secret[64], hash_before[80], hash_after[80], sql[400];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "client_id")));
    snprintf(old_secret, sizeof old_secret, "%s",
             json_string_value(json_object_get(out, "client_secret")));
    json_decref(out);
    snprintf(sql, sizeof sql, "SELECT secret_hash FROM sso_clients WHERE client_id = '%s'", id);
    dbfx_text(fx->db, sql, hash_before, sizeof hash_before);
    char err[300];
    json_t *rot = NULL;
    assert_int_equal(dd_sso_client_rotate_secret(fx->db, id, "operator:t", &rot, err, sizeof err),
                     DD_OK);
    const char *fresh = json_string_value(json_object_get(rot, "client_secret"));
    assert_string_not_equal(fresh, old_secret);
    dbfx_text(fx->db, sql, hash_after, sizeof hash_after);
    char want[65];
    dd_sha256_hex(fresh, strlen(fresh), want);
    assert_string_equal(hash_after, want);
    json_decref(rot);
    assert_int_equal(
        dd_sso_client_rotate_secret(fx->db, "ddc_nope", "operator:t", &rot, err, sizeof err),
        DD_ENOTFOUND);

    /* Disabling revokes the client's refresh families. */
    snprintf(sql, sizeof sql,
             "INSERT INTO sso_families (id, client_id, account_id, scope, acr, amr, auth_time, "
             "created_at, expires_at) VALUES ('fam1', '%s', 7, 'openid', 'a', 'pwd', 1, 'x', "
             "'9999')",
             id);
    dbfx_exec(fx->db, sql);
    assert_int_equal(dd_sso_client_disable(fx->db, id, "operator:t", err, sizeof err), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_families WHERE revoked_at <> '' "
                                      "AND revoked_why = 'client-disabled'"),
                     1);
    struct dd_arena *a = dd_arena_new(0);
    struct sso_client sc;
    assert_int_equal(sso_client_get(fx->db, a, id, &sc), DD_OK);
    assert_false(sc.active);
    dd_arena_free(a);
    assert_int_equal(dd_sso_client_disable(fx->db, "ddc_nope", "operator:t", err, sizeof err),
                     DD_ENOTFOUND);
}

static void
test_list_pages(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    for (int i = 0; i < 3; i++) {
        struct dd_sso_client_new c = web_app();
        json_decref(add_ok(fx, &c));
    }
    json_t *page = NULL;
    assert_int_equal(dd_sso_client_list(fx->db, NULL, 2, &page), DD_OK);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 2);
    const char *cursor = json_string_value(json_object_get(page, "next_cursor"));
    assert_non_null(cursor);
    json_t *rest = NULL;
    assert_int_equal(dd_sso_client_list(fx->db, cursor, 2, &rest), DD_OK);
    assert_int_equal(json_array_size(json_object_get(rest, "items")), 1);
    assert_true(json_is_null(json_object_get(rest, "next_cursor")));
    json_decref(page);
    json_decref(rest);
}

/* An authorization request with PKCE for client `id`. */
static json_t *
request(const char *id)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "response_type", "code", "client_id", id,
                     "redirect_uri", "https://dvc.example.vn/cb", "scope", "openid profile",
                     "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                     "code_challenge_method", "S256");
}

static void
expect(struct dbfx *fx, json_t *r, int rc, bool redirectable, const char *code)
{
    struct dd_arena *a = dd_arena_new(0);
    struct sso_client c;
    struct sso_authz_error e;
    int got = sso_authz_check(fx->db, a, r, &c, false, &e);
    assert_int_equal(got, rc);
    if (code) {
        assert_string_equal(e.code, code);
        assert_int_equal(e.redirectable, redirectable);
    }
    dd_arena_free(a);
    json_decref(r);
}

static void
test_authorization_request_checks(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_sso_client_new c = web_app();
    json_t *out = add_ok(fx, &c);
    const char *id = json_string_value(json_object_get(out, "client_id"));
    expect(fx, request(id), DD_OK, false, NULL);
    json_t *r = request(id);
    json_object_set_new(r, "redirect_uri", json_string("https://dvc.example.vn/cb/"));
    expect(fx, r, DD_EINVAL, false, "invalid_request"); /* exact match only: no redirect */
    expect(fx, request("ddc_unknown"), DD_EINVAL, false, "invalid_client");
    r = request(id);
    json_object_del(r, "code_challenge");
    expect(fx, r, DD_EINVAL, true, "invalid_request");
    r = request(id);
    json_object_set_new(r, "code_challenge_method", json_string("plain"));
    expect(fx, r, DD_EINVAL, true, "invalid_request");
    r = request(id);
    json_object_del(r, "code_challenge_method");
    expect(fx, r, DD_EINVAL, true, "invalid_request");
    r = request(id);
    json_object_set_new(r, "scope", json_string("openid email"));
    expect(fx, r, DD_EINVAL, true, "invalid_scope");
    r = request(id);
    json_object_set_new(r, "response_type", json_string("token"));
    expect(fx, r, DD_EINVAL, true, "unsupported_response_type");
    r = request(id);
    json_object_set_new(r, "acr_values", json_string("urn:dinhdanh:loa:9"));
    expect(fx, r, DD_EINVAL, true, "invalid_request");
    json_decref(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(test_add_stores_the_secret_hashed),
        DB_TEST(test_bad_registrations_store_nothing),
        DB_TEST(test_private_key_jwt_client_keeps_its_public_keys),
        DB_TEST(test_rotate_and_disable),
        DB_TEST(test_list_pages),
        DB_TEST(test_authorization_request_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
