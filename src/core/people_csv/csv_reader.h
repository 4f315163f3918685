/*
 * csv_reader.h — a streaming CSV reader (RFC 4180) over a file descriptor, for files of millions
 * of rows.
 *
 * It reads the file in large blocks into one buffer and splits each record in place: a field
 * points into the buffer, NUL-terminated, with its quotes removed, so reading allocates nothing
 * per record or per field. Records end with CRLF or LF; quoted fields may hold commas, line
 * breaks and quotes written twice; a UTF-8 byte order mark at the start is skipped; the last
 * record may lack its line end. A record that breaks the grammar (a quote inside an unquoted
 * field, text after a closing quote, a quote never closed) is still returned, read leniently,
 * with `malformed` saying how, so that a caller can report it and go on with the next record.
 *
 * (core/units/csv.h reads small texts already in memory; this one is for whole files.)
 */
#ifndef DD_CORE_PEOPLE_CSV_CSV_READER_H
#define DD_CORE_PEOPLE_CSV_CSV_READER_H

#include <stddef.h>
#include <stdint.h>

#define DD_CSV_READER_MAX_FIELDS 64
#define DD_CSV_READER_MAX_RECORD (1024 * 1024) /* bytes, as written in the file */

struct dd_csv_reader;

/* How a record breaks the grammar (it is still returned, read leniently). */
enum dd_csv_malformed {
    DD_CSV_WELL_FORMED = 0,
    DD_CSV_QUOTE_INSIDE,     /* a quote inside a field that does not start with one */
    DD_CSV_TEXT_AFTER_QUOTE, /* text between a closing quote and the next delimiter */
    DD_CSV_QUOTE_NOT_CLOSED, /* a quoted field still open at the end of the input */
};

struct dd_csv_record {
    char *field[DD_CSV_READER_MAX_FIELDS]; /* NUL-terminated, inside the reader's buffer */
    size_t len[DD_CSV_READER_MAX_FIELDS];
    int count;
    long line; /* physical line (1-based) where the record starts */
    enum dd_csv_malformed malformed;
};

/* Prepares to read from `fd` (not closed by the reader). Never fails: allocation aborts. */
struct dd_csv_reader *dd_csv_reader_new(int fd);

void dd_csv_reader_free(struct dd_csv_reader *r);

/* Reads the next record into *rec: 1 when there is one, 0 at the end of the input, DD_EIO if
 * reading failed, DD_ETOOBIG for a record over DD_CSV_READER_MAX_RECORD bytes or
 * DD_CSV_READER_MAX_FIELDS fields (a quote never closed usually ends this way). After a negative
 * return, dd_csv_reader_error says what and where, and reading cannot go on. The fields stay
 * valid until the next call. A blank line is a record of one empty field. */
int dd_csv_reader_next(struct dd_csv_reader *r, struct dd_csv_record *rec);

/* Why the last call failed, with the line; "" if it did not. */
const char *dd_csv_reader_error(const struct dd_csv_reader *r);

/* Bytes of the input consumed so far (for progress). */
uint64_t dd_csv_reader_offset(const struct dd_csv_reader *r);

#endif
