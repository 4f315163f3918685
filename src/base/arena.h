/*
 * arena.h — region allocator for request-scoped memory.
 *
 * Everything a request needs comes from its arena and is released at once when the request ends;
 * nothing is freed one by one. Resources that are not memory (prepared statements, JSON trees,
 * crypto contexts) are attached with dd_arena_on_cleanup and released with the arena, as nginx
 * does with pool cleanup handlers. Allocation failure aborts.
 */
#ifndef DD_BASE_ARENA_H
#define DD_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct dd_arena;

/* Creates an arena whose first block holds `first_block` bytes (a default if 0). */
struct dd_arena *dd_arena_new(size_t first_block);

/* Runs the cleanups (newest first) and frees every block. NULL is accepted. */
void dd_arena_free(struct dd_arena *a);

/* Runs the cleanups and forgets every allocation, keeping the first block for reuse. */
void dd_arena_reset(struct dd_arena *a);

/* Returns `n` bytes aligned for any type; never NULL. */
void *dd_arena_alloc(struct dd_arena *a, size_t n);

/* Like dd_arena_alloc, zero-filled. */
void *dd_arena_zalloc(struct dd_arena *a, size_t n);

/* Copies a string (or its first `n` bytes) into the arena, always NUL-terminated. */
char *dd_arena_strdup(struct dd_arena *a, const char *s);
char *dd_arena_strndup(struct dd_arena *a, const char *s, size_t n);

/* The strings given, one after another, in a fresh arena string: what
 * dd_arena_printf("%s%s…") makes, without parsing a format. dd_arena_concat_list takes a list
 * ended by a null pointer of type const char *; the macro adds it. */
char *dd_arena_concat_list(struct dd_arena *a, const char *first, ...) __attribute__((sentinel));
#define dd_arena_concat(a, ...) dd_arena_concat_list((a), __VA_ARGS__, (const char *)NULL)

/* Formats into a fresh arena string of the exact length needed. */
char *dd_arena_printf(struct dd_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *dd_arena_vprintf(struct dd_arena *a, const char *fmt, va_list ap);

/* Registers fn(arg) to run when the arena is reset or freed. */
void dd_arena_on_cleanup(struct dd_arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out since the last reset (for tests and limits). */
size_t dd_arena_used(const struct dd_arena *a);

#endif
