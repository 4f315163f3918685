/*
 * mrz.c — TD1 and TD3 machine-readable zones: layout, check digits, names, dates, and the
 * Vietnamese ID card's rules.
 */
#include "card/mrz.h"
#include "base/err.h"
#include "base/str.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int
char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c == '<')
        return 0;
    return -1;
}

char
dd_mrz_check_digit(const char *s, size_t n)
{
    static const int weights[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = char_value(s[i]);
        if (v < 0)
            return 0;
        sum += v * weights[i % 3];
    }
    return (char)('0' + sum % 10);
}

/* Copies s[0..n) without trailing fillers. */
static void
copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == '<')
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Marks the MRZ invalid; the first reason is kept. */
static void
fail(struct dd_mrz *m, const char *reason)
{
    if (m->valid)
        dd_strlcpy(m->error, reason, sizeof m->error);
    m->valid = false;
}

/* Adds a check-digit check of s[0..n) against the digit `found`. A filler `found` is accepted
 * for an all-filler field when `filler_ok` (the TD3 personal number). */
static void
check(struct dd_mrz *m, const char *field, const char *s, size_t n, char found, bool filler_ok)
{
    if (m->nchecks >= DD_MRZ_MAX_CHECKS)
        return;
    struct dd_mrz_check *c = &m->checks[m->nchecks++];
    c->field = field;
    c->found = found;
    c->expected = dd_mrz_check_digit(s, n);
    c->ok = c->expected == found;
    if (!c->ok && filler_ok && found == '<') {
        bool empty = true;
        for (size_t i = 0; i < n; i++)
            empty = empty && s[i] == '<';
        c->ok = empty;
    }
    if (c->ok)
        return;
    char msg[200];
    snprintf(c->reason, sizeof c->reason, "check digit is %c, expected %c", found ? found : '?',
             c->expected ? c->expected : '?');
    snprintf(msg, sizeof msg, "%s: %s", field, c->reason);
    fail(m, msg);
}

static void
vn_check(struct dd_mrz *m, const char *field, bool ok, const char *reason)
{
    if (m->nchecks >= DD_MRZ_MAX_CHECKS)
        return;
    struct dd_mrz_check *c = &m->checks[m->nchecks++];
    c->field = field;
    c->ok = ok;
    dd_strlcpy(c->reason, reason, sizeof c->reason);
    if (!ok) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s: %s", field, reason);
        fail(m, msg);
    }
}

static bool
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int
two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYMMDD with a real month and day (29 February only in leap years of `century`). */
static bool
date_ok(const char *s, int century)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!all_digits(s, 6))
        return false;
    int y = century + two(s), mo = two(s + 2), d = two(s + 4);
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(mo == 2 && d == 29 && !leap);
}

static void
iso_date(char out[11], int century, const char *yymmdd)
{
    unsigned y = (unsigned)(century + two(yymmdd)) % 10000;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    memcpy(out + 5, yymmdd + 2, 2);
    out[7] = '-';
    memcpy(out + 8, yymmdd + 4, 2);
    out[10] = '\0';
}

static int
current_yy(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return (tm.tm_year + 1900) % 100;
}

/* Splits the name field: SURNAME<<GIVEN<NAMES, fillers between words becoming spaces. */
static void
split_name(struct dd_mrz *m, const char *s, size_t n)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '<' && s[i + 1] == '<') {
            sep = s + i;
            break;
        }
    size_t sn = sep ? (size_t)(sep - s) : n;
    copy_field(m->surname, sizeof m->surname, s, sn);
    if (sep)
        copy_field(m->given_names, sizeof m->given_names, sep + 2, n - sn - 2);
    for (char *p = m->surname; *p; p++)
        if (*p == '<')
            *p = ' ';
    for (char *p = m->given_names; *p; p++)
        if (*p == '<')
            *p = ' ';
}

