/*
 * req.h — one HTTP request as a handler sees it.
 *
 * A request owns an arena: everything allocated for it (strings, the body, the JSON tree, the
 * reply) is released at once when the response has been sent. Handlers read the request with the
 * accessors below and answer with one of the dd_reply_* functions (reply.h), exactly once.
 */
#ifndef DD_HTTP_REQ_H
#define DD_HTTP_REQ_H

#include "base/buf.h"
#include "http/router.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct MHD_Connection;
struct MHD_Response;
struct dd_arena;
struct dd_db;
struct dd_principal;

enum dd_lang { DD_LANG_VI = 0, DD_LANG_EN = 1 };

#define DD_REQUEST_ID_MAX 64

struct dd_req_header {
    struct dd_req_header *next;
    const char *name;
    const char *value;
};

struct dd_req {
    struct MHD_Connection *conn;
    struct dd_arena *arena;
    const char *method;
    const char *path; /* decoded, without the query string */
    struct dd_route_match match;
    char *scratch;                  /* backs match.values */
    const struct dd_principal *who; /* set by the authenticator; NULL for DD_AUTH_NONE routes */
    enum dd_lang lang;
    char request_id[DD_REQUEST_ID_MAX + 1];
    int64_t start_ns;

    bool start_deferred; /* no body announced: route and checks run with the handler */

    /* Body, as read so far, and its state. */
    struct dd_buf body;
    size_t body_received; /* bytes the client sent, kept or not */
    bool body_too_big;
    bool body_refused; /* a streamed body's sink refused it (DD_BODY_STREAM) */
    void *body_state;  /* a streamed body's sink's own state */
    json_t *json;      /* the parsed body of a DD_BODY_JSON route */

    /* Reply state. */
    bool replied;
    unsigned status;
    size_t bytes_out;
    struct dd_req_header *extra_headers; /* added with dd_reply_header before replying */
    bool page; /* an HTML page (its 304 too): replied with the pages' CSP, not the data's */
    const char *route_label; /* metrics and access log: the route pattern */
    size_t metrics_slot;

    /* Parking (dd_req_park): what answers the request once the work it waits for is done. */
    int (*resume)(struct dd_req *req, void *arg);
    void *resume_arg;
};

/* The value of path parameter `name` ("{id}"), or NULL. */
const char *dd_req_param(const struct dd_req *req, const char *name);

/* The decoded value of query argument `name`, or NULL. */
const char *dd_req_query(const struct dd_req *req, const char *name);

/* The value of request header `name` (case-insensitive), or NULL. */
const char *dd_req_header(const struct dd_req *req, const char *name);

/* Chooses vi or en from an Accept-Language value (vi when absent or neither is named). */
enum dd_lang dd_req_lang_from_header(const char *accept_language);

/* Copies `incoming` into out when it is a well-formed request id (1–64 of A-Z a-z 0-9 . _ -);
 * otherwise writes a fresh random one. */
void dd_req_make_id(const char *incoming, char out[DD_REQUEST_ID_MAX + 1]);

/* This thread's database connection, or a 503 problem reply and NULL. */
struct dd_db *dd_req_db_or_reply(struct dd_req *req);

/*
 * Parking: a handler whose answer waits for work another thread does for many requests at once
 * (a group commit) parks its request instead of holding its thread, which goes on serving other
 * connections meanwhile.
 *
 *     if (dd_req_can_park(req)) {
 *         dd_req_park(req, answer, state);   // first
 *         hand_over(state);                  // then give the work away
 *         return DD_DONE;                    // the handler returns without replying
 *     }
 *
 * The thread that finishes the work calls dd_req_unpark(req), once; the request's own thread
 * then calls answer(req, state), which replies or returns an error code that is answered as a
 * handler's would be. Until then `req` and its arena stay as they are; the work must not touch
 * the connection's database handle, which belongs to the request's thread.
 */
bool dd_req_can_park(const struct dd_req *req);
void dd_req_park(struct dd_req *req, int (*answer)(struct dd_req *req, void *arg), void *arg);
void dd_req_unpark(struct dd_req *req);

#endif
