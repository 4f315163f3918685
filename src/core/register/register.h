/*
 * register.h — the population register: the `register` module (its HTTP API) and the storage
 * functions that every writer of people shares (the API, the CSV import, the demo generator).
 *
 * The state of a person is the `people` row; every change to it is also a `person_history` row
 * (who, when, why, on what legal basis, which fields went from what to what), written in the
 * same transaction, so that folding the history gives the row again (dd_reg_person_rebuild).
 * The functions below run inside the caller's transaction and never commit: a caller that
 * writes a change also writes its event (dd_event_emit) and its access-log row in that same
 * transaction, and a failure anywhere rolls everything back.
 */
#ifndef DD_CORE_REGISTER_REGISTER_H
#define DD_CORE_REGISTER_REGISTER_H

#include "core/register/person.h"
#include "http/route.h"

#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_buf;
struct dd_db;
struct dd_principal;
struct dd_req;

extern const struct dd_module dd_module_register;

/* A person as stored: the fields and what the register keeps beside them. Strings live in the
 * arena given to dd_reg_person_load. */
struct dd_reg_person {
    struct dd_person p;   /* p.household_number is the household's number, "" for none */
    int64_t version;      /* 1 at creation, +1 per change */
    int64_t household_id; /* 0: none */
    const char *created_at;
    const char *updated_at;
    /* The household, when there is one ("" otherwise). */
    const char *household_head;
    const char *household_province;
    const char *household_commune;
    const char *household_address;
    /* people.residences: the periods running at the last residence change (residence_periods.c);
     * dd_reg_residences_running gives those running on a date. */
    const char *residences;
};

struct dd_reg_household {
    int64_t id;
    const char *number;
    const char *head_id;
    const char *province;
    const char *commune;
    const char *address;
    const char *created_at;
    const char *closed_at; /* "" while open */
};

/* Why and by whom a change is made, for the person's history. */
struct dd_reg_change {
    const char *kind;        /* born, imported, corrected, died, moved, absent, household */
    const char *actor;       /* "officer:12 (commune-police 22366)", "import", "demo" */
    const char *reason;      /* may be NULL */
    const char *legal_basis; /* may be NULL */
    const char *dossier;     /* may be NULL */
    const char *request_id;  /* may be NULL */
    const char *extra_json;  /* NULL, or a JSON object whose members are added to the history
                                entry's changes, e.g. {"absence": {"from": null, "to": {…}}} */
};

/* What another module needs to recognise a person (a guest, a patient): strings in the arena. */
struct dd_reg_person_brief {
    const char *full_name;
    const char *birth_date; /* YYYY, YYYY-MM or YYYY-MM-DD */
    const char *sex;
    const char *status; /* alive, dead, missing */
    const char *permanent_province;
};

/* Loads those few fields of person `id_number` with one narrow statement (no household, no
 * residences). DD_ENOTFOUND if there is none. */
int dd_reg_person_brief(struct dd_db *db, struct dd_arena *a, const char *id_number,
                        struct dd_reg_person_brief *out);

/* Loads person `id_number` with their household. DD_ENOTFOUND if there is none. */
int dd_reg_person_load(struct dd_db *db, struct dd_arena *a, const char *id_number,
                       struct dd_reg_person *out);

/* Inserts a new person (version 1) and the history entry that holds every non-empty field,
 * and opens their permanent and temporary residence periods from `since` (an ISO date; NULL for
 * today). household_id (0 for none) says where they belong; p->household_number must be that
 * household's number ("" for none), as the history records it. The fields are not checked here:
 * run dd_person_check first. DD_EEXIST if the ID number is taken. Writes no event. */
int dd_reg_person_insert(struct dd_db *db, struct dd_arena *a, const struct dd_person *p,
                         int64_t household_id, const char *since, const struct dd_reg_change *c);

/* Writes `after` over the stored person `before` (as loaded in this transaction), version + 1,
 * with a history entry listing each field that differs ({field: {"from", "to"}}) plus
 * c->extra_json. household_id (0 for none) replaces the household; after->household_number
 * must name it. When nothing differs and there is no extra_json, writes nothing and leaves
 * *new_version at the old version. DD_ECONFLICT if the stored version is no longer
 * before->version (a concurrent change). */
int dd_reg_person_update(struct dd_db *db, struct dd_arena *a, const struct dd_reg_person *before,
                         const struct dd_person *after, int64_t household_id,
                         const struct dd_reg_change *c, int64_t *new_version);

/* Rebuilds a person from their history alone, folding every entry in version order;
 * *version is the last entry's. DD_ENOTFOUND without history. */
int dd_reg_person_rebuild(struct dd_db *db, struct dd_arena *a, const char *id_number,
                          struct dd_person *out, int64_t *version);

/* Finds a household by number (open or closed). DD_ENOTFOUND if there is none. */
int dd_reg_household_find(struct dd_db *db, struct dd_arena *a, const char *number,
                          struct dd_reg_household *out);

/* Creates an open household. `head_id` may be "" until its head is set. DD_EEXIST if the
 * number is taken. */
int dd_reg_household_create(struct dd_db *db, const char *number, const char *head_id,
                            const char *province, const char *commune, const char *address,
                            int64_t *id);

/* Closes household `id` on `on` (ISO date); its rows stay. */
int dd_reg_household_close(struct dd_db *db, int64_t id, const char *on);

/* Opens a residence period of `kind` ("permanent", "temporary", "absence") from `from` (ISO
 * date) until `until` ("" or NULL: open-ended), ending at `from` every period of the same kind
 * that is still running then. */
