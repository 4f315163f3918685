/*
 * test_token_cache.c — the cache of checked bearer tokens: what it returns, for how long, what
 * it refuses to keep, and that clearing forgets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/token_cache.h"

#include <stdio.h>
#include <string.h>

/* A 64-hex-digit hash whose first digits (which choose the bucket) are `prefix`. */
static void
make_hash(char out[65], const char *prefix, unsigned n)
{
    snprintf(out, 65, "%s%0*x", prefix, (int)(64 - strlen(prefix)), n);
}

static struct dd_principal
officer(int64_t id, const char *role)
{
    struct dd_principal p = {.kind = DD_PRINCIPAL_OFFICER, .id = id};
    snprintf(p.role, sizeof p.role, "%s", role);
    snprintf(p.display_name, sizeof p.display_name, "Cán bộ %lld", (long long)id);
    return p;
}

static void
remembers_until_the_ttl(void **state)
{
    (void)state;
    dd_token_cache_clear();
    char h[65];
    make_hash(h, "a1", 1);
    struct dd_principal p = officer(12, "commune-police"), got;
    int64_t now = 1000000;
    assert_false(dd_token_cache_get(h, now, &got));
    dd_token_cache_put(h, &p, now, now + 3600 * 1000);
    assert_true(dd_token_cache_get(h, now + 1, &got));
    assert_int_equal(got.id, 12);
    assert_string_equal(got.role, "commune-police");
    assert_string_equal(got.display_name, "Cán bộ 12");
    assert_true(dd_token_cache_get(h, now + DD_TOKEN_CACHE_TTL_MS - 1, &got));
    assert_false(dd_token_cache_get(h, now + DD_TOKEN_CACHE_TTL_MS, &got));
}

static void
never_past_the_tokens_expiry(void **state)
{
    (void)state;
    dd_token_cache_clear();
    char h[65];
    make_hash(h, "b2", 2);
    struct dd_principal p = officer(3, "admin"), got;
    int64_t now = 5000;
    dd_token_cache_put(h, &p, now, now + 100);
    assert_true(dd_token_cache_get(h, now + 99, &got));
    assert_false(dd_token_cache_get(h, now + 100, &got));
    /* already expired: not kept at all */
    make_hash(h, "b3", 3);
    dd_token_cache_put(h, &p, now, now);
    assert_false(dd_token_cache_get(h, now - 1, &got));
}

static void
other_hashes_and_bad_hashes_miss(void **state)
{
    (void)state;
    dd_token_cache_clear();
    char h[65], other[65];
    make_hash(h, "c4", 4);
    make_hash(other, "c4", 5); /* same bucket, another token */
    struct dd_principal p = officer(4, "leader"), got;
    dd_token_cache_put(h, &p, 0, 1000);
    assert_false(dd_token_cache_get(other, 1, &got));
    assert_false(dd_token_cache_get("c4", 1, &got));
    assert_false(dd_token_cache_get(NULL, 1, &got));
    dd_token_cache_put("short", &p, 0, 1000);
    assert_false(dd_token_cache_get("short", 1, &got));
}

static void
a_full_bucket_drops_the_entry_that_ends_first(void **state)
{
    (void)state;
    dd_token_cache_clear();
    /* Hashes that differ only after the first five digits share a bucket; five of them overflow
     * its four ways. */
    char h[5][65];
    struct dd_principal got;
    for (unsigned i = 0; i < 5; i++) {
        make_hash(h[i], "d5d5d", i);
        struct dd_principal p = officer((int64_t)i, "health");
        dd_token_cache_put(h[i], &p, 0, 1000 + i);
    }
    assert_false(dd_token_cache_get(h[0], 1, &got)); /* ended first, replaced */
    for (unsigned i = 1; i < 5; i++) {
        assert_true(dd_token_cache_get(h[i], 1, &got));
        assert_int_equal(got.id, i);
    }
    /* putting a hash again updates its entry instead of taking another way */
    struct dd_principal p = officer(99, "health");
    dd_token_cache_put(h[4], &p, 0, 5000);
    assert_true(dd_token_cache_get(h[4], 2000, &got));
    assert_int_equal(got.id, 99);
    assert_true(dd_token_cache_get(h[1], 1, &got));
}

static void
clearing_forgets_everything(void **state)
{
    (void)state;
    char h[65];
    make_hash(h, "e6", 6);
    struct dd_principal p = officer(6, "admin"), got;
    dd_token_cache_put(h, &p, 0, 1000);
    assert_true(dd_token_cache_get(h, 1, &got));
    dd_token_cache_clear();
    assert_false(dd_token_cache_get(h, 1, &got));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remembers_until_the_ttl),
        cmocka_unit_test(never_past_the_tokens_expiry),
        cmocka_unit_test(other_hashes_and_bad_hashes_miss),
        cmocka_unit_test(a_full_bucket_drops_the_entry_that_ends_first),
        cmocka_unit_test(clearing_forgets_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
