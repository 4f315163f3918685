/*
 * test_csv.c — the streaming CSV reader of the people import (quoting, line ends, byte order
 * mark, line numbers, malformed records, bounds, records cut by the read buffer or by a pipe),
 * the CSV field writer, the one-pass UTF-8/NFC check and the ID number set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "core/people_csv/csv_reader.h"
#include "core/people_csv/export.h"
#include "core/people_csv/idset.h"
#include "core/people_csv/text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A reader over `text`, through a temporary file. */
struct src {
    char path[64];
    int fd;
    struct dd_csv_reader *r;
};

static void
src_open(struct src *s, const char *text, size_t n)
{
    snprintf(s->path, sizeof s->path, "/tmp/dd-csv-XXXXXX");
    s->fd = mkstemp(s->path);
    assert_true(s->fd >= 0);
    assert_int_equal(write(s->fd, text, n), (ssize_t)n);
    assert_int_equal(lseek(s->fd, 0, SEEK_SET), 0);
    s->r = dd_csv_reader_new(s->fd);
}

static void
src_close(struct src *s)
{
    dd_csv_reader_free(s->r);
    close(s->fd);
    unlink(s->path);
}

static void
expect_record(struct dd_csv_reader *r, long line, int count, ...)
{
    struct dd_csv_record rec;
    assert_int_equal(dd_csv_reader_next(r, &rec), 1);
    assert_int_equal(rec.line, line);
    assert_int_equal(rec.count, count);
    assert_int_equal(rec.malformed, DD_CSV_WELL_FORMED);
    va_list ap;
    va_start(ap, count);
    for (int i = 0; i < count; i++) {
        const char *want = va_arg(ap, const char *);
        assert_string_equal(rec.field[i], want);
        assert_int_equal(rec.len[i], strlen(want));
    }
    va_end(ap);
}

static void
expect_end(struct dd_csv_reader *r)
{
    struct dd_csv_record rec;
    assert_int_equal(dd_csv_reader_next(r, &rec), 0);
    assert_int_equal(dd_csv_reader_next(r, &rec), 0);
}

static void
reads_plain_and_quoted_fields_with_lf_and_crlf(void **state)
{
    (void)state;
    const char text[] = "a,b,c\n"
                        "1,\"two, and \"\"three\"\"\",\r\n"
                        "\"\",x,\"\"\"\"\n"
                        "last,row,\"no end\"";
    struct src s;
    src_open(&s, text, sizeof text - 1);
    expect_record(s.r, 1, 3, "a", "b", "c");
    expect_record(s.r, 2, 3, "1", "two, and \"three\"", "");
    expect_record(s.r, 3, 3, "", "x", "\"");
    expect_record(s.r, 4, 3, "last", "row", "no end");
    expect_end(s.r);
    assert_int_equal(dd_csv_reader_offset(s.r), sizeof text - 1);
    src_close(&s);
}

static void
quoted_line_breaks_keep_line_numbers_true(void **state)
{
    (void)state;
    const char text[] = "h1,h2\n\"line one\nline two\r\nline three\",b\nnext,row\n";
    struct src s;
    src_open(&s, text, sizeof text - 1);
    expect_record(s.r, 1, 2, "h1", "h2");
    expect_record(s.r, 2, 2, "line one\nline two\r\nline three", "b");
    expect_record(s.r, 5, 2, "next", "row");
    expect_end(s.r);
    src_close(&s);
}

static void
skips_a_byte_order_mark_and_keeps_blank_lines_as_empty_records(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBFid,tên\r\n\r\n1,Đức\r\n";
    struct src s;
    src_open(&s, text, sizeof text - 1);
    expect_record(s.r, 1, 2, "id", "tên");
    expect_record(s.r, 2, 1, "");
    expect_record(s.r, 3, 2, "1", "Đức");
    expect_end(s.r);
    src_close(&s);

    /* A BOM anywhere but the start is data; a lone CR inside a field is data too. */
    const char later[] = "x\n\xEF\xBB\xBFy,a\rb\n";
    src_open(&s, later, sizeof later - 1);
    expect_record(s.r, 1, 1, "x");
    expect_record(s.r, 2, 2, "\xEF\xBB\xBFy", "a\rb");
    expect_end(s.r);
    src_close(&s);
}

static void
an_empty_file_has_no_records(void **state)
{
    (void)state;
    struct src s;
    src_open(&s, "", 0);
    expect_end(s.r);
    src_close(&s);
    src_open(&s, "\xEF\xBB\xBF", 3);
    expect_end(s.r);
    src_close(&s);
}

