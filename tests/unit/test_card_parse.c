/*
 * test_card_parse.c — the card's text and byte parsers: BER-TLV (bounds, long tags and lengths,
 * truncation), the MRZ (the ICAO 9303 Part 4 and Part 5 specimens, each check digit broken in
 * turn with the field and the expected digit named, the Vietnamese card's rules) and the chip
 * ID card's QR text (the layout, each field's rule, the accepted variants, refusals with the
 * reason).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "card/json.h"
#include "card/mrz.h"
#include "card/qr.h"
#include "card/tlv.h"

#include <stdio.h>
#include <string.h>

/* --- TLV ------------------------------------------------------------------------------------ */

static void
tlv_reads_short_long_and_multibyte_forms(void **state)
{
    (void)state;
    struct dd_tlv t;
    const unsigned char dg1[] = {0x61, 0x05, 0x5F, 0x1F, 0x02, 'A', 'B'};
    assert_int_equal(dd_tlv_read(dg1, sizeof dg1, &t), DD_OK);
    assert_int_equal(t.tag, 0x61);
    assert_true(t.constructed);
    assert_int_equal(t.len, 5);
    assert_int_equal(t.size, 7);
    struct dd_tlv inner;
    assert_int_equal(dd_tlv_find(t.value, t.len, 0x5F1F, &inner), DD_OK);
    assert_int_equal(inner.len, 2);
    assert_memory_equal(inner.value, "AB", 2);
    assert_false(inner.constructed);
    assert_int_equal(dd_tlv_find(t.value, t.len, 0x5F2E, &inner), DD_ENOTFOUND);

    /* 0x82 two-byte length, as EF.SOD: 77 82 01 00 … */
    unsigned char sod[4 + 256] = {0x77, 0x82, 0x01, 0x00};
    assert_int_equal(dd_tlv_read(sod, sizeof sod, &t), DD_OK);
    assert_int_equal(t.len, 256);
    assert_int_equal(t.value, sod + 4);
    /* 0x81 with a value under 128 (written so by some chips) is read. */
    const unsigned char lax[] = {0x04, 0x81, 0x01, 0xAA};
    assert_int_equal(dd_tlv_read(lax, sizeof lax, &t), DD_OK);
    assert_int_equal(t.len, 1);
    /* Three-byte tag 7F 61 … and 0x5F 0x81 0x01 style continuation. */
    const unsigned char bio[] = {0x7F, 0x61, 0x00, 0x5F, 0x81, 0x01, 0x00};
    assert_int_equal(dd_tlv_read(bio, sizeof bio, &t), DD_OK);
    assert_int_equal(t.tag, 0x7F61);
    assert_int_equal(dd_tlv_read(bio + 3, 4, &t), DD_OK);
    assert_int_equal(t.tag, 0x5F8101);
    assert_int_equal(t.len, 0);
}

static void
tlv_never_reads_past_its_input(void **state)
{
    (void)state;
    struct dd_tlv t;
    const unsigned char cases[][6] = {
        {0x61, 0x05, 0x5F, 0x1F},             /* value cut short (n = 4) */
        {0x61},                               /* no length */
        {0x61, 0x82, 0x01},                   /* length field cut short */
        {0x61, 0x80, 0x00, 0x00},             /* indefinite length */
        {0x61, 0x85, 1, 0, 0, 0},             /* 5-byte length field */
        {0x5F, 0x81, 0x81, 0x81, 0x01, 0x00}, /* 5-byte tag */
        {0x5F},                               /* tag cut short */
    };
    const size_t lens[] = {4, 1, 3, 4, 6, 6, 1};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        assert_int_equal(dd_tlv_read(cases[i], lens[i], &t), DD_EINVAL);
    assert_int_equal(dd_tlv_read(NULL, 0, &t), DD_EINVAL);
    /* A walk stops at the first malformed object and stays stopped. */
    const unsigned char seq[] = {0x02, 0x01, 0x00, 0x04, 0x09, 0x00};
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, seq, sizeof seq);
    assert_int_equal(dd_tlv_next(&it, &t), 1);
    assert_int_equal(dd_tlv_next(&it, &t), DD_EINVAL);
    assert_int_equal(dd_tlv_next(&it, &t), DD_EINVAL);
    assert_int_equal(dd_tlv_find(seq, sizeof seq, 0x30, &t), DD_EINVAL);
}

