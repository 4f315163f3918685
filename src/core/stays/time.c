/*
 * time.c — the deadline rules of stays (Law on Residence 2020, art. 30; Circular 55/2021/TT-BCA
 * art. 15): local days in Vietnam's time, the time a notification is due, and parsing the times
 * that clients send.
 */
#include "base/err.h"
#include "core/stays/stays.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define HOUR_MS (3600LL * 1000)
#define DAY_MS  (24 * HOUR_MS)

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
dd_stay_due_ms(int64_t arrived_ms, bool foreign, bool remote)
{
    if (foreign)
        return arrived_ms + (remote ? 24 : 12) * HOUR_MS;
    int64_t local = arrived_ms + DD_STAY_TZ_MS;
    int64_t day_start = floor_div(local, DAY_MS) * DAY_MS;
    int64_t due_local = local - day_start < 23 * HOUR_MS ? day_start + 23 * HOUR_MS
                                                         : day_start + DAY_MS + 8 * HOUR_MS;
    return due_local - DD_STAY_TZ_MS;
}

bool
dd_stay_late(int64_t reported_ms, int64_t due_ms)
{
    return reported_ms >= due_ms;
}

void
dd_stay_local_day(int64_t ms, char out[11])
{
    time_t t = (time_t)floor_div(ms + DD_STAY_TZ_MS, 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char text[48];
    snprintf(text, sizeof text, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    snprintf(out, 11, "%.10s", text);
}

/* n digits at s into *out; false if any is not a digit. */
static bool
digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int
dd_stay_time_parse(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec, frac = 0;
    size_t n = s ? strlen(s) : 0;
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return DD_EINVAL;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return DD_EINVAL;
    const char *p = s + 19;
    if (*p == '.') {
        int nd = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, nd++)
            if (nd < 3)
                frac = frac * 10 + (*p - '0');
        if (nd == 0 || nd > 9)
            return DD_EINVAL;
        for (; nd < 3; nd++)
            frac *= 10;
    }
    int64_t offset = 0;
    if (strcmp(p, "Z") != 0) {
        int oh, om;
        if (strlen(p) != 6 || (p[0] != '+' && p[0] != '-') || p[3] != ':' ||
            !digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 14 || om > 59)
            return DD_EINVAL;
        offset = (oh * 60LL + om) * 60 * 1000 * (p[0] == '-' ? -1 : 1);
    }
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return DD_EINVAL;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != mo - 1)
        return DD_EINVAL; /* 31 November, 29 February of a common year */
    *ms = (int64_t)t * 1000 + frac - offset;
    return DD_OK;
}
