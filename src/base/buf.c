/* buf.c — bounded growing buffers. */
#include "base/buf.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/mem.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dd_buf_init(struct dd_buf *b, struct dd_arena *arena, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->arena = arena;
    b->fixed = 0;
}

void
dd_buf_init_fixed(struct dd_buf *b, char *storage, size_t size)
{
    b->data = storage;
    b->len = 0;
    b->cap = size;
    b->max = size ? size - 1 : 0;
    b->arena = NULL;
    b->fixed = 1;
    if (size)
        storage[0] = '\0';
}

static int
buf_reserve(struct dd_buf *b, size_t extra)
{
    if (extra > b->max - b->len)
        return DD_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return DD_OK;
    if (b->fixed)
        return DD_ETOOBIG;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    if (b->arena) {
        char *p = dd_arena_alloc(b->arena, cap);
        if (b->len)
            memcpy(p, b->data, b->len);
        b->data = p;
    } else {
        b->data = dd_xrealloc(b->data, cap);
    }
    b->cap = cap;
    return DD_OK;
}

int
dd_buf_append(struct dd_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != DD_OK)
        return DD_ETOOBIG;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return DD_OK;
}

int
dd_buf_puts(struct dd_buf *b, const char *s)
{
    return dd_buf_append(b, s, strlen(s));
}

int
dd_buf_putc(struct dd_buf *b, char c)
{
    return dd_buf_append(b, &c, 1);
}

int
dd_buf_printf(struct dd_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return DD_EINVAL;
    if ((size_t)n < sizeof small)
        return dd_buf_append(b, small, (size_t)n);
    if (buf_reserve(b, (size_t)n) != DD_OK)
        return DD_ETOOBIG;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return DD_OK;
}

int
dd_buf_put_uint(struct dd_buf *b, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[sizeof digits - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return dd_buf_append(b, digits + sizeof digits - n, n);
}

int
dd_buf_json_escape(struct dd_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (dd_buf_append(b, run, (size_t)(p - run)) != DD_OK)
            return DD_ETOOBIG;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if (dd_buf_append(b, esc, n) != DD_OK)
            return DD_ETOOBIG;
        run = p + 1;
    }
    return dd_buf_append(b, run, strlen(run));
}

void
dd_buf_release(struct dd_buf *b)
{
    if (b->arena == NULL && !b->fixed)
        free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* `,"name":` or `"name":` after the object's opening brace. */
static int
json_name(struct dd_buf *b, const char *name)
{
    bool first = b->len > 0 && b->data[b->len - 1] == '{';
    int rc = dd_buf_puts(b, first ? "\"" : ",\"");
    if (rc == DD_OK)
        rc = dd_buf_json_escape(b, name);
    return rc == DD_OK ? dd_buf_puts(b, "\":") : rc;
}

/* Takes back a member's partial text when an append failed: all of the member or none of it. */
static int
member_end(struct dd_buf *b, size_t len, int rc)
{
    if (rc != DD_OK) {
        b->len = len;
        if (b->data)
            b->data[len] = '\0';
    }
    return rc;
}

int
dd_buf_json_str(struct dd_buf *b, const char *name, const char *value)
{
    size_t len = b->len;
    int rc = json_name(b, name);
    if (rc == DD_OK)
        rc = dd_buf_putc(b, '"');
    if (rc == DD_OK)
        rc = dd_buf_json_escape(b, value ? value : "");
    if (rc == DD_OK)
        rc = dd_buf_putc(b, '"');
    return member_end(b, len, rc);
}

int
dd_buf_json_int(struct dd_buf *b, const char *name, int64_t value)
{
    size_t len = b->len;
    int rc = json_name(b, name);
    if (rc == DD_OK && value < 0)
        rc = dd_buf_putc(b, '-');
    if (rc == DD_OK)
        rc = dd_buf_put_uint(b, value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value);
    return member_end(b, len, rc);
}

int
dd_buf_json_bool(struct dd_buf *b, const char *name, bool value)
{
    return dd_buf_json_raw(b, name, value ? "true" : "false");
}

int
dd_buf_json_raw(struct dd_buf *b, const char *name, const char *json)
{
    size_t len = b->len;
    int rc = json_name(b, name);
    if (rc == DD_OK)
        rc = dd_buf_puts(b, json);
    return member_end(b, len, rc);
}
