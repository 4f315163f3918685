/*
 * client_cache.c — clients recently read, kept in a token cache (core/token_cache.h) under the
 * SHA-256 of their client_id, so that the token endpoint authenticates a machine client without
 * a database read. Only what fits is kept: clients with keys of their own (private_key_jwt)
 * are always read, their assertions cost a signature check anyway. Disabling a client or
 * rotating its secret through this process forgets it at once; through another process (the
 * command line) the change shows within DD_TOKEN_CACHE_TTL_MS — and a secret that does not
 * match what is remembered is checked again against the database before it is refused, so a
 * new secret works at once everywhere.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/str.h"
#include "core/token_cache.h"
#include "crypto/hash.h"
#include "sso/internal.h"

#include <string.h>

struct client_seen {
    struct sso_client c; /* its pointers are NULL here; the strings below stand for them */
    char scopes[512];
    char backchannel_logout_uri[512];
};

DD_TOKEN_CACHE_DEFINE(clients, struct client_seen);

static void
key_of(const char *client_id, char key[65])
{
    dd_sha256_hex(client_id, strlen(client_id), key);
}

bool
sso_client_cache_get(struct dd_arena *a, const char *client_id, struct sso_client *out)
{
    char key[65];
    key_of(client_id, key);
    struct client_seen seen;
    if (!dd_token_cache_get(&clients, key, dd_clock_now_ms(), &seen))
        return false;
    *out = seen.c;
    out->jwks = dd_arena_strdup(a, "");
    out->scopes = dd_arena_strdup(a, seen.scopes);
    out->backchannel_logout_uri = dd_arena_strdup(a, seen.backchannel_logout_uri);
    return out->jwks && out->scopes && out->backchannel_logout_uri;
}

void
sso_client_cache_put(const struct sso_client *c)
{
    struct client_seen seen;
    if (c->jwks[0] != '\0' || strlen(c->scopes) >= sizeof seen.scopes ||
        strlen(c->backchannel_logout_uri) >= sizeof seen.backchannel_logout_uri)
        return;
    memset(&seen, 0, sizeof seen);
    seen.c = *c;
    seen.c.jwks = seen.c.scopes = seen.c.backchannel_logout_uri = NULL;
    dd_strlcpy(seen.scopes, c->scopes, sizeof seen.scopes);
    dd_strlcpy(seen.backchannel_logout_uri, c->backchannel_logout_uri,
               sizeof seen.backchannel_logout_uri);
    char key[65];
    key_of(c->client_id, key);
    int64_t now = dd_clock_now_ms();
    dd_token_cache_put(&clients, key, &seen, now, now + DD_TOKEN_CACHE_TTL_MS);
}

void
sso_client_cache_forget(void)
{
    dd_token_cache_clear(&clients);
}
