/*
 * test_idempotency.c — the Idempotency-Key store (src/core/idempotency/): which keys are valid,
 * what the request fingerprint covers, and on SQLite and PostgreSQL: a completed key replays its
 * reply byte for byte; a running one is in flight until its lease ends and is then taken over,
 * after which the first request can no longer complete; another request under the same key is
 * refused as reused; a released or rolled-back reservation stores no reply; keys belong to their
 * caller; keys expire after 24 hours and are purged; and of several connections racing for one
 * key exactly one reserves it.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "core/idempotency/idempotency.h"
#include "crypto/hash.h"

#include <pthread.h>

#define T0     1790000000000LL /* 2026-09-21T…Z */
#define ROUTE  "POST /api/v1/people/{id}/deaths"
#define BODY   "{\"date\":\"2026-10-02\"}"
#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const struct dd_idem_reply reply_201 = {
    .status = 201,
    .content_type = "application/json",
    .body = "{\"id_number\":\"056090001234\",\"status\":\"dead\",\"full_name\":\"Trần Văn Cụ\"}",
    .len = sizeof "{\"id_number\":\"056090001234\",\"status\":\"dead\",\"full_name\":\"Trần Văn "
                  "Cụ\"}" -
           1,
    .location = "/api/v1/people/056090001234",
    .etag = "\"v2\"",
};

/* --- without a database --- */

static void
keys_are_printable_ascii_up_to_200(void **state)
{
    (void)state;
    char long_key[DD_IDEM_MAX_KEY + 2];
    memset(long_key, 'k', sizeof long_key);
    long_key[DD_IDEM_MAX_KEY] = '\0';
    assert_true(dd_idem_key_valid(long_key));
    long_key[DD_IDEM_MAX_KEY] = 'k';
    long_key[DD_IDEM_MAX_KEY + 1] = '\0';
    assert_false(dd_idem_key_valid(long_key));
    assert_true(dd_idem_key_valid("8e03978e-40d5-43e8-bc93-6894a57f9324"));
    assert_true(dd_idem_key_valid("a"));
    assert_true(dd_idem_key_valid("khai tu ~!@#$%^&*()"));
    assert_false(dd_idem_key_valid(""));
    assert_false(dd_idem_key_valid(NULL));
    assert_false(dd_idem_key_valid("tab\there"));
    assert_false(dd_idem_key_valid("del\x7f"));
    assert_false(dd_idem_key_valid("khóa")); /* UTF-8 is not ASCII */
}

static void
fingerprint_covers_method_path_and_body(void **state)
{
    (void)state;
    char a[DD_IDEM_HASH_LEN + 1], b[DD_IDEM_HASH_LEN + 1], want[DD_IDEM_HASH_LEN + 1];
    dd_idem_fingerprint("POST", "/api/v1/people", BODY, strlen(BODY), a);
    const char text[] = "POST\n/api/v1/people\n" BODY;
    dd_sha256_hex(text, strlen(text), want);
    assert_string_equal(a, want);
    dd_idem_fingerprint("POST", "/api/v1/people", BODY, strlen(BODY), b);
    assert_string_equal(a, b);
    dd_idem_fingerprint("POST", "/api/v1/people/056090001234/deaths", BODY, strlen(BODY), b);
    assert_string_not_equal(a, b);
    dd_idem_fingerprint("PUT", "/api/v1/people", BODY, strlen(BODY), b);
    assert_string_not_equal(a, b);
    dd_idem_fingerprint("POST", "/api/v1/people", BODY " ", strlen(BODY) + 1, b);
    assert_string_not_equal(a, b);
    dd_idem_fingerprint("POST", "/api/v1/people", "", 0, b);
    const char empty[] = "POST\n/api/v1/people\n";
    dd_sha256_hex(empty, strlen(empty), want);
    assert_string_equal(b, want);
}

static void
owners_differ(void **state)
{
    (void)state;
    struct dd_idem a, b;
    dd_idem_init(&a, "officer:1", "k", ROUTE, HASH_A);
    dd_idem_init(&b, "officer:1", "k", ROUTE, HASH_A);
    assert_int_equal(strlen(a.owner), DD_IDEM_OWNER_LEN);
    assert_string_not_equal(a.owner, b.owner);
    assert_string_equal(a.request_hash, HASH_A);
    assert_false(a.committed);
}