static void
malformed_records_are_returned_with_the_reason(void **state)
{
    (void)state;
    const char text[] = "ok,1\n"
                        "ab\"c,2\n"
                        "\"ab\"cd,3\n"
                        "fine,4\n"
                        "\"never closed,5\nmore";
    struct src s;
    src_open(&s, text, sizeof text - 1);
    struct dd_csv_record rec;
    expect_record(s.r, 1, 2, "ok", "1");
    assert_int_equal(dd_csv_reader_next(s.r, &rec), 1);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.malformed, DD_CSV_QUOTE_INSIDE);
    assert_int_equal(rec.count, 2);
    assert_string_equal(rec.field[1], "2");
    assert_int_equal(dd_csv_reader_next(s.r, &rec), 1);
    assert_int_equal(rec.line, 3);
    assert_int_equal(rec.malformed, DD_CSV_TEXT_AFTER_QUOTE);
    assert_string_equal(rec.field[0], "ab");
    assert_string_equal(rec.field[1], "3");
    expect_record(s.r, 4, 2, "fine", "4");
    assert_int_equal(dd_csv_reader_next(s.r, &rec), 1);
    assert_int_equal(rec.line, 5);
    assert_int_equal(rec.malformed, DD_CSV_QUOTE_NOT_CLOSED);
    assert_int_equal(rec.count, 1);
    assert_string_equal(rec.field[0], "never closed,5\nmore");
    expect_end(s.r);
    src_close(&s);
}

static void
bounds_stop_the_reader_with_a_message(void **state)
{
    (void)state;
    /* Too many fields. */
    char fields[DD_CSV_READER_MAX_FIELDS * 2 + 8];
    size_t n = 0;
    for (int i = 0; i <= DD_CSV_READER_MAX_FIELDS; i++) {
        fields[n++] = 'x';
        fields[n++] = ',';
    }
    fields[n - 1] = '\n';
    struct src s;
    src_open(&s, fields, n);
    struct dd_csv_record rec;
    assert_int_equal(dd_csv_reader_next(s.r, &rec), DD_ETOOBIG);
    assert_non_null(strstr(dd_csv_reader_error(s.r), "line 1"));
    src_close(&s);

    /* A quote left open swallows the file up to the record bound. */
    size_t big = DD_CSV_READER_MAX_RECORD + 100;
    char *text = malloc(big);
    memcpy(text, "a,b\n\"", 5);
    memset(text + 5, 'y', big - 5);
    src_open(&s, text, big);
    expect_record(s.r, 1, 2, "a", "b");
    assert_int_equal(dd_csv_reader_next(s.r, &rec), DD_ETOOBIG);
    assert_non_null(strstr(dd_csv_reader_error(s.r), "line 2"));
    src_close(&s);
    free(text);
}

/* Many records of varied length, several read buffers long, so that records and quoted fields
 * are cut at every kind of place by a refill. */
static void
records_cut_by_the_buffer_come_out_whole(void **state)
{
    (void)state;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 64 * 1024 * 1024);
    int rows = 200000;
    for (int i = 0; i < rows; i++) {
        dd_buf_printf(&b, "%d,\"quoted, %d \"\"x\"\"\nsecond line\",%.*s\r\n", i, i, i % 97,
                      "Nguyễn Văn Đức Nguyễn Văn Đức Nguyễn Văn Đức Nguyễn Văn Đức Nguyễn Văn "
                      "Đức Nguyễn Văn Đức Nguyễn");
    }
    assert_true(b.len > 16 * 1024 * 1024);
    struct src s;
    src_open(&s, b.data, b.len);
    struct dd_csv_record rec;
    for (int i = 0; i < rows; i++) {
        assert_int_equal(dd_csv_reader_next(s.r, &rec), 1);
        assert_int_equal(rec.count, 3);
        assert_int_equal(rec.line, 1 + 2L * i);
        char want[64];
        snprintf(want, sizeof want, "%d", i);
        assert_string_equal(rec.field[0], want);
        snprintf(want, sizeof want, "quoted, %d \"x\"\nsecond line", i);
        assert_string_equal(rec.field[1], want);
        assert_int_equal(rec.len[2], (size_t)(i % 97));
    }
    expect_end(s.r);
    assert_int_equal(dd_csv_reader_offset(s.r), b.len);
    src_close(&s);
    dd_buf_release(&b);
}

struct trickle {
    int fd;
    const char *text;
    size_t n;
};

