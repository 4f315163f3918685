/*
 * corrections.h — a person's requests to correct their register record: each becomes a task for
 * the officers of the commune where the person lives, who accept or reject it with a note.
 *
 * Accepting does not change the register. It records the decision; the officer then corrects the
 * record through the register (PATCH /api/v1/people/{id}) with the dossier
 * "correction-request:ID", so that the correction carries its own reason, legal basis and
 * history entry like any other. Requests are never deleted.
 */
#ifndef DD_CORE_CONSENT_CORRECTIONS_H
#define DD_CORE_CONSENT_CORRECTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_reg_person;
struct dd_person_check;

#define DD_CORRECTION_MAX_VALUE    300  /* bytes of a proposed value */
#define DD_CORRECTION_MAX_REASON   1000 /* bytes of a reason or a decision's note */
#define DD_CORRECTION_MAX_EVIDENCE 200  /* bytes of an evidence reference */

/* The fields a person may ask to correct: the identity fields the register's correction route
 * changes (residence, household and death have procedures of their own). NULL-terminated. */
extern const char *const dd_correction_fields[];

bool dd_correction_field_allowed(const char *field);

/* The commune a request about person `rp` goes to: permanent residence, else temporary
 * residence, else the household's commune. False when the record names none. */
bool dd_correction_area(const struct dd_reg_person *rp, const char **province,
                        const char **commune);

/* Checks the person as they would be with `field` set to `value`, and puts into *out only the
 * errors that the new value brings (errors the record already had are not the person's to fix
 * here). Returns their count. */
int dd_correction_value_check(const struct dd_reg_person *rp, const char *field, const char *value,
                              struct dd_person_check *out);

struct dd_correction_new {
    const char *id_number;
    int64_t account_id; /* 0 when unknown */
    const char *field;
    const char *current_value; /* the record's value now */
    const char *proposed_value;
    const char *reason;
    const char *evidence_ref; /* may be NULL */
    const char *province;     /* the area, from dd_correction_area */
    const char *commune;
    const char *request_id; /* may be NULL */
};

/* Stores an open request inside the caller's open transaction, with the event
 * correction.requested {"correction_request_id", "id_number", "field", "province", "commune"}.
 * DD_EINVAL for a field that may not be corrected or text out of bounds (nothing written). */
int dd_correction_create(struct dd_db *db, const struct dd_correction_new *c, int64_t now_ms,
                         int64_t *id);

/* A request as stored; strings in the reader's arena. */
struct dd_correction {
    int64_t id;
    const char *id_number;
    const char *field;
    const char *current_value;
    const char *proposed_value;
    const char *reason;
    const char *evidence_ref;
    const char *province;
    const char *commune;
    const char *status; /* open, accepted, rejected */
    const char *created_at;
    const char *decided_at; /* "" while open */
    const char *officer;    /* "officer:12", "" while open */
    const char *officer_name;
    const char *decision_note;
};

/* Loads request `id`; DD_ENOTFOUND when there is none. */
int dd_correction_get(struct dd_db *db, struct dd_arena *a, int64_t id, struct dd_correction *out);

/* Requests of an area with a status ("open", "accepted", "rejected"), oldest first, those with
 * an id above `after_id`: the province's when `commune` is "" or NULL, else the commune's. At
 * most `limit` into out[]; *more tells whether others follow. */
int dd_correction_list_area(struct dd_db *db, struct dd_arena *a, const char *province,
                            const char *commune, const char *status, int64_t after_id, int limit,
                            struct dd_correction *out, int *n, bool *more);

/* A person's requests, newest first, those with an id below `before_id` (0: from the newest). */
int dd_correction_list_person(struct dd_db *db, struct dd_arena *a, const char *id_number,
                              int64_t before_id, int limit, struct dd_correction *out, int *n,
                              bool *more);

/* Decides open request `id` inside the caller's open transaction: accepted or rejected, with the
 * note, the officer's actor ("officer:12") and name, and the event correction.decided
 * {"correction_request_id", "id_number", "decision"}. DD_ENOTFOUND when there is no such
 * request, DD_ECONFLICT when it is no longer open (nothing written). */
int dd_correction_decide(struct dd_db *db, int64_t id, bool accept, const char *note,
                         const char *officer, const char *officer_name, int64_t now_ms);

#endif