static void
tlv_headers_are_written_in_the_shortest_form(void **state)
{
    (void)state;
    unsigned char out[8];
    assert_int_equal(dd_tlv_put_header(0x87, 9, out, sizeof out), 2);
    assert_memory_equal(out, "\x87\x09", 2);
    assert_int_equal(dd_tlv_put_header(0x77, 0x78A, out, sizeof out), 4);
    assert_memory_equal(out, "\x77\x82\x07\x8A", 4);
    assert_int_equal(dd_tlv_put_header(0x5F1F, 0x80, out, sizeof out), 4);
    assert_memory_equal(out, "\x5F\x1F\x81\x80", 4);
    assert_int_equal(dd_tlv_put_header(0x77, 0x78A, out, 3), 0);
}

/* --- MRZ ------------------------------------------------------------------------------------ */

/* ICAO 9303 Part 4 (TD3) and Part 5 (TD1) specimens. */
static const char TD3[] = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                          "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
static const char TD1[] = "I<UTOD231458907<<<<<<<<<<<<<<<\n"
                          "7408122F1204159UTO<<<<<<<<<<<6\n"
                          "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
/* A Vietnamese card made for the tests: ID number 001099012345 (Hà Nội, male, 1999). */
static const char VN[] = "IDVNM0990123459001099012345<<<\n"
                         "9901155M3901153VNM<<<<<<<<<<<6\n"
                         "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<";

static void
mrz_reads_the_icao_specimens(void **state)
{
    (void)state;
    struct dd_mrz m;
    assert_int_equal(dd_mrz_parse(TD3, strlen(TD3), &m), DD_OK);
    assert_int_equal(m.format, DD_MRZ_TD3);
    assert_string_equal(m.document_number, "L898902C3");
    assert_string_equal(m.surname, "ERIKSSON");
    assert_string_equal(m.given_names, "ANNA MARIA");
    assert_string_equal(m.birth_iso, "1974-08-12");
    assert_string_equal(m.expiry_iso, "2012-04-15");
    assert_string_equal(m.optional1, "ZE184226B");
    assert_int_equal(m.nchecks, 5);
    assert_false(m.vietnamese);
    char info[64];
    assert_int_equal(dd_mrz_bac_info(&m, info, sizeof info), 24);
    assert_string_equal(info, "L898902C3674081221204159");

    assert_int_equal(dd_mrz_parse(TD1, strlen(TD1), &m), DD_OK);
    assert_int_equal(m.format, DD_MRZ_TD1);
    assert_string_equal(m.document_code, "I");
    assert_string_equal(m.document_number, "D23145890");
    assert_int_equal(m.sex, 'F');
    assert_string_equal(m.nationality, "UTO");
    assert_int_equal(m.nchecks, 4);
    for (int i = 0; i < m.nchecks; i++)
        assert_true(m.checks[i].ok);

    /* The same zone run together, or with CR LF and a trailing break, reads the same. */
    char joined[128] = "", crlf[128];
    for (const char *p = TD1; *p; p++)
        if (*p != '\n')
            strncat(joined, p, 1);
    assert_int_equal(dd_mrz_parse(joined, strlen(joined), &m), DD_OK);
    snprintf(crlf, sizeof crlf, "%.30s\r\n%.30s\r\n%.30s\r\n", TD1, TD1 + 31, TD1 + 62);
    assert_int_equal(dd_mrz_parse(crlf, strlen(crlf), &m), DD_OK);
}

/* Changes one character and checks the error names the field and the expected digit. */
static void
expect_error(const char *mrz, size_t pos, char to, const char *error)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", mrz);
    buf[pos] = to;
    struct dd_mrz m;
    assert_int_equal(dd_mrz_parse(buf, strlen(buf), &m), DD_EINVAL);
    assert_false(m.valid);
    assert_string_equal(m.error, error);
}

