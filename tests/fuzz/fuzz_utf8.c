/*
 * fuzz_utf8.c — libFuzzer target for the UTF-8 helpers: dd_utf8_valid on arbitrary bytes (a
 * refusal must point inside the input), then dd_utf8_nfc and dd_utf8_fold on the inputs it
 * accepts, whose results must themselves be valid UTF-8 and NFC must be stable.
 */
#include "base/arena.h"
#include "base/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_valid(const char *s)
{
    if (!dd_utf8_valid(s, strlen(s), NULL))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t bad = (size_t)-1;
    if (!dd_utf8_valid((const char *)data, size, &bad)) {
        if (bad >= size)
            abort();
        return 0;
    }
    if (memchr(data, 0, size) != NULL)
        return 0; /* the helpers take NUL-terminated strings */
    struct dd_arena *a = dd_arena_new(0);
    char *s = dd_arena_strndup(a, (const char *)data, size);
    const char *nfc = dd_utf8_nfc(a, s);
    check_valid(nfc);
    if (strcmp(dd_utf8_nfc(a, nfc), nfc) != 0)
        abort();
    char *folded = dd_utf8_fold(a, s);
    check_valid(folded);
    dd_arena_free(a);
    return 0;
}
