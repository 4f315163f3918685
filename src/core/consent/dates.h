/*
 * dates.h — calendar dates as day numbers (days since 1970-01-01), for consent periods and the
 * access log's five years: parsing and writing YYYY-MM-DD, adding years, and today in Vietnam.
 */
#ifndef DD_CORE_CONSENT_DATES_H
#define DD_CORE_CONSENT_DATES_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1–12, day 1–31, not checked). */
int64_t dd_days_from_civil(int year, int month, int day);

/* The date of a day number. */
void dd_civil_from_days(int64_t days, int *year, int *month, int *day);

/* Parses exactly "YYYY-MM-DD" (a real date, years 1800–9999) into a day number. DD_EINVAL on
 * anything else. Only the first 10 bytes are read when `prefix` is true (a timestamp's date). */
int dd_date_parse(const char *s, int prefix, int64_t *days);

/* Writes "YYYY-MM-DD" and a NUL. */
void dd_date_format(int64_t days, char out[11]);

/* The same day `years` later (earlier when negative); 29 February becomes 28 February in a year
 * without it. */
int64_t dd_days_add_years(int64_t days, int years);

/* The day in Vietnam (UTC+7, no daylight saving) at `now_ms`. */
int64_t dd_day_vietnam(int64_t now_ms);

#endif
