/*
 * guests.c — an establishment's own stays: the list for the desk (the guests present, or those
 * who arrived on a day), the check-out, and corrections, each change kept in stay_history with
 * what each field was and became.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/idempotency/idempotency.h"
#include "core/stays/internal.h"
#include "core/stays/stays.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

/* GET /api/v1/stays/guests?day=YYYY-MM-DD&cursor=&limit= — the establishment's stays: without
 * day, the guests present now, newest first by id order; with day, those who arrived then. */
int
stay_guests(struct dd_req *req)
{
    int limit;
    int64_t cursor;
    if (stay_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    const char *day = dd_req_query(req, "day");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, NULL, &e) != 0)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           day ? "SELECT " STAY_COLS " FROM stays s WHERE s.establishment_id = ? "
                                 "AND s.arrival_day = ? AND s.id > ? ORDER BY s.id LIMIT ?"
                               : "SELECT " STAY_COLS " FROM stays s WHERE s.establishment_id = ? "
                                 "AND s.departed_at = '' AND CAST(? AS TEXT) IS NULL AND s.id > ? "
                                 "ORDER BY s.id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, e.id);
    dd_stmt_bind_text(st, 2, day);
    dd_stmt_bind_int64(st, 3, cursor);
    dd_stmt_bind_int64(st, 4, limit + 1);
    struct dd_buf items;
    stay_page_start(req, &items);
    int64_t last = 0;
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && n < limit) {
        struct stay s;
        stay_from_row(req, st, &s);
        stay_page_add(&items, &s);
        last = s.id;
        n++;
    }
    bool more = rc == DD_DB_ROW;
    dd_stmt_reset(st);
    if (rc < 0) {
        return stay_fail(req, db, rc);
    }
    rc = stay_page_send(req, &items, more ? last : 0);
    return rc == DD_ETOOBIG ? stay_fail(req, db, rc) : rc;
}

/* Loads stay `id` of establishment est_id (DD_ENOTFOUND for another's). */
static int
own_stay(struct dd_req *req, struct dd_db *db, int64_t est_id, int64_t id, struct stay *s)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT " STAY_COLS " FROM stays s WHERE s.id = ? AND s.establishment_id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    dd_stmt_bind_int64(st, 2, est_id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        stay_from_row(req, st, s);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

static int
history_row(struct dd_req *req, struct dd_db *db, const struct stay *s, const char *kind,
            const char *reason, json_t *changes, const char *now)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO stay_history (stay_id, version, kind, at, actor, reason, "
                           "changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, s->id);
    dd_stmt_bind_int64(st, 2, s->version);
    dd_stmt_bind_text(st, 3, kind);
    dd_stmt_bind_text(st, 4, now);
    dd_stmt_bind_text(st, 5, stay_actor(req));
    dd_stmt_bind_text(st, 6, reason ? reason : "");
    dd_stmt_bind_text(st, 7, stay_dump(req, changes));
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

static const char *const checkout_fields[] = {"stay_id", "id_number", "passport", "departed_at",
                                              NULL};

/* The stay a check-out names; -1 after a reply. */
static int
checkout_target_or_reply(struct dd_req *req, struct dd_db *db, const struct stay_est *e,
                         struct stay *s)
{
    json_t *body = req->json, *ext = NULL;
    if (!json_is_object(body))
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                                dd_problem_add_error(NULL, req, "", "not-an-object",
                                                     "Nội dung phải là một đối tượng JSON.",
                                                     "The body must be a JSON object.")),
               -1;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!stay_field_allowed(checkout_fields, key))
            ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                       "Trường này không được chấp nhận.",
                                       "This field is not accepted.");
    }
    json_t *sid = json_object_get(body, "stay_id");
    const char *guest_key = NULL;
    if (sid && (!json_is_integer(sid) || json_integer_value(sid) < 1))
        ext = dd_problem_add_error(ext, req, "stay_id", "not-an-id", "Mã lưu trú không hợp lệ.",
                                   "The stay id is not valid.");
    else if (sid == NULL && json_is_object(json_object_get(body, "passport"))) {
        json_t *pp = json_object_get(body, "passport");
        const char *number = json_string_value(json_object_get(pp, "number"));
        const char *nat = json_string_value(json_object_get(pp, "nationality"));
        if (number == NULL || nat == NULL || strlen(number) > 20 || strlen(nat) != 3)
            ext = dd_problem_add_error(ext, req, "passport", "passport-invalid",
                                       "Cần số hộ chiếu và quốc tịch.",
                                       "The passport number and nationality are required.");
        else
            guest_key = dd_arena_printf(req->arena, "pp:%s:%s", nat, number);
    } else if (sid == NULL) {
        struct stay g = {0};
        stay_guest_parse(req, body, &g, &ext);
        guest_key = g.guest_key;
    }
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext), -1;
    int64_t id = sid ? json_integer_value(sid) : stay_present_id(db, e->id, guest_key);
    int rc = id ? own_stay(req, db, e->id, id, s) : DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND && sid == NULL)
        return stay_problem_reply(req, STAY_PROBLEM_NOT_CHECKED_IN, NULL), -1;
    if (rc != DD_OK)
        return stay_fail(req, db, rc), -1;
    if (s->departed_at[0])
        return stay_problem_reply(req, STAY_PROBLEM_ALREADY_DEPARTED, NULL), -1;
    return 0;
}

