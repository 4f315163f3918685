/*
 * test_token_cache.c — the caches of checked credentials: what they return, for how long, what
 * they refuse to keep, editing a remembered value in place, forgetting some or all, and that two
 * caches of different value types keep apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/token_cache.h"

#include "http/principal.h"

#include <stdio.h>
#include <string.h>

DD_TOKEN_CACHE_DEFINE(tokens, struct dd_principal);

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
    dd_token_cache_clear(&tokens);
    char h[65];
    make_hash(h, "a1", 1);
    struct dd_principal p = officer(12, "commune-police"), got;
    int64_t now = 1000000;
    assert_false(dd_token_cache_get(&tokens, h, now, &got));
    dd_token_cache_put(&tokens, h, &p, now, now + 3600 * 1000);
    assert_true(dd_token_cache_get(&tokens, h, now + 1, &got));
    assert_int_equal(got.id, 12);
    assert_string_equal(got.role, "commune-police");
    assert_string_equal(got.display_name, "Cán bộ 12");
    assert_true(dd_token_cache_get(&tokens, h, now + DD_TOKEN_CACHE_TTL_MS - 1, &got));
    assert_false(dd_token_cache_get(&tokens, h, now + DD_TOKEN_CACHE_TTL_MS, &got));
}

static void
never_past_the_tokens_expiry(void **state)
{
    (void)state;
    dd_token_cache_clear(&tokens);
    char h[65];
    make_hash(h, "b2", 2);
    struct dd_principal p = officer(3, "admin"), got;
    int64_t now = 5000;
    dd_token_cache_put(&tokens, h, &p, now, now + 100);
    assert_true(dd_token_cache_get(&tokens, h, now + 99, &got));
    assert_false(dd_token_cache_get(&tokens, h, now + 100, &got));
    /* already expired: not kept at all */
    make_hash(h, "b3", 3);
    dd_token_cache_put(&tokens, h, &p, now, now);
    assert_false(dd_token_cache_get(&tokens, h, now - 1, &got));
}

static void
other_hashes_and_bad_hashes_miss(void **state)
{
    (void)state;
    dd_token_cache_clear(&tokens);
    char h[65], other[65];
    make_hash(h, "c4", 4);
    make_hash(other, "c4", 5); /* same bucket, another token */
    struct dd_principal p = officer(4, "leader"), got;
    dd_token_cache_put(&tokens, h, &p, 0, 1000);
    assert_false(dd_token_cache_get(&tokens, other, 1, &got));
    assert_false(dd_token_cache_get(&tokens, "c4", 1, &got));
    assert_false(dd_token_cache_get(&tokens, NULL, 1, &got));
    dd_token_cache_put(&tokens, "short", &p, 0, 1000);
    assert_false(dd_token_cache_get(&tokens, "short", 1, &got));
}

static void
a_full_bucket_drops_the_entry_that_ends_first(void **state)
{
    (void)state;
    dd_token_cache_clear(&tokens);
    /* Hashes that differ only after the first five digits share a bucket; five of them overflow
     * its four ways. */
    char h[5][65];
    struct dd_principal got;
    for (unsigned i = 0; i < 5; i++) {
        make_hash(h[i], "d5d5d", i);
        struct dd_principal p = officer((int64_t)i, "health");
        dd_token_cache_put(&tokens, h[i], &p, 0, 1000 + i);
    }
    assert_false(dd_token_cache_get(&tokens, h[0], 1, &got)); /* ended first, replaced */
    for (unsigned i = 1; i < 5; i++) {
        assert_true(dd_token_cache_get(&tokens, h[i], 1, &got));
        assert_int_equal(got.id, i);
    }
    /* putting a hash again updates its entry instead of taking another way */
    struct dd_principal p = officer(99, "health");
    dd_token_cache_put(&tokens, h[4], &p, 0, 5000);
    assert_true(dd_token_cache_get(&tokens, h[4], 2000, &got));
    assert_int_equal(got.id, 99);
    assert_true(dd_token_cache_get(&tokens, h[1], 1, &got));
}

static void
clearing_forgets_everything(void **state)
{
    (void)state;
    char h[65];
    make_hash(h, "e6", 6);
    struct dd_principal p = officer(6, "admin"), got;
    dd_token_cache_put(&tokens, h, &p, 0, 1000);
    assert_true(dd_token_cache_get(&tokens, h, 1, &got));
    dd_token_cache_clear(&tokens);
    assert_false(dd_token_cache_get(&tokens, h, 1, &got));
}

/* A value of another type and size, as a session cache keeps. */
struct seen {
    int64_t session_id;
    int64_t account_id;
    int64_t last_seen_ms;
    char csrf[65];
};

