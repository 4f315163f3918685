/*
 * trips.c — coaches (model 7): an operator's trips (plate, route, departure time) and their
 * passenger manifests, checked in by card (QR or chip), typed ID number or passport, with the
 * register filling citizens in as for stays. The manifest is frozen at departure: when the
 * operator records the departure, or at the departure time, whichever comes first. The police see
 * the trips of their area and, with a purpose, who travels (access-log rows as for stays).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/purpose.h"
#include "core/register/register.h"
#include "core/stays/internal.h"
#include "core/stays/stays.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define TRIP_COLS                                                                                  \
    "t.id, t.operator_id, t.plate, t.route, t.departs_at, t.departure_day, t.province_code, "      \
    "t.commune_code, t.departed_at, t.created_by, t.created_at, e.name, (SELECT COUNT(*) FROM "    \
    "stay_trip_passengers p WHERE p.trip_id = t.id)"
#define TRIP_FROM "FROM stay_trips t JOIN stay_establishments e ON e.org_id = t.operator_id "

struct trip {
    int64_t id, operator_id;
    const char *departs_at, *departed_at, *province, *commune;
    json_t *json;
};

static void
trip_from_row(struct dd_req *req, struct dd_stmt *st, struct trip *t, int64_t now)
{
    t->id = dd_stmt_int64(st, 0);
    t->operator_id = dd_stmt_int64(st, 1);
    t->departs_at = dd_arena_strdup(req->arena, dd_stmt_text(st, 4));
    t->departed_at = dd_arena_strdup(req->arena, dd_stmt_text(st, 8));
    t->province = dd_arena_strdup(req->arena, dd_stmt_text(st, 6));
    t->commune = dd_arena_strdup(req->arena, dd_stmt_text(st, 7));
    int64_t departs = 0;
    dd_stay_time_parse(t->departs_at, &departs);
    bool frozen = t->departed_at[0] || now >= departs;
    t->json = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:b, s:s, s:s, s:I}",
                        "id", (json_int_t)t->id, "operator_id", (json_int_t)t->operator_id,
                        "operator_name", dd_stmt_text(st, 11), "plate", dd_stmt_text(st, 2),
                        "route", dd_stmt_text(st, 3), "departs_at", t->departs_at, "departure_day",
                        dd_stmt_text(st, 5), "province", t->province, "commune", t->commune,
                        "departed_at", t->departed_at[0] ? t->departed_at : NULL, "frozen", frozen,
                        "created_by", dd_stmt_text(st, 9), "created_at", dd_stmt_text(st, 10),
                        "passengers", (json_int_t)dd_stmt_int64(st, 12));
}

/* Trip `id`; own_operator > 0 keeps it to that operator, else to the officer's area. */
static int
trip_load(struct dd_req *req, struct dd_db *db, int64_t id, int64_t own_operator, struct trip *t)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT " TRIP_COLS " " TRIP_FROM "WHERE t.id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        trip_from_row(req, st, t, dd_clock_now_ms());
    dd_stmt_reset(st);
    if (rc != DD_DB_ROW)
        return rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
    bool mine = own_operator > 0
                    ? t->operator_id == own_operator
                    : strcmp(t->province, req->who->province) == 0 &&
                          (!req->who->commune[0] || strcmp(t->commune, req->who->commune) == 0);
    if (!mine)
        json_decref(t->json);
    return mine ? DD_OK : DD_ENOTFOUND;
}

static const char *const trip_fields[] = {"plate", "route", "departs_at", NULL};

