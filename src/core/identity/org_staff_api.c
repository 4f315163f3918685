/*
 * org_staff_api.c — what an organisation's staff do for it: owners and managers (scope
 * establishment:staff) list the staff (GET /api/v1/organisations/{id}/staff), add a member
 * (POST …/staff) and end a membership (POST …/staff/{account}/endings); every member (scope
 * establishment:read) reads their organisation (GET /api/v1/me/organisation).
 *
 * {id} must be the caller's own organisation, else 404. An owner adds and ends managers and
 * clerks, a manager clerks (dd_org_role_manages); anything else is 403 staff-role-not-allowed,
 * and owners change only through officers' tools. A new member gets no password: a one-time
 * code to set it goes to their e-mail or phone after the reply.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/org_internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

int
org_staff_invite(struct dd_req *req, struct dd_db *db, const struct dd_org_staff_new *s,
                 int64_t now_ms, struct id_account *acc, char code[DD_OTC_SIZE])
{
    int64_t account_id = 0;
    int rc = org_staff_insert(db, s, "", org_actor(req), now_ms, &account_id);
    if (rc == DD_OK)
        rc = id_account_by_id(db, req->arena, account_id, acc);
    if (rc == DD_OK)
        rc = id_code_issue(db, account_id, ID_CODE_PASSWORD_RESET, id_notice_channel(acc), now_ms,
                           code);
    return rc;
}

int
org_invited_reply(struct dd_req *req, struct dd_db *db, const struct org *o,
                  const struct id_account *acc, const char *code)
{
    id_notice_code(req, acc, ID_CODE_PASSWORD_RESET, code);
    struct org_member m;
    int rc = org_member_load(db, req->arena, acc->org_id, acc->id, NULL, &m);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    const char *sent_to = id_mask_recipient(req->arena, acc->email[0] ? acc->email : acc->phone);
    json_t *body = json_pack("{s:o, s:s}", o ? "owner" : "staff", org_member_json(&m),
                             "code_sent_to", sent_to);
    if (o)
        json_object_set_new(body, "organisation", org_json(o));
    dd_reply_header(
        req, "Location",
        o ? dd_arena_printf(req->arena, "/api/v1/organisations/%lld", (long long)o->id)
          : dd_arena_printf(req->arena, "/api/v1/organisations/%lld/staff", (long long)m.org_id));
    return dd_reply_json(req, 201, body);
}

/* GET /api/v1/organisations/{id}/staff — a page of the staff, current and former. */
int
org_staff_list(struct dd_req *req)
{
    int limit;
    int64_t cursor;
    if (id_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct org o;
    if (db == NULL || org_path_or_reply(req, db, &o) != 0)
        return DD_DONE;
    json_t *items = json_array();
    int64_t next = 0;
    int rc = org_staff_page(db, req->arena, o.id, limit, cursor, items, &next);
    if (rc != DD_OK) {
        json_decref(items);
        return id_fail(req, db, rc);
    }
    return org_page_reply(req, items, next);
}

static const char *const staff_fields[] = {"username", "display_name", "role", "phone",
                                           "email",    "id_number",    NULL};

/* Reads and checks a new member; replies 400 and returns -1 when the body is wrong. */
static int
staff_parse_or_reply(struct dd_req *req, struct dd_org_staff_new *s)
{
    struct id_form f;
    id_form_init(&f, req, staff_fields);
    *s = (struct dd_org_staff_new){
        .username = id_form_string(&f, "username", false, 1000),
        .display_name = id_form_string(&f, "display_name", false, 1000),
        .role = id_form_string(&f, "role", false, 1000),
        .phone = id_form_string(&f, "phone", false, 1000),
        .email = id_form_string(&f, "email", false, 1000),
        .id_number = id_form_string(&f, "id_number", false, 1000),
    };
    if (id_form_done_or_reply(&f) != 0)
        return -1;
    struct org_errors errs = {0};
    org_check_staff(req->arena, s, true, &errs);
    if (errs.n == 0)
        return 0;
    org_errors_reply(req, &errs);
    return -1;
}

/* POST /api/v1/organisations/{id}/staff — 201 with the member and where their code went; 400;
 * 403 staff-role-not-allowed; 404; 409 username-taken. */
int
org_staff_create(struct dd_req *req)
{
    struct dd_org_staff_new s;
    if (staff_parse_or_reply(req, &s) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct org o;
    if (db == NULL || org_path_or_reply(req, db, &o) != 0)
        return DD_DONE;
    if (!dd_org_role_manages(req->who->role, s.role))
        return id_problem_reply(req, ID_PROBLEM_STAFF_ROLE_NOT_ALLOWED, NULL);
    s.org_id = o.id;
    struct id_account acc;
    char code[DD_OTC_SIZE];
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = org_staff_invite(req, db, &s, dd_clock_now_ms(), &acc, code);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        return id_problem_reply(req, ID_PROBLEM_USERNAME_TAKEN, NULL);
    }
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    return org_invited_reply(req, db, NULL, &acc, code);
}

static const char *const ending_fields[] = {"reason", NULL};

/* POST /api/v1/organisations/{id}/staff/{account}/endings {reason?} — 200 with the member, whose
 * account is disabled and sessions ended; 403 staff-role-not-allowed; 404; 409 if it ended
 * already. */
int
org_staff_ending(struct dd_req *req)
{
    struct id_form f;
    id_form_init(&f, req, ending_fields);
    const char *reason = id_form_string(&f, "reason", false, ORG_REASON_MAX);
    if (id_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct org o;
    if (db == NULL || org_path_or_reply(req, db, &o) != 0)
        return DD_DONE;
    int64_t account_id;
    struct org_member m;
    int rc = dd_parse_int64(dd_req_param(req, "account"), 1, INT64_MAX, &account_id) == DD_OK
                 ? org_member_load(db, req->arena, o.id, account_id, NULL, &m)
                 : DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem_detail(
            req, DD_PROBLEM_NOT_FOUND, "Cơ sở không có nhân viên với tài khoản này.",
            "The organisation has no staff member with this account.", NULL);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (m.ended_at[0])
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, "Người này đã thôi làm việc.",
                                       "This membership has ended already.", NULL);
    if (!dd_org_role_manages(req->who->role, m.role))
        return id_problem_reply(req, ID_PROBLEM_STAFF_ROLE_NOT_ALLOWED, NULL);
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = org_staff_end(db, &m, reason, org_actor(req), dd_clock_now_ms());
    if (rc == DD_OK)
        rc = org_member_load(db, req->arena, o.id, m.account_id, NULL, &m);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    return dd_reply_json(req, 200, json_pack("{s:o}", "staff", org_member_json(&m)));
}

/* GET /api/v1/me/organisation — the caller's organisation and their role in it. */
int
org_me_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct org o;
    int rc = org_load(db, req->arena, req->who->id, &o);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    return dd_reply_json(
        req, 200, json_pack("{s:o, s:s}", "organisation", org_json(&o), "role", req->who->role));
}
