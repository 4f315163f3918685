/*
 * calendar.c — working days in Vietnam for legal processing times: Monday to Friday, less the
 * public holidays and days off of data/holidays-vn.csv (built into the binary; its header names
 * the sources), plus the Saturdays worked in exchange for a moved day. A day is counted as days
 * since 1970-01-01 (a Thursday) in Vietnam's time, UTC+7 all year.
 */
#include "base/embedded.h"
#include "base/log.h"
#include "core/services/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DAYS 200

struct special {
    int64_t day;
    bool off; /* false: a working Saturday */
};

static struct special specials[MAX_DAYS];
static size_t nspecials;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Days from civil date (proleptic Gregorian), after the well-known era-based method. */
static int64_t
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t
svc_day_parse(const char *s)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return -1;
    return days_from_civil(y, m, d);
}

void
svc_day_text(int64_t day, char out[11])
{
    int64_t z = day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    int digits[] = {y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10, -1,
                    m / 10,        m % 10,       -1,          d / 10, d % 10};
    for (int i = 0; i < 10; i++)
        out[i] = digits[i] < 0 ? '-' : (char)('0' + digits[i]);
    out[10] = '\0';
}

static int
by_day(const void *a, const void *b)
{
    int64_t x = ((const struct special *)a)->day, y = ((const struct special *)b)->day;
    return (x > y) - (x < y);
}

static void
load(void)
{
    const struct dd_embedded *e = dd_embedded_find("data/holidays-vn.csv");
    const char *p = e ? (const char *)e->data : "";
    while (*p && nspecials < MAX_DAYS) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char date[11];
        if (n > 15 && p[0] != '#') {
            memcpy(date, p, 10);
            date[10] = '\0';
            int64_t day = svc_day_parse(date);
            if (day >= 0) {
                specials[nspecials].day = day;
                specials[nspecials++].off = strncmp(p + 11, "off,", 4) == 0;
            }
        }
        p += n + (eol != NULL);
    }
    qsort(specials, nspecials, sizeof specials[0], by_day);
}

int64_t
svc_today(int64_t now_ms)
{
    return (now_ms + 7 * 3600000LL) / 86400000LL;
}

bool
svc_working_day(int64_t day)
{
    pthread_once(&once, load);
    struct special key = {.day = day};
    const struct special *s = bsearch(&key, specials, nspecials, sizeof key, by_day);
    if (s)
        return !s->off;
    int64_t wd = ((day % 7) + 7 + 3) % 7; /* 0 Monday … 6 Sunday; 1970-01-01 was a Thursday */
    return wd < 5;
}

int64_t
svc_add_working_days(int64_t day, int n)
{
    while (n > 0) {
        day++;
        if (svc_working_day(day))
            n--;
    }
    return day;
}

int
svc_working_days_between(int64_t from, int64_t to)
{
    int n = 0;
    for (int64_t d = from + 1; d <= to && n < 100000; d++)
        n += svc_working_day(d);
    return n;
}

bool
dd_services_calendar_check(int64_t now_ms)
{
    pthread_once(&once, load);
    char last[11] = "0000", today[11];
    if (nspecials > 0)
        svc_day_text(specials[nspecials - 1].day, last);
    svc_day_text(svc_today(now_ms), today);
    if (strncmp(today, last, 4) <= 0)
        return false;
    dd_log(DD_LOG_WARN, "services.calendar",
           "data/holidays-vn.csv ends with year %.4s and it is now %.4s: legal deadlines count "
           "weekends only until this year's holidays are added",
           last, today);
    return true;
}
