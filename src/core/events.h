/*
 * events.h — domain events through a transactional outbox.
 *
 * A module that changes something others care about emits an event in the same transaction as
 * the change, so the event exists exactly when the change does. Consumers read events in id
 * order after a cursor stored in the database and advance it in the same transaction as their
 * own writes: delivery is at least once, and exactly once for a consumer whose effects are all
 * in this database.
 */
#ifndef DD_CORE_EVENTS_H
#define DD_CORE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_db;

#define DD_EVENT_MAX_TYPE     64           /* bytes; lower-case letters, digits, '.', '_', '-' */
#define DD_EVENT_MAX_SUBJECT  256          /* bytes of UTF-8 */
#define DD_EVENT_MAX_PAYLOAD  (256 * 1024) /* bytes of JSON */
#define DD_EVENT_MAX_CONSUMER 63           /* bytes; same characters as a type */

struct dd_event {
    int64_t id;
    const char *created_at; /* ISO 8601 UTC */
    const char *type;       /* "person.born" */
    const char *subject;    /* what it is about: "person:…"; may be "" */
    const char *payload;    /* JSON text */
};

/* Writes an event into the outbox inside the caller's open transaction. `subject` may be NULL.
 * DD_EINVAL if no transaction is open, the type is not a dotted lower-case name, the subject is
 * too long or not UTF-8, or the payload is not one well-formed JSON value of valid UTF-8 within
 * the limits (its grammar is checked, not the uniqueness of its keys: payloads are texts the
 * program writes). */
int dd_event_emit(struct dd_db *db, const char *type, const char *subject,
                  const char *payload_json);

/* A consumer: does its work for one event with `db` (inside the delivery transaction, which it
 * must neither commit nor roll back). The event's strings are valid during the call only.
 * Returns 0 to mark the event done, a negative code to have it delivered again later. */
typedef int (*dd_event_fn)(struct dd_db *db, const struct dd_event *ev, void *arg);

/* Delivers up to `max` events (0: all there are) after the consumer's cursor to fn, in batches
 * of up to 200 per transaction: fn's writes and the cursor's advance commit together. Stops at
 * the first failure: that event's writes are rolled back (a savepoint each), the events before it
 * are kept, the error is returned, and the event comes again on the next call. *processed counts
 * the events done. A new consumer starts at the first event. Several processes may run the same
 * consumer: its cursor row is locked for each batch. Needs a connection with no open
 * transaction. The batches' commits do not wait for the disk (store.h, dd_db_sync_commits): a
 * batch lost to a power cut is delivered again, its cursor's move being lost with it. */
int dd_events_consume(struct dd_db *db, const char *consumer, dd_event_fn fn, void *arg, size_t max,
                      size_t *processed);

/* One consumer of dd_events_consume_many: name, fn and arg given; the rest is its outcome. */
struct dd_event_consumer {
    const char *name;
    dd_event_fn fn;
    void *arg;
    /* The dispatcher's: called after a round in which this consumer did events has committed;
     * may be NULL. */
    void (*after_commit)(void);
    /* NULL-terminated type prefixes ("stay.", "payment.paid") of the events fn is given; the
     * others are passed over (the cursor moves past them) without calling it or opening its
     * savepoint. NULL: every event. */
    const char *const *types;
    /* Called at the end of each of its batches, inside it (NULL for none): with keep true before
     * its cursor moves, for fn to write what it gathered over the batch in memory (a failure
     * drops the batch, which comes again); with keep false when the batch is dropped, to forget
     * it. */
    int (*batch_end)(struct dd_db *db, void *arg, bool keep);
    bool pending;     /* out: it had events waiting */
    size_t processed; /* out: events done and committed */
    int rc;           /* out: 0, or why its batch stopped (as dd_events_consume) */
};

/* One round for several consumers in ONE transaction (one commit instead of one each, which the
 * event dispatcher of a busy server pays for every batch): each consumer with events waiting gets
 * up to `max_each` (0: 200) in a savepoint of its own, with the same rules as dd_events_consume —
 * a failing event is undone and stops that consumer only, the events before it are kept, and a
 * consumer whose batch fails as a whole (its cursor cannot be locked) loses only its own writes.
 * Returns 0, or the commit's failure, in which case nothing of the round is kept (processed is 0
 * for all) and it comes again. Needs a connection with no open transaction. */
int dd_events_consume_many(struct dd_db *db, struct dd_event_consumer *cs, size_t n,
                           size_t max_each);

struct dd_consumer_status {
    char consumer[DD_EVENT_MAX_CONSUMER + 1];
    int64_t position;    /* id of the last event done */
    int64_t pending;     /* events after it */
    char updated_at[32]; /* when the cursor last moved */
};

/* Lists every consumer by name into a new array (*out, released with free()), and the newest
 * event's id (0 if there is none) into *last_id. The consumers named in `known` (NULL-terminated;
 * NULL for none) are listed too when they have never run: position 0, every event pending. */
int dd_events_status(struct dd_db *db, const char *const *known, struct dd_consumer_status **out,
                     size_t *count, int64_t *last_id);

#endif
