/*
 * placeholders.h — turns the portable `?` placeholders into PostgreSQL's `$1, $2, …`.
 *
 * Only `?` in SQL code counts: question marks inside '…' and E'…' strings, "…" identifiers,
 * $tag$…$tag$ bodies, -- and (nested) block comments are copied as they are.
 */
#ifndef DD_STORE_PLACEHOLDERS_H
#define DD_STORE_PLACEHOLDERS_H

struct dd_buf;

/* Appends the rewritten `sql` to `out` and sets *count to the number of placeholders.
 * DD_ETOOBIG if `out` reaches its maximum. An unterminated quote or comment is copied to the
 * end, for the server to report. */
int dd_sql_number_placeholders(const char *sql, struct dd_buf *out, int *count);

#endif
