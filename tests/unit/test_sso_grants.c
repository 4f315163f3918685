/*
 * test_sso_grants.c — what the token endpoint relies on, on SQLite and PostgreSQL: signing keys
 * made and rotated in the data folder (the old key stays published), access tokens that verify
 * and stop verifying when tampered with or revoked, refresh families (rotation marks a token
 * used once only; revoking a family ends its tokens and the access tokens naming it), the
 * pairwise subject, remembered consent, and the purge of expired rows.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/str.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "http/req.h"
#include "sso/internal.h"
#include "sso/sso.h"

#include <sys/stat.h>

static char keys_root[64];

static int
keys_setup(void **state)
{
    (void)state;
    snprintf(keys_root, sizeof keys_root, "/tmp/dd-sso-keys-XXXXXX");
    if (mkdtemp(keys_root) == NULL)
        return -1;
    char err[300];
    snprintf(sso_settings.issuer, sizeof sso_settings.issuer, "https://id.example.vn");
    return sso_keys_load(keys_root, err, sizeof err) == DD_OK ? 0 : -1;
}

static int
keys_teardown(void **state)
{
    (void)state;
    sso_keys_unload();
    char dir[128];
    snprintf(dir, sizeof dir, "%s/sso-keys", keys_root);
    dbfx_remove_dir(dir);
    dbfx_remove_dir(keys_root);
    return 0;
}

static struct dd_req *
fake_req(void)
{
    struct dd_arena *a = dd_arena_new(0);
    struct dd_req *r = dd_arena_zalloc(a, sizeof *r);
    r->arena = a;
    return r;
}

static void
req_free(struct dd_req *r)
{
    dd_arena_free(r->arena);
}

static const char *
add_client(struct dbfx *fx, struct dd_arena *a, bool pairwise)
{
    dbfx_migrate_core(fx->db);
    struct dd_sso_client_new c = {.name = "Ứng dụng",
                                  .grant_type = "authorization_code",
                                  .auth_method = "none",
                                  .scope = "openid profile",
                                  .redirect_uris = {"https://app.example.vn/cb"},
                                  .nredirect = 1,
                                  .pairwise = pairwise};
    json_t *out = NULL;
    char err[300];
    if (dd_sso_client_add(fx->db, &c, &out, err, sizeof err) != DD_OK)
        fail_msg("%s", err);
    const char *id = dd_arena_strdup(a, json_string_value(json_object_get(out, "client_id")));
    json_decref(out);
    return id;
}

static void
test_access_token_round_trip(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_req *req = fake_req();
    const char *client = add_client(fx, req->arena, false);
    struct sso_grant g = {.client_id = client,
                          .account_id = 42,
                          .scope = "openid profile",
                          .acr = SSO_ACR_LOA1,
                          .amr = "pwd",
                          .auth_time = 1000,
                          .sid = "s1"};
    const char *family, *refresh;
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(sso_family_create(req, fx->db, &g, &family, &refresh), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    g.family_id = family;
    const char *token, *jti;
    assert_int_equal(sso_access_token(req, &g, &token, &jti), DD_OK);
    json_t *p;
    assert_int_equal(sso_access_token_verify(req->arena, token, &p), DD_OK);
    assert_string_equal(dd_jwt_str(p, "sub"), "42");
    assert_string_equal(dd_jwt_str(p, "client_id"), client);
    assert_string_equal(dd_jwt_str(p, "jti"), jti);
    assert_string_equal(dd_jwt_str(p, "fid"), family);
    assert_string_equal(dd_jwt_str(p, "iss"), "https://id.example.vn");
    assert_int_equal(dd_jwt_int(p, "exp", 0) - dd_jwt_int(p, "iat", 0), SSO_ACCESS_TTL);
    assert_int_equal(sso_access_token_live(fx->db, p), DD_OK);

    /* Tampered payload: refused. */
    char *bad = dd_arena_strdup(req->arena, token);
    char *dot = strchr(bad, '.') + 1;
    dot[2] = dot[2] == 'A' ? 'B' : 'A';
    assert_int_equal(sso_access_token_verify(req->arena, bad, &p), DD_EDENIED);
    /* An ID token is not an access token (no typ at+jwt). */
    const char *id_token;
    g.amr = "pwd otp";
    g.nonce = "n-\"1\"";
    assert_int_equal(sso_id_token(req, &g, token, &id_token), DD_OK);
    assert_int_equal(sso_access_token_verify(req->arena, id_token, &p), DD_EDENIED);
    /* It holds the grant's claims, and at_hash: the left half of the access token's SHA-256. */
    struct dd_jws id;
    assert_int_equal(dd_jws_parse(req->arena, id_token, &id), DD_OK);
    EVP_PKEY *k = sso_key_find(dd_jwt_str(id.header, "kid"));
    assert_non_null(k);
    assert_int_equal(dd_jws_verify(&id, k), DD_OK);
    EVP_PKEY_free(k);
    assert_null(json_object_get(id.header, "typ"));
    assert_string_equal(dd_jwt_str(id.payload, "iss"), "https://id.example.vn");
    assert_string_equal(dd_jwt_str(id.payload, "sub"), "42");
    assert_string_equal(dd_jwt_str(id.payload, "aud"), client);
    assert_string_equal(dd_jwt_str(id.payload, "azp"), client);
    assert_string_equal(dd_jwt_str(id.payload, "acr"), SSO_ACR_LOA1);
    assert_string_equal(dd_jwt_str(id.payload, "sid"), "s1");
    assert_string_equal(dd_jwt_str(id.payload, "nonce"), "n-\"1\"");
    assert_int_equal(dd_jwt_int(id.payload, "auth_time", 0), 1000);
    assert_int_equal(dd_jwt_int(id.payload, "exp", 0) - dd_jwt_int(id.payload, "iat", 0),
                     SSO_ID_TTL);
    json_t *amr = json_object_get(id.payload, "amr");
    assert_int_equal(json_array_size(amr), 2);
    assert_string_equal(json_string_value(json_array_get(amr, 1)), "otp");
    unsigned char digest[32];
    dd_sha256(token, strlen(token), digest);
    char half[DD_B64URL_LEN(16) + 1];
    dd_b64url_encode(digest, 16, half, sizeof half);
    assert_string_equal(dd_jwt_str(id.payload, "at_hash"), half);

    /* Revoking the family ends the access token too. */
    assert_int_equal(sso_access_token_verify(req->arena, token, &p), DD_OK);
    assert_int_equal(sso_family_revoke(fx->db, family, "test"), DD_OK);
    assert_int_equal(sso_access_token_live(fx->db, p), DD_EDENIED);
    req_free(req);
}

