/*
 * idnumber.c — rules of the 12-digit personal ID number and of partial dates.
 *
 * The number is PPP C YY NNNNNN: PPP the province (or country, for births abroad) where the
 * birth was registered, C the century and sex, YY the last two digits of the year of birth, and
 * six digits in sequence. The law guarantees only the 12 digits, so an unknown place code is a
 * warning; a century/sex digit or year that contradicts the person's sex and year of birth is
 * an error.
 */
#include "core/register/person.h"

#include <stdio.h>
#include <string.h>

/* Place codes of birth registration: the 63 provinces as coded before 1 July 2025, written with
 * a leading zero (General Statistics Office province codes). */
static const char *const place_codes[] = {
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
};

static void
add_issue(struct dd_person_check *out, const char *field, const char *code, bool warning,
          const char *vi, const char *en)
{
    if (out->count >= DD_PERSON_MAX_ISSUES)
        return;
    struct dd_person_issue *i = &out->issues[out->count++];
    i->field = field;
    i->code = code;
    i->warning = warning;
    snprintf(i->message_vi, sizeof i->message_vi, "%s", vi);
    snprintf(i->message_en, sizeof i->message_en, "%s", en);
    if (!warning)
        out->errors++;
}

int
dd_idnumber_century_digit(const char *sex, int year)
{
    if (sex == NULL || year < 1900 || year > 2399)
        return -1;
    int base = (year - 1900) / 100 * 2;
    return base + (strcmp(sex, "female") == 0 ? 1 : 0);
}

static bool
place_known(const char *id)
{
    for (size_t i = 0; i < sizeof place_codes / sizeof place_codes[0]; i++)
        if (strncmp(id, place_codes[i], 3) == 0)
            return true;
    return false;
}

void
dd_idnumber_check(const char *id, const char *sex, int birth_year, struct dd_person_check *out)
{
    size_t n = id ? strlen(id) : 0;
    if (n != 12) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Số định danh cá nhân phải có đúng 12 chữ số (đang có %zu).", n);
        snprintf(en, sizeof en, "The personal ID number must have exactly 12 digits (it has %zu).",
                 n);
        add_issue(out, "id_number", "id-length", false, vi, en);
        return;
    }
    for (size_t i = 0; i < 12; i++) {
        if (id[i] < '0' || id[i] > '9') {
            add_issue(out, "id_number", "id-digits", false, "Số định danh cá nhân chỉ gồm chữ số.",
                      "The personal ID number holds digits only.");
            return;
        }
    }
    if (!place_known(id))
        add_issue(out, "id_number", "id-place-unknown", true,
                  "Ba chữ số đầu (nơi đăng ký khai sinh) không có trong bảng mã tỉnh.",
                  "The first three digits (place of birth registration) are not a known code.");
    int digit = id[3] - '0';
    int expected = dd_idnumber_century_digit(sex, birth_year);
    if (expected >= 0 && digit != expected) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi,
                 "Chữ số thứ 4 (thế kỷ và giới tính) là %d, nhưng %s sinh năm %d phải là %d.",
                 digit, strcmp(sex, "female") == 0 ? "nữ" : "nam", birth_year, expected);
        snprintf(en, sizeof en,
                 "The 4th digit (century and sex) is %d, but a %s born in %d needs %d.", digit, sex,
                 birth_year, expected);
        add_issue(out, "id_number", "id-century-sex", false, vi, en);
    }
    int yy = (id[4] - '0') * 10 + (id[5] - '0');
    if (birth_year > 0 && yy != birth_year % 100) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Chữ số thứ 5–6 (năm sinh) là %02d, nhưng năm sinh là %d.", yy,
                 birth_year);
        snprintf(en, sizeof en, "Digits 5–6 (year of birth) are %02d, but the year is %d.", yy,
                 birth_year);
        add_issue(out, "id_number", "id-year", false, vi, en);
    }
}

static int
digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int
dd_partial_date_year(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n != 4 && n != 7 && n != 10)
        return -1;
    int year = digits(s, 4);
    if (year < 1800 || year > 2399)
        return -1;
    if (n == 4)
        return year;
    int month = s[4] == '-' ? digits(s + 5, 2) : -1;
    if (month < 1 || month > 12)
        return -1;
    if (n == 7)
        return year;
    static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max = days_in[month - 1] + (month == 2 && leap ? 1 : 0);
    int day = s[7] == '-' ? digits(s + 8, 2) : -1;
    if (day < 1 || day > max)
        return -1;
    return year;
}
