/*
 * common.c — what every route of the stays module uses: a stay from a row and as JSON, who acts,
 * the time as text, pages of lists, the module's problem types, and the commit that stores a
 * reply under the request's Idempotency-Key.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/str.h"
#include "core/idempotency/idempotency.h"
#include "core/stays/internal.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *
col(struct dd_req *req, struct dd_stmt *st, int i)
{
    const char *v = dd_stmt_text(st, i);
    return dd_arena_strdup(req->arena, v ? v : "");
}

void
stay_from_row(struct dd_req *req, struct dd_stmt *st, struct stay *s)
{
    *s = (struct stay){0};
    s->id = dd_stmt_int64(st, 0);
    s->establishment_id = dd_stmt_int64(st, 1);
    s->province = col(req, st, 2);
    s->commune = col(req, st, 3);
    s->guest_key = col(req, st, 4);
    s->foreign = dd_stmt_int64(st, 5) != 0;
    s->id_number = col(req, st, 6);
    s->passport_number = col(req, st, 7);
    s->nationality = col(req, st, 8);
    s->full_name = col(req, st, 9);
    s->birth_date = col(req, st, 10);
    s->sex = col(req, st, 11);
    s->origin_province = col(req, st, 12);
    s->verified = dd_stmt_int64(st, 13) != 0;
    s->source = col(req, st, 14);
    s->reason = col(req, st, 15);
    s->room = col(req, st, 16);
    s->arrived_at = col(req, st, 17);
    s->arrival_day = col(req, st, 18);
    s->expected_departure = col(req, st, 19);
    s->departed_at = col(req, st, 20);
    s->reported_at = col(req, st, 21);
    s->due_at = col(req, st, 22);
    s->late = dd_stmt_int64(st, 23) != 0;
    s->relationship = col(req, st, 24);
    s->relative_until = col(req, st, 25);
    s->patient_name = col(req, st, 26);
    s->patient_id_number = col(req, st, 27);
    s->ward = col(req, st, 28);
    s->reported_by = col(req, st, 29);
    s->version = dd_stmt_int64(st, 30);
    s->updated_at = col(req, st, 31);
}

/* A string member, null when empty. */
static void
set_str(json_t *o, const char *name, const char *v)
{
    json_object_set_new(o, name, v && v[0] ? json_string(v) : json_null());
}

json_t *
stay_json(const struct stay *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "establishment_id", json_integer(s->establishment_id));
    if (s->establishment_name)
        set_str(o, "establishment_name", s->establishment_name);
    set_str(o, "province", s->province);
    set_str(o, "commune", s->commune);
    json_object_set_new(o, "foreign", json_boolean(s->foreign));
    set_str(o, "id_number", s->id_number);
    set_str(o, "passport_number", s->passport_number);
    set_str(o, "nationality", s->nationality);
    set_str(o, "full_name", s->full_name);
    set_str(o, "birth_date", s->birth_date);
    set_str(o, "sex", s->sex);
    set_str(o, "origin_province", s->origin_province);
    json_object_set_new(o, "verified", json_boolean(s->verified));
    set_str(o, "source", s->source);
    set_str(o, "reason", s->reason);
    set_str(o, "room", s->room);
    set_str(o, "arrived_at", s->arrived_at);
    set_str(o, "arrival_day", s->arrival_day);
    set_str(o, "expected_departure", s->expected_departure);
    set_str(o, "departed_at", s->departed_at);
    set_str(o, "reported_at", s->reported_at);
    set_str(o, "due_at", s->due_at);
    json_object_set_new(o, "late", json_boolean(s->late));
    if (s->relationship && s->relationship[0])
        json_object_set_new(
            o, "relative",
            json_pack("{s:s, s:s}", "relationship", s->relationship, "until", s->relative_until));
    else
        json_object_set_new(o, "relative", json_null());
    if (s->ward && s->ward[0])
        json_object_set_new(o, "patient",
                            json_pack("{s:s, s:s?, s:s}", "full_name", s->patient_name, "id_number",
                                      s->patient_id_number[0] ? s->patient_id_number : NULL, "ward",
                                      s->ward));
    else
        json_object_set_new(o, "patient", json_null());
    set_str(o, "reported_by", s->reported_by);
    json_object_set_new(o, "version", json_integer(s->version));
    set_str(o, "updated_at", s->updated_at);
    return o;
}

const char *
stay_actor(struct dd_req *req)
{
    const struct dd_principal *p = req->who;
    if (p->kind == DD_PRINCIPAL_ESTABLISHMENT)
        return dd_arena_printf(req->arena, "account:%lld", (long long)p->account_id);
    return dd_arena_printf(req->arena, "officer:%lld", (long long)p->id);
}

