/*
 * load.h — the bulk loader of the population register: millions of people in one transaction,
 * all or nothing. The CSV import (import.h) feeds it rows from a file; the demo generator can
 * feed it people it makes up.
 *
 *     struct dd_people_load *l;
 *     dd_people_load_begin(db, &opt, &l);          // opens the transaction
 *     for each person: dd_people_load_add(l, &p, line);
 *     dd_people_load_finish(l, &result);           // commits, or rolls back if a row was bad
 *
 * Each person is checked as every write path checks one (dd_person_check), and also against the
 * others: an ID number given twice or already in the register, a residence in a commune that is
 * not in force today (core/units), a household with two heads or members registered in
 * different communes. Every problem goes to opt->on_issue with its line; warnings (an unknown
 * place code, a father, mother or spouse who is neither in the register nor among the rows, a
 * household without a head) do not stop the load. While no row has failed,
 * rows are written as they come (in batches, by a second thread, so checking and writing use two
 * cores); after the first bad row nothing more is written but every row is still checked, and
 * finishing rolls everything back.
 *
 * A stored person is what dd_reg_person_insert (core/register/register.h) would have written:
 * the `people` row with its search keys, the history entry of version 1 (kind "imported" unless
 * opt->kind says otherwise, every non-empty field as {"from": null, "to": …}, the actor and the
 * source as reason), and their permanent and temporary residence periods. That entry is kept
 * once for the load, not once per person: one `person_imports` row, named by people.import_id on
 * every row stored (core/register/history.h says how it is read, and written into
 * person_history at the person's first change). Households come from
 * household_number: one is created for each new number, in the commune of its members' permanent
 * residence, with the address and head from the member whose relation_to_head is "Chủ hộ"; a
 * number already in the register adds the rows to that household. Finishing emits one event,
 * `register.imported`, and appends one audit row with the counts.
 *
 * While a load runs it holds the register's tables for writing: on SQLite the write transaction
 * excludes every other writer; on PostgreSQL people, households, person_history and residences
 * are locked in EXCLUSIVE mode (readers go on). The secondary indexes of `people`,
 * `residences` and `households`, for each that is empty at the start, are dropped and built
 * again at the end (in the same transaction): building an index once is much faster than
 * growing it row by row. On PostgreSQL that takes an ACCESS EXCLUSIVE lock, so readers of those
 * tables wait for the load too. SQLite's settings for the load are in load_sqlite.c and
 * docs/people-csv.md.
 */
#ifndef DD_CORE_PEOPLE_CSV_LOAD_H
#define DD_CORE_PEOPLE_CSV_LOAD_H

#include "core/register/person.h"

#include <stdbool.h>
#include <stdint.h>

struct dd_db;
struct dd_people_load;

struct dd_people_load_options {
    const char *source;      /* where the rows come from ("people.csv"): history reason, audit
                                object; required */
    const char *actor;       /* history actor; NULL: "import" */
    const char *audit_actor; /* who runs the load, for the audit row ("operator:ana"); NULL:
                                the history actor */
    const char *kind;        /* history kind of version 1; NULL: "imported" */
    const char *since;       /* "YYYY-MM-DD", start of the residence periods; NULL: today (UTC) */
    /* Called once per problem, from the thread that calls dd_people_load_add / _finish (row
     * problems as their rows are added, the rest while finishing). `id_number` is the row's, or
     * "". May be NULL. */
    void (*on_issue)(void *arg, long line, const char *id_number,
                     const struct dd_person_issue *issue);
    /* Called while finishing, before each slow step ("building indexes", "committing"). May be
     * NULL. */
    void (*on_phase)(void *arg, const char *what);
    void *arg;
    int batch_rows; /* rows handed to the writing thread at once; 0 (or more than the default,
                       16384): the default. Fewer use less memory (tests use them to cross
                       batches with few rows). */
};

struct dd_people_load_result {
    int64_t rows;       /* rows given (added or rejected) */
    int64_t bad_rows;   /* rows with at least one error */
    int64_t errors;     /* problems that are errors */
    int64_t warnings;   /* problems that are warnings */
    int64_t stored;     /* people written, when committed; otherwise 0 */
    int64_t households; /* households created, when committed */
    bool committed;
    char message[512]; /* when the load failed for another reason than bad rows: why */
};

/* Starts a load on `db`, which must have no open transaction and the migrations applied: loads
 * the administrative units if they are not yet (dd_units_ensure_loaded), opens the transaction,
 * locks the tables, reads the ID numbers, households and communes in force already in the
 * database, and starts the writing thread. Until
 * finish or abort, `db` belongs to the load. DD_EINVAL if options are missing; a database
 * error's code otherwise, with a sentence in err. */
int dd_people_load_begin(struct dd_db *db, const struct dd_people_load_options *opt,
                         struct dd_people_load **out, char *err, size_t errlen);

/* Checks one person (fields as struct dd_person says: UTF-8 NFC, "" or NULL when absent;
 * status "" means alive and nationality "" VN) and, while no row has failed, queues it for
 * writing; the strings are copied. `line` numbers the row in the caller's terms (a CSV line).
 * Returns DD_OK, also when the row has errors (they went to on_issue); a negative code only when
 * the load cannot go on (the database failed) — then call finish to learn why. */
int dd_people_load_add(struct dd_people_load *l, const struct dd_person *p, long line);

/* Counts a row the caller could not make a person of (a malformed CSV record) as a bad row, and
 * reports it like any other problem (the issue is an error whatever issue->warning says). */
void dd_people_load_reject(struct dd_people_load *l, long line,
                           const struct dd_person_issue *issue);

/* Ends the load and frees it. Without a bad row: resolves the remaining checks (links,
 * households without a head), writes the households, rebuilds the dropped indexes, emits the
 * event, appends the audit row and commits: DD_OK with res->committed. With a bad row: rolls
 * back and returns DD_EINVAL (res counts the problems). On a database failure: rolls back and
 * returns its code, res->message saying why. */
int dd_people_load_finish(struct dd_people_load *l, struct dd_people_load_result *res);

/* Abandons the load: rolls back and frees. NULL is accepted. */
void dd_people_load_abort(struct dd_people_load *l);

#endif
