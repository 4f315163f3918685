/*
 * hash.h — a fast hash of bytes for in-memory tables (the statement cache, tallies): not
 * cryptographic, never stored, never shown. Eight bytes a step with FNV-1a's constants and a
 * shift to spread the high bits; a few times faster than a byte a step on SQL texts and keys.
 */
#ifndef DD_BASE_HASH_H
#define DD_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The hash of n bytes at p, starting from `seed` (tables that share a seed share hashes). */
uint64_t dd_hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
