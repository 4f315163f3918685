/*
 * fuzz_people_csv.c — libFuzzer target for the people import's CSV reader and text check: any
 * bytes read as records (fields within bounds and NUL-terminated at their length, lines and
 * offsets only going forward, the reader ending or failing with a message), each field's
 * UTF-8/NFC class agreeing with utf8proc, and each field of a well-formed record written back
 * with the CSV writer and read again unchanged.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "core/people_csv/csv_reader.h"
#include "core/people_csv/export.h"
#include "core/people_csv/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A descriptor reading `n` bytes of `p`. */
static int
memory_fd(const void *p, size_t n)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0 || write(fd, p, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0)
        abort();
    return fd;
}

static void
check_class(struct dd_arena *a, const char *f, size_t n)
{
    enum dd_pl_text t = dd_pl_text_classify(f, n);
    bool valid = dd_utf8_valid(f, n, NULL);
    if ((t == DD_PL_TEXT_INVALID) == valid)
        abort();
    if (t == DD_PL_TEXT_NFC && strlen(f) == n && strcmp(dd_utf8_nfc(a, f), f) != 0)
        abort();
}

/* Writes the field as CSV and reads it back. */
static void
check_round_trip(const char *f, size_t n)
{
    if (memchr(f, '\0', n) != NULL)
        return;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 4 * 1024 * 1024);
    /* Not first in the file, where a byte order mark would be taken for one. */
    if (dd_buf_puts(&b, "x,") != DD_OK || dd_csv_put_field(&b, f, n) != DD_OK ||
        dd_buf_puts(&b, ",x\n") != DD_OK)
        abort();
    int fd = memory_fd(b.data, b.len);
    struct dd_csv_reader *r = dd_csv_reader_new(fd);
    struct dd_csv_record rec;
    if (dd_csv_reader_next(r, &rec) != 1 || rec.malformed != DD_CSV_WELL_FORMED || rec.count != 3 ||
        rec.len[1] != n || memcmp(rec.field[1], f, n) != 0 || strcmp(rec.field[2], "x") != 0)
        abort();
    dd_csv_reader_free(r);
    close(fd);
    dd_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memory_fd(data, size);
    struct dd_csv_reader *r = dd_csv_reader_new(fd);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_csv_record rec;
    long last_line = 0;
    uint64_t last_offset = 0;
    int rc;
    while ((rc = dd_csv_reader_next(r, &rec)) == 1) {
        if (rec.count < 1 || rec.count > DD_CSV_READER_MAX_FIELDS || rec.line <= last_line)
            abort();
        uint64_t offset = dd_csv_reader_offset(r);
        if (offset <= last_offset || offset > size)
            abort();
        last_line = rec.line;
        last_offset = offset;
        for (int i = 0; i < rec.count; i++) {
            if (rec.field[i][rec.len[i]] != '\0' || strlen(rec.field[i]) > rec.len[i])
                abort();
            check_class(a, rec.field[i], rec.len[i]);
            if (rec.malformed == DD_CSV_WELL_FORMED)
                check_round_trip(rec.field[i], rec.len[i]);
            dd_arena_reset(a);
        }
    }
    if (rc < 0 && dd_csv_reader_error(r)[0] == '\0')
        abort();
    if (rc == 0 && dd_csv_reader_offset(r) != size)
        abort();
    dd_arena_free(a);
    dd_csv_reader_free(r);
    close(fd);
    return 0;
}
