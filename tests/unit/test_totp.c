/*
 * test_totp.c — the second factor and the codes handed to people: base32 (RFC 4648 test
 * vectors), HOTP and TOTP (RFC 4226 Appendix D and RFC 6238 Appendix B test vectors), the
 * verification window and replay refusal, the otpauth:// URI, recovery codes and one-time codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "crypto/recovery.h"
#include "crypto/totp.h"

#include <stdio.h>
#include <string.h>

/* RFC 6238 Appendix B and RFC 4226 Appendix D: the ASCII key "12345678901234567890". */
static const unsigned char rfc_key[] = "12345678901234567890";
#define RFC_KEYLEN 20

static void
base32_matches_rfc4648_vectors(void **state)
{
    (void)state;
    /* RFC 4648 §10, with the '=' padding left off as dinhdanh writes it. */
    static const struct {
        const char *raw, *b32, *padded;
    } v[] = {
        {"", "", ""},
        {"f", "MY", "MY======"},
        {"fo", "MZXQ", "MZXQ===="},
        {"foo", "MZXW6", "MZXW6==="},
        {"foob", "MZXW6YQ", "MZXW6YQ="},
        {"fooba", "MZXW6YTB", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI", "MZXW6YTBOI======"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[32];
        size_t n = strlen(v[i].raw);
        assert_int_equal(dd_base32_encode((const unsigned char *)v[i].raw, n, out, sizeof out),
                         DD_OK);
        assert_string_equal(out, v[i].b32);
        assert_int_equal(strlen(out) + 1, DD_BASE32_SIZE(n));
        unsigned char back[16];
        size_t len = 99;
        assert_int_equal(dd_base32_decode(v[i].b32, back, sizeof back, &len), DD_OK);
        assert_int_equal(len, n);
        assert_memory_equal(back, v[i].raw, n);
        assert_int_equal(dd_base32_decode(v[i].padded, back, sizeof back, &len), DD_OK);
        assert_int_equal(len, n);
        assert_memory_equal(back, v[i].raw, n);
    }
}

static void
base32_decode_is_lenient_on_case_and_spaces_and_strict_otherwise(void **state)
{
    (void)state;
    unsigned char out[32];
    size_t len;
    assert_int_equal(dd_base32_decode("mzxw 6ytb oi", out, sizeof out, &len), DD_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(dd_base32_decode("M", out, sizeof out, &len), DD_EINVAL);
    assert_int_equal(dd_base32_decode("MZX", out, sizeof out, &len), DD_EINVAL);
    assert_int_equal(dd_base32_decode("MZXW6Y", out, sizeof out, &len), DD_EINVAL);
    assert_int_equal(dd_base32_decode("MZ", out, sizeof out, &len), DD_EINVAL); /* bits left */
    assert_int_equal(dd_base32_decode("MZXW1", out, sizeof out, &len), DD_EINVAL);
    assert_int_equal(dd_base32_decode("MZXW0", out, sizeof out, &len), DD_EINVAL);
    assert_int_equal(dd_base32_decode("MY==MY", out, sizeof out, &len), DD_EINVAL);
    assert_int_equal(dd_base32_decode("MZXW6YTBOI", out, 5, &len), DD_ETOOBIG);
    char small[10];
    assert_int_equal(dd_base32_encode((const unsigned char *)"foobar", 6, small, sizeof small),
                     DD_ETOOBIG);
}

static void
hotp_matches_rfc4226_appendix_d(void **state)
{
    (void)state;
    static const char *const expected[] = {"755224", "287082", "359152", "969429", "338314",
                                           "254676", "287922", "162583", "399871", "520489"};
    for (uint64_t c = 0; c < 10; c++) {
        char out[9];
        assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, c, 6, out), DD_OK);
        assert_string_equal(out, expected[c]);
    }
    char out[9];
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, 0, 5, out), DD_EINVAL);
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, 0, 9, out), DD_EINVAL);
    assert_int_equal(dd_hotp(rfc_key, 15, 0, 6, out), DD_EINVAL);
}

