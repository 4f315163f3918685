/*
 * json_syntax.c — whether a text is one well-formed JSON value (RFC 8259), without building it.
 *
 * For texts the program wrote itself and only stores (the audit log's details): checking them
 * costs a pass over the bytes instead of a tree of allocations. The grammar is checked in full
 * (objects, arrays, strings with their escapes, numbers, literals), nesting up to the default
 * limits' depth (dd_json_default_limits); the bytes' UTF-8 is left to the caller (dd_utf8_valid),
 * and duplicate keys are not looked for.
 */
#include "base/json.h"

#include <stdbool.h>
#include <string.h>

struct cursor {
    const char *p, *end;
};

static void
skip_space(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool
is_hex(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool
literal(struct cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return false;
    c->p += n;
    return true;
}

/* A string, at its opening quote. */
static bool
string(struct cursor *c)
{
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"')
            return true;
        if (ch < 0x20)
            return false;
        if (ch != '\\')
            continue;
        if (c->p == c->end)
            return false;
        char e = *c->p++;
        if (e == 'u') {
            for (int i = 0; i < 4; i++)
                if (c->p == c->end || !is_hex(*c->p++))
                    return false;
        } else if (strchr("\"\\/bfnrt", e) == NULL || e == '\0') {
            return false;
        }
    }
    return false;
}

static bool
digits(struct cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && is_digit(*c->p))
        c->p++;
    return c->p > start;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool
number(struct cursor *c)
{
    if (*c->p == '-')
        c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (!digits(c))
        return false;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!digits(c))
            return false;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!digits(c))
            return false;
    }
    return true;
}

static bool value(struct cursor *c, int depth);

/* The members or elements of an object or array, after its opening bracket. */
static bool
container(struct cursor *c, int depth, char close, bool keys)
{
    skip_space(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return true;
    }
    for (;;) {
        skip_space(c);
        if (keys) {
            if (c->p == c->end || *c->p != '"' || !string(c))
                return false;
            skip_space(c);
            if (c->p == c->end || *c->p++ != ':')
                return false;
        }
        if (!value(c, depth + 1))
            return false;
        skip_space(c);
        if (c->p == c->end)
            return false;
        char ch = *c->p++;
        if (ch == close)
            return true;
        if (ch != ',')
            return false;
    }
}

static bool
value(struct cursor *c, int depth)
{
    if ((size_t)depth > dd_json_default_limits.max_depth)
        return false;
    skip_space(c);
    if (c->p == c->end)
        return false;
    switch (*c->p) {
    case '{':
        c->p++;
        return container(c, depth, '}', true);
    case '[':
        c->p++;
        return container(c, depth, ']', false);
    case '"':
        return string(c);
    case 't':
        return literal(c, "true");
    case 'f':
        return literal(c, "false");
    case 'n':
        return literal(c, "null");
    default:
        return *c->p == '-' || is_digit(*c->p) ? number(c) : false;
    }
}

bool
dd_json_text_valid(const char *p, size_t n)
{
    struct cursor c = {p, p + n};
    if (!value(&c, 1))
        return false;
    skip_space(&c);
    return c.p == c.end;
}
