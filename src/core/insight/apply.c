/*
 * apply.c — one event into the aggregate tables.
 *
 * Register events carry the person's figures before and after the change (register/
 * event_dims.c): one person leaves the cells of "before" and enters those of "after" when
 * counted (not dead). Births, deaths and permanent moves also count in the month of their date.
 * Stay check-ins and check-outs go to tourism.c, which adds the daily and the monthly tourism
 * figures to a tally (tally.c): dd_insight_apply writes it after the one event, the event
 * consumer after each batch.
 */
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/insight/insight.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *
str(json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? s : "";
}

int
insight_step(struct dd_db *db, const char *sql, const char *const *text, size_t ntext, int64_t last)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    for (size_t i = 0; i < ntext; i++)
        dd_stmt_bind_text(st, (int)i + 1, text[i]);
    dd_stmt_bind_int64(st, (int)ntext + 1, last);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

void
insight_month(const char *date, char out[8])
{
    if (date && strlen(date) >= 7 && date[4] == '-')
        snprintf(out, 8, "%.7s", date);
    else if (date && strlen(date) >= 4)
        snprintf(out, 8, "%.4s-01", date);
    else
        snprintf(out, 8, "0000-00");
}

const char insight_population_upsert[] =
    "INSERT INTO insight_population (province_code, commune_code, birth_year, sex, people) VALUES "
    "(?, ?, ?, ?, ?) ON CONFLICT (province_code, commune_code, birth_year, sex) DO UPDATE SET "
    "people = insight_population.people + excluded.people";

const char insight_composition_upsert[] =
    "INSERT INTO insight_composition (province_code, commune_code, dimension, value, people) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (province_code, commune_code, dimension, value) DO UPDATE "
    "SET people = insight_composition.people + excluded.people";

/* One person in (n = 1) or out (n = -1) of the cells of figures `d`. */
static int
person_cells(struct dd_db *db, json_t *d, int64_t n)
{
    if (!json_is_object(d) || strcmp(str(d, "status"), "dead") == 0)
        return DD_OK;
    const char *year = str(d, "birth_year");
    int64_t y = 0;
    if (dd_parse_int64(year, 0, 9999, &y) != DD_OK)
        y = 0;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, insight_population_upsert, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, str(d, "province"));
    dd_stmt_bind_text(st, 2, str(d, "commune"));
    dd_stmt_bind_int64(st, 3, y);
    dd_stmt_bind_text(st, 4, str(d, "sex"));
    dd_stmt_bind_int64(st, 5, n);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc != DD_DB_DONE)
        return rc;
    const char *sql = insight_composition_upsert;
    const char *eth[] = {str(d, "province"), str(d, "commune"), "ethnicity", str(d, "ethnicity")};
    const char *rel[] = {str(d, "province"), str(d, "commune"), "religion", str(d, "religion")};
    rc = insight_step(db, sql, eth, 4, n);
    if (rc == DD_OK)
        rc = insight_step(db, sql, rel, 4, n);
    if (rc == DD_OK && str(d, "temporary_commune")[0]) {
        const char *org[] = {str(d, "temporary_province"), str(d, "temporary_commune"), "origin",
                             str(d, "province")};
        rc = insight_step(db, sql, org, 4, n);
    }
    return rc;
}

/* Adds n to one column (births, deaths, moves_in, moves_out) of a commune's month. */
static int
flow(struct dd_db *db, const char *column, const char *province, const char *commune,
     const char *month, int64_t n)
{
    if (commune[0] == '\0')
        return DD_OK;
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO insight_flows (province_code, commune_code, month, %s) VALUES (?, ?, "
             "?, ?) ON CONFLICT (province_code, commune_code, month) DO UPDATE SET %s = "
             "insight_flows.%s + "
             "excluded.%s",
             column, column, column, column);
    const char *t[] = {province, commune, month};
    return insight_step(db, sql, t, 3, n);
}

static int
moved(struct dd_db *db, json_t *p)
{
    if (strcmp(str(p, "kind"), "permanent") != 0)
        return DD_OK;
    json_t *from = json_object_get(p, "from"), *to = json_object_get(p, "to");
    char month[8];
    insight_month(str(p, "since"), month);
    const char *t[] = {month, str(from, "province"), str(from, "commune"), str(to, "province"),
                       str(to, "commune")};
    int rc = insight_step(db,
                          "INSERT INTO insight_moves (month, from_province, from_commune, "
                          "to_province, to_commune, moves) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                          "(month, from_commune, to_commune, from_province, to_province) DO UPDATE "
                          "SET moves = insight_moves.moves + excluded.moves",
                          t, 5, 1);
    if (rc == DD_OK)
        rc = flow(db, "moves_out", t[1], t[2], month, 1);
    if (rc == DD_OK)
        rc = flow(db, "moves_in", t[3], t[4], month, 1);
    return rc;
}