static void
totp_matches_rfc6238_appendix_b_sha1(void **state)
{
    (void)state;
    /* The SHA-1 rows of RFC 6238 Appendix B (8 digits); 6 digits are their last six. */
    static const struct {
        int64_t t, step;
        const char *code8, *code6;
    } v[] = {
        {59, 0x1, "94287082", "287082"},
        {1111111109, 0x23523EC, "07081804", "081804"},
        {1111111111, 0x23523ED, "14050471", "050471"},
        {1234567890, 0x273EF07, "89005924", "005924"},
        {2000000000, 0x3F940AA, "69279037", "279037"},
        {20000000000, 0x27BC86AA, "65353130", "353130"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(dd_totp_step(v[i].t), v[i].step);
        char out[9];
        assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)v[i].step, 8, out), DD_OK);
        assert_string_equal(out, v[i].code8);
        assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)v[i].step, 6, out), DD_OK);
        assert_string_equal(out, v[i].code6);
        int64_t matched = -1;
        assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, v[i].code6, v[i].t, -1, &matched),
                         DD_OK);
        assert_int_equal(matched, v[i].step);
    }
    assert_int_equal(dd_totp_step(29), 0);
    assert_int_equal(dd_totp_step(30), 1);
    assert_int_equal(dd_totp_step(-1), -1);
}

static void
totp_window_is_one_step_either_side(void **state)
{
    (void)state;
    const int64_t now = 1111111109; /* step 0x23523EC; the codes below are its neighbours' */
    const int64_t step = 0x23523EC;
    char before[9], after[9], two_before[9], two_after[9];
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)step - 1, 6, before), DD_OK);
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)step + 1, 6, after), DD_OK);
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)step - 2, 6, two_before), DD_OK);
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)step + 2, 6, two_after), DD_OK);
    int64_t matched = 0;
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, before, now, -1, &matched), DD_OK);
    assert_int_equal(matched, step - 1);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, after, now, -1, &matched), DD_OK);
    assert_int_equal(matched, step + 1);
    matched = 42;
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, two_before, now, -1, &matched),
                     DD_EDENIED);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, two_after, now, -1, &matched), DD_EDENIED);
    assert_int_equal(matched, 42); /* untouched on failure */
    /* Spaces are ignored; anything else that is not 6 digits is bad input. */
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "081 804", now, -1, &matched), DD_OK);
    assert_int_equal(matched, step);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "81804", now, -1, &matched), DD_EINVAL);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "0818045", now, -1, &matched), DD_EINVAL);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "08l804", now, -1, &matched), DD_EINVAL);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "", now, -1, &matched), DD_EINVAL);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "000000", now, -1, &matched), DD_EDENIED);
}

static void
totp_refuses_a_step_already_used(void **state)
{
    (void)state;
    const int64_t now = 1111111109, step = 0x23523EC;
    int64_t last = -1, matched = -1;
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "081804", now, last, &matched), DD_OK);
    last = matched;
    /* The same code again, 10 seconds later in the same step: a replay. */
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, "081804", now + 10, last, &matched),
                     DD_EDENIED);
    /* The previous step's code is older than the one used: refused too. */
    char before[9], next[9];
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)step - 1, 6, before), DD_OK);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, before, now, last, &matched), DD_EDENIED);
    /* The next step's code is fresh. */
    assert_int_equal(dd_hotp(rfc_key, RFC_KEYLEN, (uint64_t)step + 1, 6, next), DD_OK);
    assert_int_equal(dd_totp_verify(rfc_key, RFC_KEYLEN, next, now + 30, last, &matched), DD_OK);
    assert_int_equal(matched, step + 1);
}