int dd_reg_residence_open(struct dd_db *db, const char *id_number, const char *kind,
                          const char *province, const char *commune, const char *address,
                          const char *from, const char *until, const char *reason);

/* Ends at `on` every period of `kind` still running then (a temporary residence given up). */
int dd_reg_residence_close(struct dd_db *db, const char *id_number, const char *kind,
                           const char *on);

/* Appends to `b` one period as people.residences holds it:
 * {"kind":…,"province":…,"commune":…,"address":…,"from":…,"until":… or null}. NULL or "" until
 * is an open-ended period; NULL province, commune or address are "". */
void dd_reg_residence_json(struct dd_buf *b, const char *kind, const char *province,
                           const char *commune, const char *address, const char *from,
                           const char *until);

/* Rewrites people.residences of `id_number` from the residences table: the periods running
 * today or later, oldest first. dd_reg_residence_open/close call it; a writer that changes the
 * residences table any other way calls it too, in the same transaction. */
int dd_reg_residences_refresh(struct dd_db *db, const char *id_number);

/* The periods of `stored` (people.residences) still running on `on` ("YYYY-MM-DD"): `stored`
 * itself when none has ended before it (the usual case), else a filtered copy in `a`. "[]" for
 * NULL or "". */
const char *dd_reg_residences_running(struct dd_arena *a, const char *stored, const char *on);

/* True if `s` has the shape of an ID number: 12 digits (the rules are person.h's). */
bool dd_reg_id_number_shape(const char *s);

/* True if the person is linked to the caller's area: permanent or temporary residence there, or
 * a household there (a commune for commune-level officers, else the province). Other modules
 * that show a person to an officer apply it too, answering as if there were no such person. */
bool dd_reg_area_sees(const struct dd_principal *who, const struct dd_reg_person *p);

/* Writes one access-log row per ID number for a read ("read" or "search") of `data` by the
 * request's caller with `purpose`: queued for the writer thread while it runs, else in one
 * transaction on its own. Every module that shows a person's data to someone else calls it. */
int dd_reg_access_reads(struct dd_db *db, struct dd_req *req, const char *const *ids, int n,
                        const char *action, const char *data, const char *purpose);

/* A person's permanent residence as the caller has just read it from the register. */
struct dd_reg_home {
    const char *province, *commune;
};

/* dd_reg_access_reads when the caller has each person's permanent residence at hand (homes[i]
 * for ids[i]): the count of reads outside an officer's area, for the security operations centre,
 * then needs no lookup of those people. */
int dd_reg_access_reads_homes(struct dd_db *db, struct dd_req *req, const char *const *ids,
                              const struct dd_reg_home *homes, int n, const char *action,
                              const char *data, const char *purpose);

/* The writer of officers' read access-log rows (access.c). While it runs, reads queue their rows
 * in memory and answer at once; a thread commits them in batches at least every period_ms
 * (<= 0: 500), so reads are not bounded by the disk's flushes. `serve` starts it after
 * dd_db_pool_init and stops it after the HTTP server has stopped and before dd_db_pool_shutdown;
 * stopping writes every row still queued. When it does not run, each read writes its rows itself
 * before answering. */
int dd_reg_access_writer_start(long period_ms);
void dd_reg_access_writer_stop(void);

/* The history actor of an officer: "officer:12 (commune-police 22366)", or with the province
 * code for a province-wide officer. */
struct dd_principal;
const char *dd_reg_actor(struct dd_arena *a, const struct dd_principal *who);

/* A residence change asked by an approved dossier (dossier_effects.c). */
struct dd_reg_residence_in {
    const char *kind; /* "permanent", "temporary" or "absence" */
    const char *province, *commune, *address;
    const char *from;  /* ISO date */
    const char *until; /* NULL or "": open-ended */
    const char *reason;
    const char *dossier; /* the dossier's code, kept in the history */
};

/* Registers the residence or absence `in` of person `id_number` inside the caller's transaction,
 * as POST /people/{id}/moves and /absences do (a permanent move leaves the old household, which
 * closes when left empty), with history, access-log row and event, the request's caller as the
 * actor. DD_ENOTFOUND without such a person; DD_EDENIED for a dead person or a head leaving
 * members behind. */
int dd_reg_residence_apply(struct dd_req *req, struct dd_db *db, const char *id_number,
                           const struct dd_reg_residence_in *in);

/* Registers the death of `id_number` on `date` inside the caller's transaction, ending every
 * residence period (as POST /people/{id}/deaths does). DD_ENOTFOUND without such a person,
 * DD_EEXIST when the death is already registered. */
int dd_reg_death_apply(struct dd_req *req, struct dd_db *db, const char *id_number,
                       const char *date, const char *dossier);

/* A birth registered by an approved dossier: the child joins the applicant parent's household
 * and permanent residence. */
struct dd_reg_birth_in {
    const char *parent_id;       /* the applicant, a parent */
    const char *other_parent_id; /* NULL or "" when not known */
    const char *full_name, *birth_date, *sex;
    const char *dossier;
};

/* Registers the child of `in` inside the caller's transaction with a new ID number (written to
 * out_id) of the national shape, its history, access-log row and the person.born event.
 * DD_ENOTFOUND without the parent; DD_EINVAL for a date without a year. */
int dd_reg_birth_apply(struct dd_req *req, struct dd_db *db, const struct dd_reg_birth_in *in,
                       char out_id[13]);

#endif