static void
mrz_names_the_field_and_the_expected_digit(void **state)
{
    (void)state;
    /* TD3 line 2 starts at 45. */
    expect_error(TD3, 45 + 9, '5', "document_number: check digit is 5, expected 6");
    expect_error(TD3, 45 + 19, '0', "birth_date: check digit is 0, expected 2");
    expect_error(TD3, 45 + 27, '1', "expiry_date: check digit is 1, expected 9");
    expect_error(TD3, 45 + 42, '2', "personal_number: check digit is 2, expected 1");
    expect_error(TD3, 45 + 43, '9', "composite: check digit is 9, expected 0");
    /* A changed number is caught by its own digit first, the composite too. */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", TD3);
    buf[45] = 'M';
    struct dd_mrz m;
    assert_int_equal(dd_mrz_parse(buf, strlen(buf), &m), DD_EINVAL);
    assert_false(m.checks[0].ok);
    assert_false(m.checks[4].ok);
    /* TD1: line 1 at 0, line 2 at 31. */
    expect_error(TD1, 14, '1', "document_number: check digit is 1, expected 7");
    expect_error(TD1, 31 + 6, '3', "birth_date: check digit is 3, expected 2");
    expect_error(TD1, 31 + 14, '0', "expiry_date: check digit is 0, expected 9");
    expect_error(TD1, 31 + 29, '5', "composite: check digit is 5, expected 6");
    /* A filler where a digit must be. */
    expect_error(TD1, 14, '<', "document_number: check digit is <, expected 7");
    /* Dates and sex. */
    expect_error(TD1, 31 + 2, '1', "birth_date: '741812' is not a date (YYMMDD)");
    expect_error(TD1, 31 + 7, 'X', "sex: 'X' is not M, F or <");
}

static void
mrz_refuses_bad_layouts_with_the_reason(void **state)
{
    (void)state;
    struct dd_mrz m;
    assert_int_equal(dd_mrz_parse("", 0, &m), DD_EINVAL);
    assert_string_equal(m.error, "mrz: 0 characters in 1 lines; expected TD1 (3 lines of 30) "
                                 "or TD3 (2 lines of 44)");
    assert_int_equal(dd_mrz_parse(TD1, 61, &m), DD_EINVAL); /* two lines of TD1 */
    char lower[128];
    snprintf(lower, sizeof lower, "%s", TD3);
    lower[3] = 't';
    assert_int_equal(dd_mrz_parse(lower, strlen(lower), &m), DD_EINVAL);
    assert_string_equal(m.error, "mrz: character 4 is not A-Z, 0-9 or <");
    /* 90 characters split 29/31/30 are not TD1. */
    char shifted[128];
    snprintf(shifted, sizeof shifted, "%.29s\n%.1s%.30s\n%.30s", TD1, TD1 + 29, TD1 + 31, TD1 + 62);
    assert_int_equal(dd_mrz_parse(shifted, strlen(shifted), &m), DD_EINVAL);
    assert_int_equal(dd_mrz_parse("A\nB\nC\nD", 7, &m), DD_EINVAL);
    assert_string_equal(m.error, "mrz: more than 3 lines");
}

static void
mrz_td1_long_document_numbers_continue_in_the_optional_data(void **state)
{
    (void)state;
    /* Part 5 §4.2.2: "D23145890" + "1234", '<' at 15, the check digit after the extension. */
    char l1[31] = "I<UTOD23145890<12342<<<<<<<<<<";
    char mrz[128];
    /* The check digit of D231458901234. */
    char cd = dd_mrz_check_digit("D231458901234", 13);
    l1[19] = cd;
    char l2[31] = "7408122F1204159UTO<<<<<<<<<<<0";
    char comp[64];
    snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", l1 + 5, l2, l2 + 8, l2 + 18);
    l2[29] = dd_mrz_check_digit(comp, 50);
    snprintf(mrz, sizeof mrz, "%s\n%s\nERIKSSON<<ANNA<MARIA<<<<<<<<<<", l1, l2);
    struct dd_mrz m;
    assert_int_equal(dd_mrz_parse(mrz, strlen(mrz), &m), DD_OK);
    assert_string_equal(m.document_number, "D231458901234");
    assert_int_equal(m.document_number_cd, cd);
}

