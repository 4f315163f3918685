/*
 * buf.h — a growing byte buffer with a hard maximum.
 *
 * Every growing buffer in dinhdanh has a bound (as in curl): appending past `max` fails with
 * DD_ETOOBIG and leaves the buffer as it was. A buffer lives either in an arena (released with
 * it) or on the heap (released with dd_buf_release). The data is always NUL-terminated.
 */
#ifndef DD_BASE_BUF_H
#define DD_BASE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;

struct dd_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    struct dd_arena *arena; /* NULL: heap */
    int fixed;              /* storage given by the caller: never grows */
};

/* Prepares an empty buffer bounded to `max` bytes of content. */
void dd_buf_init(struct dd_buf *b, struct dd_arena *arena, size_t max);

/* Prepares an empty buffer over caller-provided storage of `size` bytes (content up to size-1);
 * it never allocates. */
void dd_buf_init_fixed(struct dd_buf *b, char *storage, size_t size);

/* Appends bytes; DD_ETOOBIG (buffer unchanged) past the maximum. */
int dd_buf_append(struct dd_buf *b, const void *p, size_t n);
int dd_buf_puts(struct dd_buf *b, const char *s);
int dd_buf_putc(struct dd_buf *b, char c);
int dd_buf_printf(struct dd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends the decimal digits of v, without printf. */
int dd_buf_put_uint(struct dd_buf *b, uint64_t v);

/* Appends `s` as the inside of a JSON string (quotes not included), escaping as RFC 8259 asks. */
int dd_buf_json_escape(struct dd_buf *b, const char *s);

/* Members of a JSON object being written: each appends ,"name":value — without the comma right
 * after the object's '{' — the string escaped, the integer in decimal, the boolean as true or
 * false. Nothing is appended past the maximum and DD_ETOOBIG is returned; a caller checks the
 * last append it makes (the closing '}') or every result. */
int dd_buf_json_str(struct dd_buf *b, const char *name, const char *value);
int dd_buf_json_int(struct dd_buf *b, const char *name, int64_t value);
int dd_buf_json_bool(struct dd_buf *b, const char *name, bool value);
/* A member whose value is JSON text already (null, an object written before); not checked. */
int dd_buf_json_raw(struct dd_buf *b, const char *name, const char *json);

/* Frees a heap buffer's storage; an arena buffer is left to its arena. */
void dd_buf_release(struct dd_buf *b);

#endif
