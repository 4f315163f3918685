/*
 * test_text.c — UTF-8 validation, NFC, Vietnamese search folding and bounded JSON parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/utf8.h"

#include <string.h>

static void
utf8_accepts_vietnamese_and_refuses_bad_sequences(void **state)
{
    (void)state;
    size_t off = 99;
    const char ok[] = "Nguyễn Văn Đức 🇻🇳";
    assert_true(dd_utf8_valid(ok, strlen(ok), &off));
    assert_false(dd_utf8_valid("ab\xC3", 3, &off)); /* cut short */
    assert_int_equal(off, 2);
    assert_false(dd_utf8_valid("\xC0\xAF", 2, &off)); /* overlong '/' */
    assert_int_equal(off, 0);
    assert_false(dd_utf8_valid("x\xED\xA0\x80", 4, &off)); /* surrogate */
    assert_int_equal(off, 1);
    assert_false(dd_utf8_valid("\xF4\x90\x80\x80", 4, &off)); /* past U+10FFFF */
    assert_false(dd_utf8_valid("\xFF", 1, &off));
}

static void
nfc_composes_decomposed_vietnamese(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    /* "ễ" written as e + circumflex (U+0302) + tilde (U+0303) */
    const char decomposed[] = "Nguye\xCC\x82\xCC\x83n";
    assert_string_equal(dd_utf8_nfc(a, decomposed), "Nguyễn");
    const char ascii[] = "plain";
    assert_ptr_equal(dd_utf8_nfc(a, ascii), ascii);
    dd_arena_free(a);
}

static void
fold_removes_case_diacritics_and_d_stroke(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    assert_string_equal(dd_utf8_fold(a, "Nguyễn Văn Đức"), "nguyen van duc");
    assert_string_equal(dd_utf8_fold(a, "ĐẶNG THỊ HỒNG"), "dang thi hong");
    assert_string_equal(dd_utf8_fold(a, "Khánh Hòa"), "khanh hoa");
    dd_arena_free(a);
}

static json_t *
parse(struct dd_arena *a, const char *text, struct dd_json_error *err)
{
    return dd_json_parse(a, text, strlen(text), NULL, err);
}

static void
json_parses_objects_and_normalises_strings(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    struct dd_json_error err;
    json_t *v = parse(a, "{\"name\":\"Nguye\xCC\x82\xCC\x83n\",\"n\":[1,2]}", &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "name")), "Nguyễn");
    assert_int_equal(json_array_size(json_object_get(v, "n")), 2);
    dd_arena_free(a); /* releases the tree: ASan would report a leak otherwise */
}

static void
json_reports_syntax_errors_with_position(void **state)
{
    (void)state;
    struct dd_json_error err;
    assert_null(parse(NULL, "{\"a\":1,\n  \"b\": }", &err));
    assert_int_equal(err.fault, DD_JSON_SYNTAX);
    assert_int_equal(err.line, 2);
    assert_true(err.column >= 7);
    assert_null(parse(NULL, "{\"a\":1} x", &err));
    assert_int_equal(err.fault, DD_JSON_SYNTAX);
    assert_null(parse(NULL, "{\"a\":1,\"a\":2}", &err)); /* duplicate key */
    assert_int_equal(err.fault, DD_JSON_SYNTAX);
    assert_null(dd_json_parse(NULL, "", 0, NULL, &err));
    assert_int_equal(err.fault, DD_JSON_EMPTY);
}

static void
json_refuses_invalid_utf8_at_its_offset(void **state)
{
    (void)state;
    struct dd_json_error err;
    assert_null(parse(NULL, "{\"a\":\"b\xC3(\"}", &err));
    assert_int_equal(err.fault, DD_JSON_UTF8);
    assert_int_equal(err.offset, 7);
    assert_int_equal(err.column, 8);
}

static void
json_refuses_deep_nesting_and_long_strings(void **state)
{
    (void)state;
    struct dd_json_error err;
    char deep[100];
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    deep[80] = '\0';
    assert_null(parse(NULL, deep, &err));
    assert_int_equal(err.fault, DD_JSON_DEPTH);
    assert_int_equal(err.offset, 32);

    struct dd_json_limits small = {.max_depth = 4, .max_string = 5};
    assert_null(dd_json_parse(NULL, "[\"123456\"]", 10, &small, &err));
    assert_int_equal(err.fault, DD_JSON_STRING);
    json_t *ok = dd_json_parse(NULL, "[\"12345\"]", 9, &small, &err);
    assert_non_null(ok);
    json_decref(ok);
    /* Brackets inside strings do not count as nesting. */
    ok = dd_json_parse(NULL, "[\"[[[[[[\"]", 10, &small, &err);
    assert_null(ok); /* the string is 6 bytes long */
    ok = dd_json_parse(NULL, "[\"[[[[\"]", 8, &small, &err);
    assert_non_null(ok);
    json_decref(ok);
}

static void
json_refuses_nul_escapes(void **state)
{
    (void)state;
    struct dd_json_error err;
    assert_null(parse(NULL, "{\"a\":\"x\\u0000y\"}", &err));
    assert_int_equal(err.fault, DD_JSON_SYNTAX);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_accepts_vietnamese_and_refuses_bad_sequences),
        cmocka_unit_test(nfc_composes_decomposed_vietnamese),
        cmocka_unit_test(fold_removes_case_diacritics_and_d_stroke),
        cmocka_unit_test(json_parses_objects_and_normalises_strings),
        cmocka_unit_test(json_reports_syntax_errors_with_position),
        cmocka_unit_test(json_refuses_invalid_utf8_at_its_offset),
        cmocka_unit_test(json_refuses_deep_nesting_and_long_strings),
        cmocka_unit_test(json_refuses_nul_escapes),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
