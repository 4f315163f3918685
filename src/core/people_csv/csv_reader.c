/*
 * csv_reader.c — splitting CSV records in place in a large read buffer.
 *
 * A record is scanned first without touching the buffer, noting where each field starts and
 * ends. If the buffer ends inside the record, the unread bytes move to the front, more are read,
 * and the record is scanned again from its start; only a complete record is cut up (NULs written
 * after each field, doubled quotes collapsed), so a scan can always be repeated. The buffer holds
 * one byte more than it reads into, for the NUL after a last field that has no line end.
 */
#include "core/people_csv/csv_reader.h"
#include "base/err.h"
#include "base/mem.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_BYTES (8 * 1024 * 1024)

_Static_assert(BUFFER_BYTES >= 2 * DD_CSV_READER_MAX_RECORD, "a record fits in the buffer");

struct dd_csv_reader {
    int fd;
    char *buf;       /* BUFFER_BYTES + 1 */
    size_t pos, end; /* unread bytes: buf[pos..end) */
    bool eof;
    bool bom_checked;
    long line;       /* line of buf[pos] */
    uint64_t offset; /* input offset of buf[pos] */
    char err[200];
};

/* Where a field lies in the buffer while its record is scanned. */
struct span {
    size_t start, end; /* buf[start..end): the text between the delimiters or quotes */
    bool doubled;      /* holds "" to collapse */
};

enum scan_result { SCAN_DONE, SCAN_MORE, SCAN_END, SCAN_TOO_MANY };

struct dd_csv_reader *
dd_csv_reader_new(int fd)
{
    struct dd_csv_reader *r = dd_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->buf = dd_xmalloc(BUFFER_BYTES + 1);
    r->line = 1;
    return r;
}

void
dd_csv_reader_free(struct dd_csv_reader *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r);
}

const char *
dd_csv_reader_error(const struct dd_csv_reader *r)
{
    return r->err;
}

uint64_t
dd_csv_reader_offset(const struct dd_csv_reader *r)
{
    return r->offset;
}

/* Moves the unread bytes to the front and reads more after them. */
static int
fill(struct dd_csv_reader *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->pos = 0;
    }
    while (r->end < BUFFER_BYTES) {
        ssize_t n = read(r->fd, r->buf + r->end, BUFFER_BYTES - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(r->err, sizeof r->err, "cannot read the file after line %ld: %s", r->line,
                     strerror(errno));
            return DD_EIO;
        }
        if (n == 0) {
            r->eof = true;
            break;
        }
        r->end += (size_t)n;
        if (r->end - r->pos >= DD_CSV_READER_MAX_RECORD)
            break; /* enough for any record; read more when it is used up */
    }
    return DD_OK;
}

