/*
 * history.c — a unit's predecessors and successors from the conversion table (see history.h).
 *
 * A unit that began on a conversion's effective day was formed by it; a unit that ended before
 * a conversion's effective day went into what that conversion names. Rows keep the order in
 * which they were published.
 */
#include "core/units/history.h"
#include "base/err.h"
#include "store/store.h"

#include <string.h>

struct column {
    const char *name;
    bool boolean; /* an integer 0/1 shown as false/true */
};

static const struct column commune_from[] = {
    {"province_code", false}, {"province_name", false}, {"district_code", false},
    {"district_name", false}, {"commune_code", false},  {"commune_name", false},
    {"note", false},          {"whole", true},          {NULL, false},
};
static const struct column commune_to[] = {
    {"province_code", false},
    {"province_name", false},
    {"commune_code", false},
    {"commune_name", false},
    {"note", false},
    {"whole", true},
    {NULL, false},
};
static const struct column province_both[] = {
    {"province_code", false},
    {"province_name", false},
    {NULL, false},
};
static const struct column district_to[] = {
    {"province_code", false},
    {"province_name", false},
    {"commune_code", false},
    {"commune_name", false},
    {NULL, false},
};

/* Sets into[member] to the list of objects made of the rows of `sql` run with the text
 * parameters params[0..nparams), or to an empty list when `date` (the unit's start or end the
 * query needs) is empty. Empty text and NULL become null. */
static int
rows_json(struct dd_db *db, const char *sql, const char *const *params, int nparams,
          const char *date, const struct column *cols, json_t *into, const char *member)
{
    if (date[0] == '\0') {
        json_object_set_new(into, member, json_array());
        return DD_OK;
    }
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    for (int i = 0; i < nparams; i++)
        dd_stmt_bind_text(st, i + 1, params[i]);
    json_t *list = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        json_t *row = json_object();
        for (int i = 0; cols[i].name; i++) {
            const char *s = dd_stmt_text(st, i);
            json_t *v = cols[i].boolean     ? json_boolean(dd_stmt_int64(st, i) != 0)
                        : s && s[0] != '\0' ? json_string(s)
                                            : json_null();
            json_object_set_new(row, cols[i].name, v);
        }
        json_array_append_new(list, row);
    }
    dd_stmt_reset(st);
    json_object_set_new(into, member, list);
    return rc < 0 ? rc : DD_OK;
}

static int
commune_history(struct dd_db *db, const struct dd_unit *u, json_t *into)
{
    static const char from_sql[] =
        "SELECT old_province_code, old_province_name, old_district_code, old_district_name, "
        "old_commune_code, old_commune_name, note, whole FROM unit_conversions "
        "WHERE new_province_code = ? AND new_commune_code = ? AND effective = ? ORDER BY id";
    static const char to_sql[] =
        "SELECT new_province_code, new_province_name, new_commune_code, new_commune_name, note, "
        "whole FROM unit_conversions WHERE old_province_code = ? AND old_commune_code = ? AND "
        "effective > ? ORDER BY id";
    const char *from[] = {u->province_code, u->code, u->valid_from};
    const char *to[] = {u->province_code, u->code, u->valid_to};
    int rc = rows_json(db, from_sql, from, 3, u->valid_from, commune_from, into, "predecessors");
    if (rc == DD_OK)
        rc = rows_json(db, to_sql, to, 3, u->valid_to, commune_to, into, "successors");
    return rc;
}

static int
province_history(struct dd_db *db, const struct dd_unit *u, json_t *into)
{
    static const char from_sql[] =
        "SELECT DISTINCT old_province_code, old_province_name FROM unit_conversions "
        "WHERE new_province_code = ? AND effective = ? ORDER BY old_province_code";
    static const char to_sql[] =
        "SELECT DISTINCT new_province_code, new_province_name FROM unit_conversions "
        "WHERE old_province_code = ? AND effective > ? ORDER BY new_province_code";
    const char *from[] = {u->code, u->valid_from};
    const char *to[] = {u->code, u->valid_to};
    int rc = rows_json(db, from_sql, from, 2, u->valid_from, province_both, into, "predecessors");
    if (rc == DD_OK)
        rc = rows_json(db, to_sql, to, 2, u->valid_to, province_both, into, "successors");
    return rc;
}

static int
district_history(struct dd_db *db, const struct dd_unit *u, json_t *into)
{
    static const char to_sql[] =
        "SELECT DISTINCT new_province_code, new_province_name, new_commune_code, "
        "new_commune_name FROM unit_conversions WHERE old_district_code = ? AND effective > ? "
        "ORDER BY new_province_code, new_commune_code";
    const char *to[] = {u->code, u->valid_to};
    json_object_set_new(into, "predecessors", json_array());
    return rows_json(db, to_sql, to, 2, u->valid_to, district_to, into, "successors");
}

int
dd_units_history_json(struct dd_db *db, const struct dd_unit *u, json_t *into)
{
    if (strcmp(u->kind, "commune") == 0)
        return commune_history(db, u, into);
    if (strcmp(u->kind, "province") == 0)
        return province_history(db, u, into);
    return district_history(db, u, into);
}
