/*
 * test_base.c — arena, bounded buffers, strings and the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/dir.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/log.h"
#include "base/str.h"
#include "crypto/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int cleanups_run;

static void
count_cleanup(void *arg)
{
    cleanups_run += *(int *)arg;
}

static void
arena_allocations_are_aligned_and_distinct(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(64);
    char *p = dd_arena_alloc(a, 3);
    char *q = dd_arena_alloc(a, 100); /* larger than the block: a block of its own */
    char *r = dd_arena_alloc(a, 5);
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_int_equal((uintptr_t)r % 16, 0);
    memset(q, 'x', 100);
    memcpy(p, "ab", 3);
    assert_string_equal(p, "ab");
    assert_true(dd_arena_used(a) >= 108);
    dd_arena_free(a);
}

static void
arena_reset_runs_cleanups_newest_first_once(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    int one = 1, ten = 10;
    cleanups_run = 0;
    dd_arena_on_cleanup(a, count_cleanup, &one);
    dd_arena_on_cleanup(a, count_cleanup, &ten);
    dd_arena_reset(a);
    assert_int_equal(cleanups_run, 11);
    assert_int_equal(dd_arena_used(a), 0);
    dd_arena_free(a);
    assert_int_equal(cleanups_run, 11);
}

static void
arena_printf_formats_exact_length(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    char long_text[3000];
    memset(long_text, 'y', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    char *s = dd_arena_printf(a, "%s-%d", long_text, 42);
    assert_int_equal(strlen(s), 2999 + 3);
    assert_string_equal(s + 2999, "-42");
    assert_string_equal(dd_arena_strndup(a, "abcdef", 3), "abc");
    /* concat: the strings end to end, an empty one among them, and longer than a block */
    assert_string_equal(dd_arena_concat(a, "client:", "ddc_x", "", "."), "client:ddc_x.");
    char *joined = dd_arena_concat(a, "<", long_text, long_text, ">");
    assert_int_equal(strlen(joined), 2 * 2999 + 2);
    assert_int_equal(joined[0], '<');
    assert_int_equal(joined[2999 * 2 + 1], '>');
    assert_int_equal(joined[2999], 'y');
    dd_arena_free(a);
}

static void
buf_refuses_past_its_maximum_and_stays_intact(void **state)
{
    (void)state;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 8);
    assert_int_equal(dd_buf_puts(&b, "12345"), DD_OK);
    assert_int_equal(dd_buf_puts(&b, "6789"), DD_ETOOBIG);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "12345");
    assert_int_equal(dd_buf_puts(&b, "678"), DD_OK);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(dd_buf_putc(&b, '9'), DD_ETOOBIG);
    dd_buf_release(&b);
}

static void
buf_in_arena_grows_and_formats(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    struct dd_buf b;
    dd_buf_init(&b, a, 100000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(dd_buf_printf(&b, "%04d,", i), DD_OK);
    assert_int_equal(b.len, 5000);
    assert_memory_equal(b.data + 4995, "0999,", 5);
    dd_arena_free(a);
}

static void
buf_fixed_never_allocates(void **state)
{
    (void)state;
    char storage[6];
    struct dd_buf b;
    dd_buf_init_fixed(&b, storage, sizeof storage);
    assert_int_equal(dd_buf_puts(&b, "abcde"), DD_OK);
    assert_int_equal(dd_buf_puts(&b, "f"), DD_ETOOBIG);
    assert_ptr_equal(b.data, storage);
    assert_string_equal(storage, "abcde");
}

static void
buf_json_escape_escapes_quotes_controls_and_keeps_utf8(void **state)
{
    (void)state;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 1024);
    dd_buf_json_escape(&b, "a\"b\\c\n\x01 Đức");
    assert_string_equal(b.data, "a\\\"b\\\\c\\n\\u0001 Đức");
    dd_buf_release(&b);
}

