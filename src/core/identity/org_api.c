/*
 * org_api.c — what police officers do with organisations (scopes org:read and org:write, held
 * by the police roles): register one in their area with its owner (POST
 * /api/v1/organisations), list and read them (GET /api/v1/organisations[/{id}]), suspend and
 * reinstate them (POST …/suspensions, …/reinstatements).
 *
 * An officer's area is their province, or their commune for commune-level roles: an
 * organisation elsewhere is answered 404 (as people are in the register), and registering one
 * elsewhere is 403 outside-area. The owner's account is made without a password: a code to set
 * it goes to the owner's e-mail or phone after the reply (a password-reset code, confirmed at
 * POST /api/v1/password-resets/confirmations).
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

const char *
org_actor(struct dd_req *req)
{
    const struct dd_principal *p = req->who;
    if (p->kind == DD_PRINCIPAL_ESTABLISHMENT)
        return dd_arena_printf(req->arena, "account:%lld", (long long)p->account_id);
    return dd_arena_printf(req->arena, "officer:%lld", (long long)p->id);
}

/* Whether (province, commune) is in the officer's area. */
static bool
in_area(const struct dd_principal *p, const char *province, const char *commune)
{
    if (strcmp(province, p->province) != 0)
        return false;
    return dd_principal_province_wide(p) || strcmp(commune, p->commune) == 0;
}

/* Whether the caller may see organisation `o`: a staff member their own, an officer those of
 * their area. */
static bool
reaches(const struct dd_principal *p, const struct org *o)
{
    if (p->kind == DD_PRINCIPAL_ESTABLISHMENT)
        return p->id == o->id;
    return in_area(p, o->province, o->commune);
}

int
org_path_or_reply(struct dd_req *req, struct dd_db *db, struct org *o)
{
    int64_t id;
    int rc = dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) == DD_OK
                 ? org_load(db, req->arena, id, o)
                 : DD_ENOTFOUND;
    if (rc == DD_OK && !reaches(req->who, o))
        rc = DD_ENOTFOUND;
    if (rc == DD_OK)
        return 0;
    if (rc == DD_ENOTFOUND)
        dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND, "Không có cơ sở này trong địa bàn.",
                                "No such organisation in your area.", NULL);
    else
        id_fail(req, db, rc);
    return -1;
}

int
org_page_reply(struct dd_req *req, json_t *items, int64_t next)
{
    json_t *cursor =
        next ? json_string(dd_arena_printf(req->arena, "%lld", (long long)next)) : json_null();
    return dd_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor));
}

static const char *const create_fields[] = {"kind",
                                            "name",
                                            "registration_number",
                                            "licence_number",
                                            "licence_issuer",
                                            "licence_issued_on",
                                            "licence_expires_on",
                                            "address",
                                            "province",
                                            "commune",
                                            "phone",
                                            "owner_username",
                                            "owner_display_name",
                                            "owner_phone",
                                            "owner_email",
                                            "owner_id_number",
                                            NULL};

/* The field `name` as a string of at most 1000 bytes, or NULL; the checks come after. */
static const char *
field(struct id_form *f, const char *name)
{
    return id_form_string(f, name, false, 1000);
}

/* Reads and checks the body of a registration; replies 400 and returns -1 when it is wrong. */
static int
create_parse_or_reply(struct dd_req *req, struct dd_db *db, struct dd_org_new *o,
                      struct dd_org_staff_new *owner)
{
    struct id_form f;
    id_form_init(&f, req, create_fields);
    *o = (struct dd_org_new){
        .kind = field(&f, "kind"),
        .name = field(&f, "name"),
        .registration_number = field(&f, "registration_number"),
        .licence_number = field(&f, "licence_number"),
        .licence_issuer = field(&f, "licence_issuer"),
        .licence_issued_on = field(&f, "licence_issued_on"),
        .licence_expires_on = field(&f, "licence_expires_on"),
        .address = field(&f, "address"),
        .province = field(&f, "province"),
        .commune = field(&f, "commune"),
        .phone = field(&f, "phone"),
    };
    *owner = (struct dd_org_staff_new){
        .username = field(&f, "owner_username"),
        .display_name = field(&f, "owner_display_name"),
        .role = "owner",
        .phone = field(&f, "owner_phone"),
        .email = field(&f, "owner_email"),
        .id_number = field(&f, "owner_id_number"),
    };
    if (id_form_done_or_reply(&f) != 0)
        return -1;
    struct org_errors errs = {0}, owner_errs = {0};
    int rc = org_check_new(db, req->arena, o, &errs);
    if (rc != DD_OK) {
        id_fail(req, db, rc);
        return -1;
    }
    org_check_staff(req->arena, owner, true, &owner_errs);
    for (int i = 0; i < owner_errs.n; i++)
        org_error(&errs, dd_arena_printf(req->arena, "owner_%s", owner_errs.e[i].field),
                  owner_errs.e[i].code, owner_errs.e[i].vi, owner_errs.e[i].en);
    if (errs.n == 0)
        return 0;
    org_errors_reply(req, &errs);
    return -1;
}

/* POST /api/v1/organisations — 201 with the organisation, its owner and where the owner's code
 * went; 400; 403 outside-area; 409 organisation-exists or username-taken. */
