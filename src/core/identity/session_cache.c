/*
 * session_cache.c — sessions recently looked up, kept in a token cache (core/token_cache.h) for
 * at most DD_TOKEN_CACHE_TTL_MS, so that a request costs no database read for its session. An
 * entry never outlives the session's expiry or idle end. Ending a session, or changing an
 * account, forgets its entries at once in this process; in another process (the command line)
 * the change shows within the cache's time to live.
 */
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "core/token_cache.h"

DD_TOKEN_CACHE_DEFINE(sessions, struct id_session_seen);

bool
id_session_cache_get(const char *hash, int64_t now_ms, struct id_session_seen *out)
{
    return dd_token_cache_get(&sessions, hash, now_ms, out);
}

void
id_session_cache_put(const char *hash, const struct id_session_seen *seen, int64_t now_ms)
{
    dd_token_cache_put(&sessions, hash, seen, now_ms, seen->valid_until_ms);
}

static void
set_last_seen(void *seen, int64_t last_seen_ms)
{
    ((struct id_session_seen *)seen)->last_seen_ms = last_seen_ms;
}

void
id_session_cache_touched(const char *hash, int64_t last_seen_ms)
{
    dd_token_cache_edit(&sessions, hash, set_last_seen, last_seen_ms);
}

static bool
is_session(const void *seen, int64_t id)
{
    return ((const struct id_session_seen *)seen)->session_id == id;
}

static bool
is_account(const void *seen, int64_t id)
{
    return ((const struct id_session_seen *)seen)->account_id == id;
}

void
id_session_cache_forget_session(int64_t session_id)
{
    dd_token_cache_forget_if(&sessions, is_session, session_id);
}

void
id_session_cache_forget_account(int64_t account_id)
{
    dd_token_cache_forget_if(&sessions, is_account, account_id);
}

void
dd_identity_session_ended(int64_t session_id)
{
    id_session_cache_forget_session(session_id);
}