/* --- on both databases --- */

struct env {
    struct dbfx *fx;
    struct dd_arena *a;
};

static struct env
setup(void **state)
{
    struct env e = {.fx = dbfx_get(state), .a = dd_arena_new(0)};
    dbfx_migrate_core(e.fx->db);
    return e;
}

static enum dd_idem_state
reserve(struct env *e, const struct dd_idem *k, int64_t now, struct dd_idem_reply *stored)
{
    enum dd_idem_state st;
    struct dd_idem_reply ignored;
    assert_int_equal(dd_idem_reserve(e->fx->db, e->a, k, now, &st, stored ? stored : &ignored),
                     DD_OK);
    assert_false(dd_db_in_transaction(e->fx->db));
    return st;
}

/* Completes k's reservation as a change would: in a transaction, then commit. */
static int
complete(struct env *e, const struct dd_idem *k, int64_t now)
{
    assert_int_equal(dd_db_begin(e->fx->db), DD_OK);
    int rc = dd_idem_complete(e->fx->db, k, &reply_201, now);
    if (rc == DD_OK)
        assert_int_equal(dd_db_commit(e->fx->db), DD_OK);
    else
        assert_int_equal(dd_db_rollback(e->fx->db), DD_OK);
    return rc;
}

static int64_t
rows(struct env *e)
{
    return dbfx_int(e->fx->db, "SELECT COUNT(*) FROM idempotency_keys");
}

static void
completed_key_replays_the_reply(void **state)
{
    struct env e = setup(state);
    struct dd_idem first, again;
    dd_idem_init(&first, "officer:12", "key-1", ROUTE, HASH_A);
    assert_int_equal(reserve(&e, &first, T0, NULL), DD_IDEM_RESERVED);
    assert_int_equal(dbfx_int(e.fx->db, "SELECT status FROM idempotency_keys"), 0);
    assert_int_equal(complete(&e, &first, T0 + 50), DD_OK);

    dd_idem_init(&again, "officer:12", "key-1", ROUTE, HASH_A);
    struct dd_idem_reply got;
    assert_int_equal(reserve(&e, &again, T0 + 1000, &got), DD_IDEM_REPLAY);
    assert_int_equal(got.status, 201);
    assert_string_equal(got.content_type, "application/json");
    assert_int_equal(got.len, reply_201.len);
    assert_memory_equal(got.body, reply_201.body, reply_201.len);
    assert_string_equal(got.location, reply_201.location);
    assert_string_equal(got.etag, reply_201.etag);
    /* A replay changes nothing; the reply cannot be completed a second time. */
    assert_int_equal(rows(&e), 1);
    assert_int_equal(complete(&e, &again, T0 + 1001), DD_ECONFLICT);
    assert_int_equal(complete(&e, &first, T0 + 1002), DD_ECONFLICT);
    char row[256];
    dbfx_text(e.fx->db,
              "SELECT principal || '|' || key || '|' || route || '|' || request_hash || '|' || "
              "completed_at FROM idempotency_keys",
              row, sizeof row);
    assert_string_equal(row, "officer:12|key-1|" ROUTE "|" HASH_A "|2026-09-21T14:13:20.050Z");
    dd_arena_free(e.a);
}

