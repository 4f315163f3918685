/*
 * session_cache.c — sessions recently looked up, remembered for at most DD_TOKEN_CACHE_TTL_MS
 * (as core/token_cache.h does for officers' tokens), so that a request costs no database read
 * for its session. An entry never outlives the session's expiry or idle end. Ending a session,
 * or changing an account, forgets its entries at once in this process; in another process (the
 * command line) the change shows within the cache's time to live.
 *
 * A fixed table: shards chosen by the token hash's first hex digits, each with its lock and
 * buckets of WAYS entries; a put fills an empty or expired way, else the one that ends first.
 */
#include "core/identity/internal.h"
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
    struct id_session_seen seen;
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
    return 0;
}

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
id_session_cache_get(const char *hash, int64_t now_ms, struct id_session_seen *out)
{
    struct shard *s;
    struct entry *b;
    if (!place(hash, &s, &b))
        return false;
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < WAYS && !found; i++) {
        if (b[i].until_ms > now_ms && memcmp(b[i].hash, hash, HASH_LEN) == 0) {
            *out = b[i].seen;
            found = true;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

void
id_session_cache_put(const char *hash, const struct id_session_seen *seen, int64_t now_ms)
{
    struct shard *s;
    struct entry *b;
    if (!place(hash, &s, &b))
        return;
    int64_t until = now_ms + DD_TOKEN_CACHE_TTL_MS;
    if (seen->valid_until_ms < until)
        until = seen->valid_until_ms;
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
    b[victim].seen = *seen;
    pthread_mutex_unlock(&s->lock);
}

void
id_session_cache_touched(const char *hash, int64_t last_seen_ms)
{
    struct shard *s;
    struct entry *b;
    if (!place(hash, &s, &b))
        return;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < WAYS; i++)
        if (b[i].until_ms && memcmp(b[i].hash, hash, HASH_LEN) == 0)
            b[i].seen.last_seen_ms = last_seen_ms;
    pthread_mutex_unlock(&s->lock);
}

/* Empties every entry for which `match` holds. */
static void
forget(bool (*match)(const struct id_session_seen *, int64_t), int64_t arg)
{
    pthread_once(&once, init_locks);
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&shards[i].lock);
        for (int b = 0; b < BUCKETS; b++)
            for (int w = 0; w < WAYS; w++)
                if (shards[i].e[b][w].until_ms && match(&shards[i].e[b][w].seen, arg))
                    shards[i].e[b][w].until_ms = 0;
        pthread_mutex_unlock(&shards[i].lock);
    }
}

static bool
is_session(const struct id_session_seen *s, int64_t id)
{
    return s->session_id == id;
}

static bool
is_account(const struct id_session_seen *s, int64_t id)
{
    return s->account_id == id;
}

void
id_session_cache_forget_session(int64_t session_id)
{
    forget(is_session, session_id);
}

void
id_session_cache_forget_account(int64_t account_id)
{
    forget(is_account, account_id);
}
