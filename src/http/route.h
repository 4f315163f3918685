/*
 * route.h — how a module declares itself and its routes.
 *
 * A module is one const struct listing its routes and, optionally, a consumer of domain events.
 * Every route row states who may call it; the router refuses a row whose auth is left unset, and
 * refuses every caller the authenticator does not accept (deny by default).
 *
 *     static const struct dd_route stay_routes[] = {
 *         DD_ROUTE("GET", "/api/v1/stays/{id}", stay_get, DD_AUTH_ESTABLISHMENT, "stay:read"),
 *         DD_ROUTE_BODY("POST", "/api/v1/stays", stay_create, DD_AUTH_ESTABLISHMENT, "stay:write",
 *                       DD_BODY_JSON, 0),
 *         DD_ROUTES_END,
 *     };
 */
#ifndef DD_HTTP_ROUTE_H
#define DD_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

struct dd_req;
struct dd_db;
struct dd_event;

typedef int (*dd_handler_fn)(struct dd_req *req);

/* Who may call a route. DD_AUTH_UNSET (0) is what a forgotten field becomes: refused at start. */
enum dd_auth {
    DD_AUTH_UNSET = 0,
    DD_AUTH_NONE,          /* anyone, no credentials */
    DD_AUTH_CITIZEN_L1,    /* a citizen with a level-1 (or level-2) e-identity */
    DD_AUTH_CITIZEN_L2,    /* a citizen with a level-2 e-identity */
    DD_AUTH_OFFICER,       /* an officer; the scope names the role and the area is checked */
    DD_AUTH_ESTABLISHMENT, /* a registered establishment's account */
    DD_AUTH_CLIENT,        /* an OAuth client holding the scope */
    DD_AUTH_OPERATOR,      /* the platform's operators */
};

/* What a route reads from the request body. */
enum dd_body {
    DD_BODY_NONE = 0, /* no body: one sent is ignored */
    DD_BODY_JSON,     /* a JSON value, parsed with bounds into req->json */
    DD_BODY_RAW,      /* bytes kept unparsed in req->body (forms: the handler reads them) */
    DD_BODY_STREAM,   /* bytes handed to the route's sink as they arrive, never kept whole */
};

/*
 * What receives a streamed body (DD_BODY_STREAM), piece by piece as libmicrohttpd reads it, so
 * that a large body (an upload) never sits in memory. Both functions run on the request's thread
 * before the handler and never reply (libmicrohttpd queues no answer while a body is arriving):
 * the handler runs once the body is in and answers. A sink keeps its state in req->body_state
 * and releases non-memory resources with an arena cleanup, which runs however the request ends.
 */
struct dd_body_sink {
    /* The next piece, in order; the pieces never add up past the route's limit. DD_OK to go on;
     * an error refuses the body: no more pieces come (the rest is read and dropped), the server
     * sets req->body_refused and the handler still runs and answers. */
    int (*chunk)(struct dd_req *req, const char *data, size_t n);
    /* The body passed the route's limit: release what is held now. The server answers 413
     * itself and the handler does not run. */
    void (*over)(struct dd_req *req);
};

struct dd_route {
    const char *method; /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *path;   /* "/api/v1/people/{id}" */
    dd_handler_fn handler;
    enum dd_auth auth;
    const char *scope; /* role or OAuth scope; NULL when auth says all */
    enum dd_body body;
    size_t max_body;                  /* 0: the server's max-body setting */
    const size_t *max_body_at;        /* when set: the limit, read at each request, which may
                                         exceed max-body (uploads) */
    const char *const *content_types; /* NULL: application/json only */
    const struct dd_body_sink *sink;  /* DD_BODY_STREAM: what receives the body */
};

#define DD_ROUTE(method_, path_, handler_, auth_, scope_)                                          \
    {                                                                                              \
        .method = (method_), .path = (path_), .handler = (handler_), .auth = (auth_),              \
        .scope = (scope_), .body = DD_BODY_NONE                                                    \
    }
#define DD_ROUTE_BODY(method_, path_, handler_, auth_, scope_, body_, max_body_, types_)           \
    {                                                                                              \
        .method = (method_), .path = (path_), .handler = (handler_), .auth = (auth_),              \
        .scope = (scope_), .body = (body_), .max_body = (max_body_), .content_types = (types_)     \
    }
#define DD_ROUTES_END                                                                              \
    {                                                                                              \
        .method = NULL                                                                             \
    }

/* A consumer of domain events: runs inside the transaction that advances its cursor. */
typedef int (*dd_event_handler_fn)(struct dd_db *db, const struct dd_event *ev, void *arg);

struct dd_module {
    const char *name;              /* also the name of its event consumer */
    const struct dd_route *routes; /* ends with DD_ROUTES_END; NULL for none */
    dd_event_handler_fn on_event;  /* NULL when the module reacts to no event */
    /* NULL-terminated prefixes of the event types on_event is given (core/events.h, struct
     * dd_event_consumer's types); NULL: every event. */
    const char *const *event_types;
    /* Called by the event dispatcher once the delivery transaction in which on_event did events
     * has committed (NULL for none): where what on_event changed must be seen by other threads
     * — a cache dropped inside the transaction could be refilled from the state before it. */
    void (*after_events)(void);
    /* Called at the end of each batch of events on_event was given, inside its transaction (NULL
     * for none): keep true to write what on_event gathered over the batch in memory, keep false
     * when the batch is dropped (core/events.h, struct dd_event_consumer's batch_end). */
    int (*events_batch_end)(struct dd_db *db, void *arg, bool keep);
    /* Called by the event dispatcher after each round, outside any transaction, on its own
     * connection (NULL for none): work that on_event deferred with DD_ELATER because it must not
     * run inside the delivery transaction. Returns > 0 when it did some (the dispatcher then
     * goes on without pausing), 0 otherwise. */
    int (*after_round)(struct dd_db *db);
};

/* Short lowercase name of an auth kind ("none", "citizen-l2", …) for listings and docs. */
const char *dd_auth_name(enum dd_auth auth);

#endif
