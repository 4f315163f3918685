/*
 * str.h — small string helpers that replace the banned C library calls (atoi, strcpy, strtok…).
 */
#ifndef DD_BASE_STR_H
#define DD_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a whole decimal integer within [min, max]. DD_EINVAL on anything else (empty, sign
 * only, trailing bytes, out of range). */
int dd_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Copies at most size-1 bytes and terminates; returns DD_ETOOBIG if `src` was cut. */
int dd_strlcpy(char *dst, const char *src, size_t size);

bool dd_str_has_prefix(const char *s, const char *prefix);

/* True if s is exactly n ASCII digits (codes such as "56", "22366", "056090001234"). */
bool dd_str_all_digits(const char *s, size_t n);

/* True if NUL-terminated `s` holds a control character (below 0x20, or DEL); false for NULL. */
bool dd_str_has_control(const char *s);
bool dd_str_eq_nocase(const char *a, const char *b);

/* Writes 2*n lowercase hex digits and a NUL into `out` (2*n+1 bytes). */
void dd_hex_encode(const unsigned char *p, size_t n, char *out);

#endif
