/*
 * arena.c — a chain of blocks with a bump pointer. Large requests get a block of their own, so a
 * big body does not waste the rest of the current block.
 */
#include "base/arena.h"
#include "base/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN       16
#define ARENA_DEFAULT_BLK 8192

struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct dd_arena {
    struct arena_block *first; /* kept across resets */
    struct arena_block *current;
    struct arena_cleanup *cleanups;
    size_t block_size;
    size_t used;
};

static struct arena_block *
block_new(size_t size)
{
    struct arena_block *b = dd_xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct dd_arena *
dd_arena_new(size_t first_block)
{
    struct dd_arena *a = dd_xcalloc(1, sizeof *a);
    a->block_size = first_block ? first_block : ARENA_DEFAULT_BLK;
    a->first = a->current = block_new(a->block_size);
    return a;
}

static void
run_cleanups(struct dd_arena *a)
{
    while (a->cleanups) {
        struct arena_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->arg);
    }
}

static void
free_blocks_after_first(struct dd_arena *a)
{
    struct arena_block *b = a->first->next;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->first->next = NULL;
    a->first->used = 0;
    a->current = a->first;
    a->used = 0;
}

void
dd_arena_reset(struct dd_arena *a)
{
    run_cleanups(a);
    free_blocks_after_first(a);
}

void
dd_arena_free(struct dd_arena *a)
{
    if (a == NULL)
        return;
    dd_arena_reset(a);
    free(a->first);
    free(a);
}

void *
dd_arena_alloc(struct dd_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need == 0)
        need = ARENA_ALIGN;
    struct arena_block *b = a->current;
    if (b->size - b->used < need) {
        size_t size = need > a->block_size ? need : a->block_size;
        struct arena_block *nb = block_new(size);
        nb->next = b->next;
        b->next = nb;
        a->current = b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

void *
dd_arena_zalloc(struct dd_arena *a, size_t n)
{
    void *p = dd_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *
dd_arena_strndup(struct dd_arena *a, const char *s, size_t n)
{
    char *p = dd_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
dd_arena_strdup(struct dd_arena *a, const char *s)
{
    return dd_arena_strndup(a, s, strlen(s));
}

char *
dd_arena_concat_list(struct dd_arena *a, const char *first, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    char *out = dd_arena_alloc(a, n + 1), *at = out;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t len = strlen(s);
        memcpy(at, s, len);
        at += len;
    }
    va_end(ap);
    *at = '\0';
    return out;
}

char *
dd_arena_vprintf(struct dd_arena *a, const char *fmt, va_list ap)
{
    char small[256];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0)
        n = 0;
    char *p = dd_arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof small)
        memcpy(p, small, (size_t)n + 1);
    else
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
dd_arena_printf(struct dd_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = dd_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void
dd_arena_on_cleanup(struct dd_arena *a, void (*fn)(void *), void *arg)
{
    struct arena_cleanup *c = dd_arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

size_t
dd_arena_used(const struct dd_arena *a)
{
    return a->used;
}
