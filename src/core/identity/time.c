/*
 * time.c — the identity module's few time computations: stored ISO timestamps back to
 * milliseconds, today's date in Vietnam, and a person's age in whole years.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define VIETNAM_OFFSET_MS (7 * ID_HOUR_MS)

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
id_time_parse(const char *iso, int64_t *ms)
{
    int y, mo, d, h, mi, s, frac = 0;
    size_t n = iso ? strlen(iso) : 0;
    if ((n != 20 && n != 24) || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' ||
        iso[13] != ':' || iso[16] != ':' || iso[n - 1] != 'Z')
        return DD_EINVAL;
    if (!digits(iso, 4, &y) || !digits(iso + 5, 2, &mo) || !digits(iso + 8, 2, &d) ||
        !digits(iso + 11, 2, &h) || !digits(iso + 14, 2, &mi) || !digits(iso + 17, 2, &s))
        return DD_EINVAL;
    if (n == 24 && (iso[19] != '.' || !digits(iso + 20, 3, &frac)))
        return DD_EINVAL;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    *ms = (int64_t)timegm(&tm) * 1000 + frac;
    return DD_OK;
}

const char *
id_time_text(struct dd_arena *a, int64_t ms)
{
    char buf[32];
    dd_clock_iso8601(ms, buf);
    return dd_arena_strdup(a, buf);
}

void
id_today(int64_t now_ms, char out[11])
{
    char buf[32];
    dd_clock_iso8601(now_ms + VIETNAM_OFFSET_MS, buf);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

int
id_age_years(const char *birth, const char *today)
{
    int by, bm = 12, bd = 31, ty, tm, td;
    size_t n = birth ? strlen(birth) : 0;
    if (n != 4 && n != 7 && n != 10)
        return -1;
    if (!digits(birth, 4, &by) || (n >= 7 && (birth[4] != '-' || !digits(birth + 5, 2, &bm))) ||
        (n == 10 && (birth[7] != '-' || !digits(birth + 8, 2, &bd))))
        return -1;
    if (!digits(today, 4, &ty) || !digits(today + 5, 2, &tm) || !digits(today + 8, 2, &td))
        return -1;
    int age = ty - by;
    if (tm < bm || (tm == bm && td < bd))
        age--;
    return age;
}
