/*
 * establishments.c — an organisation's stays profile (its type, star class, rooms and beds),
 * requested by its owner or manager and approved or rejected by the police of its commune.
 *
 * The organisation itself (name, address, commune, licence, staff, suspension) is the identity
 * module's (orgs.h); this file adds only what accommodation reporting needs. The type must fit
 * the organisation's kind: a hospital is a hospital or clinic, a coach operator a coach
 * operator, every other type an accommodation business (hotel, guesthouse, homestay, boarding
 * house). A rejected profile may be requested again; an approved one reports stays.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "base/json.h"
#include "core/events.h"
#include "core/stays/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static const char *const types[] = {
    "hotel",    "guesthouse",     "motel", "homestay", "official-residence",
    "hospital", "coach-operator", NULL};

#define EST_COLS                                                                                   \
    "org_id, type, class, name, address, province_code, commune_code, status, status_reason, "     \
    "stars, rooms, beds, remote"

static const char *
col(struct dd_req *req, struct dd_stmt *st, int i)
{
    const char *v = dd_stmt_text(st, i);
    return dd_arena_strdup(req->arena, v ? v : "");
}

static void
est_from_row(struct dd_req *req, struct dd_stmt *st, struct stay_est *e)
{
    e->id = dd_stmt_int64(st, 0);
    e->type = col(req, st, 1);
    e->class_ = col(req, st, 2);
    e->name = col(req, st, 3);
    e->address = col(req, st, 4);
    e->province = col(req, st, 5);
    e->commune = col(req, st, 6);
    e->status = col(req, st, 7);
    e->status_reason = col(req, st, 8);
    e->stars = (int)dd_stmt_int64(st, 9);
    e->rooms = (int)dd_stmt_int64(st, 10);
    e->beds = (int)dd_stmt_int64(st, 11);
    e->remote = dd_stmt_int64(st, 12) != 0;
}

int
stay_est_load(struct dd_db *db, struct dd_req *req, int64_t id, struct stay_est *e)
{
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(db, "SELECT " EST_COLS " FROM stay_establishments WHERE org_id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        est_from_row(req, st, e);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

int
stay_est_or_reply(struct dd_req *req, struct dd_db *db, const char *type, struct stay_est *e)
{
    int rc = stay_est_load(db, req, req->who->id, e);
    if (rc != DD_OK) {
        stay_fail(req, db, rc);
        return -1;
    }
    bool coach = strcmp(e->type, "coach-operator") == 0;
    bool fits = type ? strcmp(e->type, type) == 0 : !coach;
    if (strcmp(e->status, "approved") != 0 || !fits) {
        stay_problem_reply(req, STAY_PROBLEM_NOT_APPROVED, NULL);
        return -1;
    }
    return 0;
}

json_t *
stay_est_json(const struct stay_est *e)
{
    return json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:i, s:b}", "id",
                     (json_int_t)e->id, "type", e->type, "stars", e->stars, "class", e->class_,
                     "name", e->name, "address", e->address, "province", e->province, "commune",
                     e->commune, "status", e->status, "status_reason",
                     e->status_reason[0] ? e->status_reason : NULL, "rooms", e->rooms, "beds",
                     e->beds, "remote", e->remote);
}

/* GET /api/v1/stays/establishment — 200 with the caller's profile; 404 without one. */
int
stay_est_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    int rc = stay_est_load(db, req, req->who->id, &e);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return dd_reply_json(req, 200, stay_est_json(&e));
}

/* The organisation's kind fits the type asked. */
static bool
kind_fits(const char *kind, const char *type)
{
    if (strcmp(type, "hospital") == 0)
        return strcmp(kind, "hospital") == 0 || strcmp(kind, "clinic") == 0;
    if (strcmp(type, "coach-operator") == 0)
        return strcmp(kind, "coach-operator") == 0;
    return strcmp(kind, "hotel") == 0 || strcmp(kind, "guesthouse") == 0 ||
           strcmp(kind, "homestay") == 0 || strcmp(kind, "boarding-house") == 0;
}