int
insight_flow_event(struct dd_db *db, const char *type, json_t *p)
{
    char month[8];
    if (strcmp(type, "person.born") == 0) {
        insight_month(str(p, "birth_date"), month);
        return flow(db, "births", str(p, "province"), str(p, "commune"), month, 1);
    }
    if (strcmp(type, "person.died") == 0) {
        insight_month(str(p, "death_date"), month);
        return flow(db, "deaths", str(p, "province"), str(p, "commune"), month, 1);
    }
    if (strcmp(type, "residence.moved") == 0)
        return moved(db, p);
    return DD_OK;
}

static int
labour(struct dd_db *db, json_t *p)
{
    static const char *const sql =
        "INSERT INTO insight_labour (province_code, commune_code, employment_status, sector, "
        "industrial_park, people) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (province_code, "
        "commune_code, employment_status, sector, industrial_park) DO UPDATE SET people = "
        "insight_labour.people "
        "+ excluded.people";
    static const char *const side[] = {"before", "after"};
    int rc = DD_OK;
    for (int i = 0; rc == DD_OK && i < 2; i++) {
        json_t *d = json_object_get(p, side[i]);
        if (!json_is_object(d))
            continue;
        const char *t[] = {str(d, "province"), str(d, "commune"), str(d, "employment_status"),
                           str(d, "sector"), str(d, "industrial_park")};
        rc = insight_step(db, sql, t, 5, i == 0 ? -1 : 1);
    }
    return rc;
}

int64_t
insight_watermark(struct dd_db *db, bool *rebuilt)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT watermark, rebuilt_at FROM insight_state WHERE id = 1", &st);
    if (rc != DD_OK)
        return rc;
    int64_t w = -1;
    if (dd_stmt_step(st) == DD_DB_ROW) {
        w = dd_stmt_int64(st, 0);
        *rebuilt = dd_stmt_text(st, 1)[0] != '\0';
    }
    dd_stmt_reset(st);
    return w < 0 ? DD_EDB : w;
}

int
insight_apply_event(struct dd_db *db, const struct dd_event *ev, struct insight_tally *t,
                    bool defer_rebuild)
{
    bool rebuilt = false;
    int64_t w = insight_watermark(db, &rebuilt);
    if (w < 0)
        return (int)w;
    if (!rebuilt || ((strcmp(ev->type, "register.imported") == 0 ||
                      strcmp(ev->type, "register.demo_created") == 0) &&
                     ev->id > w)) {
        if (defer_rebuild)
            return DD_ELATER;
        int rc = dd_insight_rebuild(db, NULL);
        if (rc == DD_OK)
            insight_tally_clear(t); /* the rebuild counted those stays already */
        return rc;
    }
    if (ev->id <= w)
        return DD_OK;
    if (dd_str_has_prefix(ev->type, "stay.")) {
        insight_stay_event(t, ev->type, ev->payload);
        return DD_OK;
    }
    bool person =
        dd_str_has_prefix(ev->type, "person.") || dd_str_has_prefix(ev->type, "residence.");
    bool lab = strcmp(ev->type, "labour.recorded") == 0;
    if (!person && !lab)
        return DD_OK;
    json_t *p = json_loads(ev->payload, 0, NULL);
    if (p == NULL)
        return DD_OK; /* not ours to judge: the emitter checked it was JSON */
    int rc = DD_OK;
    if (person) {
        rc = person_cells(db, json_object_get(p, "before"), -1);
        if (rc == DD_OK)
            rc = person_cells(db, json_object_get(p, "after"), 1);
        if (rc == DD_OK)
            rc = insight_flow_event(db, ev->type, p);
    } else
        rc = labour(db, p);
    json_decref(p);
    return rc;
}

int
dd_insight_apply(struct dd_db *db, const struct dd_event *ev)
{
    struct insight_tally t = {0};
    int rc = insight_apply_event(db, ev, &t, false);
    if (rc == DD_OK)
        return insight_tally_write(db, &t);
    insight_tally_clear(&t);
    return rc;
}
