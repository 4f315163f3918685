/*
 * dates.c — day numbers and dates (see dates.h), in pure arithmetic: Howard Hinnant's
 * days-from-civil and civil-from-days, with March-based years so that the leap day comes last.
 */
#include "core/consent/dates.h"
#include "base/err.h"

#include <string.h>

#define MS_PER_DAY     86400000LL
#define VIETNAM_OFFSET (7LL * 3600 * 1000)

int64_t
dd_days_from_civil(int year, int month, int day)
{
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = month > 2 ? month - 3 : month + 9;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
dd_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static int
month_length(int year, int month)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 ? 28 + leap : len[month - 1];
}

/* The value of n digits at s, or -1 if one of them is not a digit. */
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
dd_date_parse(const char *s, int prefix, int64_t *days)
{
    if (s == NULL || strnlen(s, 11) < 10 || (!prefix && s[10] != '\0') || s[4] != '-' ||
        s[7] != '-')
        return DD_EINVAL;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > month_length(y, m))
        return DD_EINVAL;
    *days = dd_days_from_civil(y, m, d);
    return DD_OK;
}

void
dd_date_format(int64_t days, char out[11])
{
    int y, m, d;
    dd_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int64_t
dd_days_add_years(int64_t days, int years)
{
    int y, m, d;
    dd_civil_from_days(days, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && month_length(y, 2) == 28)
        d = 28;
    return dd_days_from_civil(y, m, d);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : (a - b + 1) / b;
}

int64_t
dd_day_vietnam(int64_t now_ms)
{
    return floor_div(now_ms + VIETNAM_OFFSET, MS_PER_DAY);
}
