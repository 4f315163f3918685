/* str.c — bounded, strict string helpers. */
#include "base/str.h"
#include "base/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
dd_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return DD_EINVAL;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return DD_EINVAL;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return DD_EINVAL;
    if (v < min || v > max)
        return DD_EINVAL;
    *out = (int64_t)v;
    return DD_OK;
}

int
dd_strlcpy(char *dst, const char *src, size_t size)
{
    if (size == 0)
        return DD_ETOOBIG;
    size_t n = strlen(src);
    size_t copy = n < size ? n : size - 1;
    memcpy(dst, src, copy);
    dst[copy] = '\0';
    return copy == n ? DD_OK : DD_ETOOBIG;
}

bool
dd_str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
dd_str_all_digits(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool
dd_str_eq_nocase(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

void
dd_hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

bool
dd_str_has_control(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}
