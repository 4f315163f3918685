/*
 * org_internal.h — what the organisation files of core/identity share: the checks of a new
 * organisation or staff member (used by the command line and the API alike, so that both refuse
 * the same input with the same words), the rows as loaded, and the handlers of the
 * `organisations` module. Nothing here is for other modules; they use orgs.h.
 */
#ifndef DD_CORE_IDENTITY_ORG_INTERNAL_H
#define DD_CORE_IDENTITY_ORG_INTERNAL_H

#include "core/identity/internal.h"
#include "core/identity/orgs.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_req;

#define ORG_NAME_MAX    120 /* bytes of an organisation's name */
#define ORG_ADDRESS_MAX 200
#define ORG_LICENCE_MAX 50
#define ORG_ISSUER_MAX  200
#define ORG_STAFF_MAX   100 /* bytes of a staff member's name */
#define ORG_REASON_MAX  500
#define ORG_ERRORS_MAX  16
#define ORG_SMALL_BODY  (16 * 1024)

/* --- checks (org_check.c) --- */

/* The field errors of one input, in the order found. */
struct org_errors {
    int n;
    struct {
        const char *field, *code, *vi, *en;
    } e[ORG_ERRORS_MAX];
};

void org_error(struct org_errors *errs, const char *field, const char *code, const char *vi,
               const char *en);

/* Checks a new organisation and rewrites its fields in place: texts trimmed and in NFC, the
 * phone in E.164, absent fields NULL (all in the arena). The commune must be in force today in
 * the province. Returns DD_OK with the problems in *errs (none: errs->n == 0), or a database
 * error. */
int org_check_new(struct dd_db *db, struct dd_arena *a, struct dd_org_new *o,
                  struct org_errors *errs);

/* Checks a new staff member the same way; with `contact_required` a phone or an e-mail must be
 * given (where the code that sets the first password goes). */
void org_check_staff(struct dd_arena *a, struct dd_org_staff_new *s, bool contact_required,
                     struct org_errors *errs);

/* A text of at most `max` bytes (after NFC), trimmed, valid UTF-8 without control characters;
 * NULL when absent (an error if required) or wrong. */
const char *org_text(struct org_errors *errs, struct dd_arena *a, const char *field, const char *s,
                     bool required, size_t max);

/* "field: sentence; field: sentence…" of the errors, for the command line. */
void org_errors_sentence(const struct org_errors *errs, char *err, size_t errlen);

/* Replies 400 validation-failed listing every error; returns DD_DONE. */
int org_errors_reply(struct dd_req *req, const struct org_errors *errs);

/* --- organisations (org_store.c) --- */

/* Emits `type` with subject "organisation:ID" and a JSON payload (the reference is taken)
 * inside the caller's transaction. */
int org_event(struct dd_db *db, const char *type, int64_t org_id, json_t *payload);

struct org {
    int64_t id;
    const char *kind, *name, *registration_number;
    const char *licence_number, *licence_issuer, *licence_issued_on, *licence_expires_on;
    const char *address, *province, *commune, *phone;
    const char *status, *status_reason, *status_by, *status_at;
    const char *created_by, *created_at, *updated_at;
};

/* Inserts a checked organisation and emits organisation.created, inside the caller's
 * transaction. DD_EEXIST if its registration number is taken. */
int org_insert(struct dd_db *db, const struct dd_org_new *o, const char *actor, int64_t now_ms,
               int64_t *id);

/* Loads organisation `id`, strings in the arena. DD_ENOTFOUND. */
int org_load(struct dd_db *db, struct dd_arena *a, int64_t id, struct org *out);

/* The organisation as officers and its staff see it. */
json_t *org_json(const struct org *o);

/* Sets the status ("active" or "suspended", with the reason) of organisation `o` and emits
 * organisation.suspended or organisation.reinstated, inside the caller's transaction. */
int org_set_status(struct dd_db *db, const struct org *o, const char *status, const char *reason,
                   const char *actor, int64_t now_ms);

