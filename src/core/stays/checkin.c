/*
 * checkin.c — POST /api/v1/stays/checkins: one guest's arrival, from the desk or the hotel's
 * own software, under an Idempotency-Key when the client sends one.
 *
 * The register fills the guest in before the transaction (a read); the write is the INSERT of
 * the stay with its event (write.c) and the stored reply, committed together with the check-ins
 * of other desks arriving at once (core/group_commit.h) while the request waits, parked. A guest
 * the register knows gets an access-log row: the establishment read their name and date of birth
 * from it.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/group_commit.h"
#include "core/idempotency/idempotency.h"
#include "core/register/register.h"
#include "core/stays/internal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define ACCESS_PURPOSE "Thông báo lưu trú (Luật Cư trú 2020, điều 30)"

/* One check-in on its way: what the request found, then what its write did. */
struct checkin {
    struct stay_est e;
    struct stay s;
    struct dd_idem *idem; /* NULL without an Idempotency-Key */
    bool found;           /* the register knows the guest */
    int outcome;          /* STAY_INSERTED or STAY_COVERED once written */
    struct dd_idem_reply reply;
    int64_t alert_id; /* a watch-list hit's alert, to send once committed; 0: none */
    struct dd_req *req;
};

/* The reply: built while the check-in is written when it is stored under an Idempotency-Key with
 * it, otherwise once the check-in is committed. */
static int
reply_of(struct checkin *c)
{
    bool covered = c->outcome == STAY_COVERED;
    struct dd_buf b;
    dd_buf_init(&b, c->req->arena, STAY_JSON_MAX + 64);
    dd_buf_puts(&b, "{\"stay\":");
    stay_write(&b, &c->s);
    dd_buf_json_bool(&b, "covered", covered);
    if (dd_buf_putc(&b, '}') != DD_OK)
        return DD_EINTERNAL;
    const char *text = b.data;
    c->reply = (struct dd_idem_reply){
        .status = covered ? 200 : 201,
        .content_type = "application/json",
        .body = text,
        .len = b.len,
        .location = dd_arena_printf(c->req->arena, "/api/v1/stays/guests/%lld", (long long)c->s.id),
    };
    return DD_OK;
}

/* The write, in the group commit's transaction (core/group_commit.h): the stay, its events, and
 * with an Idempotency-Key the reply stored under it. DD_ECONFLICT for a guest already checked in;
 * DD_EBUSY when the key's reservation was taken over by a retry meanwhile (this attempt stores
 * nothing). */
static int
checkin_write(struct dd_db *db, void *arg)
{
    struct checkin *c = arg;
    int rc = stay_insert(c->req, db, &c->e, &c->s, &c->alert_id);
    if (rc != STAY_INSERTED && rc != STAY_COVERED)
        return rc;
    c->outcome = rc;
    if (c->idem == NULL)
        return DD_OK; /* the reply is built once committed, off the committing thread */
    rc = reply_of(c);
    if (rc == DD_OK)
        rc = dd_idem_complete(db, c->idem, &c->reply, dd_clock_now_ms());
    return rc == DD_ECONFLICT ? DD_EBUSY : rc;
}

/* Once the check-in is committed (or refused): the reply, the alert, the access-log row. */
static int
checkin_answer(struct dd_req *req, void *arg, int rc)
{
    struct checkin *c = arg;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    if (rc == DD_ECONFLICT) {
        int64_t present = stay_present_id(db, c->e.id, c->s.guest_key);
        return stay_problem_reply(req, STAY_PROBLEM_DUPLICATE,
                                  json_pack("{s:I}", "stay_id", (json_int_t)present));
    }
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    if (c->idem != NULL)
        c->idem->committed = true;
    else if (reply_of(c) != DD_OK)
        return DD_EINTERNAL;
    rc = dd_idem_send(req, &c->reply, false);
    if (c->alert_id)
        stay_alert_notify(db, c->alert_id);
    if (c->found && c->outcome == STAY_INSERTED) {
        const char *ids[] = {c->s.id_number};
        dd_reg_access_reads(db, req, ids, 1, "read", "stay", ACCESS_PURPOSE);
    }
    return rc;
}

static int
checkin_run(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct checkin *c = dd_arena_zalloc(req->arena, sizeof *c);
    c->req = req;
    c->idem = idem;
    if (stay_est_or_reply(req, db, NULL, &c->e) != 0)
        return DD_DONE;
    json_t *ext = stay_in_parse(req, req->json, &c->e, dd_clock_now_ms(), &c->s);
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    c->s.reported_by = stay_actor(req);
    int rc = stay_guest_fill(req, db, &c->s, &c->found);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    /* Committed with the check-ins arriving at once; answered once durable. */
    return dd_group_commit(req, db, checkin_write, checkin_answer, c);
}

/* POST /api/v1/stays/checkins — 201 {"stay", "covered": false}; 200 with the standing
 * notification that covers a close relative ("covered": true); 400 on bad input (nothing
 * stored); 403 for an establishment not approved; 409 stay-duplicate with the present stay's id. */
int
stay_checkin(struct dd_req *req)
{
    return dd_idem_run(req, checkin_run);
}