/* POST /api/v1/stays/trips — {"plate", "route", "departs_at"}: 201 with the trip. */
int
stay_trip_create(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, "coach-operator", &e) != 0)
        return DD_DONE;
    json_t *body = req->json, *ext = NULL;
    const char *plate = json_string_value(json_object_get(body, "plate"));
    const char *route = json_string_value(json_object_get(body, "route"));
    const char *departs = json_string_value(json_object_get(body, "departs_at"));
    const char *k;
    json_t *v;
    if (json_is_object(body))
        json_object_foreach(body, k, v)
        {
            if (!stay_field_allowed(trip_fields, k))
                ext = dd_problem_add_error(ext, req, k, "unknown-field",
                                           "Trường này không được chấp nhận.",
                                           "This field is not accepted.");
        }
    if (plate == NULL || strlen(plate) < 4 || strlen(plate) > 15 || dd_str_has_control(plate))
        ext = dd_problem_add_error(ext, req, "plate", "plate-invalid",
                                   "Biển số xe 4–15 ký tự, ví dụ 79B-123.45.",
                                   "The plate is 4–15 characters, e.g. 79B-123.45.");
    if (route == NULL || route[0] == '\0' || strlen(route) > STAY_TEXT_MAX ||
        dd_str_has_control(route))
        ext = dd_problem_add_error(ext, req, "route", "required",
                                   "Cần tuyến đường (tối đa 200 byte).",
                                   "The route is required (up to 200 bytes).");
    int64_t departs_ms = 0;
    if (departs == NULL || dd_stay_time_parse(departs, &departs_ms) != DD_OK)
        ext = dd_problem_add_error(ext, req, "departs_at", "time-invalid",
                                   "Thời điểm khởi hành theo ISO 8601 có múi giờ.",
                                   "The departure time must be ISO 8601 with a zone.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    char day[11];
    dd_stay_local_day(departs_ms, day);
    const char *now = stay_now_text(req, dd_clock_now_ms());
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO stay_trips (operator_id, plate, route, departs_at, "
                           "departure_day, province_code, commune_code, created_by, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, e.id);
    dd_stmt_bind_text(st, 2, plate);
    dd_stmt_bind_text(st, 3, route);
    dd_stmt_bind_text(st, 4, stay_now_text(req, departs_ms));
    dd_stmt_bind_text(st, 5, day);
    dd_stmt_bind_text(st, 6, e.province);
    dd_stmt_bind_text(st, 7, e.commune);
    dd_stmt_bind_text(st, 8, stay_actor(req));
    dd_stmt_bind_text(st, 9, now);
    rc = dd_stmt_step(st);
    int64_t id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    struct trip t;
    rc = rc == DD_DB_ROW ? trip_load(req, db, id, e.id, &t) : rc == DD_DB_DONE ? DD_EDB : rc;
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return stay_commit_reply(
        req, db, NULL, 201, t.json,
        dd_arena_printf(req->arena, "/api/v1/stays/trips/%lld", (long long)id));
}

/* Lists trips: of the operator (operator > 0) or of the officer's area on a day. */
static int
trips_reply(struct dd_req *req, struct dd_db *db, int64_t operator_id, const char *commune,
            const char *day)
{
    int limit;
    int64_t cursor;
    if (stay_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           operator_id
                               ? "SELECT " TRIP_COLS " " TRIP_FROM "WHERE t.operator_id = ? AND "
                                 "CAST(? AS TEXT) IS NULL AND CAST(? AS TEXT) IS NULL AND (? = 0 "
                                 "OR t.id < ?) ORDER BY t.id DESC LIMIT ?"
                               : "SELECT " TRIP_COLS " " TRIP_FROM "WHERE t.province_code = ? AND "
                                 "(CAST(? AS TEXT) IS NULL OR t.commune_code = ?) AND "
                                 "t.departure_day = ? AND (? = 0 OR t.id < ?) ORDER BY t.id DESC "
                                 "LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    int i = 1;
    if (operator_id) {
        dd_stmt_bind_int64(st, i++, operator_id);
        dd_stmt_bind_null(st, i++);
        dd_stmt_bind_null(st, i++);
    } else {
        dd_stmt_bind_text(st, i++, req->who->province);
        dd_stmt_bind_text(st, i++, commune);
        dd_stmt_bind_text(st, i++, commune);
        dd_stmt_bind_text(st, i++, day);
    }
    dd_stmt_bind_int64(st, i++, cursor);
    dd_stmt_bind_int64(st, i++, cursor);
    dd_stmt_bind_int64(st, i++, limit + 1);
    json_t *items = json_array();
    int64_t last = 0, now = dd_clock_now_ms();
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && n < limit) {
        struct trip t;
        trip_from_row(req, st, &t, now);
        json_array_append_new(items, t.json);
        last = t.id;
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

/* GET /api/v1/stays/trips — the operator's trips, newest first. */
int
stay_trip_list_own(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, "coach-operator", &e) != 0)
        return DD_DONE;
    return trips_reply(req, db, e.id, NULL, NULL);
}

/* The passengers of trip `id` as a JSON array; *ids (may be NULL) gets their ID numbers. */
static int
passengers(struct dd_req *req, struct dd_db *db, int64_t id, json_t **out, const char ***ids,
           int *nids)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, id_number, passport_number, nationality, full_name, "
                           "birth_date, sex, verified, source, seat, boarded_at, added_by FROM "
                           "stay_trip_passengers WHERE trip_id = ? ORDER BY id LIMIT 500",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    *out = json_array();
    if (ids) {
        *ids = dd_arena_zalloc(req->arena, 501 * sizeof **ids);
        *nids = 0;
    }
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *idn = dd_stmt_text(st, 1);
        const char *pp = dd_stmt_text(st, 2);
        json_array_append_new(
            *out, json_pack("{s:I, s:s?, s:s?, s:s, s:s, s:s?, s:s?, s:b, s:s, s:s?, s:s, s:s}",
                            "id", (json_int_t)dd_stmt_int64(st, 0), "id_number",
                            idn[0] ? idn : NULL, "passport_number", pp[0] ? pp : NULL,
                            "nationality", dd_stmt_text(st, 3), "full_name", dd_stmt_text(st, 4),
                            "birth_date", dd_stmt_text(st, 5)[0] ? dd_stmt_text(st, 5) : NULL,
                            "sex", dd_stmt_text(st, 6)[0] ? dd_stmt_text(st, 6) : NULL, "verified",
                            dd_stmt_int64(st, 7) != 0, "source", dd_stmt_text(st, 8), "seat",
                            dd_stmt_text(st, 9)[0] ? dd_stmt_text(st, 9) : NULL, "boarded_at",
                            dd_stmt_text(st, 10), "added_by", dd_stmt_text(st, 11)));
        if (ids && idn[0])
            (*ids)[(*nids)++] = dd_arena_strdup(req->arena, idn);
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(*out);
        return rc;
    }
    return DD_OK;
}

