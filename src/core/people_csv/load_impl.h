/*
 * load_impl.h — the inside of a people load (load.h), shared by its files: load.c runs the
 * transaction, load_register.c reads the register and handles indexes, load_sqlite.c sets
 * SQLite up, load_check.c checks rows against each other, queue.c hands batches of rows to the
 * writing thread, and write_sqlite.c and write_pg.c write them (multi-row INSERTs on SQLite,
 * COPY on PostgreSQL).
 */
#ifndef DD_CORE_PEOPLE_CSV_LOAD_IMPL_H
#define DD_CORE_PEOPLE_CSV_LOAD_IMPL_H

#include "base/buf.h"
#include "core/people_csv/households.h"
#include "core/people_csv/idset.h"
#include "core/people_csv/name_keys.h"
#include "core/people_csv/load.h"
#include "store/store.h"

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define DD_PL_BATCH_ROWS  16384 /* rows handed to the writer at once, unless the options say */
#define DD_PL_BATCHES     3     /* one being filled, one being written, one waiting */
#define DD_PL_MAX_INDEXES 32

/* A person ready to be written: what the row gave, and what is derived from it. */
struct dd_pl_row {
    struct dd_person p; /* no NULL field; status and nationality filled in */
    const char *name_folded;
    const char *given_folded;
    int64_t birth_year;
    int64_t household_id; /* 0: none */
    uint64_t id_key;      /* the ID number as a number (dd_idset_key), to sort by */
    /* The strings' lengths, measured once by the checking thread. */
    uint32_t len[DD_PERSON_NFIELDS];
    uint32_t name_len, given_len;
    /* people.residences: the running periods the load opens, as JSON (residence_periods.c) */
    const char *residences;
    uint32_t residences_len;
};

struct dd_pl_batch {
    struct dd_arena *arena; /* the rows' strings; reset when the batch comes back */
    struct dd_pl_row *rows; /* batch_rows of them */
    int count;
};

/* A link to a person not known when its row came: checked again at the end. */
struct dd_pl_link {
    uint64_t key;
    int32_t line;
    uint8_t field; /* index in dd_person_fields */
};

/* The batches between the checking thread (the caller's) and the writing thread. */
struct dd_pl_queue {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct dd_pl_batch *all[DD_PL_BATCHES];
    struct dd_pl_batch *full[DD_PL_BATCHES]; /* FIFO */
    int nfull;
    struct dd_pl_batch *spare[DD_PL_BATCHES];
    int nspare;
    bool closing;
    pthread_t thread;
    bool running;
};

struct dd_people_load {
    struct dd_db *db;
    enum dd_db_kind kind;
    struct dd_people_load_options opt;
    int batch_rows;
    struct dd_arena *arena; /* the options' strings, the saved index definitions */
    char now[32];           /* created_at, updated_at, history `at` of every row */
    uint32_t now_len;
    char since[16];      /* residence periods start */
    int64_t import_id;   /* the load's person_imports row: version 1 of every person stored */
    int64_t step_ns;     /* when the current step began (for the debug log) */
    int64_t step_cpu_ms; /* the process's CPU time then */

    struct dd_idset ids;
    struct dd_pl_name_keys names; /* search keys of the full names seen */
    unsigned char *communes;      /* a bit per province × commune code in force today */
    size_t ncommunes;
    struct dd_pl_households households;
    int64_t next_household_id;
    struct dd_pl_link *links;
    size_t nlinks, links_cap;

    struct dd_arena *scratch; /* per row: the checks' copies; reset for each row */
    struct dd_people_load_result res;
    bool rows_failed; /* a row had an error: write no more */

    /* writing */
    struct dd_pl_queue queue;
    struct dd_pl_batch *current; /* being filled */
    atomic_bool stop_writing;
    atomic_int write_rc; /* set by the writing thread */
    char write_msg[400]; /* written before write_rc */
    int64_t written;
    int64_t writer_cpu_ms;  /* CPU time of the writing thread, for the debug log */
    int64_t checker_cpu_ms; /* of the calling thread until the rows were all written */
    void *writer_state;     /* the backend writer's own */

    /* indexes of `people` dropped for the load, rebuilt at the end */
    const char *index_sql[DD_PL_MAX_INDEXES];
    int nindexes;
    long saved_cache_size;   /* SQLite: the connection's cache_size before the load */
    int64_t saved_mmap_size; /* and its mmap_size */
    bool tuned;              /* SQLite: the load's settings are in force */
    bool alone;              /* SQLite: rollback journal, database locked for the load */
};

/* --- load.c: problems, steps, failures --- */

/* Adds an issue to `chk` (counted as an error unless `warning`). */
void dd_pl_add_issue(struct dd_person_check *chk, const char *field, const char *code, bool warning,
                     const char *vi, const char *en);

/* Counts one problem and hands it to the options' on_issue. */
void dd_pl_report(struct dd_people_load *l, long line, const char *id,
                  const struct dd_person_issue *is);