/* Reads the dates and sex shared by TD1 line 2 and TD3 line 2 (positions differ). */
static void
dates_and_sex(struct dd_mrz *m, const char *birth, const char *expiry, char sex)
{
    memcpy(m->birth_date, birth, 6);
    memcpy(m->expiry_date, expiry, 6);
    m->sex = sex;
    char msg[200];
    if (sex != 'M' && sex != 'F' && sex != '<') {
        snprintf(msg, sizeof msg, "sex: '%c' is not M, F or <", sex);
        fail(m, msg);
    }
    if (!date_ok(birth, 2000) && !date_ok(birth, 1900)) {
        snprintf(msg, sizeof msg, "birth_date: '%s' is not a date (YYMMDD)", m->birth_date);
        fail(m, msg);
    } else {
        iso_date(m->birth_iso, two(birth) > current_yy() ? 1900 : 2000, birth);
    }
    if (!date_ok(expiry, 2000)) {
        snprintf(msg, sizeof msg, "expiry_date: '%s' is not a date (YYMMDD)", m->expiry_date);
        fail(m, msg);
    } else
        iso_date(m->expiry_iso, 2000, expiry);
}

static void
parse_td1(struct dd_mrz *m, const char *l1, const char *l2, const char *l3)
{
    m->format = DD_MRZ_TD1;
    copy_field(m->document_code, sizeof m->document_code, l1, 2);
    copy_field(m->issuing_state, sizeof m->issuing_state, l1 + 2, 3);
    if (l1[14] == '<' && l1[15] != '<') {
        /* A number over 9 characters: the rest in the optional data, then its check digit. */
        size_t k = 15;
        while (k < 30 && l1[k] != '<')
            k++;
        char num[32];
        memcpy(num, l1 + 5, 9);
        size_t extra = k - 15 - 1; /* the last character before the filler is the check digit */
        memcpy(num + 9, l1 + 15, extra);
        copy_field(m->document_number, sizeof m->document_number, num, 9 + extra);
        m->document_number_cd = l1[k - 1];
        check(m, "document_number", num, 9 + extra, l1[k - 1], false);
        copy_field(m->optional1, sizeof m->optional1, l1 + k, 30 - k);
    } else {
        copy_field(m->document_number, sizeof m->document_number, l1 + 5, 9);
        m->document_number_cd = l1[14];
        check(m, "document_number", l1 + 5, 9, l1[14], false);
        copy_field(m->optional1, sizeof m->optional1, l1 + 15, 15);
    }
    dates_and_sex(m, l2, l2 + 8, l2[7]);
    check(m, "birth_date", l2, 6, l2[6], false);
    check(m, "expiry_date", l2 + 8, 6, l2[14], false);
    copy_field(m->nationality, sizeof m->nationality, l2 + 15, 3);
    copy_field(m->optional2, sizeof m->optional2, l2 + 18, 11);
    char composite[60];
    memcpy(composite, l1 + 5, 25);
    memcpy(composite + 25, l2, 7);
    memcpy(composite + 32, l2 + 8, 7);
    memcpy(composite + 39, l2 + 18, 11);
    check(m, "composite", composite, 50, l2[29], false);
    split_name(m, l3, 30);
}

static void
parse_td3(struct dd_mrz *m, const char *l1, const char *l2)
{
    m->format = DD_MRZ_TD3;
    copy_field(m->document_code, sizeof m->document_code, l1, 2);
    copy_field(m->issuing_state, sizeof m->issuing_state, l1 + 2, 3);
    split_name(m, l1 + 5, 39);
    copy_field(m->document_number, sizeof m->document_number, l2, 9);
    m->document_number_cd = l2[9];
    check(m, "document_number", l2, 9, l2[9], false);
    copy_field(m->nationality, sizeof m->nationality, l2 + 10, 3);
    dates_and_sex(m, l2 + 13, l2 + 21, l2[20]);
    check(m, "birth_date", l2 + 13, 6, l2[19], false);
    check(m, "expiry_date", l2 + 21, 6, l2[27], false);
    copy_field(m->optional1, sizeof m->optional1, l2 + 28, 14);
    check(m, "personal_number", l2 + 28, 14, l2[42], true);
    char composite[40];
    memcpy(composite, l2, 10);
    memcpy(composite + 10, l2 + 13, 7);
    memcpy(composite + 17, l2 + 21, 22);
    check(m, "composite", composite, 39, l2[43], false);
}

/* The Vietnamese card: the 12-digit ID number opens the optional data, its last 9 digits are the
 * document number, its 4th digit gives century and sex and the next two the year of birth. */