static void
running_key_is_in_flight_until_its_lease_ends(void **state)
{
    struct env e = setup(state);
    struct dd_idem first, second, third;
    dd_idem_init(&first, "officer:12", "key-2", ROUTE, HASH_A);
    dd_idem_init(&second, "officer:12", "key-2", ROUTE, HASH_A);
    dd_idem_init(&third, "officer:12", "key-2", ROUTE, HASH_A);
    assert_int_equal(reserve(&e, &first, T0, NULL), DD_IDEM_RESERVED);
    assert_int_equal(reserve(&e, &second, T0 + 1, NULL), DD_IDEM_IN_FLIGHT);
    assert_int_equal(reserve(&e, &second, T0 + DD_IDEM_LEASE_MS - 1, NULL), DD_IDEM_IN_FLIGHT);
    /* The first request's lease has run out: the second takes the key over … */
    assert_int_equal(reserve(&e, &second, T0 + DD_IDEM_LEASE_MS + 1, NULL), DD_IDEM_RESERVED);
    assert_int_equal(reserve(&e, &third, T0 + DD_IDEM_LEASE_MS + 2, NULL), DD_IDEM_IN_FLIGHT);
    /* … and the first, still running, can no longer complete: its change must roll back. */
    assert_int_equal(complete(&e, &first, T0 + DD_IDEM_LEASE_MS + 3), DD_ECONFLICT);
    assert_int_equal(dd_idem_release(e.fx->db, &first), DD_OK);
    assert_int_equal(rows(&e), 1);
    assert_int_equal(complete(&e, &second, T0 + DD_IDEM_LEASE_MS + 4), DD_OK);
    assert_int_equal(reserve(&e, &third, T0 + DD_IDEM_LEASE_MS + 5, NULL), DD_IDEM_REPLAY);
    dd_arena_free(e.a);
}

static void
same_key_with_another_request_is_reused(void **state)
{
    struct env e = setup(state);
    struct dd_idem first, other_body, other_route;
    dd_idem_init(&first, "officer:12", "key-3", ROUTE, HASH_A);
    dd_idem_init(&other_body, "officer:12", "key-3", ROUTE, HASH_B);
    dd_idem_init(&other_route, "officer:12", "key-3", "POST /api/v1/people", HASH_A);
    assert_int_equal(reserve(&e, &first, T0, NULL), DD_IDEM_RESERVED);
    /* Reused is told while the first still runs, and after it completed. */
    assert_int_equal(reserve(&e, &other_body, T0 + 1, NULL), DD_IDEM_REUSED);
    assert_int_equal(complete(&e, &first, T0 + 2), DD_OK);
    assert_int_equal(reserve(&e, &other_body, T0 + 3, NULL), DD_IDEM_REUSED);
    assert_int_equal(reserve(&e, &other_route, T0 + 4, NULL), DD_IDEM_REUSED);
    assert_int_equal(rows(&e), 1);
    dd_arena_free(e.a);
}

static void
released_or_rolled_back_reservation_stores_nothing(void **state)
{
    struct env e = setup(state);
    struct dd_idem first, retry;
    dd_idem_init(&first, "officer:12", "key-4", ROUTE, HASH_A);
    dd_idem_init(&retry, "officer:12", "key-4", ROUTE, HASH_B);
    /* A change that rolls back takes its stored reply with it: the key stays unfinished. */
    assert_int_equal(reserve(&e, &first, T0, NULL), DD_IDEM_RESERVED);
    assert_int_equal(dd_db_begin(e.fx->db), DD_OK);
    assert_int_equal(dd_idem_complete(e.fx->db, &first, &reply_201, T0 + 1), DD_OK);
    assert_int_equal(dd_db_rollback(e.fx->db), DD_OK);
    assert_int_equal(dbfx_int(e.fx->db, "SELECT status FROM idempotency_keys"), 0);
    /* The failed request releases the key: a retry, even with a corrected body, starts fresh. */
    assert_int_equal(dd_idem_release(e.fx->db, &first), DD_OK);
    assert_int_equal(rows(&e), 0);
    assert_int_equal(reserve(&e, &retry, T0 + 2, NULL), DD_IDEM_RESERVED);
    assert_int_equal(complete(&e, &retry, T0 + 3), DD_OK);
    /* Releasing never removes a completed key. */
    assert_int_equal(dd_idem_release(e.fx->db, &retry), DD_OK);
    assert_int_equal(dd_idem_release(e.fx->db, &first), DD_OK);
    assert_int_equal(rows(&e), 1);
    assert_int_equal(dbfx_int(e.fx->db, "SELECT status FROM idempotency_keys"), 201);
    dd_arena_free(e.a);
}

