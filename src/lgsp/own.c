/*
 * own.c — an agency's own views of the gateway: `/api/v1/me/lgsp/…` for its staff.
 *
 * A member (agency) is bound to an organisation (`lgsp_members.org_id`, set by the LGSP
 * administrator); the organisation's staff sign in as usual and the server sees the
 * organisation as the caller (core/identity orgs.h, DD_AUTH_ESTABLISHMENT). They see only the
 * subsystems of the members bound to their organisation, the exchanges those subsystems made as
 * consumers and the calls to the services they provide, and the usage counters of both — never
 * another agency's traffic. A subsystem asked for that is not theirs is 404, as if unknown.
 */
#include "base/arena.h"
#include "base/err.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "lgsp/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <string.h>

#define OWN_MAX 64 /* subsystems of one organisation that the usage view covers */

/* The subsystems bound to the caller's organisation; SQL text shared by the views. */
#define OWN_SUBSYSTEMS                                                                             \
    "SELECT s.id FROM lgsp_subsystems s JOIN lgsp_members m ON m.code = s.member_code WHERE "      \
    "CAST(m.org_id AS TEXT) = ?"

static const char *
org_text(struct dd_req *req)
{
    return dd_arena_printf(req->arena, "%lld", (long long)req->who->id);
}

/* GET /api/v1/me/lgsp/subsystems */
int
lgsp_own_subsystems(struct dd_req *req)
{
    const char *org = org_text(req);
    return lgsp_list_reply(
        req,
        "SELECT s.id, s.id AS subsystem, s.member_code AS member, m.name AS member_name, "
        "s.suspended, s.suspend_reason FROM lgsp_subsystems s JOIN "
        "lgsp_members m ON m.code = s.member_code WHERE CAST(m.org_id AS TEXT) "
        "= ? AND s.id > ? ORDER BY s.id LIMIT ?",
        (const char *const[]){org, NULL}, LGSP_CURSOR_TEXT);
}

/* Whether `subsystem` is the caller's; false after a reply (404, or the database's failure). */
static bool
own_or_reply(struct dd_req *req, struct dd_db *db, const char *subsystem)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, OWN_SUBSYSTEMS " AND s.id = ?", &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, org_text(req));
        dd_stmt_bind_text(st, 2, subsystem);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    if (rc == DD_DB_ROW)
        return true;
    if (rc < 0)
        dd_reply_problem(req, DD_PROBLEM_SERVICE_UNAVAILABLE, NULL);
    else
        dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return false;
}

/* GET /api/v1/me/lgsp/log?as=consumer|provider&subsystem= — newest first. */
int
lgsp_own_log(struct dd_req *req)
{
    const char *as = dd_req_query(req, "as");
    const char *sub = dd_req_query(req, "subsystem");
    if (as && strcmp(as, "consumer") != 0 && strcmp(as, "provider") != 0) {
        json_t *ext =
            dd_problem_add_error(NULL, req, "as", "invalid", "Giá trị là consumer hoặc provider.",
                                 "The value is consumer or provider.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    if (sub && sub[0]) {
        struct dd_db *db = dd_req_db_or_reply(req);
        if (db == NULL || !own_or_reply(req, db, sub))
            return DD_DONE;
    }
    const char *org = org_text(req);
    const char *c = as == NULL || strcmp(as, "consumer") == 0 ? "1" : "0";
    const char *p = as == NULL || strcmp(as, "provider") == 0 ? "1" : "0";
    const char *s = sub ? sub : "";
    const char *sl = sub ? dd_arena_printf(req->arena, "%s/%%", sub) : "";
    return lgsp_list_reply(
        req,
        "SELECT seq, seq, at, consumer_id AS consumer, service_id AS service, method, path, "
        "status, outcome, duration_us, request_hash, response_hash, request_id FROM lgsp_log WHERE "
        "((? = '1' AND consumer_id IN (" OWN_SUBSYSTEMS ") AND (? = '' OR consumer_id = ?)) OR "
        "(? = '1' AND service_id IN (SELECT v.id FROM lgsp_services v JOIN lgsp_subsystems s ON "
        "s.id = v.subsystem_id JOIN lgsp_members m ON m.code = s.member_code WHERE "
        "CAST(m.org_id AS TEXT) = ?) AND (? = '' OR service_id LIKE ?))) AND seq < ? ORDER BY "
        "seq DESC LIMIT ?",
        (const char *const[]){c, org, s, s, p, org, s, sl, NULL}, LGSP_CURSOR_DOWN);
}

/* GET /api/v1/me/lgsp/usage — the counters of the caller's subsystems, as consumers and as
 * providers. */
int
lgsp_own_usage(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, OWN_SUBSYSTEMS " ORDER BY s.id", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, org_text(req));
    const char *subs[OWN_MAX];
    size_t n = 0;
    while (n < OWN_MAX && (rc = dd_stmt_step(st)) == DD_DB_ROW)
        subs[n++] = dd_arena_strdup(req->arena, dd_stmt_text(st, 0));
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return dd_reply_json(req, 200, lgsp_stats_json_of(subs, n));
}
