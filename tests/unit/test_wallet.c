/*
 * test_wallet.c — SD-JWT disclosures and their checks, the status list's bits and compression,
 * and, on SQLite and PostgreSQL, issuing and verifying credentials: an expired one, one not yet
 * valid, a revoked one, one whose issuer rotated its key, and one bad claim set that stores
 * nothing.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/json.h"
#include "base/str.h"
#include "core/wallet/internal.h"
#include "crypto/sdjwt.h"
#include "crypto/statuslist.h"

#define T0  1780000000000LL /* 2026-05-28, ms */
#define DAY 86400000LL

/* --- disclosures --- */

static void
disclosure_is_salted_array_and_digest_matches(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(4096);
    json_t *v = json_string("Nguyễn Văn An");
    struct dd_sd_disclosure d1, d2;
    dd_sdjwt_disclose(a, "full_name", v, &d1);
    dd_sdjwt_disclose(a, "full_name", v, &d2);
    assert_string_not_equal(d1.text, d2.text); /* fresh salt each time */
    char dg[44];
    dd_sdjwt_digest(d1.text, strlen(d1.text), dg);
    assert_string_equal(dg, d1.digest);
    assert_int_equal(strlen(dg), 43);
    char *text = dd_arena_printf(a, "h.p.s~%s~", d1.text);
    struct dd_sdjwt s;
    assert_int_equal(dd_sdjwt_split(a, text, &s), DD_OK);
    assert_int_equal(s.n, 1);
    assert_null(s.kb);
    assert_string_equal(s.d[0].name, "full_name");
    assert_string_equal(json_string_value(s.d[0].value), "Nguyễn Văn An");
    json_decref(v);
    dd_arena_free(a);
}

/* The example disclosure of the SD-JWT draft (section "Disclosures for Object Properties"):
 * ["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"] and its published digest. */
static void
digest_of_the_draft_example(void **state)
{
    (void)state;
    const char *text = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
    char dg[44];
    dd_sdjwt_digest(text, strlen(text), dg);
    assert_string_equal(dg, "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");
}

static void
resolve_refuses_unreferenced_and_duplicate_disclosures(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(4096);
    json_t *v = json_integer(7);
    struct dd_sd_disclosure d, other;
    dd_sdjwt_disclose(a, "rank", v, &d);
    dd_sdjwt_disclose(a, "rank", v, &other);
    json_t *payload = dd_json_keep(
        a, json_pack("{s:s, s:[s], s:s}", "iss", "x", "_sd", d.digest, "_sd_alg", "sha-256"));
    struct dd_sdjwt s = {.jwt = "x", .n = 1, .d = &d};
    json_t *claims;
    assert_int_equal(dd_sdjwt_resolve(a, payload, &s, &claims), DD_OK);
    assert_int_equal(json_integer_value(json_object_get(claims, "rank")), 7);
    assert_null(json_object_get(claims, "_sd"));
    struct dd_sdjwt foreign = {.jwt = "x", .n = 1, .d = &other};
    assert_int_equal(dd_sdjwt_resolve(a, payload, &foreign, &claims), DD_EINVAL);
    struct dd_sd_disclosure twice[2] = {d, d};
    struct dd_sdjwt dup = {.jwt = "x", .n = 2, .d = twice};
    assert_int_equal(dd_sdjwt_resolve(a, payload, &dup, &claims), DD_EINVAL);
    json_object_set_new(payload, "_sd_alg", json_string("sha-512"));
    assert_int_equal(dd_sdjwt_resolve(a, payload, &s, &claims), DD_EINVAL);
    json_decref(v);
    dd_arena_free(a);
}

