/*
 * idempotency.h — the Idempotency-Key of creations a client may retry (docs/API.md, "Safety"):
 * the same caller sending the same key with the same request gets the first reply again, and
 * the change is made once.
 *
 * Design: reserve first, complete with the change. The key's row is reserved in a short
 * transaction of its own before the request runs (status 0, owned by a random token of this
 * request); while it is reserved, the same key gets 409 `idempotency-key-in-flight`. The
 * request's change then stores its reply into the row *inside the change's own transaction*
 * (dd_idem_commit), on the condition that this request still owns the reservation: the change
 * and its stored reply are committed together or not at all, so there is never a change without
 * its reply nor a reply without its change. A request that fails changed nothing, and its
 * reservation is deleted (the retry is a fresh attempt). A reservation whose request died
 * (crash, lost connection) holds no change — its change would have completed it — and is taken
 * over by the next request with that key once DD_IDEM_LEASE_MS have passed; should the first
 * request still be running then, its completion finds the reservation gone and its whole change
 * rolls back. Only successful (2xx) replies are stored.
 *
 * A key belongs to its caller ("officer:12"); the same key of another caller is another key. The
 * request is fingerprinted by SHA-256 over the method, the path and the body bytes; the same key
 * with another fingerprint is 422 `idempotency-key-reused`. Keys are kept 24 hours
 * (DD_IDEM_TTL_MS): an older row is treated as absent and purged now and then by reservations
 * (dd_idem_purge does it at once).
 */
#ifndef DD_CORE_IDEMPOTENCY_IDEMPOTENCY_H
#define DD_CORE_IDEMPOTENCY_IDEMPOTENCY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_req;

#define DD_IDEM_MAX_KEY   200                  /* bytes of printable ASCII */
#define DD_IDEM_TTL_MS    (24LL * 3600 * 1000) /* a key is remembered this long */
#define DD_IDEM_LEASE_MS  (60LL * 1000)        /* a reservation older than this is abandoned */
#define DD_IDEM_HASH_LEN  64                   /* hex digits of a SHA-256 */
#define DD_IDEM_OWNER_LEN 32                   /* hex digits of the reservation's token */

/* One request's key. */
struct dd_idem {
    const char *principal; /* "officer:12" */
    const char *key;       /* the Idempotency-Key header */
    const char *route;     /* "POST /api/v1/people/{id}/deaths" */
    char request_hash[DD_IDEM_HASH_LEN + 1];
    char owner[DD_IDEM_OWNER_LEN + 1]; /* random, unique to this request */
    bool committed;                    /* its reply is stored with the change */
};

/* A reply as stored and sent again. */
struct dd_idem_reply {
    unsigned status;
    const char *content_type;
    const char *body;
    size_t len;
    const char *location; /* the Location header; NULL or "" for none */
    const char *etag;     /* the ETag header; NULL or "" for none */
};

enum dd_idem_state {
    DD_IDEM_RESERVED,  /* the key is this request's now: run it */
    DD_IDEM_REPLAY,    /* done before with the same request: the stored reply is given */
    DD_IDEM_REUSED,    /* the key was used with another request */
    DD_IDEM_IN_FLIGHT, /* a request with this key is running */
};

/* True if `key` is 1 to DD_IDEM_MAX_KEY bytes of printable ASCII (0x20–0x7E). */
bool dd_idem_key_valid(const char *key);

/* Writes the request's fingerprint: hex SHA-256 of "METHOD\nPATH\n" followed by the body. */
void dd_idem_fingerprint(const char *method, const char *path, const void *body, size_t len,
                         char out[DD_IDEM_HASH_LEN + 1]);

/* Fills *k for one request (the strings are not copied) with a fresh random owner token. */
void dd_idem_init(struct dd_idem *k, const char *principal, const char *key, const char *route,
                  const char *request_hash);

/* Looks the key up and, when it is free (never used, expired, or an abandoned reservation),
 * reserves it for k, in a transaction of its own (the connection must have none open). *state
 * says what was found; for DD_IDEM_REPLAY *stored holds the reply, copied into `a`. `now_ms` is
 * the time (dd_clock_now_ms; tests pass others). Now and then it also purges expired keys.
 * Returns DD_OK or a database error (nothing reserved then). */
int dd_idem_reserve(struct dd_db *db, struct dd_arena *a, const struct dd_idem *k, int64_t now_ms,
                    enum dd_idem_state *state, struct dd_idem_reply *stored);

/* Stores reply r under k's reservation inside the caller's open transaction. DD_ECONFLICT if k
 * no longer owns an unfinished reservation (it was taken over): the caller must roll back. */
int dd_idem_complete(struct dd_db *db, const struct dd_idem *k, const struct dd_idem_reply *r,
                     int64_t now_ms);

/* Deletes k's reservation unless it was completed; nothing else. Needs no transaction open. */
int dd_idem_release(struct dd_db *db, const struct dd_idem *k);

/* Deletes every key created before now_ms - DD_IDEM_TTL_MS; *removed (may be NULL) counts them. */
int dd_idem_purge(struct dd_db *db, int64_t now_ms, int64_t *removed);

/* --- for HTTP handlers (handler.c) --- */

/* A handler run under a key; idem is NULL when the request carries none. */
typedef int (*dd_idem_handler_fn)(struct dd_req *req, struct dd_idem *idem);

/* Runs `handler` under the request's Idempotency-Key, if it has one: 400 validation-failed for a
 * malformed key; the stored reply again (with `Idempotent-Replayed: true`) for a repeat; 422
 * idempotency-key-reused or 409 idempotency-key-in-flight; otherwise the handler, after which a
 * reservation its request did not complete is released. A handler that parks its request
 * (dd_req_park, core/group_commit.h) keeps the reservation until its answer has run. A request
 * without the header, or without an authenticated caller, runs the handler with idem NULL.
 * Returns what the handler returned, or DD_DONE. */
int dd_idem_run(struct dd_req *req, dd_idem_handler_fn handler);

/* Commits the caller's open transaction, with reply r stored under idem first when idem is not
 * NULL (then idem->committed is set once the commit succeeds). On failure the transaction is
 * left for the caller to roll back; DD_ECONFLICT means the reservation was lost. */
int dd_idem_commit(struct dd_db *db, struct dd_idem *idem, const struct dd_idem_reply *r);

/* The end of a change whose answer is JSON: dumps `body` (taking it) into a reply with `status`
 * and `location` (NULL for none), commits with it stored under idem (dd_idem_commit) and sends
 * it. On a failure nothing is sent and fail(req, db, rc), the module's own, answers (rolling the
 * transaction back). Returns what the send or fail returned. */
int dd_idem_commit_json(struct dd_req *req, struct dd_db *db, struct dd_idem *idem, unsigned status,
                        json_t *body, const char *location,
                        int (*fail)(struct dd_req *req, struct dd_db *db, int rc));

/* Sends reply r: its status, Content-Type, body, Location and ETag, `Cache-Control: no-store`,
 * and `Idempotent-Replayed: true` when `replayed`. The first reply and a replay go through here,
 * so that they are the same. Returns DD_DONE. */
int dd_idem_send(struct dd_req *req, const struct dd_idem_reply *r, bool replayed);

#endif
