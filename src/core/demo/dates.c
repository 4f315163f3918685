/*
 * dates.c — calendar arithmetic for the demo generator: dates as days since 1970-01-01 (before
 * it, negative), converted with the civil-calendar algorithms of Howard Hinnant's
 * "chrono-Compatible Low-Level Date Algorithms".
 */
#include "core/demo/internal.h"

#include <stdio.h>
#include <string.h>

int32_t
dd_demo_days(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = month > 2 ? month - 3 : month + 9;
    int doy = (153 * mp + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void
dd_demo_civil(int32_t days, int *year, int *month, int *day)
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (*month <= 2);
}

static int
month_length(int year, int month)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return len[month - 1] + (month == 2 && leap);
}

int
dd_demo_parse_date(const char *s, int32_t *days)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int v[3] = {0, 0, 0};
    const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < len[f]; i++) {
            char c = s[start[f] + i];
            if (c < '0' || c > '9')
                return -1;
            v[f] = v[f] * 10 + (c - '0');
        }
    }
    if (v[0] < 1900 || v[0] > 2399 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
        v[2] > month_length(v[0], v[1]))
        return -1;
    *days = dd_demo_days(v[0], v[1], v[2]);
    return 0;
}

void
dd_demo_format_date(int32_t days, int precision, char out[11])
{
    int y, m, d;
    dd_demo_civil(days, &y, &m, &d);
    if (precision == DATE_YEAR)
        snprintf(out, 11, "%04d", y);
    else if (precision == DATE_MONTH)
        snprintf(out, 11, "%04d-%02d", y, m);
    else
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int
dd_demo_years_between(int32_t from, int32_t to)
{
    int y1, m1, d1, y2, m2, d2;
    dd_demo_civil(from, &y1, &m1, &d1);
    dd_demo_civil(to, &y2, &m2, &d2);
    int years = y2 - y1;
    if (m2 < m1 || (m2 == m1 && d2 < d1))
        years--;
    return years;
}

int32_t
dd_demo_add_years(int32_t days, int years)
{
    int y, m, d;
    dd_demo_civil(days, &y, &m, &d);
    y += years;
    if (d > month_length(y, m))
        d = month_length(y, m);
    return dd_demo_days(y, m, d);
}