/* The departure time: departed_at or now; -1 after a reply. */
static int
departure_or_reply(struct dd_req *req, const struct stay *s, int64_t now, int64_t *out)
{
    const char *d = json_string_value(json_object_get(req->json, "departed_at"));
    *out = now;
    if (json_object_get(req->json, "departed_at") &&
        (d == NULL || dd_stay_time_parse(d, out) != DD_OK || *out > now + 5 * 60 * 1000))
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                                dd_problem_add_error(NULL, req, "departed_at", "time-invalid",
                                                     "Thời điểm phải theo ISO 8601 có múi giờ và "
                                                     "không ở tương lai.",
                                                     "The time must be ISO 8601 with a zone and "
                                                     "not in the future.")),
               -1;
    int64_t arrived;
    if (dd_stay_time_parse(s->arrived_at, &arrived) == DD_OK && *out < arrived)
        return stay_problem_reply(req, STAY_PROBLEM_DEPARTURE_EARLY,
                                  json_pack("{s:s}", "arrived_at", s->arrived_at)),
               -1;
    return 0;
}

static int
checkout_run(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, NULL, &e) != 0)
        return DD_DONE;
    struct stay s;
    if (checkout_target_or_reply(req, db, &e, &s) != 0)
        return DD_DONE;
    int64_t now = dd_clock_now_ms(), departed;
    if (departure_or_reply(req, &s, now, &departed) != 0)
        return DD_DONE;
    char day[11];
    dd_stay_local_day(departed, day);
    const char *now_text = stay_now_text(req, now);
    s.departed_at = stay_now_text(req, departed);
    s.version++;
    s.updated_at = now_text;
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE stays SET departed_at = ?, version = ?, updated_at = ? WHERE "
                           "id = ? AND departed_at = ''",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, s.departed_at);
    dd_stmt_bind_int64(st, 2, s.version);
    dd_stmt_bind_text(st, 3, now_text);
    dd_stmt_bind_int64(st, 4, s.id);
    rc = dd_stmt_step(st);
    int64_t changed = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc == DD_DB_DONE && changed == 0) {
        dd_db_rollback(db);
        return stay_problem_reply(req, STAY_PROBLEM_ALREADY_DEPARTED, NULL);
    }
    if (rc == DD_DB_DONE)
        rc = history_row(req, db, &s, "checked-out", NULL,
                         json_pack("{s:{s:n, s:s}}", "departed_at", "from", "to", s.departed_at),
                         now_text);
    char subject[40];
    snprintf(subject, sizeof subject, "stay:%lld", (long long)s.id);
    if (rc == DD_OK)
        rc = stay_emit(
            db, "stay.checked_out", subject,
            stay_dump(req, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)s.id,
                                     "arrival_day", s.arrival_day, "departure_day", day, "province",
                                     s.province, "commune", s.commune, "class", e.class_,
                                     "nationality", s.nationality)));
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return stay_commit_reply(req, db, idem, 200, json_pack("{s:o}", "stay", stay_json(&s)), NULL);
}

