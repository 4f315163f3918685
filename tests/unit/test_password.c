/*
 * test_password.c — Argon2id hashing and verifying, upgrade on login, the dummy verify for
 * unknown accounts, and the password rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/clock.h"
#include "base/err.h"
#include "crypto/password.h"

#include <stdio.h>
#include <string.h>

/* Most tests hash at a small cost so the suite stays quick; the default cost has its own test. */
static int
cheap_cost(void **state)
{
    (void)state;
    return dd_password_configure(1, 1024);
}

static int
default_cost(void **state)
{
    (void)state;
    return dd_password_configure(DD_PASSWORD_OPSLIMIT_DEFAULT, DD_PASSWORD_MEMLIMIT_KIB_DEFAULT);
}

static void
default_cost_is_owasp_argon2id_and_recorded_in_the_hash(void **state)
{
    (void)state;
    char hash[DD_PASSWORD_HASH_MAX];
    assert_int_equal(dd_password_hash("mat-khau-dai-du", hash), DD_OK);
    assert_true(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    assert_int_equal(dd_password_verify(hash, "mat-khau-dai-du"), DD_OK);
    assert_false(dd_password_needs_rehash(hash));
}

static void
hash_verifies_only_the_same_password(void **state)
{
    (void)state;
    char h1[DD_PASSWORD_HASH_MAX], h2[DD_PASSWORD_HASH_MAX];
    assert_int_equal(dd_password_hash("Sông Hương 2025", h1), DD_OK);
    assert_int_equal(dd_password_hash("Sông Hương 2025", h2), DD_OK);
    assert_string_not_equal(h1, h2); /* a fresh salt each time */
    assert_true(strncmp(h1, "$argon2id$v=19$m=1024,t=1,p=1$", 30) == 0);
    assert_int_equal(dd_password_verify(h1, "Sông Hương 2025"), DD_OK);
    assert_int_equal(dd_password_verify(h2, "Sông Hương 2025"), DD_OK);
    assert_int_equal(dd_password_verify(h1, "Sông Hương 2024"), DD_EDENIED);
    assert_int_equal(dd_password_verify(h1, "sông hương 2025"), DD_EDENIED);
    assert_int_equal(dd_password_verify(h1, ""), DD_EDENIED);
}

static void
nfd_input_matches_an_nfc_hash(void **state)
{
    (void)state;
    /* "Nguyễn" composed (ễ U+1EC5) and decomposed (e U+0302 U+0303). */
    const char *nfc = "Nguy\xe1\xbb\x85n-mat-khau";
    const char *nfd = "Nguye\xcc\x82\xcc\x83n-mat-khau";
    char hash[DD_PASSWORD_HASH_MAX];
    assert_int_equal(dd_password_hash(nfd, hash), DD_OK);
    assert_int_equal(dd_password_verify(hash, nfc), DD_OK);
    assert_int_equal(dd_password_hash(nfc, hash), DD_OK);
    assert_int_equal(dd_password_verify(hash, nfd), DD_OK);
}

static void
bad_inputs_are_refused(void **state)
{
    (void)state;
    char hash[DD_PASSWORD_HASH_MAX];
    assert_int_equal(dd_password_hash("bad \xff utf8", hash), DD_EINVAL);
    char longpw[DD_PASSWORD_MAX_BYTES + 2];
    memset(longpw, 'x', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    assert_int_equal(dd_password_hash(longpw, hash), DD_ETOOBIG);
    longpw[DD_PASSWORD_MAX_BYTES] = '\0';
    assert_int_equal(dd_password_hash(longpw, hash), DD_OK);

    assert_int_equal(dd_password_hash("good password", hash), DD_OK);
    assert_int_equal(dd_password_verify(hash, "bad \xff utf8"), DD_EINVAL);
    assert_int_equal(dd_password_verify("", "good password"), DD_EINVAL);
    assert_int_equal(dd_password_verify("$2b$10$notargon", "good password"), DD_EINVAL);
    assert_int_equal(dd_password_verify("sha256$abc", "good password"), DD_EINVAL);
    /* A damaged Argon2 string is a mismatch, never a match. */
    char damaged[DD_PASSWORD_HASH_MAX];
    memcpy(damaged, hash, sizeof damaged);
    damaged[strlen(damaged) - 3] = damaged[strlen(damaged) - 3] == 'A' ? 'B' : 'A';
    assert_int_equal(dd_password_verify(damaged, "good password"), DD_EDENIED);
}

static void
configure_checks_bounds(void **state)
{
    (void)state;
    assert_int_equal(dd_password_configure(0, 19456), DD_EINVAL);
    assert_int_equal(dd_password_configure(2, 4), DD_EINVAL);
    assert_int_equal(dd_password_configure(-1, -1), DD_EINVAL);
    /* The cost stayed as it was. */
    char hash[DD_PASSWORD_HASH_MAX];
    assert_int_equal(dd_password_hash("still cheap please", hash), DD_OK);
    assert_true(strncmp(hash, "$argon2id$v=19$m=1024,t=1,p=1$", 30) == 0);
}

static void
rehash_is_asked_when_the_cost_changes(void **state)
{
    (void)state;
    char old_hash[DD_PASSWORD_HASH_MAX], new_hash[DD_PASSWORD_HASH_MAX];
    assert_int_equal(dd_password_hash("upgrade me please", old_hash), DD_OK);
    assert_false(dd_password_needs_rehash(old_hash));

    assert_int_equal(dd_password_configure(2, 2048), DD_OK);
    assert_true(dd_password_needs_rehash(old_hash));
    /* The old hash still verifies: login succeeds, then stores a new hash at the new cost. */
    assert_int_equal(dd_password_verify(old_hash, "upgrade me please"), DD_OK);
    assert_int_equal(dd_password_hash("upgrade me please", new_hash), DD_OK);
    assert_true(strncmp(new_hash, "$argon2id$v=19$m=2048,t=2,p=1$", 30) == 0);
    assert_false(dd_password_needs_rehash(new_hash));
    assert_int_equal(dd_password_verify(new_hash, "upgrade me please"), DD_OK);

    assert_true(dd_password_needs_rehash("not a hash"));
    assert_true(dd_password_needs_rehash(""));
    /* An Argon2i hash (another algorithm) is upgraded to Argon2id. */
    assert_true(dd_password_needs_rehash("$argon2i$v=19$m=2048,t=2,p=1$c29tZXNhbHQ$"
                                         "iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A"));
    dd_password_configure(1, 1024);
}

static int64_t
median_ns(int64_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

static void
dummy_verify_takes_as_long_as_a_real_one(void **state)
{
    (void)state;
    /* A cost large enough that the hash dominates the measurement (tens of milliseconds). */
    assert_int_equal(dd_password_configure(2, 16384), DD_OK);
    char hash[DD_PASSWORD_HASH_MAX];
    assert_int_equal(dd_password_hash("the real password", hash), DD_OK);
    dd_password_verify_dummy("warm it up"); /* makes the dummy hash at this cost */
    enum { ROUNDS = 5 };
    int64_t real[ROUNDS], dummy[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        int64_t t0 = dd_clock_mono_ns();
        assert_int_equal(dd_password_verify(hash, "a wrong password"), DD_EDENIED);
        int64_t t1 = dd_clock_mono_ns();
        dd_password_verify_dummy("a wrong password");
        int64_t t2 = dd_clock_mono_ns();
        real[i] = t1 - t0;
        dummy[i] = t2 - t1;
    }
    int64_t r = median_ns(real, ROUNDS), d = median_ns(dummy, ROUNDS);
    printf("verify %.1f ms, dummy verify %.1f ms\n", r / 1e6, d / 1e6);
    assert_true(d * 2 > r && d < r * 2); /* medians within a factor of two */
    dd_password_configure(1, 1024);
}

static void
rules_refuse_each_weak_password(void **state)
{
    (void)state;
    assert_int_equal(dd_password_check("dai-du-muoi", "an.nguyen", "056090001234"), DD_PASSWORD_OK);
    assert_int_equal(dd_password_check("", NULL, NULL), DD_PASSWORD_TOO_SHORT);
    assert_int_equal(dd_password_check("123456789", NULL, NULL), DD_PASSWORD_TOO_SHORT);
    assert_int_equal(dd_password_check("1234567890", NULL, NULL), DD_PASSWORD_OK);
    /* Code points, not bytes: "ĐàNẵng2025" is 10 characters in 14 bytes, and stays 10 when it
     * arrives decomposed (ẵ as a + U+0306 + U+0303). */
    assert_int_equal(dd_password_check("\xc4\x90\xc3\xa0N\xe1\xba\xb5ng2025", NULL, NULL),
                     DD_PASSWORD_OK);
    assert_int_equal(dd_password_check("\xc4\x90\xc3\xa0Na\xcc\x86\xcc\x83ng2025", NULL, NULL),
                     DD_PASSWORD_OK);
    assert_int_equal(dd_password_check("\xc4\x90\xc3\xa0N\xe1\xba\xb5ng202", NULL, NULL),
                     DD_PASSWORD_TOO_SHORT);

    char pw[260];
    for (int i = 0; i < 128; i++)
        pw[i] = (char)('a' + i % 26);
    pw[128] = '\0';
    assert_int_equal(dd_password_check(pw, NULL, NULL), DD_PASSWORD_OK);
    pw[128] = 'z';
    pw[129] = '\0';
    assert_int_equal(dd_password_check(pw, NULL, NULL), DD_PASSWORD_TOO_LONG);
    /* 128 two-byte letters are fine: the bound is on characters. */
    for (int i = 0; i < 128; i++) {
        pw[2 * i] = '\xc3';
        pw[2 * i + 1] = (char)(i % 2 ? '\xa0' : '\xa1'); /* à á */
    }
    pw[256] = '\0';
    assert_int_equal(dd_password_check(pw, NULL, NULL), DD_PASSWORD_OK);
    char huge[DD_PASSWORD_MAX_BYTES + 10];
    memset(huge, 'q', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_int_equal(dd_password_check(huge, NULL, NULL), DD_PASSWORD_TOO_LONG);

    assert_int_equal(dd_password_check("aaaaaaaaaaaa", NULL, NULL), DD_PASSWORD_ONE_CHARACTER);
    /* The same letter with its accent composed in some places and decomposed in others. */
    assert_int_equal(dd_password_check("\xc3\xa0\xc3\xa0\xc3\xa0\xc3\xa0\xc3\xa0"
                                       "a\xcc\x80"
                                       "a\xcc\x80"
                                       "a\xcc\x80"
                                       "a\xcc\x80"
                                       "a\xcc\x80",
                                       NULL, NULL),
                     DD_PASSWORD_ONE_CHARACTER);
    assert_int_equal(dd_password_check("aaaaaaaaaab", NULL, NULL), DD_PASSWORD_OK);

    assert_int_equal(dd_password_check("CanBo.TinhKH", "canbo.tinhkh", NULL),
                     DD_PASSWORD_IS_USERNAME);
    assert_int_equal(dd_password_check("canbo.tinhkh1", "canbo.tinhkh", NULL), DD_PASSWORD_OK);
    assert_int_equal(dd_password_check("056090001234", "an.nguyen", "056090001234"),
                     DD_PASSWORD_IS_ID_NUMBER);
    assert_int_equal(dd_password_check("056090001234", "", ""), DD_PASSWORD_OK);
    assert_int_equal(dd_password_check("bad \xff utf8 text", NULL, NULL), DD_PASSWORD_INVALID_UTF8);
}

static void
each_rule_has_a_stable_code_and_two_languages(void **state)
{
    (void)state;
    static const char *const codes[] = {
        "password-ok",          "password-invalid-utf8",  "password-too-short",
        "password-too-long",    "password-one-character", "password-is-username",
        "password-is-id-number"};
    for (int r = 0; r < DD_PASSWORD_RULE_COUNT; r++) {
        const struct dd_password_rule_info *i = dd_password_rule_info((enum dd_password_rule)r);
        assert_string_equal(i->code, codes[r]);
        assert_true(strlen(i->message_vi) > 10);
        assert_true(strlen(i->message_en) > 10);
        assert_string_not_equal(i->message_vi, i->message_en);
    }
    assert_non_null(strstr(dd_password_rule_info(DD_PASSWORD_TOO_SHORT)->message_vi, "10"));
    assert_non_null(strstr(dd_password_rule_info(DD_PASSWORD_TOO_LONG)->message_en, "128"));
    assert_string_equal(dd_password_rule_info((enum dd_password_rule)99)->code, "password-invalid");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(default_cost_is_owasp_argon2id_and_recorded_in_the_hash,
                               default_cost),
        cmocka_unit_test_setup(hash_verifies_only_the_same_password, cheap_cost),
        cmocka_unit_test_setup(nfd_input_matches_an_nfc_hash, cheap_cost),
        cmocka_unit_test_setup(bad_inputs_are_refused, cheap_cost),
        cmocka_unit_test_setup(configure_checks_bounds, cheap_cost),
        cmocka_unit_test_setup(rehash_is_asked_when_the_cost_changes, cheap_cost),
        cmocka_unit_test_setup(dummy_verify_takes_as_long_as_a_real_one, cheap_cost),
        cmocka_unit_test(rules_refuse_each_weak_password),
        cmocka_unit_test(each_rule_has_a_stable_code_and_two_languages),
    };
    return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
