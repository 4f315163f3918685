/*
 * token_cache.c — a small fixed table of checked bearer tokens (see token_cache.h).
 *
 * A token's hash is already uniformly distributed, so its first hex digits choose the shard and
 * the bucket directly. Each bucket holds WAYS entries; a lookup compares at most WAYS hashes
 * under the shard's lock, and a put fills an empty or expired way, else the one that expires
 * first.
 */
#include "core/token_cache.h"

#include <pthread.h>
#include <string.h>

#define SHARDS   16
#define WAYS     4
#define BUCKETS  (DD_TOKEN_CACHE_SLOTS / SHARDS / WAYS)
#define HASH_LEN 64

struct entry {
    char hash[HASH_LEN];
    int64_t until_ms; /* 0: empty */
    struct dd_principal who;
};

struct shard {
    pthread_mutex_t lock;
    struct entry e[BUCKETS][WAYS];
};

static struct shard shards[SHARDS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init_locks(void)
{
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&shards[i].lock, NULL);
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

/* The shard and bucket of a hash, from its first five hex digits; false if it is not 64 long. */
static bool
place(const char *hash, struct shard **s, struct entry **bucket)
{
    if (hash == NULL || strlen(hash) != HASH_LEN)
        return false;
    pthread_once(&once, init_locks);
    unsigned v = 0;
    for (int i = 0; i < 5; i++)
        v = v << 4 | hex_value(hash[i]);
    *s = &shards[v % SHARDS];
    *bucket = (*s)->e[(v / SHARDS) % BUCKETS];
    return true;
}

bool
dd_token_cache_get(const char *hash, int64_t now_ms, struct dd_principal *out)
{
    struct shard *s;
    struct entry *b;
    if (!place(hash, &s, &b))
        return false;
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < WAYS && !found; i++) {
        if (b[i].until_ms > now_ms && memcmp(b[i].hash, hash, HASH_LEN) == 0) {
            *out = b[i].who;
            found = true;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

void
dd_token_cache_put(const char *hash, const struct dd_principal *p, int64_t now_ms,
                   int64_t valid_until_ms)
{
    struct shard *s;
    struct entry *b;
    if (!place(hash, &s, &b))
        return;
    int64_t until = now_ms + DD_TOKEN_CACHE_TTL_MS;
    if (valid_until_ms < until)
        until = valid_until_ms;
    if (until <= now_ms)
        return;
    pthread_mutex_lock(&s->lock);
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
    b[victim].who = *p;
    pthread_mutex_unlock(&s->lock);
}

void
dd_token_cache_clear(void)
{
    pthread_once(&once, init_locks);
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&shards[i].lock);
        memset(shards[i].e, 0, sizeof shards[i].e);
        pthread_mutex_unlock(&shards[i].lock);
    }
}