static void
mrz_applies_the_vietnamese_card_rules(void **state)
{
    (void)state;
    struct dd_mrz m;
    assert_int_equal(dd_mrz_parse(VN, strlen(VN), &m), DD_OK);
    assert_true(m.vietnamese);
    assert_string_equal(m.document_number, "099012345");
    assert_string_equal(m.id_number, "001099012345");
    assert_string_equal(m.birth_iso, "1999-01-15");
    assert_string_equal(m.surname, "NGUYEN");
    assert_string_equal(m.given_names, "VAN AN");
    assert_int_equal(m.nchecks, 6);
    assert_string_equal(m.checks[4].field, "vn_id_number");
    assert_true(m.checks[4].ok);
    assert_string_equal(m.checks[5].field, "vn_id_birth");
    assert_true(m.checks[5].ok);
    char info[64];
    dd_mrz_bac_info(&m, info, sizeof info);
    assert_string_equal(info, "099012345999011553901153");

    /* Born in 2004 (digit 3: female, 2000s), 29 February: the century comes from the ID. */
    const char *vn2004 = "IDVNM3040012343079304001234<<<\n"
                         "0402291F2802297VNM<<<<<<<<<<<1\n"
                         "TRAN<<THI<BICH<NGOC<<<<<<<<<<<";
    assert_int_equal(dd_mrz_parse(vn2004, strlen(vn2004), &m), DD_OK);
    assert_string_equal(m.birth_iso, "2004-02-29");

    /* The ID number in the optional data must end with the document number. All check digits
     * still hold: the composite is recomputed. */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", VN);
    buf[15 + 11] = '6'; /* 001099012346 */
    char comp[64];
    snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", buf + 5, buf + 31, buf + 39, buf + 49);
    buf[31 + 29] = dd_mrz_check_digit(comp, 50);
    assert_int_equal(dd_mrz_parse(buf, strlen(buf), &m), DD_EINVAL);
    assert_string_equal(m.error, "vn_id_number: document number 099012345 must be the last 9 "
                                 "digits of ID number 001099012346");
    /* The sex does not agree with the ID number's fourth digit. */
    snprintf(buf, sizeof buf, "%s", VN);
    buf[31 + 7] = 'F';
    assert_int_equal(dd_mrz_parse(buf, strlen(buf), &m), DD_EINVAL);
    assert_string_equal(m.error, "vn_id_birth: ID number digits 4-6 (099) disagree with sex F "
                                 "and birth year 99");
    /* No ID number in the optional data. */
    snprintf(buf, sizeof buf, "%s", VN);
    memset(buf + 15, '<', 15);
    snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", buf + 5, buf + 31, buf + 39, buf + 49);
    buf[31 + 29] = dd_mrz_check_digit(comp, 50);
    assert_int_equal(dd_mrz_parse(buf, strlen(buf), &m), DD_EINVAL);
    assert_string_equal(m.error,
                        "vn_id_number: optional data must start with the 12-digit ID number");
}

static void
mrz_json_lists_every_check(void **state)
{
    (void)state;
    struct dd_mrz m;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", TD3);
    buf[45 + 19] = '0';
    dd_mrz_parse(buf, strlen(buf), &m);
    json_t *j = dd_card_mrz_json(&m);
    assert_true(json_is_false(json_object_get(j, "valid")));
    assert_string_equal(json_string_value(json_object_get(j, "error")),
                        "birth_date: check digit is 0, expected 2");
    json_t *c = json_array_get(json_object_get(j, "checks"), 1);
    assert_string_equal(json_string_value(json_object_get(c, "field")), "birth_date");
    assert_string_equal(json_string_value(json_object_get(c, "expected")), "2");
    assert_string_equal(json_string_value(json_object_get(c, "found")), "0");
    json_decref(j);
}

/* --- QR ------------------------------------------------------------------------------------- */

#define QR_OK                                                                                       \
    "001099012345|123456789|Nguyễn Văn An|15011999|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà " \
    "Nội|20052021"

static void
qr_reads_the_seven_fields(void **state)
{
    (void)state;
    struct dd_card_qr q;
    assert_int_equal(dd_card_qr_parse(QR_OK, strlen(QR_OK), "2026-01-01", &q), DD_OK);
    assert_true(q.valid);
    assert_string_equal(q.id_number, "001099012345");
    assert_string_equal(q.old_id_number, "123456789");
    assert_string_equal(q.full_name, "Nguyễn Văn An");
    assert_string_equal(q.birth_date, "1999-01-15");
    assert_string_equal(q.sex, "male");
    assert_string_equal(q.address, "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội");
    assert_string_equal(q.issue_date, "2021-05-20");
    json_t *j = dd_card_qr_json(&q);
    assert_string_equal(json_string_value(json_object_get(j, "birth_date")), "1999-01-15");
    json_decref(j);
}

static void
qr_accepts_the_documented_variants(void **state)
{
    (void)state;
    struct dd_card_qr q;
    const char *ok[] = {
        /* no old ID number */
        "001099012345||Nguyễn Văn An|15011999|Nam|Hà Nội|20052021",
        /* a scanner's line break after the text */
        "001099012345||Nguyễn Văn An|15011999|Nam|Hà Nội|20052021\r\n",
        /* Nữ precomposed and decomposed; capitals */
        "079304001234||Trần Thị Bích Ngọc|29022004|N\xe1\xbb\xaf|TP. Hồ Chí Minh|01072021",
        "079304001234||Trần Thị Bích Ngọc|29022004|Nu\xcc\x9b\xcc\x83|TP. Hồ Chí Minh|01072021",
        "079304001234||TRẦN THỊ BÍCH NGỌC|29022004|N\xe1\xbb\xae|TP. HỒ CHÍ MINH|01072021",
        "001099012345||NGUYỄN VĂN AN|15011999|NAM|HÀ NỘI|20052021",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (dd_card_qr_parse(ok[i], strlen(ok[i]), "2026-01-01", &q) != DD_OK)
            fail_msg("variant %zu refused: %s", i, q.error);
    }
    assert_string_equal(q.old_id_number, "");
}

