/*
 * mem.h — heap allocation that never returns NULL.
 *
 * Running out of memory is not a condition dinhdanh recovers from: these wrappers print one line
 * and abort, so no caller checks for NULL (as Redis does).
 */
#ifndef DD_BASE_MEM_H
#define DD_BASE_MEM_H

#include <stddef.h>

void *dd_xmalloc(size_t n);
void *dd_xcalloc(size_t count, size_t size);
void *dd_xrealloc(void *p, size_t n);
char *dd_xstrdup(const char *s);

#endif
