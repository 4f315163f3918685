/*
 * common.c — what every route of the stays module uses: a stay from a row and as JSON, who acts,
 * the time as text, pages of lists, the module's problem types, and the commit that stores a
 * reply under the request's Idempotency-Key.
 */
#include "base/arena.h"
#include "base/buf.h"
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
str_or_null(struct dd_buf *b, const char *name, const char *v)
{
    if (v && v[0])
        dd_buf_json_str(b, name, v);
    else
        dd_buf_json_raw(b, name, "null");
}

int
stay_write(struct dd_buf *b, const struct stay *s)
{
    dd_buf_putc(b, '{');
    dd_buf_json_int(b, "id", s->id);
    dd_buf_json_int(b, "establishment_id", s->establishment_id);
    if (s->establishment_name)
        str_or_null(b, "establishment_name", s->establishment_name);
    str_or_null(b, "province", s->province);
    str_or_null(b, "commune", s->commune);
    dd_buf_json_bool(b, "foreign", s->foreign);
    str_or_null(b, "id_number", s->id_number);
    str_or_null(b, "passport_number", s->passport_number);
    str_or_null(b, "nationality", s->nationality);
    str_or_null(b, "full_name", s->full_name);
    str_or_null(b, "birth_date", s->birth_date);
    str_or_null(b, "sex", s->sex);
    str_or_null(b, "origin_province", s->origin_province);
    dd_buf_json_bool(b, "verified", s->verified);
    str_or_null(b, "source", s->source);
    str_or_null(b, "reason", s->reason);
    str_or_null(b, "room", s->room);
    str_or_null(b, "arrived_at", s->arrived_at);
    str_or_null(b, "arrival_day", s->arrival_day);
    str_or_null(b, "expected_departure", s->expected_departure);
    str_or_null(b, "departed_at", s->departed_at);
    str_or_null(b, "reported_at", s->reported_at);
    str_or_null(b, "due_at", s->due_at);
    dd_buf_json_bool(b, "late", s->late);
    if (s->relationship && s->relationship[0]) {
        dd_buf_json_raw(b, "relative", "{");
        dd_buf_json_str(b, "relationship", s->relationship);
        dd_buf_json_str(b, "until", s->relative_until);
        dd_buf_putc(b, '}');
    } else {
        dd_buf_json_raw(b, "relative", "null");
    }
    if (s->ward && s->ward[0]) {
        dd_buf_json_raw(b, "patient", "{");
        dd_buf_json_str(b, "full_name", s->patient_name);
        str_or_null(b, "id_number", s->patient_id_number);
        dd_buf_json_str(b, "ward", s->ward);
        dd_buf_putc(b, '}');
    } else {
        dd_buf_json_raw(b, "patient", "null");
    }
    str_or_null(b, "reported_by", s->reported_by);
    dd_buf_json_int(b, "version", s->version);
    str_or_null(b, "updated_at", s->updated_at);
    return dd_buf_putc(b, '}');
}

json_t *
stay_json(const struct stay *s)
{
    struct dd_buf b;
    dd_buf_init(&b, NULL, STAY_JSON_MAX);
    json_t *o = stay_write(&b, s) == DD_OK ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    dd_buf_release(&b);
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

int
stay_page_send(struct dd_req *req, struct dd_buf *items, int64_t next)
{
    dd_buf_putc(items, ']');
    if (next)
        dd_buf_printf(items, ",\"next_cursor\":\"%lld\"}", (long long)next);
    else
        dd_buf_puts(items, ",\"next_cursor\":null}");
    if (items->data == NULL || items->len == 0 || items->data[items->len - 1] != '}')
        return DD_ETOOBIG; /* past STAY_PAGE_MAX: the caller's failure reply says so */
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_bytes(req, 200, "application/json", items->data, items->len);
}

void
stay_page_start(struct dd_req *req, struct dd_buf *items)
{
    dd_buf_init(items, req->arena, STAY_PAGE_MAX);
    dd_buf_puts(items, "{\"items\":[");
}

void
stay_page_add(struct dd_buf *items, const struct stay *s)
{
    if (items->len > 0 && items->data[items->len - 1] == '}')
        dd_buf_putc(items, ',');
    stay_write(items, s);
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