static void
buf_json_members_write_an_object_whole_or_not_at_all(void **state)
{
    (void)state;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 48);
    assert_int_equal(dd_buf_putc(&b, '{'), DD_OK);
    assert_int_equal(dd_buf_json_str(&b, "name", "Lê \"Văn\""), DD_OK);
    assert_int_equal(dd_buf_json_int(&b, "n", -42), DD_OK);
    assert_int_equal(dd_buf_json_int(&b, "max", INT64_MIN), DD_ETOOBIG); /* past 48 bytes */
    assert_int_equal(dd_buf_json_str(&b, "empty", NULL), DD_OK);
    assert_int_equal(dd_buf_putc(&b, '}'), DD_OK);
    assert_string_equal(b.data, "{\"name\":\"Lê \\\"Văn\\\"\",\"n\":-42,\"empty\":\"\"}");
    assert_true(dd_json_text_valid(b.data, b.len));
    dd_buf_release(&b);

    dd_buf_init(&b, NULL, 64);
    dd_buf_putc(&b, '{');
    dd_buf_json_int(&b, "min", INT64_MIN);
    dd_buf_json_bool(&b, "yes", true);
    dd_buf_json_bool(&b, "no", false);
    dd_buf_putc(&b, '}');
    assert_string_equal(b.data, "{\"min\":-9223372036854775808,\"yes\":true,\"no\":false}");
    dd_buf_release(&b);

    /* A raw member: a nested object's opening, then its first member without a comma. */
    dd_buf_init(&b, NULL, 40);
    dd_buf_putc(&b, '{');
    assert_int_equal(dd_buf_json_raw(&b, "none", "null"), DD_OK);
    assert_int_equal(dd_buf_json_raw(&b, "o", "{"), DD_OK);
    assert_int_equal(dd_buf_json_int(&b, "a", 1), DD_OK);
    dd_buf_putc(&b, '}');
    assert_int_equal(dd_buf_json_raw(&b, "toolong", "\"0123456789\""), DD_ETOOBIG);
    dd_buf_putc(&b, '}');
    assert_string_equal(b.data, "{\"none\":null,\"o\":{\"a\":1}}");
    assert_true(dd_json_text_valid(b.data, b.len));
    dd_buf_release(&b);
}

static void
buf_put_uint_writes_decimal(void **state)
{
    (void)state;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 64);
    dd_buf_put_uint(&b, 0);
    dd_buf_putc(&b, ' ');
    dd_buf_put_uint(&b, 18446744073709551615ULL);
    assert_string_equal(b.data, "0 18446744073709551615");
    dd_buf_release(&b);
}

static void
parse_int64_is_strict(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(dd_parse_int64("42", 0, 100, &v), DD_OK);
    assert_int_equal(v, 42);
    assert_int_equal(dd_parse_int64("-5", -10, 10, &v), DD_OK);
    assert_int_equal(v, -5);
    assert_int_equal(dd_parse_int64("", 0, 100, &v), DD_EINVAL);
    assert_int_equal(dd_parse_int64("12x", 0, 100, &v), DD_EINVAL);
    assert_int_equal(dd_parse_int64(" 12", 0, 100, &v), DD_EINVAL);
    assert_int_equal(dd_parse_int64("101", 0, 100, &v), DD_EINVAL);
    assert_int_equal(dd_parse_int64("-", 0, 100, &v), DD_EINVAL);
    assert_int_equal(dd_parse_int64("99999999999999999999", 0, INT64_MAX, &v), DD_EINVAL);
}

static void
strlcpy_reports_truncation(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(dd_strlcpy(out, "abc", sizeof out), DD_OK);
    assert_string_equal(out, "abc");
    assert_int_equal(dd_strlcpy(out, "abcd", sizeof out), DD_ETOOBIG);
    assert_string_equal(out, "abc");
}