/* One rotation in a transaction of its own, as the token endpoint writes it: *fresh tells
 * whether old_token was unused, *next is its successor (NULL on a reuse). */
static int
rotate(struct dd_req *req, struct dd_db *db, const char *old_token, const char *family,
       const char **next, bool *fresh)
{
    struct sso_rotation r;
    sso_rotation_init(req->arena, sso_refresh_key(req->arena, old_token), family, &r);
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = sso_rotation_write(db, &r);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else
        dd_db_rollback(db);
    *fresh = rc == DD_OK && r.fresh;
    *next = *fresh ? r.new_token : NULL;
    return rc;
}

static void
test_refresh_rotation_marks_once(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_req *req = fake_req();
    const char *client = add_client(fx, req->arena, false);
    struct sso_grant g = {.client_id = client,
                          .account_id = 7,
                          .scope = "openid",
                          .acr = SSO_ACR_LOA2,
                          .amr = "pwd otp mfa",
                          .auth_time = 5};
    const char *family, *r1, *r2;
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(sso_family_create(req, fx->db, &g, &family, &r1), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_true(strncmp(r1, "ddr_", 4) == 0);
    struct sso_refresh_row row;
    assert_int_equal(sso_refresh_lookup(fx->db, req->arena, r1, &row), DD_OK);
    assert_string_equal(row.family_id, family);
    assert_string_equal(row.grant.client_id, client);
    assert_int_equal(row.grant.account_id, 7);
    assert_string_equal(row.grant.amr, "pwd otp mfa");
    assert_false(row.used || row.revoked || row.expired);
    /* Only the time of issue and the hash are stored, and keys sort in the order of issue. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_refresh_tokens WHERE "
                                      "token_key LIKE 'ddr_%' OR token_key LIKE '%.%' AND "
                                      "length(token_key) <> 77"),
                     0);
    const char *k1 = sso_refresh_key(req->arena, r1);
    assert_int_equal(strlen(k1), 12 + 1 + 64);
    assert_memory_equal(k1, r1 + 4, 12);
    assert_string_equal(k1 + 13, sso_hash(req->arena, r1));

    bool fresh = false;
    assert_int_equal(rotate(req, fx->db, r1, family, &r2, &fresh), DD_OK);
    assert_true(fresh);
    assert_string_not_equal(r1, r2);
    const char *r3 = NULL;
    assert_int_equal(rotate(req, fx->db, r1, family, &r3, &fresh), DD_OK);
    assert_false(fresh); /* a second use is seen, and nothing is issued */
    assert_null(r3);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_refresh_tokens"), 2);
    assert_int_equal(sso_refresh_lookup(fx->db, req->arena, r1, &row), DD_OK);
    assert_true(row.used);
    assert_int_equal(sso_refresh_lookup(fx->db, req->arena, r2, &row), DD_OK);
    assert_false(row.used);
    assert_true(strcmp(sso_refresh_key(req->arena, r2), k1) >= 0);
    /* A token issued before the time was part of it is found by its hash alone; a token that
     * merely looks like one of ours is not found. */
    const char *legacy = "ddr_9_n4PPYrxrfMMPOg72p29hsHStErsx8Po0ENa-HcFHM";
    assert_string_equal(sso_refresh_key(req->arena, legacy), sso_hash(req->arena, legacy));
    dbfx_exec(fx->db,
              dd_arena_printf(req->arena,
                              "INSERT INTO sso_refresh_tokens (token_key, family_id, created_at, "
                              "expires_at) VALUES ('%s', '%s', 'x', '2999-01-01T00:00:00.000Z')",
                              sso_hash(req->arena, legacy), family));
    assert_int_equal(sso_refresh_lookup(fx->db, req->arena, legacy, &row), DD_OK);
    assert_string_equal(row.family_id, family);
    char forged[128];
    snprintf(forged, sizeof forged, "%.17sAAAA%s", r2, r2 + 21);
    assert_int_equal(sso_refresh_lookup(fx->db, req->arena, forged, &row), DD_ENOTFOUND);

    /* Withdrawn consent: every family of the account with the client is revoked. */
    assert_int_equal(sso_families_revoke_for(fx->db, 7, client, "consent-withdrawn"), DD_OK);
    assert_int_equal(sso_refresh_lookup(fx->db, req->arena, r2, &row), DD_OK);
    assert_true(row.revoked);
    assert_int_equal(sso_refresh_lookup(fx->db, req->arena, "ddr_unknown", &row), DD_ENOTFOUND);
    req_free(req);
}

static void
test_pairwise_subjects(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    struct sso_grant g1 = {.client_id = "ddc_a", .account_id = 42, .pairwise = true};
    struct sso_grant g2 = {.client_id = "ddc_b", .account_id = 42, .pairwise = true};
    struct sso_grant pub = {.client_id = "ddc_a", .account_id = 42, .pairwise = false};
    const char *s1 = sso_subject(a, &g1), *s1again = sso_subject(a, &g1);
    const char *s2 = sso_subject(a, &g2);
    assert_string_equal(s1, s1again);
    assert_string_not_equal(s1, s2);
    assert_int_equal(strlen(s1), 43);
    assert_string_equal(sso_subject(a, &pub), "42");
    dd_arena_free(a);
}

static void
test_consent_covers(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    dbfx_exec(fx->db, "INSERT INTO sso_consents (account_id, client_id, scopes, granted_at) "
                      "VALUES (9, 'ddc_x', 'openid profile', 'now')");
    bool covered = false;
    assert_int_equal(sso_consent_covers(fx->db, 9, "ddc_x", "openid", &covered), DD_OK);
    assert_true(covered);
    assert_int_equal(sso_consent_covers(fx->db, 9, "ddc_x", "openid profile", &covered), DD_OK);
    assert_true(covered);
    assert_int_equal(sso_consent_covers(fx->db, 9, "ddc_x", "openid national_id", &covered), DD_OK);
    assert_false(covered);
    assert_int_equal(sso_consent_covers(fx->db, 10, "ddc_x", "openid", &covered), DD_OK);
    assert_false(covered);
}

static void
test_purge_removes_only_expired_rows(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    dbfx_exec(fx->db, "INSERT INTO sso_par (request_hash, client_id, request, expires_at) VALUES "
                      "('old', 'c', '{}', '2020-01-01T00:00:00.000Z'), ('new', 'c', '{}', "
                      "'2999-01-01T00:00:00.000Z')");
    dbfx_exec(fx->db, "INSERT INTO sso_assertion_jti (client_id, jti, expires_at) VALUES ('c', "
                      "'j1', '2020-01-01T00:00:00.000Z'), ('c', 'j2', '2999-01-01T00:00:00.000Z')");
    dbfx_exec(fx->db, "INSERT INTO sso_families (id, client_id, account_id, scope, acr, amr, "
                      "auth_time, created_at, expires_at) VALUES ('f1', 'c', 1, 'openid', 'a', "
                      "'pwd', 1, 'x', '2020-01-01T00:00:00.000Z')");
    /* f2 ended two days ago but its last token would live on; f3 is alive. */
    char ended[32], alive[32];
    dd_clock_iso8601(dd_clock_now_ms() - 2 * 86400 * 1000LL, ended);
    dd_clock_iso8601(dd_clock_now_ms() + 86400 * 1000LL, alive);
    char sql[600];
    snprintf(sql, sizeof sql,
             "INSERT INTO sso_families (id, client_id, account_id, scope, acr, amr, auth_time, "
             "created_at, expires_at) VALUES ('f2', 'c', 1, 'openid', 'a', 'pwd', 1, 'x', '%s'), "
             "('f3', 'c', 1, 'openid', 'a', 'pwd', 1, 'x', '%s')",
             ended, alive);
    dbfx_exec(fx->db, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO sso_refresh_tokens (token_key, family_id, created_at, expires_at) "
             "VALUES ('t1', 'f1', '2019-12-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'), "
             "('t2', 'f2', '%s', '2999-01-01T00:00:00.000Z'), "
             "('t3', 'f3', '%s', '2999-01-01T00:00:00.000Z')",
             ended, ended);
    dbfx_exec(fx->db, sql);
    int64_t removed = 0;
    assert_int_equal(sso_purge(fx->db, dd_clock_now_ms(), &removed), DD_OK);
    /* one PAR, one jti, the expired token, two ended families, then f2's token */
    assert_int_equal(removed, 6);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_par WHERE request_hash = 'new'"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_assertion_jti"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_families WHERE id = 'f3'"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_families"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_refresh_tokens WHERE "
                                      "token_key = 't3'"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM sso_refresh_tokens"), 1);
}

static void
test_key_rotation_keeps_the_old_key_published(void **state)
{
    (void)state;
    struct dd_req *req = fake_req();
    struct sso_grant g = {.client_id = "ddc_m", .scope = "lgsp:read"};
    const char *before;
    assert_int_equal(sso_access_token(req, &g, &before, NULL), DD_OK);
    EVP_PKEY *k;
    char kid_before[64], kid_after[64];
    assert_int_equal(sso_key_current(&k, kid_before), DD_OK);
    EVP_PKEY_free(k);
    char err[300];
    FILE *out = tmpfile();
    assert_int_equal(dd_sso_keys_rotate(keys_root, out, err, sizeof err), DD_OK);
    fclose(out);
    assert_int_equal(sso_keys_load(keys_root, err, sizeof err), DD_OK);
    assert_int_equal(sso_key_current(&k, kid_after), DD_OK);
    EVP_PKEY_free(k);
    assert_string_not_equal(kid_before, kid_after);
    /* A token of the old key still verifies, and the JWKS lists both keys. */
    json_t *p;
    assert_int_equal(sso_access_token_verify(req->arena, before, &p), DD_OK);
    const char *jwks = sso_jwks_text(req->arena);
    assert_non_null(strstr(jwks, kid_before));
    assert_non_null(strstr(jwks, kid_after));
    /* Key files are readable by their owner only. */
    char path[256];
    snprintf(path, sizeof path, "%s/sso-keys/%s.pem", keys_root, kid_after);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    req_free(req);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(test_access_token_round_trip),
        DB_TEST(test_refresh_rotation_marks_once),
        DB_TEST(test_consent_covers),
        DB_TEST(test_purge_removes_only_expired_rows),
        cmocka_unit_test(test_pairwise_subjects),
        cmocka_unit_test(test_key_rotation_keeps_the_old_key_published),
    };
    return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