static int
trip_reply(struct dd_req *req, struct dd_db *db, int64_t own_operator, const char *purpose)
{
    int64_t id;
    struct trip t;
    int rc = dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) == DD_OK
                 ? trip_load(req, db, id, own_operator, &t)
                 : DD_ENOTFOUND;
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    json_t *list;
    const char **ids = NULL;
    int nids = 0;
    rc = passengers(req, db, id, &list, purpose ? &ids : NULL, &nids);
    if (rc == DD_OK && purpose && nids > 0)
        rc = dd_reg_access_reads(db, req, ids, nids, "search", "trip-manifest", purpose);
    if (rc != DD_OK) {
        json_decref(t.json);
        return stay_fail(req, db, rc);
    }
    json_object_set_new(t.json, "manifest", list);
    return dd_reply_json(req, 200, t.json);
}

/* GET /api/v1/stays/trips/{id} — the operator's trip with its manifest. */
int
stay_trip_get_own(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, "coach-operator", &e) != 0)
        return DD_DONE;
    return trip_reply(req, db, e.id, NULL);
}

static const char *const board_fields[] = {
    "qr", "chip", "id_number", "passport", "full_name", "birth_date", "sex", "seat", NULL};

/* POST /api/v1/stays/trips/{id}/passengers — a passenger (qr, chip, id_number or passport, and
 * seat): 201 with the manifest line; 409 stay-manifest-frozen after departure, stay-duplicate for
 * a passenger on it already. */
