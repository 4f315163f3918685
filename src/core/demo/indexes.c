/*
 * indexes.c — the secondary indexes of a table set aside during a bulk write into it and built
 * again at the end, in the same transaction: building an index once over all the rows costs far
 * less than growing it row by row. Unique indexes (constraints) stay, since they guard the data.
 * Used by dd_demo_write on an empty register.
 */
#include "core/demo/internal.h"
#include "base/err.h"
#include "base/mem.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
plain_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 63)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

int
dd_demo_indexes_drop(struct dd_db *db, const char *table, struct dd_demo_indexes *saved)
{
    const char *sql = dd_db_kind(db) == DD_DB_SQLITE
                          ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                            "tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
                          : "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                            "current_schema() AND tablename = ? AND indexdef NOT LIKE "
                            "'CREATE UNIQUE%'";
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, table);
    int first = saved->count;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && saved->count < DD_DEMO_MAX_INDEXES) {
        const char *name = dd_stmt_text(st, 0), *def = dd_stmt_text(st, 1);
        if (!plain_name(name) || def == NULL)
            continue;
        snprintf(saved->name[saved->count], sizeof saved->name[0], "%s", name);
        saved->sql[saved->count++] = dd_xstrdup(def);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    for (int i = first; i < saved->count; i++) {
        char drop[96];
        snprintf(drop, sizeof drop, "DROP INDEX %s", saved->name[i]);
        rc = dd_db_exec(db, drop);
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

int
dd_demo_indexes_rebuild(struct dd_db *db, struct dd_demo_indexes *saved)
{
    for (int i = 0; i < saved->count; i++) {
        int rc = dd_db_exec(db, saved->sql[i]);
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

void
dd_demo_indexes_free(struct dd_demo_indexes *saved)
{
    for (int i = 0; i < saved->count; i++)
        free(saved->sql[i]);
    saved->count = 0;
}
