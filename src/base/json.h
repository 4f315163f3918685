/*
 * json.h — JSON bodies in, with bounds, through jansson.
 *
 * dd_json_parse reads untrusted bytes: it refuses invalid UTF-8, nesting deeper than the limit,
 * strings longer than the limit, duplicate keys and trailing data, and says where (byte offset,
 * line and column). String values come back in NFC.
 */
#ifndef DD_BASE_JSON_H
#define DD_BASE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct dd_arena;

struct dd_json_limits {
    size_t max_depth;  /* arrays and objects inside each other */
    size_t max_string; /* bytes in one string, key or value */
};

enum dd_json_fault {
    DD_JSON_SYNTAX = 1,
    DD_JSON_UTF8,
    DD_JSON_DEPTH,
    DD_JSON_STRING,
    DD_JSON_EMPTY,
};

struct dd_json_error {
    enum dd_json_fault fault;
    size_t offset; /* byte offset of the fault */
    int line;      /* 1-based */
    int column;    /* 1-based, in bytes */
    char text[160];
};

extern const struct dd_json_limits dd_json_default_limits;

/* Parses one JSON value from p[0..n). Returns a new reference, or NULL with *err filled. The tree
 * is tied to the arena when `a` is not NULL (released with it); otherwise the caller decrefs. */
json_t *dd_json_parse(struct dd_arena *a, const char *p, size_t n,
                      const struct dd_json_limits *limits, struct dd_json_error *err);

/* Whether p[0..n) is exactly one well-formed JSON value (grammar and nesting depth only; no
 * tree is built, UTF-8 and duplicate keys are not checked): for texts the program wrote. */
bool dd_json_text_valid(const char *p, size_t n);

/* Serialises compactly into an arena string. */
char *dd_json_dump(struct dd_arena *a, const json_t *v);

/* Ties `v` (a reference the caller owns) to the arena: it is decref'd with the arena. */
json_t *dd_json_keep(struct dd_arena *a, json_t *v);

#endif
