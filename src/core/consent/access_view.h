/*
 * access_view.h — a person's own view of the access log: who read or changed their data, newest
 * first, for the last five years (core/access_log.h writes it).
 *
 * `access_log` has no index by person (core/access_log.h): a person's rows are found through
 * `access_log_by_person` (day, id_number, id), newest day first, each statement probing the index
 * for a run of days (`day IN (…)`, 8 days, then 64, then 512 at a time), so a page costs a few
 * statements whether the person was read yesterday or never in five years; plus the rows not
 * yet indexed (past `access_log_indexed.upto`, the log's short tail on SQLite, nothing on
 * PostgreSQL), scanned once per page. A position (day, id) orders the rows: newest day first,
 * then newest id; a page starts after the position of the one before.
 */
#ifndef DD_CORE_CONSENT_ACCESS_VIEW_H
#define DD_CORE_CONSENT_ACCESS_VIEW_H

#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;

#define DD_ACCESS_RETENTION_YEARS 5  /* rows older than this are not shown */
#define DD_ACCESS_POS_MAX         48 /* bytes of a position written as text, with the NUL */

/* Where a page starts: after the row (day, id), in newest-first order. */
struct dd_access_pos {
    int64_t day; /* days since 1970-01-01 (UTC) of the row's time */
    int64_t id;
};

/* One row, strings in the arena given to the reader. */
struct dd_access_entry {
    int64_t id;
    int64_t day;
    const char *at;         /* UTC timestamp */
    const char *actor;      /* "officer:12", "establishment:4", … */
    const char *actor_name; /* the reader's name as recorded */
    const char *role;
    const char *agency;
    const char *action; /* read, search, change, export */
    const char *data;   /* person, history, household, … */
    const char *purpose;
    const char *request_id;
};

/* What to read: the person, a reader to leave out (the person's own actor, so that their own
 * reads are not shown; NULL or "" for none), and the oldest day shown. */
struct dd_access_query {
    const char *id_number;
    const char *exclude_actor;
    int64_t oldest_day;
};

/* The oldest day shown at `now_ms`: the same date DD_ACCESS_RETENTION_YEARS years earlier (UTC). */
int64_t dd_access_oldest_day(int64_t now_ms);

/* The position before the newest row at `now_ms` (rows of today and earlier follow it). */
struct dd_access_pos dd_access_pos_first(int64_t now_ms);

/* Writes a position as a page cursor "DAY.ID"; parses one back (DD_EINVAL when malformed). */
void dd_access_pos_format(const struct dd_access_pos *p, char out[DD_ACCESS_POS_MAX]);
int dd_access_pos_parse(const char *s, struct dd_access_pos *p);

/* Reads up to `limit` (1–1000) rows of the query after *pos, newest first, into rows[] (room for
 * limit), strings in `a`. *n is the count; *more is true when rows remain after them, and *pos
 * then is the last row's position (the next page's start). Reads the unindexed tail before the
 * index and drops a row met in both, so indexing running meanwhile neither hides nor repeats a
 * row. Returns DD_OK or the database's error. */
int dd_access_page(struct dd_db *db, struct dd_arena *a, const struct dd_access_query *q,
                   struct dd_access_pos *pos, int limit, struct dd_access_entry *rows, int *n,
                   bool *more);

/* The kind of reader of an actor: "officer", "establishment", "client", "citizen", or "system"
 * for anything else. */
const char *dd_access_reader_kind(const char *actor);

#endif
