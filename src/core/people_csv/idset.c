/*
 * idset.c — linear probing over a power-of-two table kept at most half full; the hash is a
 * multiplication by a large odd constant whose top bits index the table (Fibonacci hashing:
 * ID numbers share long prefixes, and the product mixes every digit into those bits).
 */
#include "core/people_csv/idset.h"
#include "base/mem.h"

#include <stdlib.h>

static size_t
slot_of(const struct dd_idset *s, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> s->shift);
}

static void
alloc_table(struct dd_idset *s, size_t cap)
{
    s->cap = cap;
    s->shift = 64;
    for (size_t c = cap; c > 1; c >>= 1)
        s->shift--;
    s->keys = dd_xcalloc(cap, sizeof *s->keys);
    s->lines = dd_xmalloc(cap * sizeof *s->lines);
}

void
dd_idset_init(struct dd_idset *s, size_t expected)
{
    size_t cap = 1024;
    while (cap < expected * 2)
        cap *= 2;
    s->count = 0;
    alloc_table(s, cap);
}

void
dd_idset_free(struct dd_idset *s)
{
    free(s->keys);
    free(s->lines);
    s->keys = NULL;
    s->lines = NULL;
    s->cap = s->count = 0;
}

uint64_t
dd_idset_key(const char *id)
{
    uint64_t v = 0;
    int n = 0;
    for (; id[n] != '\0'; n++) {
        if (n == 12 || id[n] < '0' || id[n] > '9')
            return 0;
        v = v * 10 + (uint64_t)(id[n] - '0');
    }
    return n == 12 ? v + 1 : 0;
}

static void
grow(struct dd_idset *s)
{
    uint64_t *keys = s->keys;
    int32_t *lines = s->lines;
    size_t old = s->cap;
    alloc_table(s, old * 2);
    for (size_t i = 0; i < old; i++) {
        if (keys[i] == 0)
            continue;
        size_t j = slot_of(s, keys[i]);
        while (s->keys[j] != 0)
            j = (j + 1) & (s->cap - 1);
        s->keys[j] = keys[i];
        s->lines[j] = lines[i];
    }
    free(keys);
    free(lines);
}

long
dd_idset_add(struct dd_idset *s, uint64_t key, long line)
{
    if ((s->count + 1) * 2 > s->cap)
        grow(s);
    size_t j = slot_of(s, key);
    while (s->keys[j] != 0) {
        if (s->keys[j] == key)
            return s->lines[j];
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[j] = key;
    s->lines[j] = (int32_t)line;
    s->count++;
    return 0;
}

bool
dd_idset_has(const struct dd_idset *s, uint64_t key)
{
    size_t j = slot_of(s, key);
    while (s->keys[j] != 0) {
        if (s->keys[j] == key)
            return true;
        j = (j + 1) & (s->cap - 1);
    }
    return false;
}
