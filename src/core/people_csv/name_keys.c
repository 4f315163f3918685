/*
 * name_keys.c — a table of full names and their search keys (name_keys.h): linear probing over a
 * power-of-two table at most half full (it starts small, so that the names of a file with few
 * distinct ones stay in the CPU's caches), FNV-1a over the name's bytes.
 */
#include "core/people_csv/name_keys.h"
#include "base/arena.h"
#include "base/mem.h"
#include "core/register/person.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_CAPACITY 4096u      /* slots; the table doubles when half full */
#define MAX_NAMES      (1u << 19) /* distinct names kept at most */

static uint64_t
hash_of(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void
dd_pl_name_keys_init(struct dd_pl_name_keys *k)
{
    k->cap = FIRST_CAPACITY;
    k->count = 0;
    k->slots = dd_xcalloc(k->cap, sizeof *k->slots);
    k->arena = dd_arena_new(1024 * 1024);
}

void
dd_pl_name_keys_free(struct dd_pl_name_keys *k)
{
    free(k->slots);
    dd_arena_free(k->arena);
    k->slots = NULL;
    k->arena = NULL;
    k->cap = k->count = 0;
}

static void
fold(struct dd_arena *a, const char *full_name, size_t n, struct dd_pl_name_key *out)
{
    dd_person_name_keys(a, full_name, &out->folded, &out->given);
    out->name_len = (uint32_t)n;
    out->folded_len = (uint32_t)strlen(out->folded);
    out->given_len = (uint32_t)strlen(out->given);
}

static void
grow(struct dd_pl_name_keys *k)
{
    struct dd_pl_name_key *old = k->slots;
    size_t old_cap = k->cap;
    k->cap *= 2;
    k->slots = dd_xcalloc(k->cap, sizeof *k->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].name == NULL)
            continue;
        size_t j = (size_t)old[i].hash & (k->cap - 1);
        while (k->slots[j].name != NULL)
            j = (j + 1) & (k->cap - 1);
        k->slots[j] = old[i];
    }
    free(old);
}

const struct dd_pl_name_key *
dd_pl_name_keys_get(struct dd_pl_name_keys *k, struct dd_arena *overflow, const char *full_name,
                    size_t n, struct dd_pl_name_key *scratch)
{
    uint64_t h = hash_of(full_name, n);
    size_t j = (size_t)h & (k->cap - 1);
    for (; k->slots[j].name != NULL; j = (j + 1) & (k->cap - 1)) {
        const struct dd_pl_name_key *e = &k->slots[j];
        if (e->hash == h && e->name_len == n && memcmp(e->name, full_name, n) == 0)
            return e;
    }
    if (k->count >= MAX_NAMES) {
        fold(overflow, full_name, n, scratch);
        scratch->name = full_name;
        return scratch;
    }
    if ((k->count + 1) * 2 > k->cap) {
        grow(k);
        for (j = (size_t)h & (k->cap - 1); k->slots[j].name != NULL; j = (j + 1) & (k->cap - 1))
            ;
    }
    struct dd_pl_name_key *e = &k->slots[j];
    fold(k->arena, full_name, n, e);
    e->name = dd_arena_strndup(k->arena, full_name, n);
    e->hash = h;
    k->count++;
    return e;
}