/* Writes the text into a pipe a few bytes at a time. */
static void *
trickle_main(void *arg)
{
    struct trickle *t = arg;
    for (size_t i = 0, step = 1; i < t->n; i += step, step = step % 5 + 1) {
        size_t k = i + step > t->n ? t->n - i : step;
        if (write(t->fd, t->text + i, k) != (ssize_t)k)
            break;
    }
    close(t->fd);
    return NULL;
}

static void
a_pipe_that_gives_a_few_bytes_at_a_time_reads_the_same(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBFid,name,address\r\n"
                        "1,\"Lê Thị \"\"Hoa\"\"\",\"Số 12, đường Trần Phú\"\r\n"
                        "2,An,\"two\nlines\"\r\n"
                        "3,\"\",\r\n";
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct trickle t = {p[1], text, sizeof text - 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);
    struct dd_csv_reader *r = dd_csv_reader_new(p[0]);
    expect_record(r, 1, 3, "id", "name", "address");
    expect_record(r, 2, 3, "1", "Lê Thị \"Hoa\"", "Số 12, đường Trần Phú");
    expect_record(r, 3, 3, "2", "An", "two\nlines");
    expect_record(r, 5, 3, "3", "", "");
    expect_end(r);
    dd_csv_reader_free(r);
    pthread_join(th, NULL);
    close(p[0]);
}

static void
the_field_writer_quotes_only_when_needed_and_reads_back(void **state)
{
    (void)state;
    const char *values[] = {"plain", "", "a,b", "say \"hi\"", "two\nlines", "cr\r", "Đức", "\""};
    const char *written[] = {"plain",          "",         "\"a,b\"", "\"say \"\"hi\"\"\"",
                             "\"two\nlines\"", "\"cr\r\"", "Đức",     "\"\"\"\""};
    struct dd_buf line;
    dd_buf_init(&line, NULL, 4096);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        struct dd_buf b;
        dd_buf_init(&b, NULL, 256);
        assert_int_equal(dd_csv_put_field(&b, values[i], strlen(values[i])), DD_OK);
        assert_string_equal(b.data ? b.data : "", written[i]);
        dd_buf_release(&b);
        if (i > 0)
            dd_buf_putc(&line, ',');
        dd_csv_put_field(&line, values[i], strlen(values[i]));
    }
    dd_buf_puts(&line, "\r\n");
    struct src s;
    src_open(&s, line.data, line.len);
    struct dd_csv_record rec;
    assert_int_equal(dd_csv_reader_next(s.r, &rec), 1);
    assert_int_equal(rec.count, (int)(sizeof values / sizeof values[0]));
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        assert_string_equal(rec.field[i], values[i]);
    src_close(&s);
    dd_buf_release(&line);

    /* A bounded buffer refuses a field that does not fit, whole. */
    char small[8];
    struct dd_buf f;
    dd_buf_init_fixed(&f, small, sizeof small);
    assert_int_equal(dd_csv_put_field(&f, "a,bcdefgh", 9), DD_ETOOBIG);
}