void dd_pl_report_one(struct dd_people_load *l, long line, const char *id, const char *field,
                      const char *code, bool warning, const char *vi, const char *en);

/* Records a database failure in l->res.message ("what: the database's message"); returns rc. */
int dd_pl_db_failed(struct dd_people_load *l, int rc, const char *what);

/* Logs (at debug level) the time and CPU the step that ends now took. */
void dd_pl_step_done(struct dd_people_load *l, const char *step);

/* --- load_register.c --- */

/* Inside the open transaction: locks the tables (PostgreSQL), reads the register's ID numbers,
 * households and communes in force, drops the secondary indexes of empty tables, writes the
 * load's person_imports row (l->import_id), and opens the backend's writer. */
int dd_pl_prepare_tables(struct dd_people_load *l);

/* Builds the dropped indexes again. */
int dd_pl_rebuild_indexes(struct dd_people_load *l);

/* Gives their heads to the register's households that had none, after the rows are written
 * (both backends). */
int dd_pl_set_heads(struct dd_people_load *l);

/* 1 if commune `commune` of province `province` is in force today, 0 if not, -1 if either code
 * is malformed or empty. */
int dd_pl_commune_known(const struct dd_people_load *l, const char *province, const char *commune);

/* The integer of a one-row, one-column query. */
int dd_pl_query_int(struct dd_people_load *l, const char *sql, int64_t *out);

/* --- load_sqlite.c --- */

/* SQLite: the load's page cache, helper thread and journal mode; and back. */
int dd_pl_sqlite_tune(struct dd_people_load *l);
void dd_pl_sqlite_untune(struct dd_people_load *l);

/* --- load_check.c --- */

/* Checks a row (fields filled, as dd_person_fill_empty leaves them) into *chk, against itself
 * and against the register and the rows before; returns the id of its household (0: none). */
int64_t dd_pl_check_row(struct dd_people_load *l, const struct dd_person *p, long line,
                        struct dd_person_check *chk);

/* At the end: links to people found nowhere, new households without a head (warnings). */
void dd_pl_check_links(struct dd_people_load *l);
void dd_pl_check_heads(struct dd_people_load *l);

/* --- queue.c --- */

/* Starts the writing thread. */
void dd_pl_queue_start(struct dd_people_load *l);

/* Hands the batch being filled to the writing thread and takes an empty one. */
void dd_pl_queue_submit(struct dd_people_load *l);

/* Hands over what is left, waits until everything is written and stops the thread. */
void dd_pl_queue_stop(struct dd_people_load *l);

/* --- the writers: each returns DD_OK or a database error code, with l->write_msg set --- */

/* Prepares the writer (l->writer_state). */
int dd_pl_sqlite_open(struct dd_people_load *l);
int dd_pl_pg_open(struct dd_people_load *l);

/* Writes one batch: people and their residence periods. */
int dd_pl_sqlite_rows(struct dd_people_load *l, const struct dd_pl_batch *b);
int dd_pl_pg_rows(struct dd_people_load *l, const struct dd_pl_batch *b);

/* Writes the households created by the load and the heads given to existing ones. */
int dd_pl_sqlite_households(struct dd_people_load *l);
int dd_pl_pg_households(struct dd_people_load *l);

/* Releases the writer's state. */
void dd_pl_sqlite_close(struct dd_people_load *l);
void dd_pl_pg_close(struct dd_people_load *l);

/* Records a database failure of the writer in l->write_msg and returns rc. */
int dd_pl_write_failed(struct dd_people_load *l, int rc, const char *what);

/* The columns written, in the order the writers give them. */
#define DD_PL_PEOPLE_COLUMNS                                                                       \
    "id_number, full_name, other_names, birth_date, sex, ethnicity, religion, nationality, "       \
    "birth_place, hometown, old_id_number, photo_ref, status, death_date, father_id, mother_id, "  \
    "spouse_id, household_id, relation_to_head, permanent_province, permanent_commune, "           \
    "permanent_address, temporary_province, temporary_commune, temporary_address, "                \
    "temporary_until, name_folded, given_folded, birth_year, residences, version, created_at, "    \
    "updated_at, import_id"
#define DD_PL_RESIDENCE_COLUMNS                                                                    \
    "id_number, kind, province_code, commune_code, address, from_date, to_date, reason, "          \
    "created_at"
#define DD_PL_HOUSEHOLD_COLUMNS                                                                    \
    "id, number, head_id, province_code, commune_code, address, created_at"

/* The index of a member of struct dd_person in dd_person_fields, which lists the members in
 * the order they are declared. */
#define DD_PL_FIELD(member) ((int)(offsetof(struct dd_person, member) / sizeof(const char *)))

/* household_number, written as household_id. */
#define DD_PL_HOUSEHOLD_FIELD DD_PL_FIELD(household_number)

#endif
