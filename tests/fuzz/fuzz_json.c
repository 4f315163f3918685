/*
 * fuzz_json.c — libFuzzer target for dd_json_parse: arbitrary bytes through the bounded parser
 * with the default limits and an arena, as a request body would go. A parsed value is dumped
 * back and parsed again, which must succeed; a refusal must say where, inside the input.
 */
#include "base/arena.h"
#include "base/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dd_arena *a = dd_arena_new(0);
    struct dd_json_error err;
    json_t *v = dd_json_parse(a, (const char *)data, size, &dd_json_default_limits, &err);
    if (v != NULL) {
        char *text = dd_json_dump(a, v);
        if (text == NULL)
            abort();
        json_t *again = dd_json_parse(a, text, strlen(text), &dd_json_default_limits, &err);
        if (again == NULL && err.fault != DD_JSON_DEPTH && err.fault != DD_JSON_STRING)
            abort();
    } else {
        if (err.fault == 0 || err.offset > size || err.line < 1 || err.column < 1)
            abort();
    }
    dd_arena_free(a);
    return 0;
}