/* POST /api/v1/stays/checkouts — {"stay_id"} or the guest (id_number, qr, chip, passport), with
 * departed_at (default now): 200 with the stay; 409 stay-not-checked-in for a guest not present,
 * stay-already-departed; 422 stay-departure-before-arrival; 404 for another's stay id. */
int
stay_checkout(struct dd_req *req)
{
    return dd_idem_run(req, checkout_run);
}

static const char *const correct_fields[] = {"changes", "reason", NULL};
static const char *const correctable[] = {"full_name", "birth_date",   "sex",
                                          "room",      "reason",       "expected_departure",
                                          "ward",      "patient_name", NULL};

/* The address in *s of a correctable field. */
static const char **
field_of(struct stay *s, const char *name)
{
    if (strcmp(name, "full_name") == 0)
        return &s->full_name;
    if (strcmp(name, "birth_date") == 0)
        return &s->birth_date;
    if (strcmp(name, "sex") == 0)
        return &s->sex;
    if (strcmp(name, "room") == 0)
        return &s->room;
    if (strcmp(name, "reason") == 0)
        return &s->reason;
    if (strcmp(name, "expected_departure") == 0)
        return &s->expected_departure;
    if (strcmp(name, "ward") == 0)
        return &s->ward;
    return &s->patient_name;
}

/* Checks the body and applies the changes to *s; *diff gets {field: {from, to}}. -1 after a
 * reply. */
static int
correction_or_reply(struct dd_req *req, struct stay *s, json_t **diff, const char **why)
{
    json_t *body = req->json, *ext = NULL;
    json_t *changes = json_object_get(body, "changes");
    *why = json_string_value(json_object_get(body, "reason"));
    const char *key;
    json_t *v;
    if (json_is_object(body))
        json_object_foreach(body, key, v)
        {
            if (!stay_field_allowed(correct_fields, key))
                ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                           "Trường này không được chấp nhận.",
                                           "This field is not accepted.");
        }
    if (*why == NULL || (*why)[0] == '\0' || strlen(*why) > 500)
        ext = dd_problem_add_error(ext, req, "reason", "required",
                                   "Cần lý do đính chính (tối đa 500 byte).",
                                   "A reason for the correction is required (up to 500 bytes).");
    if (!json_is_object(changes) || json_object_size(changes) == 0)
        ext = dd_problem_add_error(ext, req, "changes", "required", "Cần ít nhất một thay đổi.",
                                   "At least one change is required.");
    *diff = json_object();
    if (json_is_object(changes))
        json_object_foreach(changes, key, v)
        {
            const char *f = dd_arena_printf(req->arena, "changes.%s", key);
            const char *to = json_string_value(v);
            bool is_date = strcmp(key, "birth_date") == 0 || strcmp(key, "expected_departure") == 0;
            int64_t ms;
            if (!stay_field_allowed(correctable, key))
                ext = dd_problem_add_error(ext, req, f, "not-correctable",
                                           "Trường này không được đính chính.",
                                           "This field cannot be corrected.");
            else if (to == NULL || strlen(to) > STAY_TEXT_MAX || dd_str_has_control(to))
                ext = dd_problem_add_error(ext, req, f, "not-a-string",
                                           "Giá trị phải là chuỗi tối đa 200 byte.",
                                           "The value must be a string of up to 200 bytes.");
            else if (is_date && to[0] &&
                     (strlen(to) != 10 ||
                      dd_stay_time_parse(dd_arena_printf(req->arena, "%sT00:00:00Z", to), &ms) !=
                          DD_OK))
                ext = dd_problem_add_error(ext, req, f, "date-invalid",
                                           "Ngày phải có dạng YYYY-MM-DD.",
                                           "The date must be YYYY-MM-DD.");
            else if (strcmp(key, "sex") == 0 && strcmp(to, "male") != 0 &&
                     strcmp(to, "female") != 0)
                ext = dd_problem_add_error(ext, req, f, "sex-invalid",
                                           "Giới tính phải là male hoặc female.",
                                           "The sex must be male or female.");
            else {
                const char **slot = field_of(s, key);
                if (strcmp(*slot, to) != 0)
                    json_object_set_new(*diff, key,
                                        json_pack("{s:s, s:s}", "from", *slot, "to", to));
                *slot = to;
            }
        }
    if (ext == NULL && json_object_size(*diff) == 0)
        ext = dd_problem_add_error(NULL, req, "changes", "no-change",
                                   "Các giá trị mới giống giá trị đang lưu.",
                                   "The new values are those already stored.");
    if (ext) {
        json_decref(*diff);
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return -1;
    }
    return 0;
}