int
org_create(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    struct dd_org_new o;
    struct dd_org_staff_new owner;
    if (db == NULL || create_parse_or_reply(req, db, &o, &owner) != 0)
        return DD_DONE;
    if (!in_area(req->who, o.province, o.commune))
        return id_problem_reply(req, ID_PROBLEM_OUTSIDE_AREA, NULL);
    int64_t now_ms = dd_clock_now_ms();
    struct org made;
    struct id_account acc;
    char code[DD_OTC_SIZE];
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = org_insert(db, &o, org_actor(req), now_ms, &owner.org_id);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        return id_problem_reply(req, ID_PROBLEM_ORGANISATION_EXISTS, NULL);
    }
    if (rc == DD_OK)
        rc = org_staff_invite(req, db, &owner, now_ms, &acc, code);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        return id_problem_reply(req, ID_PROBLEM_USERNAME_TAKEN, NULL);
    }
    if (rc == DD_OK)
        rc = org_load(db, req->arena, owner.org_id, &made);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    return org_invited_reply(req, db, &made, &acc, code);
}

/* GET /api/v1/organisations — a page of the organisations in the caller's area; ?kind,
 * ?status, ?commune narrow it. */
int
org_list(struct dd_req *req)
{
    struct org_query q = {.province = req->who->province,
                          .kind = dd_req_query(req, "kind"),
                          .status = dd_req_query(req, "status")};
    const char *commune = dd_req_query(req, "commune");
    json_t *ext = NULL;
    if (q.kind && dd_org_kind(q.kind) == NULL)
        ext = dd_problem_add_error(ext, req, "kind", "value-invalid", "Loại cơ sở không có.",
                                   "No such kind of organisation.");
    if (q.status && strcmp(q.status, "active") != 0 && strcmp(q.status, "suspended") != 0)
        ext = dd_problem_add_error(ext, req, "status", "value-invalid",
                                   "Trạng thái là active hoặc suspended.",
                                   "The status is active or suspended.");
    if (commune && !dd_str_all_digits(commune, 5))
        ext = dd_problem_add_error(ext, req, "commune", "commune-invalid", "Mã xã gồm 5 chữ số.",
                                   "A commune code is 5 digits.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    if (id_page_or_reply(req, &q.limit, &q.cursor) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    bool wide = dd_principal_province_wide(req->who);
    q.commune = wide ? commune : req->who->commune;
    json_t *items = json_array();
    int64_t next = 0;
    int rc = wide || commune == NULL || strcmp(commune, req->who->commune) == 0
                 ? org_page(db, req->arena, &q, items, &next)
                 : DD_OK;
    if (rc != DD_OK) {
        json_decref(items);
        return id_fail(req, db, rc);
    }
    return org_page_reply(req, items, next);
}

/* GET /api/v1/organisations/{id} — the organisation with its staff (current and former, the
 * first 500); 404 outside the caller's area. */
int
org_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    struct org o;
    if (db == NULL || org_path_or_reply(req, db, &o) != 0)
        return DD_DONE;
    json_t *staff = json_array();
    int64_t next;
    int rc = org_staff_page(db, req->arena, o.id, 500, 0, staff, &next);
    if (rc != DD_OK) {
        json_decref(staff);
        return id_fail(req, db, rc);
    }
    json_t *j = org_json(&o);
    json_object_set_new(j, "staff", staff);
    return dd_reply_json(req, 200, j);
}

static const char *const reason_fields[] = {"reason", NULL};

/* Suspends (`suspend`) or reinstates the organisation of the path. */
static int
change_status(struct dd_req *req, bool suspend)
{
    struct id_form f;
    id_form_init(&f, req, reason_fields);
    const char *reason = id_form_string(&f, "reason", true, ORG_REASON_MAX);
    if (id_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct org o;
    if (db == NULL || org_path_or_reply(req, db, &o) != 0)
        return DD_DONE;
    if ((strcmp(o.status, "suspended") == 0) == suspend)
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       suspend ? "Cơ sở đã bị tạm dừng."
                                               : "Cơ sở không bị tạm dừng.",
                                       suspend ? "The organisation is suspended already."
                                               : "The organisation is not suspended.",
                                       NULL);
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = org_set_status(db, &o, suspend ? "suspended" : "active", reason, org_actor(req),
                            dd_clock_now_ms());
    if (rc == DD_OK)
        rc = org_load(db, req->arena, o.id, &o);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    org_forget_staff_sessions(db, o.id);
    return dd_reply_json(req, 200, json_pack("{s:o}", "organisation", org_json(&o)));
}

/* POST /api/v1/organisations/{id}/suspensions {reason} — 200 with the organisation, suspended:
 * its staff are refused (403 organisation-suspended) from their next request; 404; 409 if
 * suspended already. */
int
org_suspend(struct dd_req *req)
{
    return change_status(req, true);
}

/* POST /api/v1/organisations/{id}/reinstatements {reason} — 200 with the organisation, active
 * again; 404; 409 if it was not suspended. */
int
org_reinstate(struct dd_req *req)
{
    return change_status(req, false);
}
