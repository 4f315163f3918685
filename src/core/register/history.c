/*
 * history.c — the version-1 entry of people stored by a bulk load: read from the load's
 * `person_imports` row and the person's own values, and written into person_history before the
 * person's first change (history.h).
 */
#include "core/register/history.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"

#define CHANGES_MAX (128 * 1024) /* 26 fields of at most 300 bytes, each escaped at worst */

/* Whether `id`'s version 1 is a load's row: the person is at version 1, stored by a load, and
 * has no version-1 row of their own. */
#define IMPORTED_FROM                                                                              \
    " FROM people p JOIN person_imports i ON i.id = p.import_id WHERE p.id_number = ? AND "        \
    "p.version = 1 AND NOT EXISTS (SELECT 1 FROM person_history h WHERE h.id_number = "            \
    "p.id_number AND h.version = 1)"

int
dd_reg_changes_created(struct dd_buf *b, const struct dd_person *p)
{
    int rc = dd_buf_putc(b, '{');
    bool first = true;
    for (int i = 0; i < DD_PERSON_NFIELDS && rc == DD_OK; i++) {
        const char *v = dd_person_get(p, i);
        if (v[0] == '\0')
            continue;
        rc = dd_buf_puts(b, first ? "\"" : ",\"");
        if (rc == DD_OK)
            rc = dd_buf_puts(b, dd_person_fields[i].name);
        if (rc == DD_OK)
            rc = dd_buf_puts(b, "\":{\"from\":null,\"to\":\"");
        if (rc == DD_OK)
            rc = dd_buf_json_escape(b, v);
        if (rc == DD_OK)
            rc = dd_buf_puts(b, "\"}");
        first = false;
    }
    return rc == DD_OK ? dd_buf_putc(b, '}') : rc;
}

static const char *
changes_of(struct dd_arena *a, const struct dd_person *p)
{
    struct dd_buf b;
    dd_buf_init(&b, a, CHANGES_MAX);
    return dd_reg_changes_created(&b, p) == DD_OK ? b.data : NULL;
}

static const char *
column(struct dd_arena *a, struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return dd_arena_strdup(a, s ? s : "");
}

int
dd_reg_history_imported(struct dd_db *db, struct dd_arena *a, const struct dd_reg_person *rp,
                        struct dd_reg_history_entry *out)
{
    if (rp->version != 1)
        return DD_ENOTFOUND;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT i.kind, i.at, i.actor, i.reason" IMPORTED_FROM, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, rp->p.id_number);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        *out = (struct dd_reg_history_entry){
            .version = 1,
            .kind = column(a, st, 0),
            .at = column(a, st, 1),
            .actor = column(a, st, 2),
            .reason = column(a, st, 3),
            .legal_basis = "",
            .dossier = "",
            .request_id = "",
        };
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (rc != DD_DB_ROW)
        return DD_ENOTFOUND;
    out->changes = changes_of(a, &rp->p);
    return out->changes ? DD_OK : DD_ETOOBIG;
}

int
dd_reg_history_keep_imported(struct dd_db *db, struct dd_arena *a,
                             const struct dd_reg_person *before)
{
    if (before->version != 1)
        return DD_OK;
    const char *changes = changes_of(a, &before->p);
    if (changes == NULL)
        return DD_ETOOBIG;
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(db,
                      "INSERT INTO person_history (id_number, version, kind, changes, actor, "
                      "reason, legal_basis, dossier, request_id, at) SELECT p.id_number, 1, "
                      "i.kind, CAST(? AS TEXT), i.actor, i.reason, '', '', '', i.at" IMPORTED_FROM,
                      &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, changes);
    dd_stmt_bind_text(st, 2, before->p.id_number);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}