static void
new_secrets_are_random_and_encode_to_32_characters(void **state)
{
    (void)state;
    unsigned char a[DD_TOTP_SECRET_LEN], b[DD_TOTP_SECRET_LEN];
    dd_totp_secret_new(a);
    dd_totp_secret_new(b);
    assert_memory_not_equal(a, b, sizeof a);
    char text[DD_BASE32_SIZE(DD_TOTP_SECRET_LEN)];
    assert_int_equal(dd_base32_encode(a, sizeof a, text, sizeof text), DD_OK);
    assert_int_equal(strlen(text), 32);
    unsigned char back[DD_TOTP_SECRET_LEN];
    size_t len;
    assert_int_equal(dd_base32_decode(text, back, sizeof back, &len), DD_OK);
    assert_int_equal(len, sizeof back);
    assert_memory_equal(back, a, sizeof a);
}

static void
uri_percent_encodes_issuer_and_account(void **state)
{
    (void)state;
    char uri[512];
    assert_int_equal(
        dd_totp_uri("dinhdanh", "an.nguyen@example.vn", "JBSWY3DPEHPK3PXP", uri, sizeof uri),
        DD_OK);
    assert_string_equal(uri, "otpauth://totp/dinhdanh:an.nguyen%40example.vn?secret="
                             "JBSWY3DPEHPK3PXP&issuer=dinhdanh&algorithm=SHA1&digits=6&period=30");
    /* "Công an Khánh Hòa" and an account with a colon and a space. */
    assert_int_equal(dd_totp_uri("C\xc3\xb4ng an Kh\xc3\xa1nh H\xc3\xb2"
                                 "a",
                                 "a:b c", "MZXW6YTBOI", uri, sizeof uri),
                     DD_OK);
    assert_string_equal(uri, "otpauth://totp/C%C3%B4ng%20an%20Kh%C3%A1nh%20H%C3%B2a:a%3Ab%20c"
                             "?secret=MZXW6YTBOI&issuer=C%C3%B4ng%20an%20Kh%C3%A1nh%20H%C3%B2a"
                             "&algorithm=SHA1&digits=6&period=30");
    assert_int_equal(dd_totp_uri("", "a", "MZXW6YTBOI", uri, sizeof uri), DD_EINVAL);
    assert_int_equal(dd_totp_uri("dinhdanh", "", "MZXW6YTBOI", uri, sizeof uri), DD_EINVAL);
    assert_int_equal(dd_totp_uri("dinhdanh", "a", "mzxw6ytboi", uri, sizeof uri), DD_EINVAL);
    assert_int_equal(dd_totp_uri("dinhdanh", "a", "", uri, sizeof uri), DD_EINVAL);
    assert_int_equal(dd_totp_uri("dinhdanh", "a", "MZXW6YTBOI", uri, 40), DD_ETOOBIG);
}

/* --- Recovery codes ------------------------------------------------------------------------- */

static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

static void
recovery_codes_have_the_shape_and_are_distinct(void **state)
{
    (void)state;
    char codes[DD_RECOVERY_COUNT_DEFAULT][DD_RECOVERY_CODE_SIZE];
    char hashes[DD_RECOVERY_COUNT_DEFAULT][DD_CODE_HASH_SIZE];
    dd_recovery_codes_new(DD_RECOVERY_COUNT_DEFAULT, codes, hashes);
    for (int i = 0; i < DD_RECOVERY_COUNT_DEFAULT; i++) {
        assert_int_equal(strlen(codes[i]), 14);
        for (int k = 0; k < 14; k++) {
            if (k == 4 || k == 9)
                assert_int_equal(codes[i][k], '-');
            else
                assert_non_null(strchr(crockford, codes[i][k]));
        }
        assert_int_equal(strlen(hashes[i]), DD_CODE_HASH_SIZE - 1);
        assert_true(strncmp(hashes[i], "sha256$", 7) == 0);
        assert_null(strstr(hashes[i], codes[i])); /* never the code itself */
        for (int j = 0; j < i; j++)
            assert_string_not_equal(codes[i], codes[j]);
    }
}

