/*
 * token_cache.h — credentials recently checked, remembered for a few seconds.
 *
 * Every request carries a credential (an officer's API token, a login session's token), and
 * looking one up costs a database read for each request. A token cache keeps what a lookup
 * found — a value of a fixed type that its owner chooses (the principal behind an API token,
 * the session behind a session token) — under the token's hash, for at most
 * DD_TOKEN_CACHE_TTL_MS and never past the credential's own end. The price is bounded
 * staleness: a credential revoked or an account disabled by another process (the command line)
 * stops working within DD_TOKEN_CACHE_TTL_MS; changes made through this process forget what
 * they change (dd_token_cache_forget_if, dd_token_cache_clear) and take effect at once. Owners
 * do not remember unknown tokens, so a flood of bad tokens cannot push good ones out.
 *
 * Each cache is a fixed table of DD_TOKEN_CACHE_SLOTS entries, in shards with a lock each; a
 * new entry replaces the one that ends first in its bucket. All functions are thread-safe.
 * A cache is defined once, statically, for its value type:
 *
 *     DD_TOKEN_CACHE_DEFINE(sessions, struct id_session_seen);
 *
 * and every `value` passed to or filled by its functions points to that type.
 */
#ifndef DD_CORE_TOKEN_CACHE_H
#define DD_CORE_TOKEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DD_TOKEN_CACHE_TTL_MS   10000
#define DD_TOKEN_CACHE_SLOTS    4096
#define DD_TOKEN_CACHE_HASH_LEN 64 /* a SHA-256 in hex */

/* One entry's key and end; private to token_cache.c. */
struct dd_token_cache_slot {
    char hash[DD_TOKEN_CACHE_HASH_LEN];
    int64_t until_ms; /* 0: empty */
};

/* A cache: DD_TOKEN_CACHE_SLOTS slots and as many values of value_size bytes. Its fields are
 * private to token_cache.c; make one with DD_TOKEN_CACHE_DEFINE. */
struct dd_token_cache {
    struct dd_token_cache_slot *slots;
    void *values;
    size_t value_size;
};

/* Defines `name`, a static cache of values of `type` with its tables, outside any function. */
#define DD_TOKEN_CACHE_DEFINE(name, type)                                                          \
    static struct dd_token_cache_slot name##_slots[DD_TOKEN_CACHE_SLOTS];                          \
    static type name##_values[DD_TOKEN_CACHE_SLOTS];                                               \
    static struct dd_token_cache name = {name##_slots, name##_values, sizeof(type)}

/* Copies the value remembered for `hash` (64 hex digits) into *value and returns true, if it
 * is there and still valid at now_ms (dd_clock_now_ms()). */
bool dd_token_cache_get(struct dd_token_cache *c, const char *hash, int64_t now_ms, void *value);

/* Remembers a copy of *value for `hash` until min(valid_until_ms, now_ms +
 * DD_TOKEN_CACHE_TTL_MS), replacing what was there for it; nothing when that end is not after
 * now_ms or `hash` is not 64 long. */
void dd_token_cache_put(struct dd_token_cache *c, const char *hash, const void *value,
                        int64_t now_ms, int64_t valid_until_ms);

/* Calls edit(value, arg) on the value remembered for `hash`, if there is one, under the
 * shard's lock (keep `edit` short; it must not call this cache). Its end stays. */
void dd_token_cache_edit(struct dd_token_cache *c, const char *hash,
                         void (*edit)(void *value, int64_t arg), int64_t arg);

/* Forgets every value for which match(value, arg) holds: the entries of one session, of one
 * account. */
void dd_token_cache_forget_if(struct dd_token_cache *c,
                              bool (*match)(const void *value, int64_t arg), int64_t arg);

/* Forgets everything. */
void dd_token_cache_clear(struct dd_token_cache *c);

#endif
