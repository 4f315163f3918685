/*
 * pay.h — the payments core: payment intents and their states, for every module that collects
 * money (fees, fines, hospital bills, tickets, school fees).
 *
 * A module creates an intent for an amount in VND, a payer and the object it pays for, inside
 * its own transaction (dd_pay_create). The intent then moves through its states — created →
 * pending → paid, or failed / expired / refunded — only by dd_pay_move, which records each move
 * in payment_transitions and, in the same transaction, emits the event `payment.<state>` for
 * paid, failed, expired and refunded (subject "payment:<id>", payload the intent as JSON), so
 * the owning module learns of it through its on_event (it filters on the payload's "module").
 * The gateways (vnpay.h, the bank webhook) and the HTTP API go through these functions too.
 *
 * Functions taking a db need the caller's open transaction unless said otherwise; strings of a
 * struct dd_payment live in the arena given.
 */
#ifndef DD_CORE_PAY_PAY_H
#define DD_CORE_PAY_PAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;

#define DD_PAY_MAX_AMOUNT    9999999999LL /* VND (ten digits; VNPay's amount is this × 100) */
#define DD_PAY_DEFAULT_TTL   (24 * 3600)  /* seconds an intent may be paid, by default */
#define DD_PAY_MAX_TTL       (90 * 24 * 3600)
#define DD_PAY_REFERENCE_LEN 12 /* "DD" and 10 of 0-9 A-Z */

struct dd_payment {
    const char *id; /* "pay_…" */
    const char *reference;
    const char *purpose;
    const char *description;
    int64_t amount;
    const char *payer_id_number;
    const char *payer_name;
    const char *module;
    const char *object_type;
    const char *object_id;
    const char *state;
    const char *method;
    const char *gateway_txn;
    const char *receipt_code; /* "" until paid */
    const char *created_by;
    const char *created_at;
    const char *updated_at;
    const char *expires_at;
    const char *paid_at;
    int64_t version;
};

struct dd_pay_new {
    const char *purpose; /* dd_pay_purpose_valid */
    const char *description;
    int64_t amount; /* 1 … DD_PAY_MAX_AMOUNT */
    const char *payer_id_number;
    const char *payer_name; /* may be NULL */
    const char *module;
    const char *object_type;
    const char *object_id;
    const char *created_by;
    int64_t ttl_seconds; /* 0: DD_PAY_DEFAULT_TTL */
};

/* A move of an intent's state and who made it. */
struct dd_pay_move {
    const char *to;          /* the new state */
    const char *actor;       /* "officer:12", "vnpay", "bank", "system" */
    const char *reason;      /* may be NULL */
    const char *method;      /* NULL keeps the intent's */
    const char *gateway_txn; /* NULL keeps the intent's */
    const char *detail_json; /* a JSON object or NULL */
    int64_t now_ms;
};

/* True for the purposes an intent may have: fee, fine, hospital, ticket, school, other. */
bool dd_pay_purpose_valid(const char *purpose);

/* True if an intent in state `from` may move to `to`: created → pending, paid, expired, failed;
 * pending → paid, failed, expired; failed → pending, paid, expired; paid → refunded. */
bool dd_pay_can_move(const char *from, const char *to);

/* Creates an intent in state created, with a new id and reference, and its first transition.
 * DD_EINVAL if a field is missing or out of range (the HTTP layer checks first and says which). */
int dd_pay_create(struct dd_db *db, struct dd_arena *a, const struct dd_pay_new *n, int64_t now_ms,
                  struct dd_payment *out);

/* Reads an intent by id, by reference, or by receipt code into *out. DD_ENOTFOUND if none. Needs
 * no transaction. */
int dd_pay_get(struct dd_db *db, struct dd_arena *a, const char *id, struct dd_payment *out);
int dd_pay_get_by_reference(struct dd_db *db, struct dd_arena *a, const char *reference,
                            struct dd_payment *out);
int dd_pay_get_by_receipt(struct dd_db *db, struct dd_arena *a, const char *code,
                          struct dd_payment *out);

/* Moves *p to m->to: the row (checked against p->version: DD_ECONFLICT if it changed meanwhile),
 * a transition row and, for paid/failed/expired/refunded, the event. A move to paid gives the
 * intent a receipt code and paid_at. DD_EINVAL if the move is not allowed from p->state. *p is
 * updated. */
int dd_pay_move(struct dd_db *db, struct dd_arena *a, struct dd_payment *p,
                const struct dd_pay_move *m);

/* True if p is past its expiry while still payable (created, pending or failed). */
bool dd_pay_due_to_expire(const struct dd_payment *p, int64_t now_ms);

/* Moves every intent past its expiry to expired, up to `max` of them, each in a transaction of
 * its own (needs none open). *count counts them. */
int dd_pay_expire_due(struct dd_db *db, int64_t now_ms, int max, int *count);

/* The intent as a new JSON object (amount as a number; receipt_code only once paid). */
json_t *dd_pay_json(const struct dd_payment *p);

/* The intent's transitions, oldest first, as a new JSON array; NULL on a database error. Needs
 * no transaction. */
json_t *dd_pay_transitions_json(struct dd_db *db, const char *id);

#endif
