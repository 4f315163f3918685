/*
 * consent.h — what a person lets services see (Decree 13/2023/NĐ-CP on personal data protection;
 * Personal Data Protection Law 2025), and the `consent` module.
 *
 * A consent names a person, a service (an id such as an SSO client or a data-sharing gateway
 * consumer, and the name the person saw), the data items it may receive (dd_consent_items), a
 * purpose and a period of dates in Vietnam's calendar, at most five years. A person may withdraw
 * a consent at any time: the withdrawal is recorded, the row stays, so the history is whole.
 * Granting and withdrawing emit `consent.changed` with ids only.
 *
 * A service (or the module releasing data for it) asks dd_consent_holds before it releases an
 * item: one probe of an index. The module's routes let a citizen grant, list and withdraw
 * consents, see who read their data (core/consent/access_view.h), take a copy of everything held
 * about them and ask for a correction (core/consent/corrections.h); docs/CONSENT.md has the
 * rules.
 */
#ifndef DD_CORE_CONSENT_CONSENT_H
#define DD_CORE_CONSENT_CONSENT_H

#include "http/route.h"

#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;

extern const struct dd_module dd_module_consent;

#define DD_CONSENT_MAX_YEARS   5   /* a period is at most this long */
#define DD_CONSENT_MAX_ITEMS   16  /* items named in one consent */
#define DD_CONSENT_MAX_SERVICE 64  /* bytes of a service id */
#define DD_CONSENT_MAX_NAME    200 /* bytes of a service's name */
#define DD_CONSENT_MAX_PURPOSE 500 /* bytes of a purpose or a withdrawal's reason */

/* A kind of data a consent may name. */
struct dd_consent_item {
    const char *name; /* "identity", "residence", … */
    const char *label_vi;
    const char *label_en;
};

/* Every item, ending with a row whose name is NULL. */
extern const struct dd_consent_item dd_consent_items[];

/* The item called `name`, or NULL. */
const struct dd_consent_item *dd_consent_item_find(const char *name);

/* True if `s` is a service id: 1–64 of a-z 0-9 . _ : - beginning with a letter or a digit. */
bool dd_consent_service_valid(const char *s);

/* A consent to grant. */
struct dd_consent_new {
    const char *id_number; /* the person: 12 digits */
    int64_t account_id;    /* the account granting it; 0 when unknown */
    const char *service;
    const char *service_name;
    const char *const *items; /* item names, no repeats */
    int n_items;
    const char *purpose;
    const char *valid_from;  /* YYYY-MM-DD */
    const char *valid_until; /* YYYY-MM-DD, included */
    const char *request_id;  /* may be NULL */
};

/* One problem with a consent to grant: the field, a stable code, a sentence in vi and en. */
struct dd_consent_issue {
    const char *field;
    const char *code;
    const char *vi;
    const char *en;
};

#define DD_CONSENT_MAX_ISSUES 12

struct dd_consent_issues {
    struct dd_consent_issue list[DD_CONSENT_MAX_ISSUES];
    int count;
};

/* Checks a consent to grant on day `today` (dd_day_vietnam): service id and name, 1 to 16 known
 * items without repeats, a purpose, a period that starts today or later, ends on or after its
 * start and lasts at most five years. Adds what is wrong to *out (which it empties first) and
 * returns how many problems there are. */
int dd_consent_validate(const struct dd_consent_new *c, int64_t today,
                        struct dd_consent_issues *out);

/* Grants a consent inside the caller's open transaction: the consent, its items, and the event
 * consent.changed {"consent_id", "change": "granted", "id_number", "service", "items"}. `now_ms`
 * is the time of granting (dd_clock_now_ms). DD_EINVAL when dd_consent_validate finds a problem
 * (nothing written). */
int dd_consent_grant(struct dd_db *db, const struct dd_consent_new *c, int64_t now_ms, int64_t *id);

/* A consent as stored; strings in the arena given to the reader. */
struct dd_consent {
    int64_t id;
    const char *id_number;
    const char *service;
    const char *service_name;
    const char *items_json; /* a JSON array of item names */
    const char *purpose;
    const char *valid_from;
    const char *valid_until;
    const char *granted_at;
    const char *withdrawn_at; /* "" while not withdrawn */
    const char *withdrawal_reason;
};

/* Loads consent `id` of person `id_number`; DD_ENOTFOUND when there is none of theirs. */
int dd_consent_get(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t id,
                   struct dd_consent *out);

/* Lists the person's consents newest first, those with an id below `before_id` (0: from the
 * newest), at most `limit` into out[] (room for limit); *more tells whether older ones remain. */
int dd_consent_list(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t before_id,
                    int limit, struct dd_consent *out, int *n, bool *more);

/* "withdrawn", "expired" (the period has ended), "pending" (it has not begun) or "active", at
 * `now_ms`. */
const char *dd_consent_state(const struct dd_consent *c, int64_t now_ms);

/* Withdraws consent `id` of person `id_number` at `now_ms`, inside the caller's open transaction,
 * with the event consent.changed ("change": "withdrawn"). `reason` may be NULL. DD_ENOTFOUND when
 * the person has no such consent; DD_ECONFLICT when it is already withdrawn or its period has
 * ended (nothing written). */
int dd_consent_withdraw(struct dd_db *db, const char *id_number, int64_t id, const char *reason,
                        int64_t now_ms);

/* Whether person `id_number` consented to `service` receiving `item` at time `at_ms` (epoch ms):
 * a consent naming them whose period holds Vietnam's date at that time and that was not
 * withdrawn by then. *holds gets the answer and *consent_id (may be NULL) the consent that
 * holds, the one lasting longest (0 when none). One index probe. Returns DD_OK or the
 * database's error (*holds false then). */
int dd_consent_check(struct dd_db *db, const char *id_number, const char *service, const char *item,
                     int64_t at_ms, bool *holds, int64_t *consent_id);

/* dd_consent_check for callers that release data: true only when the consent holds; false too
 * when the database does not answer (never release without an answer). */
bool dd_consent_holds(struct dd_db *db, const char *id_number, const char *service,
                      const char *item, int64_t at_ms);

#endif
