/*
 * csv.h — a reader of CSV text held in memory, as RFC 4180 describes it: fields separated by
 * commas, records by CRLF or LF, fields in double quotes may hold commas, line breaks and quotes
 * written twice. A UTF-8 byte order mark at the start is skipped. Malformed text (a quote left
 * open, a quote inside an unquoted field, text after a closing quote) is refused with the line,
 * never guessed at. Each record is bounded in bytes and fields. It reads text already in memory,
 * such as the reference files built into the binary.
 *
 *     struct dd_units_csv r;
 *     dd_units_csv_init(&r, text, len);
 *     while ((rc = dd_units_csv_next(&r)) == 1)
 *         use(dd_units_csv_field(&r, 0), r.nfields);
 *     dd_units_csv_free(&r);      // rc is 0 at the end, or negative with r.err set
 */
#ifndef DD_CORE_UNITS_CSV_H
#define DD_CORE_UNITS_CSV_H

#include "base/buf.h"

#include <stddef.h>

#define DD_UNITS_CSV_MAX_FIELDS 32
#define DD_UNITS_CSV_MAX_RECORD (64 * 1024)

struct dd_units_csv {
    const char *p, *end;
    size_t line;        /* 1-based line where the next record starts */
    size_t record_line; /* 1-based line where the record last read starts */
    struct dd_buf buf;  /* that record's fields, each NUL-terminated */
    size_t offsets[DD_UNITS_CSV_MAX_FIELDS];
    int nfields;
    char err[160]; /* why dd_units_csv_next failed, with the line */
};

/* Prepares to read text[0..len); the text must outlive the reader. */
void dd_units_csv_init(struct dd_units_csv *r, const char *text, size_t len);

/* Reads the next record: 1 when one was read (fields 0..nfields-1, as they were written, quotes
 * removed), 0 at the end of the text, DD_EINVAL for malformed text or DD_ETOOBIG for a record
 * over DD_UNITS_CSV_MAX_RECORD bytes or DD_UNITS_CSV_MAX_FIELDS fields (r->err says which, and
 * where). A blank line is a record of one empty field. */
int dd_units_csv_next(struct dd_units_csv *r);

/* Field i of the record last read, or "" when the record has fewer fields. Valid until the next
 * dd_units_csv_next. */
const char *dd_units_csv_field(const struct dd_units_csv *r, int i);

/* Releases the reader's buffer. */
void dd_units_csv_free(struct dd_units_csv *r);

#endif
