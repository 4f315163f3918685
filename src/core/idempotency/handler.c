/*
 * handler.c — the Idempotency-Key header around an HTTP handler: reading and checking the key,
 * answering a repeat with the stored reply, refusing a reused or busy key, and releasing the
 * reservation of a request that failed. The reply of a request that succeeds is stored by the
 * handler itself, in the transaction of its change (dd_idem_commit); see idempotency.h. A parked
 * request (http/req.h) is finished once its answer has run.
 */
#include "core/idempotency/idempotency.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <jansson.h>
#include <string.h>

#define HEADER "Idempotency-Key"

/* The caller as the key's owner: "officer:12", "client:portal". */
static const char *
principal_name(struct dd_arena *a, const struct dd_principal *who)
{
    const char *kind = who->kind == DD_PRINCIPAL_OFFICER         ? "officer"
                       : who->kind == DD_PRINCIPAL_CITIZEN       ? "citizen"
                       : who->kind == DD_PRINCIPAL_ESTABLISHMENT ? "establishment"
                                                                 : "client";
    if (who->id > 0)
        return dd_arena_printf(a, "%s:%lld", kind, (long long)who->id);
    return dd_arena_printf(a, "%s:%s", kind, who->name);
}

/* A problem of this facility: `p` gives the status, slug and title name the kind. */
static int
idem_problem(struct dd_req *req, enum dd_problem p, const char *slug, const char *title,
             const char *vi, const char *en)
{
    json_t *ext =
        json_pack("{s:s, s:s}", "type",
                  dd_arena_printf(req->arena, "urn:dinhdanh:problem:%s", slug), "title", title);
    return dd_reply_problem_detail(req, p, vi, en, ext);
}

static int
key_invalid(struct dd_req *req)
{
    json_t *ext = dd_problem_add_error(NULL, req, HEADER, "idempotency-key-invalid",
                                       "Idempotency-Key gồm 1–200 ký tự ASCII in được.",
                                       "Idempotency-Key is 1–200 printable ASCII characters.");
    return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
}

static int
reserve_failed(struct dd_req *req, struct dd_db *db, int rc)
{
    if (rc == DD_EDB)
        dd_log(DD_LOG_ERROR, "idempotency.db", "request %s: %s", req->request_id, dd_db_errmsg(db));
    if (rc == DD_EBUSY || rc == DD_EUNAVAIL)
        dd_reply_header(req, "Retry-After", "1");
    return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
}

/* Answers a key that cannot run now; DD_IDEM_RESERVED is not answered here. */
static int
answer(struct dd_req *req, enum dd_idem_state state, const struct dd_idem_reply *stored)
{
    switch (state) {
    case DD_IDEM_REPLAY:
        return dd_idem_send(req, stored, true);
    case DD_IDEM_REUSED:
        return idem_problem(
            req, DD_PROBLEM_RULE_VIOLATED, "idempotency-key-reused", "Idempotency Key Reused",
            "Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khoá mới.",
            "This Idempotency-Key was used for another request; use a new key.");
    default:
        dd_reply_header(req, "Retry-After", "1");
        return idem_problem(
            req, DD_PROBLEM_CONFLICT, "idempotency-key-in-flight", "Idempotency Key In Flight",
            "Một yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau giây lát.",
            "A request with this Idempotency-Key is being processed; retry in a moment.");
    }
}

/* A parked handler's answer, and the key it holds. */
struct parked {
    int (*answer)(struct dd_req *req, void *arg);
    void *arg;
    struct dd_idem *idem;
};

static int finish(struct dd_req *req, struct dd_idem *idem, int rc);

/* The parked handler's answer, then the key's end (the answer may park the request again). */
static int
resume_then_finish(struct dd_req *req, void *arg)
{
    struct parked *p = arg;
    return finish(req, p->idem, p->answer(req, p->arg));
}

