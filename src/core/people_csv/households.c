/*
 * households.c — a growing array of households and an open-addressing index over their numbers
 * (FNV-1a), kept at most half full.
 */
#include "core/people_csv/households.h"
#include "base/arena.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

static uint64_t
hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void
dd_pl_households_init(struct dd_pl_households *h)
{
    memset(h, 0, sizeof *h);
    h->icap = 1024;
    h->index = dd_xcalloc(h->icap, sizeof *h->index);
    h->arena = dd_arena_new(1024 * 1024);
}

void
dd_pl_households_free(struct dd_pl_households *h)
{
    free(h->items);
    free(h->index);
    dd_arena_free(h->arena);
    memset(h, 0, sizeof *h);
}

struct dd_pl_household *
dd_pl_households_find(struct dd_pl_households *h, const char *number)
{
    size_t j = (size_t)hash(number) & (h->icap - 1);
    while (h->index[j] != 0) {
        struct dd_pl_household *e = &h->items[h->index[j] - 1];
        if (strcmp(e->number, number) == 0)
            return e;
        j = (j + 1) & (h->icap - 1);
    }
    return NULL;
}

static void
place(struct dd_pl_households *h, uint32_t item)
{
    size_t j = (size_t)hash(h->items[item - 1].number) & (h->icap - 1);
    while (h->index[j] != 0)
        j = (j + 1) & (h->icap - 1);
    h->index[j] = item;
}

static void
grow_index(struct dd_pl_households *h)
{
    free(h->index);
    h->icap *= 2;
    h->index = dd_xcalloc(h->icap, sizeof *h->index);
    for (size_t i = 0; i < h->count; i++)
        place(h, (uint32_t)(i + 1));
}

struct dd_pl_household *
dd_pl_households_add(struct dd_pl_households *h, const char *number)
{
    if (h->count == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->items = dd_xrealloc(h->items, h->cap * sizeof *h->items);
    }
    if ((h->count + 1) * 2 > h->icap)
        grow_index(h);
    struct dd_pl_household *e = &h->items[h->count++];
    memset(e, 0, sizeof *e);
    e->number = dd_arena_strdup(h->arena, number);
    e->address = "";
    place(h, (uint32_t)h->count);
    return e;
}

const char *
dd_pl_households_strdup(struct dd_pl_households *h, const char *s)
{
    return dd_arena_strdup(h->arena, s);
}
