/*
 * idset.h — a set of 12-digit personal ID numbers, each with the line it was first seen on, for
 * finding duplicates among millions of rows. A number is kept as a 64-bit integer in an
 * open-addressing table: 12 bytes a number, no allocation per entry.
 */
#ifndef DD_CORE_PEOPLE_CSV_IDSET_H
#define DD_CORE_PEOPLE_CSV_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DD_IDSET_REGISTER (-1L) /* the line of a number that was already in the register */

struct dd_idset {
    uint64_t *keys; /* number + 1; 0 marks a free slot */
    int32_t *lines;
    size_t cap; /* a power of two */
    int shift;  /* 64 - log2(cap) */
    size_t count;
};

/* Prepares an empty set sized for about `expected` numbers (it grows past that). */
void dd_idset_init(struct dd_idset *s, size_t expected);
void dd_idset_free(struct dd_idset *s);

/* The key of `id`, or 0 if it is not exactly 12 digits. */
uint64_t dd_idset_key(const char *id);

/* Adds `key` (non-zero) seen on `line` (1 … INT32_MAX, or DD_IDSET_REGISTER) and returns 0; if
 * the set holds it already, changes nothing and returns the line it was first seen on. */
long dd_idset_add(struct dd_idset *s, uint64_t key, long line);

bool dd_idset_has(const struct dd_idset *s, uint64_t key);

#endif
