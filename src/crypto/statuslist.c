/*
 * statuslist.c — the bit list of IETF Token Status List, compressed with zlib (statuslist.h).
 */
#include "crypto/statuslist.h"
#include "base/arena.h"
#include "base/err.h"
#include "crypto/jws.h"

#include <string.h>
#include <zlib.h>

void
dd_statuslist_set(unsigned char *bits, size_t n, int64_t idx)
{
    if (idx >= 0 && (uint64_t)idx / 8 < n)
        bits[idx / 8] |= (unsigned char)(1u << (idx % 8));
}

int
dd_statuslist_get(const unsigned char *bits, size_t n, int64_t idx)
{
    if (idx < 0 || (uint64_t)idx / 8 >= n)
        return -1;
    return (bits[idx / 8] >> (idx % 8)) & 1;
}

char *
dd_statuslist_encode(struct dd_arena *a, const unsigned char *bits, size_t n)
{
    uLongf zlen = compressBound((uLong)n);
    unsigned char *z = dd_arena_alloc(a, zlen);
    if (compress2(z, &zlen, bits, (uLong)n, Z_BEST_COMPRESSION) != Z_OK)
        return NULL;
    size_t cap = DD_B64URL_LEN(zlen) + 1;
    char *out = dd_arena_alloc(a, cap);
    dd_b64url_encode(z, zlen, out, cap);
    return out;
}

int
dd_statuslist_decode(struct dd_arena *a, const char *lst, size_t max, unsigned char **bits,
                     size_t *n)
{
    size_t len = strlen(lst), cap = len / 4 * 3 + 3, zlen;
    unsigned char *z = dd_arena_alloc(a, cap);
    if (dd_b64url_decode(lst, len, z, cap, &zlen) != DD_OK)
        return DD_EINVAL;
    unsigned char *out = dd_arena_alloc(a, max + 1);
    uLongf outlen = (uLongf)max + 1;
    int zrc = uncompress(out, &outlen, z, (uLong)zlen);
    if (zrc != Z_OK || outlen > max)
        return DD_EINVAL;
    *bits = out;
    *n = outlen;
    return DD_OK;
}