static size_t
count_newlines(const char *p, size_t n)
{
    size_t lines = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

/* Scans a quoted field whose opening quote is at buf[*i]. */
static enum scan_result
scan_quoted(struct dd_csv_reader *r, size_t *i, struct span *f, size_t *lines,
            enum dd_csv_malformed *malformed)
{
    const char *buf = r->buf;
    size_t j = *i + 1;
    f->start = j;
    for (;;) {
        const char *q = memchr(buf + j, '"', r->end - j);
        if (q == NULL) {
            if (!r->eof)
                return SCAN_MORE;
            *lines += count_newlines(buf + j, r->end - j);
            *malformed = DD_CSV_QUOTE_NOT_CLOSED;
            f->end = *i = r->end;
            return SCAN_DONE;
        }
        size_t k = (size_t)(q - buf);
        *lines += count_newlines(buf + j, k - j);
        if (k + 1 == r->end && !r->eof)
            return SCAN_MORE; /* a closing quote, or the first of a pair? */
        if (k + 1 < r->end && buf[k + 1] == '"') {
            f->doubled = true;
            j = k + 2;
            continue;
        }
        f->end = k;
        j = k + 1;
        break;
    }
    /* After the closing quote comes a delimiter; skip anything else up to one. */
    size_t junk = j;
    while (j < r->end && buf[j] != ',' && buf[j] != '\n' && buf[j] != '\r')
        j++;
    if (j == r->end && !r->eof)
        return SCAN_MORE;
    if (j > junk)
        *malformed = DD_CSV_TEXT_AFTER_QUOTE;
    *i = j;
    return SCAN_DONE;
}

/* Scans an unquoted field starting at buf[*i], up to its delimiter or the end of the input. */
static enum scan_result
scan_plain(struct dd_csv_reader *r, size_t *i, struct span *f, enum dd_csv_malformed *malformed)
{
    const char *buf = r->buf;
    size_t j = *i;
    f->start = j;
    for (; j < r->end; j++) {
        char c = buf[j];
        if (c == ',' || c == '\n')
            break;
        if (c == '"') {
            *malformed = DD_CSV_QUOTE_INSIDE;
        } else if (c == '\r') {
            if (j + 1 == r->end && !r->eof)
                return SCAN_MORE;
            if (j + 1 < r->end && buf[j + 1] == '\n')
                break; /* CRLF; a lone CR is data */
        }
    }
    if (j == r->end && !r->eof)
        return SCAN_MORE;
    f->end = *i = j;
    return SCAN_DONE;
}

/* Scans the record at buf[pos] without changing the buffer. On SCAN_DONE, *next is where the
 * following record starts and *lines the line ends crossed. */
static enum scan_result
scan_record(struct dd_csv_reader *r, struct span *fields, int *count, size_t *next, size_t *lines,
            enum dd_csv_malformed *malformed)
{
    size_t i = r->pos;
    *count = 0;
    *lines = 0;
    *malformed = DD_CSV_WELL_FORMED;
    if (i == r->end)
        return r->eof ? SCAN_END : SCAN_MORE;
    for (;;) {
        if (*count == DD_CSV_READER_MAX_FIELDS)
            return SCAN_TOO_MANY;
        struct span *f = &fields[(*count)++];
        f->doubled = false;
        enum scan_result s = i < r->end && r->buf[i] == '"'
                                 ? scan_quoted(r, &i, f, lines, malformed)
                                 : scan_plain(r, &i, f, malformed);
        if (s != SCAN_DONE)
            return s;
        if (i == r->end) {
            *next = i;
            return SCAN_DONE;
        }
        char c = r->buf[i];
        if (c == ',') {
            i++;
            continue;
        }
        *next = i + (c == '\r' ? 2 : 1);
        (*lines)++;
        return SCAN_DONE;
    }
}

/* Collapses each "" of buf[start..end) into one quote; returns the new length. */
static size_t
collapse_quotes(char *buf, size_t start, size_t end)
{
    size_t out = start;
    for (size_t in = start; in < end; in++) {
        buf[out++] = buf[in];
        if (buf[in] == '"' && in + 1 < end && buf[in + 1] == '"')
            in++;
    }
    return out - start;
}

static void
skip_bom(struct dd_csv_reader *r)
{
    if (r->bom_checked || (r->end - r->pos < 3 && !r->eof))
        return;
    r->bom_checked = true;
    if (r->end - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0) {
        r->pos += 3;
        r->offset += 3;
    }
}

int
dd_csv_reader_next(struct dd_csv_reader *r, struct dd_csv_record *rec)
{
    struct span fields[DD_CSV_READER_MAX_FIELDS];
    size_t next = 0, lines = 0;
    int count = 0;
    r->err[0] = '\0';
    for (;;) {
        skip_bom(r);
        enum scan_result s = r->bom_checked
                                 ? scan_record(r, fields, &count, &next, &lines, &rec->malformed)
                                 : SCAN_MORE;
        if (s == SCAN_DONE)
            break;
        if (s == SCAN_END)
            return 0;
        if (s == SCAN_TOO_MANY) {
            snprintf(r->err, sizeof r->err, "line %ld: a record has more than %d fields", r->line,
                     DD_CSV_READER_MAX_FIELDS);
            return DD_ETOOBIG;
        }
        if (r->end - r->pos >= DD_CSV_READER_MAX_RECORD || r->eof) {
            snprintf(r->err, sizeof r->err,
                     "line %ld: a record is longer than %d bytes (is a quote left open?)", r->line,
                     DD_CSV_READER_MAX_RECORD);
            return DD_ETOOBIG;
        }
        int rc = fill(r);
        if (rc != DD_OK)
            return rc;
    }
    for (int k = 0; k < count; k++) {
        struct span *f = &fields[k];
        size_t len = f->doubled ? collapse_quotes(r->buf, f->start, f->end) : f->end - f->start;
        r->buf[f->start + len] = '\0';
        rec->field[k] = r->buf + f->start;
        rec->len[k] = len;
    }
    rec->count = count;
    rec->line = r->line;
    r->line += (long)lines;
    r->offset += next - r->pos;
    r->pos = next;
    return 1;
}
