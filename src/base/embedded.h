/*
 * embedded.h — files built into the binary (the SQL migrations and docs/openapi.json).
 *
 * The bytes are NUL-terminated beyond `len`, so text files can be used as C strings.
 */
#ifndef DD_BASE_EMBEDDED_H
#define DD_BASE_EMBEDDED_H

#include <stddef.h>

struct dd_embedded {
    const char *path; /* as in the source tree: "migrations/0001_core.sql" */
    const unsigned char *data;
    size_t len;
};

extern const struct dd_embedded dd_embedded_files[];
extern const size_t dd_embedded_count;

/* The embedded file at `path`, or NULL. */
const struct dd_embedded *dd_embedded_find(const char *path);

#endif