/* POST /api/v1/stays/guests/{id}/corrections — {"changes": {field: value}, "reason"}: 200 with
 * the stay at its next version; 400 on a bad change (nothing stored); 404 for another's stay. */
int
stay_correct(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, NULL, &e) != 0)
        return DD_DONE;
    int64_t id;
    struct stay s;
    int rc = dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) == DD_OK
                 ? own_stay(req, db, e.id, id, &s)
                 : DD_ENOTFOUND;
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    json_t *diff;
    const char *why;
    if (correction_or_reply(req, &s, &diff, &why) != 0)
        return DD_DONE;
    int64_t old_version = s.version;
    s.version++;
    s.updated_at = stay_now_text(req, dd_clock_now_ms());
    struct dd_stmt *st;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE stays SET full_name = ?, birth_date = ?, sex = ?, room = ?, "
                           "reason = ?, expected_departure = ?, ward = ?, patient_name = ?, "
                           "version = ?, updated_at = ? WHERE id = ? AND version = ?",
                           &st);
    if (rc != DD_OK) {
        json_decref(diff);
        return stay_fail(req, db, rc);
    }
    const char *vals[] = {s.full_name, s.birth_date,         s.sex,  s.room,
                          s.reason,    s.expected_departure, s.ward, s.patient_name};
    for (int i = 0; i < 8; i++)
        dd_stmt_bind_text(st, i + 1, vals[i]);
    dd_stmt_bind_int64(st, 9, s.version);
    dd_stmt_bind_text(st, 10, s.updated_at);
    dd_stmt_bind_int64(st, 11, s.id);
    dd_stmt_bind_int64(st, 12, old_version);
    rc = dd_stmt_step(st);
    int64_t changed = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc == DD_DB_DONE && changed == 0)
        rc = DD_ECONFLICT;
    if (rc == DD_DB_DONE)
        rc = history_row(req, db, &s, "corrected", why, diff, s.updated_at);
    else
        json_decref(diff);
    char subject[40];
    snprintf(subject, sizeof subject, "stay:%lld", (long long)s.id);
    if (rc == DD_OK)
        rc = dd_event_emit(db, "stay.corrected", subject,
                           stay_dump(req, json_pack("{s:I, s:I}", "id", (json_int_t)s.id, "version",
                                                    (json_int_t)s.version)));
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return stay_commit_reply(req, db, NULL, 200, json_pack("{s:o}", "stay", stay_json(&s)), NULL);
}
