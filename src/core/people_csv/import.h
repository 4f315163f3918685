/*
 * import.h — importing people from a CSV file (the format is docs/people-csv.md): one header
 * row naming columns that are the fields of struct dd_person, in any order, those not required
 * may be left out; then one row per person. Every row is checked and the file is stored whole
 * or not at all, through the bulk loader (load.h).
 */
#ifndef DD_CORE_PEOPLE_CSV_IMPORT_H
#define DD_CORE_PEOPLE_CSV_IMPORT_H

#include "core/people_csv/load.h"

#include <stdint.h>

struct dd_db;

struct dd_people_import_options {
    const char *path;        /* the CSV file */
    const char *source;      /* recorded as the history's reason and the audit object; NULL: the
                                file's name without its folder */
    const char *actor;       /* history actor; NULL: "import" */
    const char *audit_actor; /* the audit row's actor; NULL: the history actor */
    /* Problems, as in load.h; line 1 is the header. May be NULL. */
    void (*on_issue)(void *arg, long line, const char *id_number,
                     const struct dd_person_issue *issue);
    void (*on_phase)(void *arg, const char *what);
    /* Called every few thousand rows with the rows read and the bytes of the file consumed out
     * of `total` (0 when the size is unknown). May be NULL. */
    void (*on_progress)(void *arg, int64_t rows, uint64_t bytes, uint64_t total);
    void *arg;
    int batch_rows; /* as in load.h; 0: the default */
};

/* Imports the file into the register on `db` (no transaction open). DD_OK when every row was
 * stored; DD_EINVAL when the header or some rows were refused (nothing stored; the problems
 * went to on_issue, res counts them); DD_EIO when the file cannot be opened or read, DD_ETOOBIG
 * for a record too long to be CSV, or a database error code: res->message says why. */
int dd_people_import_csv(struct dd_db *db, const struct dd_people_import_options *opt,
                         struct dd_people_load_result *res);

#endif
