/*
 * audit.h — the append-only, hash-chained audit log.
 *
 * Every row carries the hash of the row before it and its own hash over all its fields, so
 * changing, deleting or inserting a row breaks the chain where it happened, and deleting rows at
 * the end disagrees with the head row that counts them. Appends are serialised through the head
 * row (audit_head), which is also what gives rows their consecutive ids.
 */
#ifndef DD_CORE_AUDIT_H
#define DD_CORE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

struct dd_db;
struct dd_event;

/* Longest accepted field, in bytes. */
#define DD_AUDIT_MAX_ACTOR      256
#define DD_AUDIT_MAX_ACTION     128
#define DD_AUDIT_MAX_OBJECT     512
#define DD_AUDIT_MAX_REQUEST_ID 128
#define DD_AUDIT_MAX_DETAIL     (256 * 1024)

struct dd_audit_entry {
    const char *actor;      /* who: "officer:1042", "citizen:…", "system"; required */
    const char *action;     /* what, as a dotted name: "person.update"; required */
    const char *object;     /* what it was done to; NULL for none */
    const char *detail;     /* JSON text; NULL for {} */
    const char *request_id; /* the HTTP request it came from; NULL for none */
};

/* Appends one row inside the caller's open transaction (the row exists only if that transaction
 * commits). The time is set here. DD_EINVAL if no transaction is open, a required field is
 * missing, a field is not UTF-8 or too long, or detail is not JSON. On PostgreSQL the head row
 * stays locked until the transaction ends: keep such transactions short. */
int dd_audit_append(struct dd_db *db, const struct dd_audit_entry *e);

/* dd_audit_append in a transaction of its own. */
int dd_audit_record(struct dd_db *db, const struct dd_audit_entry *e);

enum dd_audit_fault {
    DD_AUDIT_INTACT = 0,
    DD_AUDIT_ALTERED, /* a row's content no longer matches its hash */
    DD_AUDIT_LINK,    /* a row's prev_hash is not the previous row's hash */
    DD_AUDIT_GAP,     /* ids jump: rows were deleted */
    DD_AUDIT_HEAD,    /* the head disagrees with the last row: rows at the end deleted, added
                         without the head, or the head altered */
};

struct dd_audit_report {
    bool ok;
    int64_t rows;   /* rows found correct before the first fault (all rows when ok) */
    int64_t bad_id; /* id of the first wrong or missing row; 0 when ok */
    enum dd_audit_fault fault;
    char reason[256]; /* one English sentence */
};

/* Walks the whole log in id order, a page at a time, in one consistent snapshot (its own
 * read-only transaction unless the caller has one open), recomputing every hash. DD_OK with
 * r->ok when the chain is intact; DD_ECHECKSUM with the first fault in *r; another negative code
 * if the log could not be read (r->reason then says so). */
int dd_audit_verify(struct dd_db *db, struct dd_audit_report *r);

/* An event consumer (a dd_event_fn, core/events.h) that appends each event to the audit log with
 * actor "system", action "event.<type>", object = subject and detail = payload, inside the
 * delivery transaction, so each event is audited exactly once. `arg` is unused (NULL). The
 * server runs it under the consumer name "audit". */
int dd_audit_event_consumer(struct dd_db *db, const struct dd_event *ev, void *arg);

#endif
