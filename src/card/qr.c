/*
 * qr.c — the chip ID card's QR text: split on '|', check each field, and cross-check the ID
 * number with the sex and the date of birth.
 */
#include "card/qr.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define NFIELDS 7

struct span {
    const char *p;
    size_t n;
};

static int
fail(struct dd_card_qr *q, const char *field, const char *reason)
{
    q->valid = false;
    q->field = field;
    snprintf(q->error, sizeof q->error, "%s: %s", field, reason);
    return DD_EINVAL;
}

static bool
digits(struct span s, size_t want)
{
    if (s.n != want)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

static bool
same(struct span s, const char *word)
{
    return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

/* DDMMYYYY → YYYY-MM-DD when it is a real date. */
static bool
date_from(struct span s, char out[11])
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!digits(s, 8))
        return false;
    int d = (s.p[0] - '0') * 10 + (s.p[1] - '0');
    int m = (s.p[2] - '0') * 10 + (s.p[3] - '0');
    int y = 0;
    for (int i = 4; i < 8; i++)
        y = y * 10 + (s.p[i] - '0');
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return false;
    memcpy(out, s.p + 4, 4);
    out[4] = '-';
    memcpy(out + 5, s.p + 2, 2);
    out[7] = '-';
    memcpy(out + 8, s.p, 2);
    out[10] = '\0';
    return true;
}

/* A name or an address: non-empty UTF-8 without control characters, fitting in cap. */
static bool
text_from(struct span s, char *out, size_t cap)
{
    if (s.n == 0 || s.n >= cap || !dd_utf8_valid(s.p, s.n, NULL))
        return false;
    for (size_t i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7F)
            return false;
    memcpy(out, s.p, s.n);
    out[s.n] = '\0';
    return true;
}

static const char *
sex_from(struct span s)
{
    if (same(s, "Nam") || same(s, "NAM"))
        return "male";
    /* Nữ: U+1EEF precomposed or u + U+031B + U+0303; capital Ữ U+1EEE likewise. */
    if (same(s, "N\xe1\xbb\xaf") || same(s, "Nu\xcc\x9b\xcc\x83") || same(s, "N\xe1\xbb\xae") ||
        same(s, "NU\xcc\x9b\xcc\x83"))
        return "female";
    return NULL;
}

static void
today_utc(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int
dd_card_qr_parse(const char *p, size_t n, const char *today, struct dd_card_qr *out)
{
    memset(out, 0, sizeof *out);
    out->valid = true;
    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    if (n > DD_CARD_QR_MAX)
        return fail(out, "qr", "longer than 1024 bytes");
    struct span f[NFIELDS];
    size_t start = 0;
    int count = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '|')
            continue;
        if (count < NFIELDS)
            f[count] = (struct span){p + start, i - start};
        count++;
        start = i + 1;
    }
    out->nfields = count;
    if (count != NFIELDS) {
        char why[120];
        snprintf(why, sizeof why,
                 "%d fields separated by '|'; expected 7 (ID number, old ID "
                 "number, name, birth date, sex, address, issue date)",
                 count);
        return fail(out, "qr", why);
    }
    if (!digits(f[0], 12))
        return fail(out, "id_number", "must be 12 digits");
    memcpy(out->id_number, f[0].p, 12);
    if (f[1].n != 0 && !digits(f[1], 9))
        return fail(out, "old_id_number", "must be 9 digits or empty");
    memcpy(out->old_id_number, f[1].p, f[1].n);
    if (!text_from(f[2], out->full_name, sizeof out->full_name))
        return fail(out, "full_name", "must be 1 to 255 bytes of UTF-8 text");
    if (!date_from(f[3], out->birth_date))
        return fail(out, "birth_date", "must be a real date written DDMMYYYY");
    const char *sex = sex_from(f[4]);
    if (!sex)
        return fail(out, "sex", "must be Nam or Nữ");
    dd_strlcpy(out->sex, sex, sizeof out->sex);
    if (!text_from(f[5], out->address, sizeof out->address))
        return fail(out, "address", "must be 1 to 511 bytes of UTF-8 text");
    if (!date_from(f[6], out->issue_date))
        return fail(out, "issue_date", "must be a real date written DDMMYYYY");
    char now[11];
    if (!today) {
        today_utc(now);
        today = now;
    }
    if (strcmp(out->issue_date, out->birth_date) < 0)
        return fail(out, "issue_date", "is before the date of birth");
    if (strcmp(out->issue_date, today) > 0)
        return fail(out, "issue_date", "is in the future");
    int d = out->id_number[3] - '0';
    int century = 1900 + (d / 2) * 100;
    bool female = d % 2 == 1;
    char why[120];
    if (female != (strcmp(sex, "female") == 0) ||
        century / 100 != (out->birth_date[0] - '0') * 10 + (out->birth_date[1] - '0')) {
        snprintf(why, sizeof why, "digit 4 (%c) does not match sex %s born in %.4s",
                 out->id_number[3], sex, out->birth_date);
        return fail(out, "id_number", why);
    }
    if (memcmp(out->id_number + 4, out->birth_date + 2, 2) != 0) {
        snprintf(why, sizeof why, "digits 5-6 (%.2s) do not match the birth year %.4s",
                 out->id_number + 4, out->birth_date);
        return fail(out, "id_number", why);
    }
    return DD_OK;
}