DD_TOKEN_CACHE_DEFINE(seens, struct seen);

static struct seen
seen_of(int64_t session, int64_t account)
{
    struct seen s = {.session_id = session, .account_id = account, .last_seen_ms = 10};
    snprintf(s.csrf, sizeof s.csrf, "csrf-%lld", (long long)session);
    return s;
}

static void
set_last_seen(void *value, int64_t ms)
{
    ((struct seen *)value)->last_seen_ms = ms;
}

static bool
of_account(const void *value, int64_t id)
{
    return ((const struct seen *)value)->account_id == id;
}

static bool
is_session(const void *value, int64_t id)
{
    return ((const struct seen *)value)->session_id == id;
}

static void
editing_changes_the_value_but_not_its_end(void **state)
{
    (void)state;
    dd_token_cache_clear(&seens);
    char h[65], absent[65];
    make_hash(h, "f7", 7);
    make_hash(absent, "f7", 8);
    struct seen s = seen_of(7, 70), got;
    dd_token_cache_put(&seens, h, &s, 0, 1000);
    dd_token_cache_edit(&seens, h, set_last_seen, 500);
    dd_token_cache_edit(&seens, absent, set_last_seen, 600); /* nothing there: nothing made */
    dd_token_cache_edit(&seens, "short", set_last_seen, 600);
    assert_true(dd_token_cache_get(&seens, h, 999, &got));
    assert_int_equal(got.last_seen_ms, 500);
    assert_int_equal(got.session_id, 7);
    assert_string_equal(got.csrf, "csrf-7");
    assert_false(dd_token_cache_get(&seens, h, 1000, &got));
    assert_false(dd_token_cache_get(&seens, absent, 1, &got));
}

static void
forgetting_by_a_match_keeps_the_rest(void **state)
{
    (void)state;
    dd_token_cache_clear(&seens);
    /* sessions 1 and 2 of account 10 (2 in the same bucket as 3), session 3 of account 20 */
    char h1[65], h2[65], h3[65];
    make_hash(h1, "0a", 1);
    make_hash(h2, "9b9b9", 2);
    make_hash(h3, "9b9b9", 3);
    struct seen s1 = seen_of(1, 10), s2 = seen_of(2, 10), s3 = seen_of(3, 20), got;
    dd_token_cache_put(&seens, h1, &s1, 0, 1000);
    dd_token_cache_put(&seens, h2, &s2, 0, 1000);
    dd_token_cache_put(&seens, h3, &s3, 0, 1000);

    dd_token_cache_forget_if(&seens, is_session, 3);
    assert_false(dd_token_cache_get(&seens, h3, 1, &got));
    assert_true(dd_token_cache_get(&seens, h2, 1, &got));
    assert_int_equal(got.session_id, 2);

    dd_token_cache_put(&seens, h3, &s3, 0, 1000);
    dd_token_cache_forget_if(&seens, of_account, 10);
    assert_false(dd_token_cache_get(&seens, h1, 1, &got));
    assert_false(dd_token_cache_get(&seens, h2, 1, &got));
    assert_true(dd_token_cache_get(&seens, h3, 1, &got));
    assert_int_equal(got.account_id, 20);
    /* a forgotten entry's way is free again */
    dd_token_cache_put(&seens, h1, &s1, 0, 1000);
    assert_true(dd_token_cache_get(&seens, h1, 1, &got));
}

static void
caches_keep_apart(void **state)
{
    (void)state;
    dd_token_cache_clear(&tokens);
    dd_token_cache_clear(&seens);
    char h[65];
    make_hash(h, "1c", 12);
    struct dd_principal p = officer(12, "admin"), pgot;
    struct seen s = seen_of(5, 50), sgot;
    dd_token_cache_put(&tokens, h, &p, 0, 1000);
    assert_false(dd_token_cache_get(&seens, h, 1, &sgot));
    dd_token_cache_put(&seens, h, &s, 0, 1000);
    assert_true(dd_token_cache_get(&tokens, h, 1, &pgot));
    assert_int_equal(pgot.id, 12);
    assert_true(dd_token_cache_get(&seens, h, 1, &sgot));
    assert_int_equal(sgot.session_id, 5);
    dd_token_cache_clear(&tokens);
    assert_false(dd_token_cache_get(&tokens, h, 1, &pgot));
    assert_true(dd_token_cache_get(&seens, h, 1, &sgot));
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
        cmocka_unit_test(editing_changes_the_value_but_not_its_end),
        cmocka_unit_test(forgetting_by_a_match_keeps_the_rest),
        cmocka_unit_test(caches_keep_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
