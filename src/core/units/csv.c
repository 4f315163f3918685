/*
 * csv.c — RFC 4180 records out of text in memory (see csv.h). One pass, byte by byte: a field is
 * either quoted (ends at the closing quote, which must be followed by a comma or the end of the
 * line) or bare (ends at a comma or a line break, and may not contain a quote).
 */
#include "core/units/csv.h"
#include "base/err.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void
dd_units_csv_init(struct dd_units_csv *r, const char *text, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = text;
    r->end = text + len;
    r->line = 1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
    dd_buf_init(&r->buf, NULL, DD_UNITS_CSV_MAX_RECORD);
}

void
dd_units_csv_free(struct dd_units_csv *r)
{
    dd_buf_release(&r->buf);
}

const char *
dd_units_csv_field(const struct dd_units_csv *r, int i)
{
    if (i < 0 || i >= r->nfields)
        return "";
    return r->buf.data + r->offsets[i];
}

static int
fail(struct dd_units_csv *r, int rc, const char *what)
{
    snprintf(r->err, sizeof r->err, "line %zu: %s", r->record_line, what);
    return rc;
}

static int
put(struct dd_units_csv *r, char c)
{
    return dd_buf_putc(&r->buf, c) == DD_OK
               ? DD_OK
               : fail(r, DD_ETOOBIG, "the record is longer than the limit");
}

/* True at a line break (CRLF or LF). */
static bool
at_newline(const struct dd_units_csv *r)
{
    return r->p < r->end &&
           (*r->p == '\n' || (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n'));
}

/* Consumes a line break if there is one, and counts the line. */
static bool
take_newline(struct dd_units_csv *r)
{
    if (!at_newline(r))
        return false;
    r->p += *r->p == '\r' ? 2 : 1;
    r->line++;
    return true;
}

/* Reads a quoted field from just after its opening quote up to and including the closing one. */
static int
quoted_field(struct dd_units_csv *r)
{
    for (;;) {
        if (r->p >= r->end)
            return fail(r, DD_EINVAL, "a quoted field is not closed");
        char c = *r->p++;
        if (c == '"') {
            if (r->p < r->end && *r->p == '"')
                r->p++;
            else
                return DD_OK;
        } else if (c == '\n') {
            r->line++;
        }
        if (put(r, c) != DD_OK)
            return DD_ETOOBIG;
    }
}

/* Reads a bare field up to (not including) the comma or line break that ends it. */
static int
bare_field(struct dd_units_csv *r)
{
    while (r->p < r->end && *r->p != ',' && !at_newline(r)) {
        if (*r->p == '"')
            return fail(r, DD_EINVAL, "a quote inside a field that does not start with one");
        if (put(r, *r->p++) != DD_OK)
            return DD_ETOOBIG;
    }
    return DD_OK;
}

int
dd_units_csv_next(struct dd_units_csv *r)
{
    r->nfields = 0;
    r->buf.len = 0;
    r->record_line = r->line;
    if (r->p >= r->end)
        return 0;
    for (;;) {
        if (r->nfields >= DD_UNITS_CSV_MAX_FIELDS)
            return fail(r, DD_ETOOBIG, "the record has too many fields");
        r->offsets[r->nfields++] = r->buf.len;
        int rc;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            rc = quoted_field(r);
            if (rc == DD_OK && r->p < r->end && *r->p != ',' && !at_newline(r))
                rc = fail(r, DD_EINVAL, "text after the closing quote of a field");
        } else {
            rc = bare_field(r);
        }
        if (rc != DD_OK)
            return rc;
        if (put(r, '\0') != DD_OK)
            return DD_ETOOBIG;
        if (r->p >= r->end || take_newline(r))
            return 1;
        r->p++; /* the comma; a field follows, empty if the text ends here */
    }
}