static size_t
put_cp(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Every code point the quick check calls stable is its own NFC form, alone, after any other of
 * them or after an ASCII letter: so text made of them needs no normalising. */
static void
stable_code_points_are_stable_under_nfc(void **state)
{
    (void)state;
    unsigned cps[2048];
    size_t ncps = 0;
    for (int r = 0; dd_pl_text_stable_ranges[r][1] != 0; r++)
        for (unsigned cp = dd_pl_text_stable_ranges[r][0]; cp <= dd_pl_text_stable_ranges[r][1];
             cp++)
            cps[ncps++] = cp;
    for (unsigned c = 'A'; c <= 'z'; c++)
        cps[ncps++] = c;
    struct dd_arena *a = dd_arena_new(0);
    char s[16];
    for (size_t i = 0; i < ncps; i++) {
        size_t n = put_cp(s, cps[i]);
        s[n] = '\0';
        assert_string_equal(dd_utf8_nfc(a, s), s);
        if (cps[i] >= 0x80)
            assert_int_equal(dd_pl_text_classify(s, n), DD_PL_TEXT_NFC);
        for (size_t j = 0; j < ncps; j += (i % 7) + 1) {
            size_t m = n + put_cp(s + n, cps[j]);
            s[m] = '\0';
            const char *nfc = dd_utf8_nfc(a, s);
            if (strcmp(nfc, s) != 0)
                fail_msg("U+%04X U+%04X changes under NFC", cps[i], cps[j]);
            s[n] = '\0';
        }
        dd_arena_reset(a);
    }
    dd_arena_free(a);
}

static void
text_classify_sends_the_rest_to_nfc_and_refuses_bad_utf8(void **state)
{
    (void)state;
    const char ascii[] = "Nguyen Van An, so 12";
    const char viet[] = "Nguyễn Văn Đức – “Khánh Hòa”";
    const char decomposed[] = "Nguye\xCC\x82\xCC\x83n";         /* e + combining marks */
    const char hangul[] = "\xE1\x84\x80\xE1\x85\xA1";           /* jamo that compose */
    const char emoji[] = "An \xF0\x9F\x87\xBB\xF0\x9F\x87\xB3"; /* 4-byte sequences */
    assert_int_equal(dd_pl_text_classify(ascii, strlen(ascii)), DD_PL_TEXT_NFC);
    assert_int_equal(dd_pl_text_classify(viet, strlen(viet)), DD_PL_TEXT_NFC);
    assert_int_equal(dd_pl_text_classify(decomposed, strlen(decomposed)), DD_PL_TEXT_NORMALISE);
    assert_int_equal(dd_pl_text_classify(hangul, strlen(hangul)), DD_PL_TEXT_NORMALISE);
    assert_int_equal(dd_pl_text_classify(emoji, strlen(emoji)), DD_PL_TEXT_NORMALISE);
    assert_int_equal(dd_pl_text_classify("ab\xC3", 3), DD_PL_TEXT_INVALID);       /* cut short */
    assert_int_equal(dd_pl_text_classify("\xC0\xAF", 2), DD_PL_TEXT_INVALID);     /* overlong */
    assert_int_equal(dd_pl_text_classify("\xED\xA0\x80", 3), DD_PL_TEXT_INVALID); /* surrogate */
    assert_int_equal(dd_pl_text_classify("\xE1\xBA", 2), DD_PL_TEXT_INVALID);
    assert_int_equal(dd_pl_text_classify("\xFF", 1), DD_PL_TEXT_INVALID);
}

static void
the_id_set_finds_duplicates_with_their_first_line(void **state)
{
    (void)state;
    assert_int_equal(dd_idset_key("056090001234"), 56090001234ULL + 1);
    assert_int_equal(dd_idset_key("000000000000"), 1);
    assert_int_equal(dd_idset_key("05609000123"), 0);
    assert_int_equal(dd_idset_key("0560900012345"), 0);
    assert_int_equal(dd_idset_key("05609000123x"), 0);
    assert_int_equal(dd_idset_key(""), 0);

    struct dd_idset s;
    dd_idset_init(&s, 10);
    /* Enough numbers to grow the table several times, with shared prefixes. */
    for (long i = 0; i < 50000; i++)
        assert_int_equal(dd_idset_add(&s, 56090000000ULL + (uint64_t)i * 7 + 1, i + 2), 0);
    assert_int_equal(s.count, 50000);
    for (long i = 0; i < 50000; i++) {
        uint64_t key = 56090000000ULL + (uint64_t)i * 7 + 1;
        assert_true(dd_idset_has(&s, key));
        assert_int_equal(dd_idset_add(&s, key, 999999), i + 2);
        assert_false(dd_idset_has(&s, key + 1));
    }
    assert_int_equal(dd_idset_add(&s, 42, DD_IDSET_REGISTER), 0);
    assert_int_equal(dd_idset_add(&s, 42, 7), DD_IDSET_REGISTER);
    assert_int_equal(s.count, 50001);
    dd_idset_free(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_plain_and_quoted_fields_with_lf_and_crlf),
        cmocka_unit_test(quoted_line_breaks_keep_line_numbers_true),
        cmocka_unit_test(skips_a_byte_order_mark_and_keeps_blank_lines_as_empty_records),
        cmocka_unit_test(an_empty_file_has_no_records),
        cmocka_unit_test(malformed_records_are_returned_with_the_reason),
        cmocka_unit_test(bounds_stop_the_reader_with_a_message),
        cmocka_unit_test(records_cut_by_the_buffer_come_out_whole),
        cmocka_unit_test(a_pipe_that_gives_a_few_bytes_at_a_time_reads_the_same),
        cmocka_unit_test(the_field_writer_quotes_only_when_needed_and_reads_back),
        cmocka_unit_test(stable_code_points_are_stable_under_nfc),
        cmocka_unit_test(text_classify_sends_the_rest_to_nfc_and_refuses_bad_utf8),
        cmocka_unit_test(the_id_set_finds_duplicates_with_their_first_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
