/*
 * clock.h — time as dinhdanh stores it (UTC) and measures it (monotonic).
 */
#ifndef DD_BASE_CLOCK_H
#define DD_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, UTC. */
int64_t dd_clock_now_ms(void);

/* Monotonic nanoseconds, for durations only. */
int64_t dd_clock_mono_ns(void);

struct timespec;

/* Fills *ts with the CLOCK_REALTIME time `ms` milliseconds from now, for pthread_cond_timedwait. */
void dd_clock_deadline(struct timespec *ts, long ms);

/* Writes "2025-07-01T16:05:00.123Z" (25 bytes with the NUL) for a UTC epoch in ms. */
void dd_clock_iso8601(int64_t ms, char out[32]);

/* Writes the calendar day in Vietnam (UTC+7 all year) of a UTC epoch in ms, "2025-07-01" (11
 * bytes with the NUL): the "today" of dates people give (births, deaths), which from 00:00 to
 * 07:00 there is a day after UTC's. */
void dd_clock_vietnam_day(int64_t ms, char out[11]);

#endif