const char *
stay_dump(struct dd_req *req, json_t *v)
{
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

const char *
stay_now_text(struct dd_req *req, int64_t ms)
{
    char buf[32];
    dd_clock_iso8601(ms, buf);
    return dd_arena_strdup(req->arena, buf);
}

int
stay_page_or_reply(struct dd_req *req, int *limit, int64_t *cursor)
{
    if (dd_list_limit_or_reply(req, limit) != DD_OK)
        return -1;
    *cursor = 0;
    const char *c = dd_req_query(req, "cursor");
    if (c == NULL || dd_parse_int64(c, 1, INT64_MAX, cursor) == DD_OK)
        return 0;
    dd_reply_problem(
        req, DD_PROBLEM_VALIDATION_FAILED,
        dd_problem_add_error(NULL, req, "cursor", "cursor-invalid",
                             "Con trỏ trang không hợp lệ; dùng next_cursor nhận được.",
                             "The cursor is not valid; use the next_cursor received."));
    return -1;
}

int
stay_page_reply(struct dd_req *req, json_t *items, int64_t next)
{
    json_t *cursor =
        next ? json_string(dd_arena_printf(req->arena, "%lld", (long long)next)) : json_null();
    return dd_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor));
}

struct stay_problem_info {
    const char *slug;
    enum dd_problem base; /* gives the status */
    const char *title;
    const char *vi;
    const char *en;
};

static const struct stay_problem_info problems[] = {
    [STAY_PROBLEM_DUPLICATE] = {"stay-duplicate", DD_PROBLEM_CONFLICT, "Guest already checked in",
                                "Khách này đang lưu trú tại cơ sở (chưa trả phòng).",
                                "This guest is already checked in here (not checked out)."},
    [STAY_PROBLEM_NOT_CHECKED_IN] = {"stay-not-checked-in", DD_PROBLEM_CONFLICT,
                                     "Guest not checked in",
                                     "Khách này không đang lưu trú tại cơ sở.",
                                     "This guest is not checked in here."},
    [STAY_PROBLEM_ALREADY_DEPARTED] = {"stay-already-departed", DD_PROBLEM_CONFLICT,
                                       "Stay already ended", "Khách đã trả phòng.",
                                       "The guest has already checked out."},
    [STAY_PROBLEM_DEPARTURE_EARLY] = {"stay-departure-before-arrival", DD_PROBLEM_RULE_VIOLATED,
                                      "Departure before arrival",
                                      "Thời điểm trả phòng trước thời điểm đến.",
                                      "The departure is before the arrival."},
    [STAY_PROBLEM_NOT_APPROVED] = {"stay-establishment-not-approved", DD_PROBLEM_FORBIDDEN,
                                   "Establishment not approved",
                                   "Cơ sở lưu trú chưa được công an xã, phường phê duyệt.",
                                   "The establishment is not approved by the commune police."},
    [STAY_PROBLEM_MANIFEST_FROZEN] = {"stay-manifest-frozen", DD_PROBLEM_CONFLICT,
                                      "Manifest frozen",
                                      "Chuyến xe đã khởi hành; danh sách hành khách đã khóa.",
                                      "The trip has departed; its manifest is frozen."},
    [STAY_PROBLEM_PROVINCE_ONLY] = {"stay-province-police-only", DD_PROBLEM_FORBIDDEN,
                                    "Province police only",
                                    "Chỉ công an tỉnh được thực hiện việc này.",
                                    "Only the province police may do this."},
    [STAY_PROBLEM_PROFILE_EXISTS] = {"stay-establishment-exists", DD_PROBLEM_CONFLICT,
                                     "Profile already requested", "Cơ sở đã đăng ký hồ sơ lưu trú.",
                                     "The establishment already has a stays profile."},
};

static json_t *
problem_ext(struct dd_req *req, enum stay_problem p, json_t *ext)
{
    const struct stay_problem_info *info = &problems[p];
    if (ext == NULL)
        ext = json_object();
    json_object_set_new(
        ext, "type",
        json_string(dd_arena_printf(req->arena, "urn:dinhdanh:problem:%s", info->slug)));
    json_object_set_new(ext, "title", json_string(info->title));
    return ext;
}

int
stay_problem_reply(struct dd_req *req, enum stay_problem p, json_t *ext)
{
    const struct stay_problem_info *info = &problems[p];
    return dd_reply_problem_detail(req, info->base, info->vi, info->en, problem_ext(req, p, ext));
}

json_t *
stay_problem_json(struct dd_req *req, enum stay_problem p)
{
    const struct stay_problem_info *info = &problems[p];
    json_t *o = problem_ext(req, p, NULL);
    json_object_set_new(o, "status", json_integer(dd_problem_info(info->base)->status));
    json_object_set_new(o, "detail", json_string(req->lang == DD_LANG_EN ? info->en : info->vi));
    return o;
}

int
stay_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_EDB)
        dd_log(DD_LOG_ERROR, "stays.db", "request %s: %s", req->request_id, dd_db_errmsg(db));
    return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
}

int
stay_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem, unsigned status,
                  json_t *body, const char *location)
{
    return dd_idem_commit_json(req, db, idem, status, body, location, stay_fail);
}
