/*
 * internal.h — what the files of the stays module share: the establishment as its staff see it,
 * a stay as stored and as typed, the register fill, the one-transaction write of a check-in, the
 * JSON of a stay, and the module's problem types.
 */
#ifndef DD_CORE_STAYS_INTERNAL_H
#define DD_CORE_STAYS_INTERNAL_H

#include "core/idempotency/idempotency.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_db;
struct dd_req;
struct dd_idem;

#define STAY_SMALL_BODY (16 * 1024)
#define STAY_BULK_BODY  (2 * 1024 * 1024)
#define STAY_BULK_ROWS  1000 /* rows of one bulk upload */
#define STAY_TEXT_MAX   200  /* bytes of a name, a room, a reason, a ward */

/* An establishment's stays profile (stay_establishments) with its organisation's area. */
struct stay_est {
    int64_t id; /* the organisation's id */
    const char *type;
    const char *class_; /* "hotel-3", "guesthouse", … */
    const char *name;
    const char *address;
    const char *province;
    const char *commune;
    const char *status; /* pending, approved, rejected */
    const char *status_reason;
    int stars, rooms, beds;
    bool remote;
};

/* A stay: the row of `stays`. Strings are "" when absent. */
struct stay {
    int64_t id;
    int64_t establishment_id;
    const char *province, *commune;
    const char *guest_key; /* "id:<number>" or "pp:<nationality>:<passport>" */
    bool foreign;
    const char *id_number, *passport_number, *nationality;
    const char *full_name, *birth_date, *sex, *origin_province;
    bool verified;
    const char *source; /* qr, chip, typed, passport */
    const char *reason, *room;
    const char *arrived_at, *arrival_day, *expected_departure, *departed_at;
    const char *reported_at, *due_at;
    bool late;
    const char *relationship, *relative_until;
    const char *patient_name, *patient_id_number, *ward;
    const char *reported_by;
    int64_t version;
    const char *updated_at;
    const char *establishment_name; /* police lists only; NULL otherwise */
};

/* The columns of `stays` that stay_from_row reads, in its order, for "SELECT " STAY_COLS. */
#define STAY_COLS                                                                                  \
    "s.id, s.establishment_id, s.province_code, s.commune_code, s.guest_key, s.foreign_guest, "    \
    "s.id_number, s.passport_number, s.nationality, s.full_name, s.birth_date, s.sex, "            \
    "s.origin_province, s.verified, s.source, s.reason, s.room, s.arrived_at, s.arrival_day, "     \
    "s.expected_departure, s.departed_at, s.reported_at, s.due_at, s.late, s.relationship, "       \
    "s.relative_until, s.patient_name, s.patient_id_number, s.ward, s.reported_by, s.version, "    \
    "s.updated_at"
#define STAY_NCOLS 32

struct dd_stmt;
/* Fills *s from the current row of a statement that selected STAY_COLS first; strings are
 * copied into the request's arena. */
void stay_from_row(struct dd_req *req, struct dd_stmt *st, struct stay *s);

/* The JSON of a stay, as every route shows it: written as text into b (stay_write; the last
 * append's result), or as a tree (stay_json, NULL past STAY_JSON_MAX bytes). */
#define STAY_JSON_MAX (64 * 1024)
struct dd_buf;
int stay_write(struct dd_buf *b, const struct stay *s);
json_t *stay_json(const struct stay *s);

/* --- establishments (establishments.c) --- */

/* Loads the profile of organisation `id`. DD_ENOTFOUND if it has none. */
int stay_est_load(struct dd_db *db, struct dd_req *req, int64_t id, struct stay_est *e);

/* The caller's establishment (a staff member's organisation), approved; otherwise a 403
 * stay-establishment-not-approved (or 404 without a profile) reply and -1. `type` NULL admits
 * every type but coach operators; "coach-operator" only them. */
int stay_est_or_reply(struct dd_req *req, struct dd_db *db, const char *type, struct stay_est *e);

json_t *stay_est_json(const struct stay_est *e);

/* --- input (input.c) --- */

/* Reads a check-in from a JSON object into *s for establishment e at time now_ms (fills
 * everything but the id, the register's fields and who reports). Returns NULL when it is
 * acceptable, else a problem extension with the "errors" list. */
json_t *stay_in_parse(struct dd_req *req, json_t *body, const struct stay_est *e, int64_t now_ms,
                      struct stay *s);

/* Reads a guest (qr, chip, id_number or passport members of `body`) into *g-fields of s; the
 * trips' passengers use it too. Adds errors to *ext. */
void stay_guest_parse(struct dd_req *req, json_t *body, struct stay *s, json_t **ext);

/* True if `key` is one of the NULL-terminated `allowed`. */
bool stay_field_allowed(const char *const *allowed, const char *key);

/* --- the register (guest.c) --- */

/* Fills a citizen guest's name, date of birth, sex and province of origin from the register and
 * sets s->verified when their personal ID number is in it; a guest not found stays as typed,
 * unverified (never refused). *found says whether a record was read (for the access log).
 * Returns DD_OK or the database's error. */
int stay_guest_fill(struct dd_req *req, struct dd_db *db, struct stay *s, bool *found);

/* --- the write of a check-in (write.c) --- */

enum stay_insert_result {
    STAY_INSERTED = 0,
    STAY_COVERED = 1, /* a close relative's standing notification covers it: *s is that stay */
};