static void
recovery_code_characters_are_uniform(void **state)
{
    (void)state;
    /* 2000 codes × 12 characters over 32 letters: 750 of each expected, σ ≈ 27. */
    int count[32] = {0};
    for (int i = 0; i < 2000; i++) {
        char code[DD_RECOVERY_CODE_SIZE];
        dd_recovery_code_new(code);
        for (int k = 0; k < 14; k++)
            if (code[k] != '-')
                count[strchr(crockford, code[k]) - crockford]++;
    }
    for (int c = 0; c < 32; c++)
        assert_in_range(count[c], 600, 900);
}

static void
recovery_input_is_normalised(void **state)
{
    (void)state;
    char out[13];
    assert_int_equal(dd_recovery_normalise("ABCD-EFGH-JKMN", out), DD_OK);
    assert_string_equal(out, "abcdefghjkmn");
    assert_int_equal(dd_recovery_normalise("  abcd efgh\tjkmn ", out), DD_OK);
    assert_string_equal(out, "abcdefghjkmn");
    assert_int_equal(dd_recovery_normalise("abcdefghjkmn", out), DD_OK);
    /* Letters people confuse with digits read as those digits. */
    assert_int_equal(dd_recovery_normalise("oO0i-IlL1-2345", out), DD_OK);
    assert_string_equal(out, "000111112345");
    assert_int_equal(dd_recovery_normalise("abcd-efgh-jkmu", out), DD_EINVAL); /* no u */
    assert_int_equal(dd_recovery_normalise("abcd-efgh-jkm", out), DD_EINVAL);
    assert_int_equal(dd_recovery_normalise("abcd-efgh-jkmnp", out), DD_EINVAL);
    assert_int_equal(dd_recovery_normalise("abcd_efgh_jkmn", out), DD_EINVAL);
    assert_int_equal(dd_recovery_normalise("", out), DD_EINVAL);
    assert_int_equal(dd_recovery_normalise("abcd-efgh-jkm\xc3\xa1", out), DD_EINVAL);
}

