/*
 * token_cache.c — small fixed tables of checked credentials (see token_cache.h).
 *
 * A token's hash is already uniformly distributed, so its first hex digits choose the shard and
 * the bucket directly. Each bucket holds WAYS entries; a lookup compares at most WAYS hashes
 * under the shard's lock, and a put fills an empty or expired way, else the one that expires
 * first. The shards' locks are shared by every cache: a lock is held only for a few
 * comparisons and a copy.
 */
#include "core/token_cache.h"

#include <pthread.h>
#include <string.h>

#define SHARDS   16
#define WAYS     4
#define BUCKETS  (DD_TOKEN_CACHE_SLOTS / SHARDS / WAYS)
#define HASH_LEN DD_TOKEN_CACHE_HASH_LEN

static pthread_mutex_t locks[SHARDS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init_locks(void)
{
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&locks[i], NULL);
}

static unsigned
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (unsigned)(c - 'A' + 10);
    return 0;
}

/* Where a hash lives: its shard, and the index of its bucket's first slot (slots are laid out
 * shard by shard, bucket by bucket, way by way). False if it is not 64 long. */
static bool
place(const char *hash, int *shard, size_t *first)
{
    if (hash == NULL || strlen(hash) != HASH_LEN)
        return false;
    pthread_once(&once, init_locks);
    unsigned v = 0;
    for (int i = 0; i < 5; i++)
        v = v << 4 | hex_value(hash[i]);
    *shard = (int)(v % SHARDS);
    *first = ((size_t)*shard * BUCKETS + (v / SHARDS) % BUCKETS) * WAYS;
    return true;
}

static void *
value_at(const struct dd_token_cache *c, size_t i)
{
    return (char *)c->values + i * c->value_size;
}

/* True if slot `i` holds `hash` until after `after_ms`. */
static bool
holds(const struct dd_token_cache *c, size_t i, const char *hash, int64_t after_ms)
{
    return c->slots[i].until_ms > after_ms && memcmp(c->slots[i].hash, hash, HASH_LEN) == 0;
}

bool
dd_token_cache_get(struct dd_token_cache *c, const char *hash, int64_t now_ms, void *value)
{
    int shard;
    size_t first;
    if (!place(hash, &shard, &first))
        return false;
    bool found = false;
    pthread_mutex_lock(&locks[shard]);
    for (size_t i = first; i < first + WAYS && !found; i++) {
        if (holds(c, i, hash, now_ms)) {
            memcpy(value, value_at(c, i), c->value_size);
            found = true;
        }
    }
    pthread_mutex_unlock(&locks[shard]);
    return found;
}

void
dd_token_cache_put(struct dd_token_cache *c, const char *hash, const void *value, int64_t now_ms,
                   int64_t valid_until_ms)
{
    int shard;
    size_t first;
    if (!place(hash, &shard, &first))
        return;
    int64_t until = now_ms + DD_TOKEN_CACHE_TTL_MS;
    if (valid_until_ms < until)
        until = valid_until_ms;
    if (until <= now_ms)
        return;
    pthread_mutex_lock(&locks[shard]);
    struct dd_token_cache_slot *b = &c->slots[first];
    int victim = 0;
    for (int i = 0; i < WAYS; i++) {
        if (b[i].until_ms <= now_ms || memcmp(b[i].hash, hash, HASH_LEN) == 0) {
            victim = i;
            break;
        }
        if (b[i].until_ms < b[victim].until_ms)
            victim = i;
    }
    memcpy(b[victim].hash, hash, HASH_LEN);
    b[victim].until_ms = until;
    memcpy(value_at(c, first + (size_t)victim), value, c->value_size);
    pthread_mutex_unlock(&locks[shard]);
}

void
dd_token_cache_edit(struct dd_token_cache *c, const char *hash,
                    void (*edit)(void *value, int64_t arg), int64_t arg)
{
    int shard;
    size_t first;
    if (!place(hash, &shard, &first))
        return;
    pthread_mutex_lock(&locks[shard]);
    for (size_t i = first; i < first + WAYS; i++)
        if (holds(c, i, hash, 0))
            edit(value_at(c, i), arg);
    pthread_mutex_unlock(&locks[shard]);
}

void
dd_token_cache_forget_if(struct dd_token_cache *c, bool (*match)(const void *value, int64_t arg),
                         int64_t arg)
{
    pthread_once(&once, init_locks);
    for (int s = 0; s < SHARDS; s++) {
        pthread_mutex_lock(&locks[s]);
        for (size_t i = (size_t)s * BUCKETS * WAYS; i < (size_t)(s + 1) * BUCKETS * WAYS; i++)
            if (c->slots[i].until_ms != 0 && match(value_at(c, i), arg))
                c->slots[i].until_ms = 0;
        pthread_mutex_unlock(&locks[s]);
    }
}

void
dd_token_cache_clear(struct dd_token_cache *c)
{
    pthread_once(&once, init_locks);
    for (int s = 0; s < SHARDS; s++) {
        size_t first = (size_t)s * BUCKETS * WAYS;
        pthread_mutex_lock(&locks[s]);
        memset(&c->slots[first], 0, BUCKETS * WAYS * sizeof c->slots[0]);
        memset(value_at(c, first), 0, BUCKETS * WAYS * c->value_size);
        pthread_mutex_unlock(&locks[s]);
    }
}