static void
keys_belong_to_their_caller(void **state)
{
    struct env e = setup(state);
    struct dd_idem mine, theirs;
    dd_idem_init(&mine, "officer:12", "shared", ROUTE, HASH_A);
    dd_idem_init(&theirs, "officer:13", "shared", ROUTE, HASH_B);
    assert_int_equal(reserve(&e, &mine, T0, NULL), DD_IDEM_RESERVED);
    assert_int_equal(reserve(&e, &theirs, T0 + 1, NULL), DD_IDEM_RESERVED);
    assert_int_equal(complete(&e, &mine, T0 + 2), DD_OK);
    assert_int_equal(complete(&e, &theirs, T0 + 3), DD_OK);
    assert_int_equal(rows(&e), 2);
    dd_arena_free(e.a);
}

static void
keys_expire_after_a_day_and_are_purged(void **state)
{
    struct env e = setup(state);
    struct dd_idem old, fresh, later;
    dd_idem_init(&old, "officer:12", "key-5", ROUTE, HASH_A);
    dd_idem_init(&fresh, "officer:12", "key-6", ROUTE, HASH_A);
    assert_int_equal(reserve(&e, &old, T0, NULL), DD_IDEM_RESERVED);
    assert_int_equal(complete(&e, &old, T0 + 1), DD_OK);
    assert_int_equal(reserve(&e, &fresh, T0 + DD_IDEM_TTL_MS - 10, NULL), DD_IDEM_RESERVED);
    assert_int_equal(complete(&e, &fresh, T0 + DD_IDEM_TTL_MS - 9), DD_OK);
    int64_t removed = -1;
    assert_int_equal(dd_idem_purge(e.fx->db, T0 + DD_IDEM_TTL_MS - 1, &removed), DD_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(rows(&e), 2);
    /* A day later the old key is free again, for any request. */
    dd_idem_init(&later, "officer:12", "key-5", ROUTE, HASH_B);
    assert_int_equal(reserve(&e, &later, T0 + DD_IDEM_TTL_MS + 5, NULL), DD_IDEM_RESERVED);
    assert_int_equal(dd_idem_release(e.fx->db, &later), DD_OK);
    assert_int_equal(dd_idem_purge(e.fx->db, T0 + 2 * DD_IDEM_TTL_MS, &removed), DD_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(rows(&e), 0);
    dd_arena_free(e.a);
}

#define RACERS 4

struct racer {
    struct dbfx *fx;
    pthread_barrier_t *start;
    enum dd_idem_state state;
    int rc;
};

static void *
race(void *arg)
{
    struct racer *r = arg;
    struct dd_db *db = dbfx_connect(r->fx, 10000);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_idem k;
    dd_idem_init(&k, "officer:12", "raced", ROUTE, HASH_A);
    struct dd_idem_reply stored;
    pthread_barrier_wait(r->start);
    r->rc = dd_idem_reserve(db, a, &k, T0, &r->state, &stored);
    dd_arena_free(a);
    dd_db_close(db);
    return NULL;
}

static void
one_of_racing_requests_reserves(void **state)
{
    struct env e = setup(state);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACERS);
    struct racer r[RACERS];
    pthread_t t[RACERS];
    for (int i = 0; i < RACERS; i++) {
        r[i] = (struct racer){.fx = e.fx, .start = &start};
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    int reserved = 0, in_flight = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].rc, DD_OK);
        reserved += r[i].state == DD_IDEM_RESERVED;
        in_flight += r[i].state == DD_IDEM_IN_FLIGHT;
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(reserved, 1);
    assert_int_equal(in_flight, RACERS - 1);
    assert_int_equal(rows(&e), 1);
    dd_arena_free(e.a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_are_printable_ascii_up_to_200),
        cmocka_unit_test(fingerprint_covers_method_path_and_body),
        cmocka_unit_test(owners_differ),
        DB_TEST(completed_key_replays_the_reply),
        DB_TEST(running_key_is_in_flight_until_its_lease_ends),
        DB_TEST(same_key_with_another_request_is_reused),
        DB_TEST(released_or_rolled_back_reservation_stores_nothing),
        DB_TEST(keys_belong_to_their_caller),
        DB_TEST(keys_expire_after_a_day_and_are_purged),
        DB_TEST(one_of_racing_requests_reserves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