int
stay_trip_board(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, "coach-operator", &e) != 0)
        return DD_DONE;
    int64_t id;
    struct trip t;
    int rc = dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) == DD_OK
                 ? trip_load(req, db, id, e.id, &t)
                 : DD_ENOTFOUND;
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    bool frozen = json_is_true(json_object_get(t.json, "frozen"));
    json_decref(t.json);
    json_t *body = req->json, *ext = NULL;
    struct stay s = {0};
    if (!json_is_object(body))
        ext = dd_problem_add_error(NULL, req, "", "not-an-object",
                                   "Nội dung phải là một đối tượng JSON.",
                                   "The body must be a JSON object.");
    else {
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v)
        {
            if (!stay_field_allowed(board_fields, k))
                ext = dd_problem_add_error(ext, req, k, "unknown-field",
                                           "Trường này không được chấp nhận.",
                                           "This field is not accepted.");
        }
        stay_guest_parse(req, body, &s, &ext);
    }
    const char *seat = json_string_value(json_object_get(body, "seat"));
    if (seat && (strlen(seat) > 10 || dd_str_has_control(seat)))
        ext = dd_problem_add_error(ext, req, "seat", "too-long", "Số ghế dài quá 10 byte.",
                                   "The seat is longer than 10 bytes.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    if (frozen)
        return stay_problem_reply(req, STAY_PROBLEM_MANIFEST_FROZEN, NULL);
    bool found;
    rc = stay_guest_fill(req, db, &s, &found);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    const char *now = stay_now_text(req, dd_clock_now_ms());
    struct dd_stmt *st;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO stay_trip_passengers (trip_id, guest_key, id_number, "
                           "passport_number, nationality, full_name, birth_date, sex, verified, "
                           "source, seat, boarded_at, added_by) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM stay_trips WHERE id = ? AND "
                           "departed_at = '') RETURNING id",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    const char *vals[] = {s.guest_key,  s.id_number, s.passport_number, s.nationality, s.full_name,
                          s.birth_date, s.sex};
    dd_stmt_bind_int64(st, 1, id);
    for (int i = 0; i < 7; i++)
        dd_stmt_bind_text(st, i + 2, vals[i]);
    dd_stmt_bind_int64(st, 9, s.verified);
    dd_stmt_bind_text(st, 10, s.source);
    dd_stmt_bind_text(st, 11, seat ? seat : "");
    dd_stmt_bind_text(st, 12, now);
    dd_stmt_bind_text(st, 13, stay_actor(req));
    dd_stmt_bind_int64(st, 14, id);
    rc = dd_stmt_step(st);
    int64_t pid = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc == DD_ECONFLICT || rc == DD_DB_DONE) {
        dd_db_rollback(db);
        return stay_problem_reply(
            req, rc == DD_ECONFLICT ? STAY_PROBLEM_DUPLICATE : STAY_PROBLEM_MANIFEST_FROZEN, NULL);
    }
    if (rc != DD_DB_ROW)
        return stay_fail(req, db, rc);
    json_t *o = json_pack(
        "{s:I, s:I, s:s?, s:s?, s:s, s:s, s:b, s:s, s:s?, s:s}", "id", (json_int_t)pid, "trip_id",
        (json_int_t)id, "id_number", s.id_number[0] ? s.id_number : NULL, "passport_number",
        s.passport_number[0] ? s.passport_number : NULL, "nationality", s.nationality, "full_name",
        s.full_name, "verified", s.verified, "source", s.source, "seat", seat, "boarded_at", now);
    rc = stay_commit_reply(req, db, NULL, 201, o, NULL);
    if (found) {
        const char *ids[] = {s.id_number};
        dd_reg_access_reads(db, req, ids, 1, "read", "trip-manifest",
                            "Danh sách hành khách (Luật Cư trú 2020, điều 30)");
    }
    return rc;
}

/* POST /api/v1/stays/trips/{id}/departure — freezes the manifest now: 200 with the trip; 409
 * stay-manifest-frozen when it was already. */
int
stay_trip_depart(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, "coach-operator", &e) != 0)
        return DD_DONE;
    int64_t id;
    struct trip t;
    int rc = dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) == DD_OK
                 ? trip_load(req, db, id, e.id, &t)
                 : DD_ENOTFOUND;
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    json_decref(t.json);
    struct dd_stmt *st;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(
            db, "UPDATE stay_trips SET departed_at = ? WHERE id = ? AND departed_at = ''", &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, stay_now_text(req, dd_clock_now_ms()));
    dd_stmt_bind_int64(st, 2, id);
    rc = dd_stmt_step(st);
    int64_t changed = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc == DD_DB_DONE && changed == 0) {
        dd_db_rollback(db);
        return stay_problem_reply(req, STAY_PROBLEM_MANIFEST_FROZEN, NULL);
    }
    char subject[40];
    snprintf(subject, sizeof subject, "trip:%lld", (long long)id);
    if (rc == DD_DB_DONE)
        rc = dd_event_emit(db, "stay.trip_departed", subject,
                           stay_dump(req, json_pack("{s:I}", "id", (json_int_t)id)));
    if (rc == DD_OK)
        rc = trip_load(req, db, id, e.id, &t);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return stay_commit_reply(req, db, NULL, 200, t.json, NULL);
}

/* GET /api/v1/stays/police/trips?commune=&day= — the trips departing on `day` (default today)
 * from the officer's area. */
int
stay_trip_police_list(struct dd_req *req)
{
    const char *commune = dd_req_query(req, "commune");
    if (req->who->commune[0])
        commune = req->who->commune;
    char today[11];
    dd_stay_local_day(dd_clock_now_ms(), today);
    const char *day = dd_req_query(req, "day");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    return trips_reply(req, db, 0, commune, day ? day : today);
}

/* GET /api/v1/stays/police/trips/{id} — a trip with its manifest (X-Purpose; access-log rows). */
int
stay_trip_police_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    return trip_reply(req, db, 0, purpose);
}