static void
clock_formats_utc_iso8601(void **state)
{
    (void)state;
    char out[32];
    dd_clock_iso8601(1751385900123LL, out); /* 2025-07-01T16:05:00.123Z */
    assert_string_equal(out, "2025-07-01T16:05:00.123Z");
    dd_clock_iso8601(1709208000000LL, out); /* a leap day */
    assert_string_equal(out, "2024-02-29T12:00:00.000Z");
    dd_clock_iso8601(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    dd_clock_iso8601(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    dd_clock_iso8601(4102444799999LL, out);
    assert_string_equal(out, "2099-12-31T23:59:59.999Z");
    /* Vietnam's day: a day after UTC's from 17:00 UTC, the same before. */
    char day[11];
    dd_clock_vietnam_day(1764523800000LL, day); /* 2025-11-30T17:30:00Z */
    assert_string_equal(day, "2025-12-01");
    dd_clock_vietnam_day(1764521999999LL, day); /* 2025-11-30T16:59:59.999Z */
    assert_string_equal(day, "2025-11-30");
    dd_clock_vietnam_day(1767200400000LL, day); /* 2025-12-31T17:00:00Z: New Year's Day there */
    assert_string_equal(day, "2026-01-01");
    int64_t a = dd_clock_mono_ns(), b = dd_clock_mono_ns();
    assert_true(b >= a);
}

/* Runs fn with standard error sent to a temporary file; returns what was written. */
static char *
capture_stderr(void (*fn)(void))
{
    char path[] = "/tmp/dd-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    dup2(saved, 2);
    close(saved);
    static char text[4096];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    unlink(path);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

static void
buffered_lines_then_warning(void)
{
    dd_log_buffer_start();
    dd_log_raw("first\n", 6);
    dd_log_raw("second\n", 7);
    dd_log(DD_LOG_WARN, "test.warning", "id %s", "x\"y");
    dd_log_raw("third\n", 6);
    dd_log_buffer_stop();
    dd_log_raw("after\n", 6);
}

static void
log_buffer_keeps_order_and_flushes_on_stop(void **state)
{
    (void)state;
    char *out = capture_stderr(buffered_lines_then_warning);
    char *first = strstr(out, "first\nsecond\n{");
    assert_non_null(first);
    char *warn =
        strstr(out, "\"level\":\"warn\",\"event\":\"test.warning\",\"msg\":\"id x\\\"y\"}\n");
    assert_non_null(warn);
    char *third = strstr(out, "}\nthird\nafter\n");
    assert_non_null(third);
    assert_true(first < warn && warn < third);
}

static void
log_mask_keeps_only_the_end(void **state)
{
    (void)state;
    char out[32];
    dd_log_mask("056090001234", out, sizeof out);
    assert_string_equal(out, "*********234");
    dd_log_mask("ab", out, sizeof out);
    assert_string_equal(out, "ab");
}

static void
str_has_control_finds_c0_and_del(void **state)
{
    (void)state;
    assert_false(dd_str_has_control(NULL));
    assert_false(dd_str_has_control(""));
    assert_false(dd_str_has_control("Nguyễn Văn An, số 9"));
    assert_true(dd_str_has_control("tab\there"));
    assert_true(dd_str_has_control("line\n"));
    assert_true(dd_str_has_control("del\x7f"));
}

/* FIPS 180-2, appendix B: SHA-256 of "abc" and of the 448-bit message; and of nothing. */
static void
sha256_matches_the_standard_vectors(void **state)
{
    (void)state;
    char hex[2 * DD_SHA256_LEN + 1];
    dd_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    dd_sha256_hex(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    dd_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* The piecewise form (another implementation) agrees with the one-call form, across block
     * boundaries. */
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    char pieces[2 * DD_SHA256_LEN + 1];
    struct dd_sha256_ctx ctx;
    dd_sha256_init(&ctx);
    for (size_t at = 0, step = 1; at < sizeof data; at += step, step = step * 2 + 1)
        dd_sha256_update(&ctx, data + at, step < sizeof data - at ? step : sizeof data - at);
    dd_sha256_final_hex(&ctx, pieces);
    dd_sha256_hex(data, sizeof data, hex);
    assert_string_equal(hex, pieces);
}

/* Random bytes: no two draws of a run repeat (small draws come out of a per-thread buffer, large
 * ones from the kernel directly), draws that span a refill of the buffer are whole, and a child
 * process never hands out the bytes its parent has yet to hand out. */
static void
random_bytes_never_repeat_even_across_fork(void **state)
{
    (void)state;
    enum { DRAWS = 200, SIZE = 48 };
    static unsigned char drawn[DRAWS][SIZE];
    for (int i = 0; i < DRAWS; i++) /* 9,600 bytes: several refills of the buffer */
        dd_random_bytes(drawn[i], i % 5 == 4 ? SIZE : 33);
    for (int i = 0; i < DRAWS; i++)
        for (int j = 0; j < i; j++)
            assert_memory_not_equal(drawn[i], drawn[j], 33);
    unsigned char big[300], zero[300] = {0};
    dd_random_bytes(big, sizeof big);
    assert_memory_not_equal(big, zero, sizeof big);
    /* The parent's buffer holds unused bytes now; the child draws, then the parent. */
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        unsigned char mine[32];
        dd_random_bytes(mine, sizeof mine);
        _exit(write(pipefd[1], mine, sizeof mine) == (ssize_t)sizeof mine ? 0 : 1);
    }
    unsigned char theirs[32], mine[32];
    assert_int_equal(read(pipefd[0], theirs, sizeof theirs), (ssize_t)sizeof theirs);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    dd_random_bytes(mine, sizeof mine);
    assert_memory_not_equal(mine, theirs, sizeof mine);
    close(pipefd[0]);
    close(pipefd[1]);
}

static void
dir_make_makes_the_parents_too(void **state)
{
    (void)state;
    char root[] = "/tmp/dd-dir-XXXXXX", path[256], file[256], err[300] = "";
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof path, "%s/a/b/c", root);
    assert_int_equal(dd_dir_make(path, err, sizeof err), DD_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(dd_dir_make(path, err, sizeof err), DD_OK); /* already there */
    snprintf(file, sizeof file, "%s/a/file", root);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/a/file/d", root);
    assert_int_equal(dd_dir_make(path, err, sizeof err), DD_EIO);
    assert_non_null(strstr(err, path));
    assert_int_equal(dd_dir_make("", err, sizeof err), DD_EIO);
    unlink(file);
    snprintf(path, sizeof path, "%s/a/b/c", root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a/b", root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", root);
    rmdir(path);
    rmdir(root);
}

/* The syntax check agrees with a full parser on well-formed and broken texts alike. */
static void
json_text_valid_follows_the_grammar(void **state)
{
    (void)state;
    static const char *const good[] = {
        "{}",
        "[]",
        "0",
        "-0.5e+10",
        "1E3",
        "\"a\\n\\u00e9\"",
        "true",
        " null ",
        "{\"a\":[1,2,{\"b\":false}],\"c\":\"\"}",
        "[[[[]]]]",
        "{\"count\":2,\"entries\":[]}",
    };
    static const char *const bad[] = {
        "",      " ",      "{",       "}",           "[1,]",    "{\"a\":1,}", "{\"a\" 1}",
        "{a:1}", "01",     "1.",      ".5",          "-",       "1e",         "tru",
        "nulls", "\"open", "\"\\x\"", "\"\\u12G4\"", "[1] [2]", "{\"a\":1}}", "\"tab\there\"",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(dd_json_text_valid(good[i], strlen(good[i])));
        json_error_t e;
        json_t *v = json_loads(good[i], JSON_DECODE_ANY, &e);
        assert_non_null(v);
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(dd_json_text_valid(bad[i], strlen(bad[i])));
        json_error_t e;
        assert_null(json_loads(bad[i], JSON_DECODE_ANY, &e));
    }
    /* Nesting past the limit is refused; up to it is accepted. */
    char deep[200];
    size_t d = dd_json_default_limits.max_depth;
    memset(deep, '[', d + 1);
    memset(deep + d + 1, ']', d + 1);
    assert_false(dd_json_text_valid(deep, 2 * (d + 1)));
    assert_true(dd_json_text_valid(deep + 1, 2 * d));
}

/* Equal bytes hash equal; a byte changed at any place, in the words or the tail, a length or a
 * seed changes the hash (a table's collisions stay rare). */
static void
hash_bytes_sees_every_byte_length_and_seed(void **state)
{
    (void)state;
    char a[40], b[40];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (char)('a' + i % 26);
    for (size_t n = 1; n <= sizeof a; n++) {
        assert_true(dd_hash_bytes(a, n, 0) == dd_hash_bytes(b, n, 0));
        assert_true(dd_hash_bytes(a, n, 0) != dd_hash_bytes(a, n - 1, 0));
        assert_true(dd_hash_bytes(a, n, 0) != dd_hash_bytes(a, n, 1));
        for (size_t i = 0; i < n; i++) {
            b[i] ^= 1;
            assert_true(dd_hash_bytes(a, n, 7) != dd_hash_bytes(b, n, 7));
            b[i] ^= 1;
        }
    }
    /* "ab" then "" is not "a" then "b": callers end each key with a '\0'. */
    assert_true(dd_hash_bytes("ab\0\0", 4, 0) != dd_hash_bytes("a\0b\0", 4, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_allocations_are_aligned_and_distinct),
        cmocka_unit_test(json_text_valid_follows_the_grammar),
        cmocka_unit_test(arena_reset_runs_cleanups_newest_first_once),
        cmocka_unit_test(arena_printf_formats_exact_length),
        cmocka_unit_test(buf_refuses_past_its_maximum_and_stays_intact),
        cmocka_unit_test(buf_in_arena_grows_and_formats),
        cmocka_unit_test(buf_fixed_never_allocates),
        cmocka_unit_test(buf_json_escape_escapes_quotes_controls_and_keeps_utf8),
        cmocka_unit_test(buf_json_members_write_an_object_whole_or_not_at_all),
        cmocka_unit_test(buf_put_uint_writes_decimal),
        cmocka_unit_test(parse_int64_is_strict),
        cmocka_unit_test(strlcpy_reports_truncation),
        cmocka_unit_test(clock_formats_utc_iso8601),
        cmocka_unit_test(log_buffer_keeps_order_and_flushes_on_stop),
        cmocka_unit_test(log_mask_keeps_only_the_end),
        cmocka_unit_test(sha256_matches_the_standard_vectors),
        cmocka_unit_test(random_bytes_never_repeat_even_across_fork),
        cmocka_unit_test(str_has_control_finds_c0_and_del),
        cmocka_unit_test(dir_make_makes_the_parents_too),
        cmocka_unit_test(hash_bytes_sees_every_byte_length_and_seed),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
