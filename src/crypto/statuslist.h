/*
 * statuslist.h — the status list of IETF Token Status List: one bit per referenced token
 * (1 = revoked), the first token in the least significant bit of the first byte, compressed with
 * DEFLATE in the ZLIB format (RFC 1950) and written as base64url without padding.
 */
#ifndef DD_CRYPTO_STATUSLIST_H
#define DD_CRYPTO_STATUSLIST_H

#include <stddef.h>
#include <stdint.h>

struct dd_arena;

/* Sets bit `idx` of bits[0..n) (n bytes). Indexes past the end are ignored. */
void dd_statuslist_set(unsigned char *bits, size_t n, int64_t idx);

/* The value (0 or 1) of bit `idx`, or -1 past the end. */
int dd_statuslist_get(const unsigned char *bits, size_t n, int64_t idx);

/* Compresses bits[0..n) and returns the base64url text in the arena; NULL if zlib fails. */
char *dd_statuslist_encode(struct dd_arena *a, const unsigned char *bits, size_t n);

/* Decodes a "lst" value into *bits (arena) of *n bytes, at most `max` bytes. DD_EINVAL when it
 * is not base64url ZLIB data or inflates past max. */
int dd_statuslist_decode(struct dd_arena *a, const char *lst, size_t max, unsigned char **bits,
                         size_t *n);

#endif
