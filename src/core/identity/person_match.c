/*
 * person_match.c — is the person registering who they say they are, as far as the population
 * register can tell: the ID number exists, the person is alive, and the full name and the date
 * of birth typed are theirs. Every mismatch gives the same answer, so that registering cannot be
 * used to learn what the register holds about someone.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/identity/internal.h"
#include "core/register/person.h"
#include "store/store.h"

#include <string.h>

int
id_person_match(struct dd_db *db, struct dd_arena *a, const char *id_number, const char *full_name,
                const char *birth_date, struct id_person *out)
{
    const char *typed_folded, *typed_given;
    dd_person_name_keys(a, full_name, &typed_folded, &typed_given);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT full_name, name_folded, birth_date, status, father_id, "
                           "mother_id FROM people WHERE id_number = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    rc = dd_stmt_step(st);
    bool same = false;
    if (rc == DD_DB_ROW) {
        same = strcmp(dd_stmt_text(st, 1), typed_folded) == 0 &&
               strcmp(dd_stmt_text(st, 2), birth_date) == 0 &&
               strcmp(dd_stmt_text(st, 3), "alive") == 0;
        out->full_name = dd_arena_strdup(a, dd_stmt_text(st, 0));
        out->birth_date = dd_arena_strdup(a, dd_stmt_text(st, 2));
        out->father_id = dd_arena_strdup(a, dd_stmt_text(st, 4));
        out->mother_id = dd_arena_strdup(a, dd_stmt_text(st, 5));
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return same ? DD_OK : DD_ENOTFOUND;
}