static int
int_member(json_t *body, const char *name, int min, int max, int *out, bool required,
           struct dd_req *req, json_t **ext)
{
    json_t *v = json_object_get(body, name);
    if (v == NULL) {
        if (required)
            *ext = dd_problem_add_error(*ext, req, name, "required", "Trường này là bắt buộc.",
                                        "This field is required.");
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        *ext = dd_problem_add_error(*ext, req, name, "out-of-range",
                                    "Giá trị nằm ngoài khoảng cho phép.",
                                    "The value is outside the allowed range.");
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

static const char *const request_fields[] = {"type", "stars", "rooms", "beds", NULL};

/* POST /api/v1/stays/establishment — the owner or a manager asks for the profile: 201 pending;
 * 400 on a bad field or a type that does not fit the organisation's kind; 409 if one is pending
 * or approved already. */
int
stay_est_request(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *body = req->json, *ext = NULL;
    if (!json_is_object(body))
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                                dd_problem_add_error(NULL, req, "", "not-an-object",
                                                     "Nội dung phải là một đối tượng JSON.",
                                                     "The body must be a JSON object."));
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!stay_field_allowed(request_fields, key))
            ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                       "Trường này không được chấp nhận.",
                                       "This field is not accepted.");
    }
    const char *type = json_string_value(json_object_get(body, "type"));
    if (type == NULL || !stay_field_allowed(types, type))
        ext = dd_problem_add_error(ext, req, "type", "type-invalid", "Loại cơ sở không hợp lệ.",
                                   "The type is not one of the known types.");
    bool hotel = type && strcmp(type, "hotel") == 0;
    int stars = 0, rooms = 0, beds = 0;
    int_member(body, "stars", hotel ? 1 : 0, hotel ? 5 : 0, &stars, hotel, req, &ext);
    int_member(body, "rooms", 0, 100000, &rooms, false, req, &ext);
    int_member(body, "beds", 0, 100000, &beds, false, req, &ext);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT kind, name, address, province_code, commune_code FROM "
                           "organisations WHERE id = ?",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, req->who->id);
    if (dd_stmt_step(st) != DD_DB_ROW) {
        dd_stmt_reset(st);
        return stay_fail(req, db, DD_ENOTFOUND);
    }
    struct stay_est e = {.id = req->who->id,
                         .type = type,
                         .stars = stars,
                         .rooms = rooms,
                         .beds = beds,
                         .status = "pending",
                         .status_reason = ""};
    const char *kind = col(req, st, 0);
    e.name = col(req, st, 1);
    e.address = col(req, st, 2);
    e.province = col(req, st, 3);
    e.commune = col(req, st, 4);
    dd_stmt_reset(st);
    if (type && stay_field_allowed(types, type) && !kind_fits(kind, type))
        ext = dd_problem_add_error(ext, req, "type", "type-not-for-kind",
                                   "Loại cơ sở không phù hợp với loại hình tổ chức.",
                                   "The type does not fit the organisation's kind.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    e.class_ = hotel ? dd_arena_printf(req->arena, "hotel-%d", stars) : type;
    const char *now = stay_now_text(req, dd_clock_now_ms());
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(
            db,
            "INSERT INTO stay_establishments (org_id, type, stars, class, rooms, beds, name, "
            "address, province_code, commune_code, requested_by, requested_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
            "type = excluded.type, stars = excluded.stars, class = excluded.class, rooms = "
            "excluded.rooms, beds = excluded.beds, status = 'pending', status_reason = '', "
            "requested_by = excluded.requested_by, requested_at = excluded.requested_at, "
            "updated_at = excluded.updated_at WHERE stay_establishments.status = 'rejected'",
            &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    const char *actor = stay_actor(req);
    dd_stmt_bind_int64(st, 1, e.id);
    dd_stmt_bind_text(st, 2, e.type);
    dd_stmt_bind_int64(st, 3, e.stars);
    dd_stmt_bind_text(st, 4, e.class_);
    dd_stmt_bind_int64(st, 5, e.rooms);
    dd_stmt_bind_int64(st, 6, e.beds);
    dd_stmt_bind_text(st, 7, e.name);
    dd_stmt_bind_text(st, 8, e.address);
    dd_stmt_bind_text(st, 9, e.province);
    dd_stmt_bind_text(st, 10, e.commune);
    dd_stmt_bind_text(st, 11, actor);
    dd_stmt_bind_text(st, 12, now);
    dd_stmt_bind_text(st, 13, now);
    rc = dd_stmt_step(st);
    int64_t changed = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc == DD_DB_DONE && changed == 0) {
        dd_db_rollback(db);
        return stay_problem_reply(req, STAY_PROBLEM_PROFILE_EXISTS, NULL);
    }
    char subject[40];
    snprintf(subject, sizeof subject, "organisation:%lld", (long long)e.id);
    if (rc == DD_DB_DONE)
        rc = dd_event_emit(db, "stay.establishment_requested", subject,
                           stay_dump(req, stay_est_json(&e)));
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return stay_commit_reply(req, db, NULL, 201, stay_est_json(&e), "/api/v1/stays/establishment");
}

/* The officer's area as a WHERE clause's two values: province, and commune or NULL. */
static const char *
officer_commune(const struct dd_principal *who)
{
    return who->commune[0] ? who->commune : NULL;
}

