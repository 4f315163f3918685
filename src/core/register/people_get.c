/*
 * people_get.c — reading one person: GET /api/v1/people/{id} (the person with household and
 * current residence periods). The history is people_history.c's.
 *
 * Officers' reads state a purpose (X-Purpose) and each one is written to the person's access
 * log before the data is sent. Reading a person is the register's hottest path: one statement
 * for the person, household and running residence periods (people.residences, see
 * residence_periods.c), one queued access-log row, and a reply written into the request's arena.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/purpose.h"
#include "core/register/api.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

/* Today's date, "YYYY-MM-DD". */
static void
today(char out[32])
{
    dd_clock_iso8601(dd_clock_now_ms(), out);
    out[10] = '\0';
}

void
reg_person_json(struct reg_jw *w, const struct dd_reg_person *rp, const char *warnings)
{
    reg_jw_open(w, NULL, '{');
    char on[32];
    today(on);
    reg_jw_person(w, rp);
    reg_jw_raw(w, "residences", dd_reg_residences_running(w->b.arena, rp->residences, on));
    if (warnings)
        reg_jw_raw(w, "warnings", warnings);
    reg_jw_close(w, '}');
}

int
reg_person_reply(struct dd_req *req, const struct dd_reg_person *rp, unsigned status,
                 const char *warnings)
{
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    reg_person_json(&w, rp, warnings);
    char etag[32];
    reg_etag(rp->version, etag);
    dd_reply_header(req, "ETag", etag);
    return reg_jw_reply(req, status, &w);
}

int
reg_person_reload_reply(struct dd_req *req, struct dd_db *db, const char *id, unsigned status,
                        const char *warnings)
{
    struct dd_reg_person rp;
    int rc = dd_reg_person_load(db, req->arena, id, &rp);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_reply(req, &rp, status, warnings);
}

/* GET /api/v1/people/{id} — 200 with the person and ETag; 400 without X-Purpose; 404 if there
 * is no such person in the caller's area. */
int
reg_people_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *id = dd_req_param(req, "id");
    struct dd_reg_person rp;
    int rc =
        dd_reg_id_number_shape(id) ? dd_reg_person_load(db, req->arena, id, &rp) : DD_ENOTFOUND;
    if (rc == DD_OK && !dd_reg_area_sees(req->who, &rp))
        rc = DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        return reg_person_not_found(req);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    const char *ids[] = {rp.p.id_number};
    const struct dd_reg_home home = {rp.p.permanent_province, rp.p.permanent_commune};
    rc = dd_reg_access_reads_homes(db, req, ids, &home, 1, "read", "person", purpose);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_reply(req, &rp, 200, NULL);
}