/* After the handler (or its answer): a key whose reply was not stored with a change is
 * released, so that a retry runs again; a parked request keeps its key until it is answered. */
static int
finish(struct dd_req *req, struct dd_idem *idem, int rc)
{
    if (req->resume != NULL) {
        struct parked *p = dd_arena_alloc(req->arena, sizeof *p);
        *p = (struct parked){.answer = req->resume, .arg = req->resume_arg, .idem = idem};
        req->resume = resume_then_finish;
        req->resume_arg = p;
        return rc;
    }
    if (idem->committed)
        return rc;
    struct dd_db *db = dd_db_pool_get();
    if (db == NULL)
        return rc;
    if (dd_db_in_transaction(db)) {
        dd_log(DD_LOG_WARN, "idempotency.open_transaction",
               "request %s: the handler left a transaction open", req->request_id);
        dd_db_rollback(db);
    }
    if (dd_idem_release(db, idem) != DD_OK)
        dd_log(DD_LOG_WARN, "idempotency.release",
               "request %s: the key's reservation stays until its lease ends: %s", req->request_id,
               dd_db_errmsg(db));
    return rc;
}

int
dd_idem_run(struct dd_req *req, dd_idem_handler_fn handler)
{
    const char *key = dd_req_header(req, HEADER);
    if (key == NULL || req->who == NULL)
        return handler(req, NULL);
    if (!dd_idem_key_valid(key))
        return key_invalid(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char hash[DD_IDEM_HASH_LEN + 1];
    dd_idem_fingerprint(req->method, req->path, req->body.data ? req->body.data : "", req->body.len,
                        hash);
    struct dd_idem *idem = dd_arena_alloc(req->arena, sizeof *idem);
    dd_idem_init(idem, principal_name(req->arena, req->who), dd_arena_strdup(req->arena, key),
                 dd_arena_printf(req->arena, "%s %s", req->method, req->route_label), hash);
    enum dd_idem_state state;
    struct dd_idem_reply stored;
    int rc = dd_idem_reserve(db, req->arena, idem, dd_clock_now_ms(), &state, &stored);
    if (rc != DD_OK)
        return reserve_failed(req, db, rc);
    if (state != DD_IDEM_RESERVED)
        return answer(req, state, &stored);
    return finish(req, idem, handler(req, idem));
}

int
dd_idem_commit(struct dd_db *db, struct dd_idem *idem, const struct dd_idem_reply *r)
{
    bool store = idem != NULL && r->status >= 200 && r->status < 300;
    int rc = store ? dd_idem_complete(db, idem, r, dd_clock_now_ms()) : DD_OK;
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc == DD_OK && store)
        idem->committed = true;
    return rc;
}

int
dd_idem_commit_json(struct dd_req *req, struct dd_db *db, struct dd_idem *idem, unsigned status,
                    json_t *body, const char *location,
                    int (*fail)(struct dd_req *req, struct dd_db *db, int rc))
{
    const char *text = dd_json_dump(req->arena, body);
    json_decref(body);
    struct dd_idem_reply r = {.status = status,
                              .content_type = "application/json",
                              .body = text,
                              .len = text ? strlen(text) : 0,
                              .location = location};
    int rc = text ? dd_idem_commit(db, idem, &r) : DD_EINTERNAL;
    if (rc != DD_OK)
        return fail(req, db, rc);
    return dd_idem_send(req, &r, false);
}

int
dd_idem_send(struct dd_req *req, const struct dd_idem_reply *r, bool replayed)
{
    if (r->location && r->location[0])
        dd_reply_header(req, "Location", r->location);
    if (r->etag && r->etag[0])
        dd_reply_header(req, "ETag", r->etag);
    dd_reply_header(req, "Cache-Control", "no-store");
    if (replayed)
        dd_reply_header(req, "Idempotent-Replayed", "true");
    return dd_reply_bytes(req, r->status, r->content_type, r->body, r->len);
}
