/*
 * insight.h — the leaders' dashboards (models 27–30): population, labour, tourism and public
 * order figures kept in aggregate tables (migration 0023) by the `insight` event consumer,
 * rebuilt from scratch by `dinhdanh insight rebuild`, read by commune and month range through
 * /api/v1/insight/…, and exported as CSV or XLSX with small cells suppressed for readers outside
 * the police (docs/INSIGHT.md).
 */
#ifndef DD_CORE_INSIGHT_INSIGHT_H
#define DD_CORE_INSIGHT_INSIGHT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dd_arena;
struct dd_buf;
struct dd_db;
struct dd_event;
struct dd_module;

extern const struct dd_module dd_module_insight;

/* Applies one event to the aggregate tables inside the caller's transaction: register events
 * (their "before"/"after" figures, births, deaths, permanent moves), stay check-ins and
 * check-outs (the only writer of the daily tourism figures too), labour records. An event at or
 * below the last rebuild's watermark changes nothing; before the first rebuild, and on a bulk load
 * of people (register.imported, register.demo_created), the tables are rebuilt instead. DD_OK or a
 * DD_E… code. */
int dd_insight_apply(struct dd_db *db, const struct dd_event *ev);

/* Sets the threshold of small-cell suppression in exports outside the police (default 5). */
void dd_insight_configure(long suppress_below);

struct dd_insight_rebuild_report {
    int64_t watermark; /* the newest event the tables now include */
    int64_t people;    /* living people counted */
    int64_t elapsed_ms;
};

/* Empties the aggregate tables and computes them again inside the caller's transaction: stocks
 * from the people and labour tables, flows by replaying the register's birth, death and move
 * events, tourism (the daily figures of the stays module's API and the monthly ones), length of
 * stay and public order from the stays and their watch-list alerts. On PostgreSQL it first locks
 * the outbox against new events so that the tables and the watermark agree. `rep` may be NULL. */
int dd_insight_rebuild(struct dd_db *db, struct dd_insight_rebuild_report *rep);

/* SQLite only: dd_insight_rebuild in two steps, for a database in use — every figure computed
 * in a read snapshot (into temporary tables of the same names, so writers go on meanwhile), then
 * stored in a short write transaction; the watermark is the snapshot's newest event. The people
 * and the stays are read by this connection and a second one on the same snapshot, a thread
 * each, when the file can be opened again. Needs a connection with no open transaction;
 * DD_EINVAL on PostgreSQL or inside one. */
int dd_insight_rebuild_staged(struct dd_db *db, struct dd_insight_rebuild_report *rep);

/* Replaces the communes' areas (insight_commune_areas) with those of a CSV read from `in`: a
 * header line, then province_code,commune_code,area_km2,source per line (blank lines and lines
 * starting with # skipped), inside the caller's transaction. *rows = areas stored. DD_EINVAL with
 * the line in `err` for a bad line (the caller rolls back). */
int dd_insight_areas_load(struct dd_db *db, FILE *in, int64_t *rows, char *err, size_t errlen);

/* Writes an XLSX workbook of one sheet named `sheet` (letters, digits, spaces; at most 31
 * bytes) into `out`: `ncols` column headers, then `nrows` rows of `ncols` cells each (row-major
 * in `cells`); a cell whose text is a decimal integer is written as a number, others as inline
 * strings. The package is a ZIP of stored parts with their CRC-32. DD_ETOOBIG when `out` is
 * full. */
int dd_xlsx_write(struct dd_buf *out, const char *sheet, const char *const *headers, size_t ncols,
                  const char *const *cells, size_t nrows);

#endif
