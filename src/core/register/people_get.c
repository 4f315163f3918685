/*
 * people_get.c — reading one person: GET /api/v1/people/{id} (the person with household and
 * current residence periods). The history is people_history.c's.
 *
 * Officers' reads state a purpose (X-Purpose) and each one is written to the person's access
 * log before the data is sent. Reading a person is the register's hottest path: one statement
 * for the person and household, one for the residence periods, one access-log row, and a reply
 * written into the request's arena.
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

/* Writes "residences": the periods running today or later, oldest first. */
static int
write_residences(struct reg_jw *w, struct dd_db *db, const char *id)
{
    char today[32];
    dd_clock_iso8601(dd_clock_now_ms(), today);
    today[10] = '\0';
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT kind, province_code, commune_code, address, from_date, to_date "
                           "FROM residences WHERE id_number = ? AND (to_date = '' OR to_date >= ?) "
                           "ORDER BY id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id);
    dd_stmt_bind_text(st, 2, today);
    reg_jw_open(w, "residences", '[');
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        reg_jw_open(w, NULL, '{');
        reg_jw_str(w, "kind", dd_stmt_text(st, 0));
        reg_jw_str(w, "province", dd_stmt_text(st, 1));
        reg_jw_str(w, "commune", dd_stmt_text(st, 2));
        reg_jw_str(w, "address", dd_stmt_text(st, 3));
        reg_jw_str(w, "from", dd_stmt_text(st, 4));
        reg_jw_str_or_null(w, "until", dd_stmt_text(st, 5));
        reg_jw_close(w, '}');
    }
    reg_jw_close(w, ']');
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
reg_person_json(struct reg_jw *w, struct dd_db *db, const struct dd_reg_person *rp,
                const char *warnings)
{
    reg_jw_open(w, NULL, '{');
    reg_jw_person(w, rp);
    int rc = write_residences(w, db, rp->p.id_number);
    if (rc != DD_OK)
        return rc;
    if (warnings)
        reg_jw_raw(w, "warnings", warnings);
    reg_jw_close(w, '}');
    return DD_OK;
}

int
reg_person_reply(struct dd_req *req, struct dd_db *db, const struct dd_reg_person *rp,
                 unsigned status, const char *warnings)
{
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    int rc = reg_person_json(&w, db, rp, warnings);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
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
    return reg_person_reply(req, db, &rp, status, warnings);
}

/* GET /api/v1/people/{id} — 200 with the person and ETag; 400 without X-Purpose; 404 if there
 * is no such person in the caller's area. The person, household and residence periods come
 * from one statement. */
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
    char today[32];
    dd_clock_iso8601(dd_clock_now_ms(), today);
    today[10] = '\0';
    struct dd_reg_person rp;
    const char *residences = NULL;
    int rc = reg_id_number_shape(id)
                 ? dd_reg_person_load_residences(db, req->arena, id, today, &rp, &residences)
                 : DD_ENOTFOUND;
    if (rc == DD_OK && !reg_area_sees(req->who, &rp))
        rc = DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        return reg_person_not_found(req);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    const char *ids[] = {rp.p.id_number};
    rc = reg_access_reads(db, req, ids, 1, "read", "person", purpose);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    reg_jw_open(&w, NULL, '{');
    reg_jw_person(&w, &rp);
    reg_jw_raw(&w, "residences", residences);
    reg_jw_close(&w, '}');
    char etag[32];
    reg_etag(rp.version, etag);
    dd_reply_header(req, "ETag", etag);
    return reg_jw_reply(req, 200, &w);
}
