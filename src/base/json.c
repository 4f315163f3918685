/*
 * json.c — bounded JSON parsing. A single pre-scan checks UTF-8, depth and string lengths with
 * exact positions before jansson builds the tree; then string values are normalised to NFC.
 */
#include "base/json.h"
#include "base/arena.h"
#include "base/utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct dd_json_limits dd_json_default_limits = {
    .max_depth = 32,
    .max_string = 64 * 1024,
};

static void
locate(const char *p, size_t offset, struct dd_json_error *err)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < offset; i++) {
        if (p[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    err->offset = offset;
    err->line = line;
    err->column = col;
}

static void
fail(const char *p, size_t offset, enum dd_json_fault fault, const char *text,
     struct dd_json_error *err)
{
    err->fault = fault;
    locate(p, offset, err);
    snprintf(err->text, sizeof err->text, "%s", text);
}

/* Walks the bytes once: depth of brackets outside strings, and the length of each string. */
static bool
prescan(const char *p, size_t n, const struct dd_json_limits *lim, struct dd_json_error *err)
{
    size_t bad;
    if (!dd_utf8_valid(p, n, &bad)) {
        fail(p, bad, DD_JSON_UTF8, "invalid UTF-8", err);
        return false;
    }
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '[' || c == '{') {
            if (++depth > lim->max_depth) {
                fail(p, i, DD_JSON_DEPTH, "nesting too deep", err);
                return false;
            }
        } else if (c == ']' || c == '}') {
            if (depth)
                depth--;
        } else if (c == '"') {
            size_t start = i++;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\')
                    i++;
                i++;
            }
            if (i - start - 1 > lim->max_string && i <= n) {
                fail(p, start, DD_JSON_STRING, "string too long", err);
                return false;
            }
        }
    }
    return true;
}

static void
normalise(json_t *v, struct dd_arena *scratch)
{
    const char *key;
    json_t *item;
    size_t idx;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach(v, key, item) normalise(item, scratch);
        break;
    case JSON_ARRAY:
        json_array_foreach(v, idx, item) normalise(item, scratch);
        break;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        const char *nfc = dd_utf8_nfc(scratch, s);
        if (nfc != s)
            json_string_set(v, nfc);
        break;
    }
    default:
        break;
    }
}

static void
decref_cleanup(void *v)
{
    json_decref(v);
}

json_t *
dd_json_keep(struct dd_arena *a, json_t *v)
{
    if (a && v)
        dd_arena_on_cleanup(a, decref_cleanup, v);
    return v;
}

json_t *
dd_json_parse(struct dd_arena *a, const char *p, size_t n, const struct dd_json_limits *limits,
              struct dd_json_error *err)
{
    memset(err, 0, sizeof *err);
    if (limits == NULL)
        limits = &dd_json_default_limits;
    if (n == 0) {
        fail(p, 0, DD_JSON_EMPTY, "empty body", err);
        return NULL;
    }
    if (!prescan(p, n, limits, err))
        return NULL;
    json_error_t jerr;
    json_t *v = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (v == NULL) {
        size_t off = jerr.position > 0 ? (size_t)jerr.position : 0;
        if (off > n)
            off = n;
        fail(p, off, DD_JSON_SYNTAX, jerr.text, err);
        return NULL;
    }
    struct dd_arena *scratch = dd_arena_new(1024);
    normalise(v, scratch);
    dd_arena_free(scratch);
    return dd_json_keep(a, v);
}

char *
dd_json_dump(struct dd_arena *a, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s == NULL)
        return dd_arena_strdup(a, "null");
    char *copy = dd_arena_strdup(a, s);
    free(s);
    return copy;
}