static void
split_refuses_malformed(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(4096);
    struct dd_sdjwt s;
    assert_int_equal(dd_sdjwt_split(a, "no-tilde", &s), DD_EINVAL);
    assert_int_equal(dd_sdjwt_split(a, "a.b.c~!!~", &s), DD_EINVAL);
    assert_int_equal(dd_sdjwt_split(a, "a.b.c~WyJhIl0~", &s), DD_EINVAL); /* ["a"] */
    assert_int_equal(dd_sdjwt_split(a, "a.b.c~kb.jwt.x", &s), DD_OK);
    assert_string_equal(s.kb, "kb.jwt.x");
    dd_arena_free(a);
}

static void
status_list_bits_round_trip(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(4096);
    unsigned char bits[16] = {0};
    dd_statuslist_set(bits, sizeof bits, 0);
    dd_statuslist_set(bits, sizeof bits, 9);
    dd_statuslist_set(bits, sizeof bits, 1000); /* past the end: ignored */
    assert_int_equal(bits[0], 0x01);
    assert_int_equal(bits[1], 0x02);
    const char *lst = dd_statuslist_encode(a, bits, sizeof bits);
    unsigned char *back;
    size_t n;
    assert_int_equal(dd_statuslist_decode(a, lst, 1024, &back, &n), DD_OK);
    assert_int_equal(n, 16);
    assert_int_equal(dd_statuslist_get(back, n, 9), 1);
    assert_int_equal(dd_statuslist_get(back, n, 8), 0);
    assert_int_equal(dd_statuslist_get(back, n, 200), -1);
    assert_int_equal(dd_statuslist_decode(a, lst, 8, &back, &n), DD_EINVAL);
    assert_int_equal(dd_statuslist_decode(a, "bm90IHpsaWI", 1024, &back, &n), DD_EINVAL);
    dd_arena_free(a);
}

/* The example of the Token Status List draft: a 1-bit list of 16 entries, bytes b9 a3, is
 * "eNrbuRgAAhcBXQ". */
