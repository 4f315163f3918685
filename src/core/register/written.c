/*
 * written.c — the replies of the register's changes. A change builds its reply inside its own
 * transaction, so that a request's Idempotency-Key stores the reply together with the change
 * (core/idempotency/); then it commits and sends the reply. A person is shown exactly as
 * GET /api/v1/people/{id} shows them: every field, the household, the residence periods running
 * today or later, the version, and the ETag.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/idempotency/idempotency.h"
#include "core/register/api.h"
#include "http/req.h"
#include "store/store.h"

int
reg_written_json(struct reg_jw *w, unsigned status, struct dd_idem_reply *out)
{
    if (w->b.data == NULL)
        return DD_EINTERNAL;
    *out = (struct dd_idem_reply){
        .status = status,
        .content_type = "application/json",
        .body = w->b.data,
        .len = w->b.len,
    };
    return DD_OK;
}

int
reg_person_written(struct dd_req *req, struct dd_db *db, const char *id, unsigned status,
                   const char *warnings, struct dd_idem_reply *out)
{
    struct dd_reg_person rp;
    int rc = dd_reg_person_load(db, req->arena, id, &rp);
    if (rc != DD_OK)
        return rc;
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    reg_person_json(&w, &rp, warnings);
    rc = reg_written_json(&w, status, out);
    if (rc != DD_OK)
        return rc;
    char etag[32];
    reg_etag(rp.version, etag);
    out->etag = dd_arena_strdup(req->arena, etag);
    return DD_OK;
}

int
reg_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem,
                 const struct dd_idem_reply *r)
{
    int rc = dd_idem_commit(db, idem, r);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return dd_idem_send(req, r, false);
}

int
reg_person_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem, const char *id,
                        unsigned status, const char *warnings, const char *location)
{
    struct dd_idem_reply r;
    int rc = reg_person_written(req, db, id, status, warnings, &r);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    r.location = location;
    return reg_commit_reply(req, db, idem, &r);
}
