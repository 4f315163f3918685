/*
 * utf8.h — UTF-8 validation, NFC normalisation and search folding (utf8proc).
 *
 * Text in dinhdanh is UTF-8 in NFC. Names are searched folded: lower case, diacritics removed,
 * and đ/Đ written as d, so "Nguyễn Văn Đức" and "nguyen van duc" meet.
 */
#ifndef DD_BASE_UTF8_H
#define DD_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

struct dd_arena;

/* True if p[0..n) is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
 * On false, *bad_offset (if not NULL) is the byte offset of the first bad sequence. */
bool dd_utf8_valid(const char *p, size_t n, size_t *bad_offset);

/* Returns the NFC form of a valid UTF-8 string, in the arena; `s` itself if it is ASCII. */
const char *dd_utf8_nfc(struct dd_arena *a, const char *s);

/* Returns the search key of a valid UTF-8 string, in the arena (see above). */
char *dd_utf8_fold(struct dd_arena *a, const char *s);

#endif
