/*
 * stays.h — accommodation reporting (models 5, 6, 7; docs/STAYS.md): establishments approved by
 * the commune police report each guest's stay, hospitals their patients' overnight companions,
 * coach operators their trips' passengers; the police see them in time, with a watch list; the
 * tourism figures are kept from the stay events.
 *
 * This header holds the module and the deadline rules, which are pure functions of times so
 * that the edges (23:00, 08:00, 12 and 24 hours) are tested without a clock.
 */
#ifndef DD_CORE_STAYS_STAYS_H
#define DD_CORE_STAYS_STAYS_H

#include "http/route.h"

#include <stdbool.h>
#include <stdint.h>

extern const struct dd_module dd_module_stays;

/* Vietnam's time is UTC+7 all year (Asia/Ho_Chi_Minh has no daylight saving). */
#define DD_STAY_TZ_MS (7LL * 3600 * 1000)

/* When a stay that began at `arrived_ms` (ms since the epoch, UTC) must be reported by:
 * a Vietnamese guest arriving before 23:00 local time, by 23:00 that day; one arriving at 23:00
 * or later, by 08:00 the next day; a foreign guest within 12 hours of arrival, 24 hours when the
 * establishment is in a remote commune. */
int64_t dd_stay_due_ms(int64_t arrived_ms, bool foreign, bool remote);

/* True when a report made at `reported_ms` is late for `due_ms`: "before 23:00" means a report at
 * 23:00:00.000 exactly is late. */
bool dd_stay_late(int64_t reported_ms, int64_t due_ms);

/* Writes the local date (YYYY-MM-DD, Vietnam's time) of `ms` into out. */
void dd_stay_local_day(int64_t ms, char out[11]);

/* Parses an ISO 8601 time with seconds, optional fraction (up to milliseconds) and a zone:
 * "2026-11-29T22:59:59Z", "2026-11-29T22:59:59.500+07:00". DD_EINVAL for anything else. */
int dd_stay_time_parse(const char *s, int64_t *ms);

#endif
