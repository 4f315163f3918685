/*
 * token_cache.h — recently checked bearer tokens, remembered for a few seconds.
 *
 * Every API request carries a bearer token, and looking it up costs a database read (a hash
 * lookup and a join) for each request. The cache keeps what a lookup found — the principal
 * behind a token's hash — for at most DD_TOKEN_CACHE_TTL_MS, and never past the token's own
 * expiry. The price is bounded staleness: a token revoked or an account disabled by another
 * process (the command line) stops working within DD_TOKEN_CACHE_TTL_MS; changes made through
 * this process call dd_token_cache_clear and take effect at once. Unknown tokens are not
 * remembered, so a flood of bad tokens cannot push good ones out.
 *
 * The table has a fixed size (DD_TOKEN_CACHE_SLOTS entries in shards with a lock each);
 * a new entry replaces the oldest in its bucket. All functions are thread-safe.
 */
#ifndef DD_CORE_TOKEN_CACHE_H
#define DD_CORE_TOKEN_CACHE_H

#include "http/principal.h"

#include <stdbool.h>
#include <stdint.h>

#define DD_TOKEN_CACHE_TTL_MS 10000
#define DD_TOKEN_CACHE_SLOTS  4096

/* Copies the principal remembered for `hash` (the token's SHA-256 in hex, 64 characters) into
 * *out and returns true, if it is there and still valid at now_ms (dd_clock_now_ms()). */
bool dd_token_cache_get(const char *hash, int64_t now_ms, struct dd_principal *out);

/* Remembers `p` for `hash` until min(valid_until_ms, now_ms + DD_TOKEN_CACHE_TTL_MS). */
void dd_token_cache_put(const char *hash, const struct dd_principal *p, int64_t now_ms,
                        int64_t valid_until_ms);

/* Forgets everything: after a token is revoked or an account changes. */
void dd_token_cache_clear(void);

#endif