/* Inside the caller's open transaction: a close relative's standing notification that covers
 * the arrival day (then *s becomes that stay and STAY_COVERED is returned), else the INSERT of the
 * stay (s->id set), its event stay.checked_in and, when the guest is on the watch list, an alert
 * row and its event stay.watch_hit (*alert_id set, else 0). DD_ECONFLICT when the guest is already
 * checked in at the establishment (on PostgreSQL the transaction is then failed: roll back or
 * return to a savepoint). */
int stay_insert(struct dd_req *req, struct dd_db *db, const struct stay_est *e, struct stay *s,
                int64_t *alert_id);

/* The id of the guest's present stay at the establishment, for the 409 reply; 0 if none. */
int64_t stay_present_id(struct dd_db *db, int64_t est_id, const char *guest_key);

/* --- replies (problems.c) --- */

enum stay_problem {
    STAY_PROBLEM_DUPLICATE,        /* 409 stay-duplicate */
    STAY_PROBLEM_NOT_CHECKED_IN,   /* 409 stay-not-checked-in */
    STAY_PROBLEM_ALREADY_DEPARTED, /* 409 stay-already-departed */
    STAY_PROBLEM_DEPARTURE_EARLY,  /* 422 stay-departure-before-arrival */
    STAY_PROBLEM_NOT_APPROVED,     /* 403 stay-establishment-not-approved */
    STAY_PROBLEM_MANIFEST_FROZEN,  /* 409 stay-manifest-frozen */
    STAY_PROBLEM_PROVINCE_ONLY,    /* 403 stay-province-police-only */
    STAY_PROBLEM_PROFILE_EXISTS,   /* 409 stay-establishment-exists */
};

/* Replies with one of the module's problems; `ext` (may be NULL, reference taken) adds members.
 * Returns DD_DONE. */
int stay_problem_reply(struct dd_req *req, enum stay_problem p, json_t *ext);

/* The problem json of one of the module's types, for a bulk row's result. */
json_t *stay_problem_json(struct dd_req *req, enum stay_problem p);

/* Rolls back an open transaction and replies for a DD_E… code. Returns DD_DONE. */
int stay_fail(struct dd_req *req, struct dd_db *db, int rc);

/* The "who" of rows: "account:34" for staff, "officer:12" for officers. */
const char *stay_actor(struct dd_req *req);

/* Builds the JSON reply `body` with `status` into the idempotency reply, commits (storing it
 * under idem when there is one) and sends it. Returns DD_DONE. */
int stay_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem, unsigned status,
                      json_t *body, const char *location);

/* ?limit and ?cursor (an id): DD_OK, or a 400 reply and -1. */
int stay_page_or_reply(struct dd_req *req, int *limit, int64_t *cursor);

/* {"items": items, "next_cursor": next or null}. */
int stay_page_reply(struct dd_req *req, json_t *items, int64_t next);

/* The same page of stays written as text: start, add each stay, send (DD_ETOOBIG past
 * STAY_PAGE_MAX bytes, nothing sent). */
#define STAY_PAGE_MAX (16 * 1024 * 1024)
void stay_page_start(struct dd_req *req, struct dd_buf *items);
void stay_page_add(struct dd_buf *items, const struct stay *s);
int stay_page_send(struct dd_req *req, struct dd_buf *items, int64_t next);

/* The compact text of v, which is released. */
const char *stay_dump(struct dd_req *req, json_t *v);

/* The time now as ISO text in the request's arena. */
const char *stay_now_text(struct dd_req *req, int64_t ms);

/* --- the handlers --- */
int stay_est_get(struct dd_req *req);
int stay_est_request(struct dd_req *req);
int stay_est_list(struct dd_req *req);
int stay_est_decide(struct dd_req *req);
int stay_checkin(struct dd_req *req);
int stay_bulk(struct dd_req *req);
int stay_guests(struct dd_req *req);
int stay_checkout(struct dd_req *req);
int stay_correct(struct dd_req *req);
int stay_police_list(struct dd_req *req);
int stay_police_get(struct dd_req *req);
int stay_police_missing(struct dd_req *req);
int stay_police_person(struct dd_req *req);
int stay_watch_list(struct dd_req *req);
int stay_watch_add(struct dd_req *req);
int stay_watch_remove(struct dd_req *req);
int stay_alerts_list(struct dd_req *req);
int stay_contacts_list(struct dd_req *req);
int stay_contacts_add(struct dd_req *req);
int stay_trip_create(struct dd_req *req);
int stay_trip_list_own(struct dd_req *req);
int stay_trip_get_own(struct dd_req *req);
int stay_trip_board(struct dd_req *req);
int stay_trip_depart(struct dd_req *req);
int stay_trip_police_list(struct dd_req *req);
int stay_trip_police_get(struct dd_req *req);
int stay_figures_get(struct dd_req *req);

/* --- figures (figures.c) and alerts (watch.c) --- */

/* dd_event_emit of a stay event, what every stay write calls: the tourism figures follow from
 * the event in the `insight` consumer (core/insight/tourism.c), not in the writer's transaction. */
int stay_emit(struct dd_db *db, const char *type, const char *subject, const char *payload);

/* Sends alert `alert_id` (committed) to each contact of its commune and records when and to
 * how many it went, in a transaction of its own (no transaction open on db). A failure is
 * logged; the alert stays listed with notified_at null. */
void stay_alert_notify(struct dd_db *db, int64_t alert_id);

#endif