static void
status_list_draft_example_decodes(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(4096);
    unsigned char *bits;
    size_t n;
    assert_int_equal(dd_statuslist_decode(a, "eNrbuRgAAhcBXQ", 64, &bits, &n), DD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(bits[0], 0xb9);
    assert_int_equal(bits[1], 0xa3);
    assert_int_equal(dd_statuslist_get(bits, n, 0), 1);
    assert_int_equal(dd_statuslist_get(bits, n, 1), 0);
    dd_arena_free(a);
}

/* --- on a database --- */

static struct dd_db *
migrated(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    dd_strlcpy(wallet_settings.base_url, "https://dinhdanh.example",
               sizeof wallet_settings.base_url);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(wallet_issuer_create(fx->db, "so-gd-56", "Sở Giáo dục", T0 - 10 * DAY), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    return fx->db;
}

static const char *
issue_at(struct dd_db *db, struct dd_arena *a, int64_t now, int64_t expires, int64_t *id)
{
    json_t *claims = dd_json_keep(a, json_pack("{s:s, s:i}", "degree", "Cử nhân", "year", 2012));
    struct dd_wallet_issue_in in = {.issuer = "so-gd-56",
                                    .holder = "056090001234",
                                    .vct = "urn:dinhdanh:vct:diploma",
                                    .title = "Bằng",
                                    .claims = claims,
                                    .expires_at_ms = expires,
                                    .issued_by = "unit"};
    struct dd_wallet_issued out;
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_wallet_issue(db, a, &in, now, &out), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    if (id)
        *id = out.id;
    return out.sd_jwt;
}

static void
valid_expired_and_not_yet_valid(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_arena *a = dd_arena_new(8192);
    const char *c = issue_at(db, a, T0, T0 + 30 * DAY, NULL);
    struct dd_wallet_verdict v;
    assert_int_equal(dd_wallet_verify(db, a, c, T0 + DAY, &v), DD_OK);
    assert_true(v.valid);
    assert_string_equal(json_string_value(json_object_get(v.claims, "degree")), "Cử nhân");
    assert_string_equal(json_string_value(json_object_get(v.claims, "id_number")), "056090001234");
    assert_null(json_object_get(v.claims, "iss"));
    assert_int_equal(dd_wallet_verify(db, a, c, T0 + 31 * DAY, &v), DD_OK);
    assert_false(v.valid);
    assert_string_equal(v.reason, "expired");
    assert_int_equal(dd_wallet_verify(db, a, c, T0 - DAY, &v), DD_OK);
    assert_string_equal(v.reason, "not-yet-valid");
    dd_arena_free(a);
}

static void
revoked_counts_at_the_next_check(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_arena *a = dd_arena_new(8192);
    int64_t id;
    const char *c = issue_at(db, a, T0, T0 + 30 * DAY, &id);
    struct dd_wallet_verdict v;
    assert_int_equal(dd_wallet_verify(db, a, c, T0, &v), DD_OK);
    assert_true(v.valid);
    assert_int_equal(v.status_idx, id);
    dbfx_exec(db, "UPDATE wallet_credentials SET revoked_at = 1");
    assert_int_equal(dd_wallet_verify(db, a, c, T0, &v), DD_OK);
    assert_string_equal(v.reason, "revoked");
    const char *token;
    assert_int_equal(wallet_status_token(db, a, "so-gd-56", T0, &token), DD_OK);
    assert_non_null(strstr(token, "."));
    dd_arena_free(a);
}

static void
rotation_keeps_old_documents_valid(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_arena *a = dd_arena_new(8192);
    const char *old = issue_at(db, a, T0, T0 + 30 * DAY, NULL);
    char kid[64];
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(wallet_key_rotate(db, "so-gd-56", T0, kid), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    const char *fresh = issue_at(db, a, T0, T0 + 30 * DAY, NULL);
    struct dd_wallet_verdict v;
    assert_int_equal(dd_wallet_verify(db, a, fresh, T0, &v), DD_OK);
    assert_true(v.valid);
    assert_string_equal(v.kid, kid);
    assert_int_equal(dd_wallet_verify(db, a, old, T0, &v), DD_OK);
    assert_true(v.valid);
    assert_string_not_equal(v.kid, kid);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM wallet_issuer_keys"), 2);
    dd_arena_free(a);
}

static void
bad_claims_store_nothing(void **state)
{
    struct dd_db *db = migrated(state);
    struct dd_arena *a = dd_arena_new(8192);
    json_t *claims = dd_json_keep(a, json_pack("{s:s}", "vct", "x"));
    struct dd_wallet_issue_in in = {.issuer = "so-gd-56",
                                    .holder = "056090001234",
                                    .vct = "urn:x",
                                    .title = "T",
                                    .claims = claims,
                                    .expires_at_ms = T0 + DAY,
                                    .issued_by = "unit"};
    struct dd_wallet_issued out;
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_wallet_issue(db, a, &in, T0, &out), DD_EINVAL);
    in.claims = dd_json_keep(a, json_pack("{s:i}", "a", 1));
    in.expires_at_ms = T0 - 1;
    assert_int_equal(dd_wallet_issue(db, a, &in, T0, &out), DD_EINVAL);
    in.expires_at_ms = T0 + DAY;
    in.issuer = "khong-co";
    assert_int_equal(dd_wallet_issue(db, a, &in, T0, &out), DD_ENOTFOUND);
    assert_int_equal(dd_db_rollback(db), DD_OK);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM wallet_credentials"), 0);
    dd_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(disclosure_is_salted_array_and_digest_matches),
        cmocka_unit_test(digest_of_the_draft_example),
        cmocka_unit_test(resolve_refuses_unreferenced_and_duplicate_disclosures),
        cmocka_unit_test(split_refuses_malformed),
        cmocka_unit_test(status_list_bits_round_trip),
        cmocka_unit_test(status_list_draft_example_decodes),
        DB_TEST(valid_expired_and_not_yet_valid),
        DB_TEST(revoked_counts_at_the_next_check),
        DB_TEST(rotation_keeps_old_documents_valid),
        DB_TEST(bad_claims_store_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
