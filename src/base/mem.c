/* mem.c — allocation wrappers that abort on exhaustion. */
#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
out_of_memory(size_t n)
{
    fprintf(stderr, "dinhdanh: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *
dd_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        out_of_memory(n);
    return p;
}

void *
dd_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory(count * size);
    return p;
}

void *
dd_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        out_of_memory(n);
    return q;
}

char *
dd_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = dd_xmalloc(n);
    memcpy(p, s, n);
    return p;
}