/* Makes this process's session cache forget the sessions of organisation `org_id`'s staff, so
 * that a change of its status applies at their next request. Call after the commit. */
int org_forget_staff_sessions(struct dd_db *db, int64_t org_id);

/* One page of organisations in id order after `cursor`, in a province, optionally in one
 * commune, of one kind and of one status (NULL or "": any). *next is the cursor of the next
 * page, 0 when this one is the last. */
struct org_query {
    const char *province, *commune, *kind, *status;
    int limit;
    int64_t cursor;
};
int org_page(struct dd_db *db, struct dd_arena *a, const struct org_query *q, json_t *items,
             int64_t *next);

/* --- staff (org_staff.c) --- */

struct org_member {
    int64_t id; /* the org_staff row */
    int64_t org_id, account_id;
    const char *login, *display_name, *role, *phone, *email, *account_status;
    bool has_password, second_factor;
    const char *added_by, *added_at, *ended_at, *ended_by, *end_reason;
};

/* Creates the staff member's account (kind staff, level 1, active; `hash` may be "" for no
 * password) and membership, emits account.created and organisation.staff_added, inside the
 * caller's transaction. DD_EEXIST if the username is a login or an officer's username already. */
int org_staff_insert(struct dd_db *db, const struct dd_org_staff_new *s, const char *hash,
                     const char *actor, int64_t now_ms, int64_t *account_id);

/* Loads the membership of account `account_id` (or, when `login` is not NULL, of the account
 * with that login) in organisation `org_id`. DD_ENOTFOUND. */
int org_member_load(struct dd_db *db, struct dd_arena *a, int64_t org_id, int64_t account_id,
                    const char *login, struct org_member *out);

/* Ends a current membership: ended_at, the account disabled, its sessions ended, the event
 * organisation.staff_ended. Inside the caller's transaction. */
int org_staff_end(struct dd_db *db, const struct org_member *m, const char *reason,
                  const char *actor, int64_t now_ms);

json_t *org_member_json(const struct org_member *m);

/* One page of an organisation's staff (current and former) in id order after `cursor`. */
int org_staff_page(struct dd_db *db, struct dd_arena *a, int64_t org_id, int limit, int64_t cursor,
                   json_t *items, int64_t *next);

/* --- requests (org_api.c) --- */

/* Who acts, for the records: "officer:12" or "account:34" (a staff member). */
const char *org_actor(struct dd_req *req);

/* Loads organisation {id} of the path, or replies 404 and returns -1: for an officer it must be
 * in their area, for a staff member their own organisation. */
int org_path_or_reply(struct dd_req *req, struct dd_db *db, struct org *o);

/* Replies 200 {"items", "next_cursor"} (the cursor as text, null on the last page). */
int org_page_reply(struct dd_req *req, json_t *items, int64_t next);

/* Adds a staff member without a password (org_staff_insert, by the caller) and issues the
 * one-time code that sets their first password, inside the caller's transaction; *acc receives
 * the new account. */
int org_staff_invite(struct dd_req *req, struct dd_db *db, const struct dd_org_staff_new *s,
                     int64_t now_ms, struct id_account *acc, char code[DD_OTC_SIZE]);

/* After the commit of an invitation: queues the code for the member's e-mail or phone and
 * replies 201 with the organisation (NULL: none), the member and where the code went. */
int org_invited_reply(struct dd_req *req, struct dd_db *db, const struct org *o,
                      const struct id_account *acc, const char *code);

/* --- handlers --- */

int org_create(struct dd_req *req);
int org_list(struct dd_req *req);
int org_get(struct dd_req *req);
int org_suspend(struct dd_req *req);
int org_reinstate(struct dd_req *req);
int org_staff_list(struct dd_req *req);
int org_staff_create(struct dd_req *req);
int org_staff_ending(struct dd_req *req);
int org_me_get(struct dd_req *req);

#endif