/* GET /api/v1/stays/police/establishments?status=&cursor=&limit= — the profiles in the
 * officer's area, oldest first. */
int
stay_est_list(struct dd_req *req)
{
    int limit;
    int64_t cursor;
    if (stay_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    const char *status = dd_req_query(req, "status");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " EST_COLS " FROM stay_establishments WHERE province_code = ? "
                           "AND (CAST(? AS TEXT) IS NULL OR commune_code = ?) AND (CAST(? AS "
                           "TEXT) IS NULL OR status = ?) AND org_id > ? ORDER BY org_id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, req->who->province);
    dd_stmt_bind_text(st, 2, officer_commune(req->who));
    dd_stmt_bind_text(st, 3, officer_commune(req->who));
    dd_stmt_bind_text(st, 4, status);
    dd_stmt_bind_text(st, 5, status);
    dd_stmt_bind_int64(st, 6, cursor);
    dd_stmt_bind_int64(st, 7, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && n < limit) {
        struct stay_est e;
        est_from_row(req, st, &e);
        json_array_append_new(items, stay_est_json(&e));
        last = e.id;
        n++;
    }
    bool more = rc == DD_DB_ROW;
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return stay_fail(req, db, rc);
    }
    return stay_page_reply(req, items, more ? last : 0);
}

static const char *const decide_fields[] = {"decision", "reason", "remote", NULL};

/* POST /api/v1/stays/police/establishments/{id}/decisions — {"decision": "approve"|"reject",
 * "reason", "remote"}: 200 with the profile; 404 outside the officer's area; 409 when it is not
 * pending (an approved one is suspended through its organisation). */
int
stay_est_decide(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t id;
    if (dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) != DD_OK)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    json_t *body = req->json, *ext = NULL;
    const char *decision = json_string_value(json_object_get(body, "decision"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    json_t *remote = json_object_get(body, "remote");
    const char *key;
    json_t *v;
    if (json_is_object(body))
        json_object_foreach(body, key, v)
        {
            if (!stay_field_allowed(decide_fields, key))
                ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                           "Trường này không được chấp nhận.",
                                           "This field is not accepted.");
        }
    if (decision == NULL || (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0))
        ext = dd_problem_add_error(ext, req, "decision", "decision-invalid",
                                   "Quyết định phải là approve hoặc reject.",
                                   "The decision must be approve or reject.");
    else if (strcmp(decision, "reject") == 0 && (reason == NULL || reason[0] == '\0'))
        ext = dd_problem_add_error(ext, req, "reason", "required", "Cần nêu lý do từ chối.",
                                   "A rejection needs a reason.");
    if (reason && strlen(reason) > 500)
        ext = dd_problem_add_error(ext, req, "reason", "too-long", "Lý do dài quá 500 byte.",
                                   "The reason is longer than 500 bytes.");
    if (remote && !json_is_boolean(remote))
        ext = dd_problem_add_error(ext, req, "remote", "not-a-boolean",
                                   "Giá trị phải là true hoặc false.",
                                   "The value must be a boolean.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct stay_est e;
    int rc = stay_est_load(db, req, id, &e);
    if (rc == DD_OK && (strcmp(e.province, req->who->province) != 0 ||
                        (req->who->commune[0] && strcmp(e.commune, req->who->commune) != 0)))
        rc = DD_ENOTFOUND;
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    if (strcmp(e.status, "pending") != 0)
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       "Hồ sơ không ở trạng thái chờ duyệt.",
                                       "The profile is not pending.", NULL);
    e.status = strcmp(decision, "approve") == 0 ? "approved" : "rejected";
    e.status_reason = reason ? reason : "";
    if (remote)
        e.remote = json_is_true(remote);
    const char *now = stay_now_text(req, dd_clock_now_ms());
    struct dd_stmt *st;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE stay_establishments SET status = ?, status_reason = ?, remote = "
                           "?, decided_by = ?, decided_at = ?, updated_at = ? WHERE org_id = ? AND "
                           "status = 'pending'",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, e.status);
    dd_stmt_bind_text(st, 2, e.status_reason);
    dd_stmt_bind_int64(st, 3, e.remote);
    dd_stmt_bind_text(st, 4, stay_actor(req));
    dd_stmt_bind_text(st, 5, now);
    dd_stmt_bind_text(st, 6, now);
    dd_stmt_bind_int64(st, 7, id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    char subject[40];
    snprintf(subject, sizeof subject, "organisation:%lld", (long long)id);
    if (rc == DD_DB_DONE)
        rc = dd_event_emit(db, "stay.establishment_decided", subject,
                           stay_dump(req, stay_est_json(&e)));
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return stay_commit_reply(req, db, NULL, 200, stay_est_json(&e), NULL);
}