static void
recovery_match_finds_the_code_typed_any_way(void **state)
{
    (void)state;
    char codes[5][DD_RECOVERY_CODE_SIZE];
    char hashes[5][DD_CODE_HASH_SIZE];
    dd_recovery_codes_new(5, codes, hashes);
    const char *stored[6] = {hashes[0], "sha256$garbage", hashes[2], NULL, hashes[4], hashes[1]};

    char typed[40];
    /* Upper case, no dashes, spaces around: still the code at index 2. */
    size_t o = 0;
    for (const char *p = codes[2]; *p; p++)
        if (*p != '-')
            typed[o++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    typed[o] = '\0';
    assert_int_equal(dd_recovery_match(typed, stored, 6), 2);
    assert_int_equal(dd_recovery_match(codes[1], stored, 6), 5);
    assert_int_equal(dd_recovery_match(codes[3], stored, 6), DD_ENOTFOUND); /* not stored */
    assert_int_equal(dd_recovery_match("0000-0000-0000", stored, 6), DD_ENOTFOUND);
    assert_int_equal(dd_recovery_match("not a code", stored, 6), DD_EINVAL);
    assert_int_equal(dd_recovery_match(codes[0], stored, 0), DD_ENOTFOUND);

    /* Two stored forms of one code differ (own salts) and both match. */
    char again[DD_CODE_HASH_SIZE];
    assert_int_equal(dd_recovery_hash(codes[0], again), DD_OK);
    assert_string_not_equal(again, hashes[0]);
    const char *both[2] = {again, hashes[0]};
    assert_int_equal(dd_recovery_match(codes[0], both, 2), 0);
    assert_int_equal(dd_recovery_hash("tooshort", again), DD_EINVAL);

    /* One character changed in the stored hash: no match. */
    char tampered[DD_CODE_HASH_SIZE];
    memcpy(tampered, hashes[0], sizeof tampered);
    tampered[DD_CODE_HASH_SIZE - 2] = tampered[DD_CODE_HASH_SIZE - 2] == '0' ? '1' : '0';
    const char *one[1] = {tampered};
    assert_int_equal(dd_recovery_match(codes[0], one, 1), DD_ENOTFOUND);
}

/* --- One-time codes ------------------------------------------------------------------------- */

static void
one_time_codes_are_six_digits_spread_evenly(void **state)
{
    (void)state;
    /* 20000 codes: each leading digit expected 2000 times (σ ≈ 42), the whole range reached. */
    int lead[10] = {0};
    long lowest = 999999, highest = 0;
    for (int i = 0; i < 20000; i++) {
        char code[DD_OTC_SIZE];
        dd_otc_new(code);
        assert_int_equal(strlen(code), 6);
        long v = 0;
        for (int k = 0; k < 6; k++) {
            assert_true(code[k] >= '0' && code[k] <= '9');
            v = v * 10 + (code[k] - '0');
        }
        lead[code[0] - '0']++;
        lowest = v < lowest ? v : lowest;
        highest = v > highest ? v : highest;
    }
    for (int d = 0; d < 10; d++)
        assert_in_range(lead[d], 1750, 2250);
    assert_true(lowest < 1000);
    assert_true(highest > 999000);
}

static void
one_time_code_hash_verifies_only_that_code(void **state)
{
    (void)state;
    char stored[DD_CODE_HASH_SIZE];
    assert_int_equal(dd_otc_hash("012345", stored), DD_OK);
    assert_true(strncmp(stored, "sha256$", 7) == 0);
    assert_null(strstr(stored, "012345"));
    assert_int_equal(dd_otc_verify(stored, "012345"), DD_OK);
    assert_int_equal(dd_otc_verify(stored, "012 345"), DD_OK);
    assert_int_equal(dd_otc_verify(stored, "012346"), DD_EDENIED);
    assert_int_equal(dd_otc_verify(stored, "12345"), DD_EINVAL);
    assert_int_equal(dd_otc_verify(stored, "0123456"), DD_EINVAL);
    assert_int_equal(dd_otc_verify(stored, "01234a"), DD_EINVAL);
    assert_int_equal(dd_otc_verify("sha256$short", "012345"), DD_EDENIED);
    assert_int_equal(dd_otc_verify("", "012345"), DD_EDENIED);
    assert_int_equal(dd_otc_hash("12-345", stored), DD_EINVAL);
    char other[DD_CODE_HASH_SIZE];
    assert_int_equal(dd_otc_hash("012345", other), DD_OK);
    assert_string_not_equal(other, stored);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base32_matches_rfc4648_vectors),
        cmocka_unit_test(base32_decode_is_lenient_on_case_and_spaces_and_strict_otherwise),
        cmocka_unit_test(hotp_matches_rfc4226_appendix_d),
        cmocka_unit_test(totp_matches_rfc6238_appendix_b_sha1),
        cmocka_unit_test(totp_window_is_one_step_either_side),
        cmocka_unit_test(totp_refuses_a_step_already_used),
        cmocka_unit_test(new_secrets_are_random_and_encode_to_32_characters),
        cmocka_unit_test(uri_percent_encodes_issuer_and_account),
        cmocka_unit_test(recovery_codes_have_the_shape_and_are_distinct),
        cmocka_unit_test(recovery_code_characters_are_uniform),
        cmocka_unit_test(recovery_input_is_normalised),
        cmocka_unit_test(recovery_match_finds_the_code_typed_any_way),
        cmocka_unit_test(one_time_codes_are_six_digits_spread_evenly),
        cmocka_unit_test(one_time_code_hash_verifies_only_that_code),
    };
    return cmocka_run_group_tests_name("totp", tests, NULL, NULL);
}
