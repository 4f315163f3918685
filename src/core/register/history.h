/*
 * history.h — a person's history as the database keeps it, for every reader and writer of it.
 *
 * Each change is a `person_history` row (version, kind, who, when, why, and the fields that went
 * from what to what). One exception keeps bulk loads small: a person stored by a load of many
 * (`dinhdanh import people`, core/people_csv/load.h) gets no row of their own. The load writes
 * one `person_imports` row (kind, actor, reason, time) and marks each person it stores with its
 * id (people.import_id). While such a person's version is 1, their version-1 entry is that
 * import row with the person's own values, every non-empty field as {"from": null, "to": value}:
 * the row has not changed since the load stored it. Before the first change to the person,
 * dd_reg_person_update writes that entry into person_history (dd_reg_history_keep_imported), so
 * from then on the history is all in rows, and folding it gives the row at every version.
 *
 * Whoever reads a person's history reads the rows and, first, dd_reg_history_imported.
 */
#ifndef DD_CORE_REGISTER_HISTORY_H
#define DD_CORE_REGISTER_HISTORY_H

#include "core/register/register.h"

#include <stdint.h>

struct dd_arena;
struct dd_buf;
struct dd_db;

/* One history entry; strings in the caller's arena. */
struct dd_reg_history_entry {
    int64_t version;
    const char *kind;
    const char *at;
    const char *actor;
    const char *changes; /* JSON object {field: {"from": …, "to": …}} */
    const char *reason;
    const char *legal_basis;
    const char *dossier;
    const char *request_id;
};

/* Appends the changes of a first version to `b`: each non-empty field of `p`, in the order of
 * dd_person_fields, as "name":{"from":null,"to":"value"}, inside braces. The same text as the
 * register's own insert writes (dd_reg_person_insert). DD_ETOOBIG past the buffer's maximum. */
int dd_reg_changes_created(struct dd_buf *b, const struct dd_person *p);

/* The version-1 entry of person `rp` (as loaded by dd_reg_person_load) when it is kept by a
 * bulk load and not in person_history: DD_OK with *out filled (its changes from rp->p).
 * DD_ENOTFOUND when the person's version 1 is a person_history row, as for everyone not stored
 * by a bulk load and everyone changed since; a database error's code otherwise. */
int dd_reg_history_imported(struct dd_db *db, struct dd_arena *a, const struct dd_reg_person *rp,
                            struct dd_reg_history_entry *out);

/* Writes the version-1 entry of `before` (as loaded in this transaction) into person_history if
 * the person is kept by a bulk load at version 1 and the entry is not there yet; does nothing
 * otherwise. Called before a change makes version 2. DD_OK or a database error's code. */
int dd_reg_history_keep_imported(struct dd_db *db, struct dd_arena *a,
                                 const struct dd_reg_person *before);

#endif
