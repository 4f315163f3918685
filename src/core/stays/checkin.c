/*
 * checkin.c — POST /api/v1/stays/checkins: one guest's arrival, from the desk or the hotel's
 * own software, under an Idempotency-Key when the client sends one.
 *
 * The register fills the guest in before the transaction (a read); the transaction is the
 * INSERT of the stay with its event (write.c) and the stored reply, committed together with
 * the check-ins of other requests waiting at the same time (batch.c). A guest the register knows
 * gets an access-log row: the establishment read their name and date of birth from it.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/idempotency/idempotency.h"
#include "core/register/register.h"
#include "core/stays/internal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#define ACCESS_PURPOSE "Thông báo lưu trú (Luật Cư trú 2020, điều 30)"

static int
checkin_run(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, NULL, &e) != 0)
        return DD_DONE;
    struct stay s;
    json_t *ext = stay_in_parse(req, req->json, &e, dd_clock_now_ms(), &s);
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    s.reported_by = stay_actor(req);
    bool found;
    int rc = stay_guest_fill(req, db, &s, &found);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    struct stay_job job = {.req = req, .e = &e, .s = &s, .idem = idem};
    stay_batch_run(db, &job);
    if (job.rc == DD_ECONFLICT) {
        int64_t present = stay_present_id(db, e.id, s.guest_key);
        return stay_problem_reply(req, STAY_PROBLEM_DUPLICATE,
                                  json_pack("{s:I}", "stay_id", (json_int_t)present));
    }
    if (job.rc != STAY_INSERTED && job.rc != STAY_COVERED)
        return stay_fail(req, db, job.rc);
    rc = dd_idem_send(req, &job.reply, false);
    if (job.alert_id)
        stay_alert_notify(db, job.alert_id);
    if (found && job.rc == STAY_INSERTED) {
        const char *ids[] = {s.id_number};
        dd_reg_access_reads(db, req, ids, 1, "read", "stay", ACCESS_PURPOSE);
    }
    return rc;
}

/* POST /api/v1/stays/checkins — 201 {"stay", "covered": false}; 200 with the standing
 * notification that covers a close relative ("covered": true); 400 on bad input (nothing
 * stored); 403 for an establishment not approved; 409 stay-duplicate with the present stay's id. */
int
stay_checkin(struct dd_req *req)
{
    return dd_idem_run(req, checkin_run);
}