static void
qr_refuses_others_with_the_reason(void **state)
{
    (void)state;
    static const struct {
        const char *text, *field, *error;
    } bad[] = {
        {"001099012345|123456789|Nguyễn Văn An|15011999|Nam|Hà Nội", "qr",
         "qr: 6 fields separated by '|'; expected 7 (ID number, old ID number, name, birth "
         "date, sex, address, issue date)"},
        {"001099012345|123456789|Nguyễn Văn An|15011999|Nam|Hà Nội|20052021|x", "qr", NULL},
        {"00109901234|123456789|Nguyễn Văn An|15011999|Nam|Hà Nội|20052021", "id_number",
         "id_number: must be 12 digits"},
        {"001099012345|12345678|Nguyễn Văn An|15011999|Nam|Hà Nội|20052021", "old_id_number",
         "old_id_number: must be 9 digits or empty"},
        {"001099012345||Nguy\xe1n|15011999|Nam|Hà Nội|20052021", "full_name", NULL},
        {"001099012345|||15011999|Nam|Hà Nội|20052021", "full_name", NULL},
        {"001099012345||A\tB|15011999|Nam|Hà Nội|20052021", "full_name", NULL},
        {"001099012345||An|31021999|Nam|Hà Nội|20052021", "birth_date",
         "birth_date: must be a real date written DDMMYYYY"},
        {"001099012345||An|1999-01-15|Nam|Hà Nội|20052021", "birth_date", NULL},
        {"001099012345||An|15011999|Male|Hà Nội|20052021", "sex", "sex: must be Nam or Nữ"},
        {"001099012345||An|15011999|Nam||20052021", "address", NULL},
        {"001099012345||An|15011999|Nam|Hà Nội|29022021", "issue_date", NULL},
        {"001099012345||An|15011999|Nam|Hà Nội|01011998", "issue_date",
         "issue_date: is before the date of birth"},
        {"001099012345||An|15011999|Nam|Hà Nội|02012026", "issue_date",
         "issue_date: is in the future"},
        {"001199012345||An|15011999|Nam|Hà Nội|20052021", "id_number",
         "id_number: digit 4 (1) does not match sex male born in 1999"},
        {"001098012345||An|15011999|Nam|Hà Nội|20052021", "id_number",
         "id_number: digits 5-6 (98) do not match the birth year 1999"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dd_card_qr q;
        assert_int_equal(dd_card_qr_parse(bad[i].text, strlen(bad[i].text), "2026-01-01", &q),
                         DD_EINVAL);
        assert_false(q.valid);
        assert_string_equal(q.field, bad[i].field);
        if (bad[i].error)
            assert_string_equal(q.error, bad[i].error);
    }
    /* Over the bound. */
    char big[DD_CARD_QR_MAX + 10];
    memset(big, 'a', sizeof big);
    struct dd_card_qr q;
    assert_int_equal(dd_card_qr_parse(big, sizeof big, NULL, &q), DD_EINVAL);
    assert_string_equal(q.error, "qr: longer than 1024 bytes");
    json_t *j = dd_card_qr_json(&q);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "qr");
    json_decref(j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tlv_reads_short_long_and_multibyte_forms),
        cmocka_unit_test(tlv_never_reads_past_its_input),
        cmocka_unit_test(tlv_headers_are_written_in_the_shortest_form),
        cmocka_unit_test(mrz_reads_the_icao_specimens),
        cmocka_unit_test(mrz_names_the_field_and_the_expected_digit),
        cmocka_unit_test(mrz_refuses_bad_layouts_with_the_reason),
        cmocka_unit_test(mrz_td1_long_document_numbers_continue_in_the_optional_data),
        cmocka_unit_test(mrz_applies_the_vietnamese_card_rules),
        cmocka_unit_test(mrz_json_lists_every_check),
        cmocka_unit_test(qr_reads_the_seven_fields),
        cmocka_unit_test(qr_accepts_the_documented_variants),
        cmocka_unit_test(qr_refuses_others_with_the_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
