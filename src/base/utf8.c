/* utf8.c — strict UTF-8 checks (RFC 3629) and utf8proc-based normalisation. */
#include "base/utf8.h"
#include "base/arena.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

bool
dd_utf8_valid(const char *s, size_t n, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (n - i < len)
            goto bad;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += len;
    }
    return true;
bad:
    if (bad_offset)
        *bad_offset = i;
    return false;
}

static bool
is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* Copies a malloc'd utf8proc result into the arena and frees it. */
static char *
to_arena(struct dd_arena *a, utf8proc_uint8_t *out)
{
    char *copy = dd_arena_strdup(a, (const char *)out);
    free(out);
    return copy;
}

const char *
dd_utf8_nfc(struct dd_arena *a, const char *s)
{
    if (is_ascii(s))
        return s;
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (n < 0)
        return s;
    return to_arena(a, out);
}

/* đ (U+0111) and Đ (U+0110) have no decomposition; write them as d before stripping marks. */
static utf8proc_int32_t
fold_d(utf8proc_int32_t cp, void *data)
{
    (void)data;
    if (cp == 0x0110 || cp == 0x0111)
        return 'd';
    return cp;
}

char *
dd_utf8_fold(struct dd_arena *a, const char *s)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n =
        utf8proc_map_custom((const utf8proc_uint8_t *)s, 0, &out,
                            UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
                            fold_d, NULL);
    if (n < 0)
        return dd_arena_strdup(a, s);
    return to_arena(a, out);
}