static void
vietnamese_rules(struct dd_mrz *m)
{
    m->vietnamese = true;
    char reason[120];
    const char *opt = m->optional1;
    if (strlen(opt) < 12 || !all_digits(opt, 12)) {
        vn_check(m, "vn_id_number", false, "optional data must start with the 12-digit ID number");
        return;
    }
    memcpy(m->id_number, opt, 12);
    m->id_number[12] = '\0';
    bool same = strcmp(m->id_number + 3, m->document_number) == 0;
    snprintf(reason, sizeof reason, "document number %s %s the last 9 digits of ID number %s",
             m->document_number, same ? "is" : "must be", m->id_number);
    vn_check(m, "vn_id_number", same, reason);
    if (!m->birth_iso[0])
        return;
    int d = m->id_number[3] - '0';
    bool sex_ok = m->sex == '<' || (d % 2 == 0) == (m->sex == 'M');
    bool year_ok = m->id_number[4] == m->birth_date[0] && m->id_number[5] == m->birth_date[1];
    snprintf(reason, sizeof reason, "ID number digits 4-6 (%.3s) %s sex %c and birth year %.2s",
             m->id_number + 3, sex_ok && year_ok ? "agree with" : "disagree with", m->sex,
             m->birth_date);
    vn_check(m, "vn_id_birth", sex_ok && year_ok, reason);
    if (sex_ok && year_ok && date_ok(m->birth_date, 1900 + (d / 2) * 100))
        iso_date(m->birth_iso, 1900 + (d / 2) * 100, m->birth_date);
}

int
dd_mrz_parse(const char *text, size_t len, struct dd_mrz *out)
{
    memset(out, 0, sizeof *out);
    out->valid = true;
    char buf[DD_MRZ_MAX_TEXT];
    size_t n = 0, lines = 0, line_len[4] = {0};
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    if (len > 2 * DD_MRZ_MAX_TEXT) {
        fail(out, "mrz: too long");
        return DD_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
                i++;
            if (++lines >= 3) {
                fail(out, "mrz: more than 3 lines");
                return DD_EINVAL;
            }
            continue;
        }
        if (char_value(c) < 0) {
            char msg[80];
            snprintf(msg, sizeof msg, "mrz: character %zu is not A-Z, 0-9 or <", i + 1);
            fail(out, msg);
            return DD_EINVAL;
        }
        if (n >= sizeof buf - 1) {
            fail(out, "mrz: too long");
            return DD_EINVAL;
        }
        buf[n++] = c;
        line_len[lines]++;
    }
    if (n == 90 && (lines == 0 || (lines == 2 && line_len[0] == 30 && line_len[1] == 30))) {
        parse_td1(out, buf, buf + 30, buf + 60);
    } else if (n == 88 && (lines == 0 || (lines == 1 && line_len[0] == 44))) {
        parse_td3(out, buf, buf + 44);
    } else {
        char msg[120];
        snprintf(msg, sizeof msg,
                 "mrz: %zu characters in %zu lines; expected TD1 (3 lines of 30) or TD3 (2 lines "
                 "of 44)",
                 n, lines + 1);
        fail(out, msg);
        return DD_EINVAL;
    }
    if (strcmp(out->issuing_state, "VNM") == 0 && out->format == DD_MRZ_TD1 &&
        out->document_code[0] == 'I')
        vietnamese_rules(out);
    return out->valid ? DD_OK : DD_EINVAL;
}

size_t
dd_mrz_bac_info(const struct dd_mrz *m, char *out, size_t cap)
{
    size_t dn = strlen(m->document_number);
    size_t pad = dn < 9 ? 9 - dn : 0;
    size_t need = dn + pad + 1 + 7 + 7;
    if (need + 1 > cap)
        return 0;
    memcpy(out, m->document_number, dn);
    memset(out + dn, '<', pad);
    size_t k = dn + pad;
    out[k++] = m->document_number_cd;
    memcpy(out + k, m->birth_date, 6);
    out[k + 6] = dd_mrz_check_digit(m->birth_date, 6);
    memcpy(out + k + 7, m->expiry_date, 6);
    out[k + 13] = dd_mrz_check_digit(m->expiry_date, 6);
    out[need] = '\0';
    return need;
}
