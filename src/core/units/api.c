/*
 * api.c — the units routes: a page of the units in force on a date, and one unit with where it
 * came from and where it went.
 *
 * A commune code means something only with its province (new communes reuse old codes), so a
 * lookup without ?province= answers when the code names units of one province only, and
 * otherwise says which provinces to choose from. Without ?date= a lookup prefers the unit in
 * force today and falls back to the latest one, so an old code still answers with its end date
 * and successors.
 */
#include "core/units/api.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "core/units/history.h"
#include "core/units/units.h"
#include "http/list.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"

#include <stdio.h>
#include <string.h>

#define MAX_CANDIDATES 16

/* --- input ----------------------------------------------------------------------------------- */

static json_t *
check_province(struct dd_req *req, json_t *ext, const char *province)
{
    if (province == NULL || dd_str_all_digits(province, 2))
        return ext;
    return dd_problem_add_error(ext, req, "province", "province-invalid",
                                "province là mã tỉnh, thành phố gồm 2 chữ số, ví dụ 56.",
                                "province is a province code of 2 digits, such as 56.");
}

static json_t *
check_date(struct dd_req *req, json_t *ext, const char *date)
{
    if (date == NULL || dd_units_date_valid(date))
        return ext;
    return dd_problem_add_error(ext, req, "date", "date-invalid",
                                "date là một ngày có thật dạng YYYY-MM-DD, ví dụ 2025-01-01.",
                                "date is a real date written YYYY-MM-DD, such as 2025-01-01.");
}

struct list_in {
    struct dd_units_query q;
    int64_t limit;
    char after_province[4];
    char after_code[8];
};

/* Reads a cursor "PP-CODE" (the last unit of the previous page); false if malformed. */
static bool
read_cursor(const char *cursor, const char *kind, struct list_in *in)
{
    const char *dash = strchr(cursor, '-');
    if (dash == NULL || dash - cursor != 2 || strlen(dash + 1) >= sizeof in->after_code)
        return false;
    memcpy(in->after_province, cursor, 2);
    in->after_province[2] = '\0';
    dd_strlcpy(in->after_code, dash + 1, sizeof in->after_code);
    const char *code_kind = dd_units_kind_of_code(in->after_code);
    if (!dd_str_all_digits(in->after_province, 2) || code_kind == NULL ||
        strcmp(code_kind, kind) != 0)
        return false;
    in->q.after_province = in->after_province;
    in->q.after_code = in->after_code;
    return true;
}

static int
list_parse_or_reply(struct dd_req *req, struct list_in *in)
{
    memset(in, 0, sizeof *in);
    json_t *ext = NULL;
    const char *kind = dd_req_query(req, "kind");
    in->q.kind = kind ? kind : "commune";
    bool kind_ok = strcmp(in->q.kind, "province") == 0 || strcmp(in->q.kind, "district") == 0 ||
                   strcmp(in->q.kind, "commune") == 0;
    if (!kind_ok)
        ext = dd_problem_add_error(ext, req, "kind", "kind-invalid",
                                   "kind là province, district hoặc commune.",
                                   "kind is province, district or commune.");
    in->q.province = dd_req_query(req, "province");
    ext = check_province(req, ext, in->q.province);
    in->q.date = dd_req_query(req, "date");
    ext = check_date(req, ext, in->q.date);
    int limit;
    ext = dd_list_limit(req, ext, &limit);
    in->limit = limit;
    const char *cursor = dd_req_query(req, "cursor");
    if (cursor && kind_ok && !read_cursor(cursor, in->q.kind, in))
        ext = dd_problem_add_error(ext, req, "cursor", "cursor-invalid",
                                   "cursor không hợp lệ; hãy dùng next_cursor của trang trước.",
                                   "cursor is not valid; use next_cursor from the previous page.");
    if (ext == NULL)
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

struct get_in {
    const char *code;
    const char *province;
    const char *date; /* NULL: not given */
    char day[11];     /* the date, or today */
};

static int
get_parse_or_reply(struct dd_req *req, struct get_in *in)
{
    json_t *ext = NULL;
    in->code = dd_req_param(req, "code");
    if (dd_units_kind_of_code(in->code) == NULL)
        ext = dd_problem_add_error(
            ext, req, "code", "code-invalid",
            "Mã đơn vị hành chính gồm 2 chữ số (tỉnh), 3 (huyện) hoặc 5 (xã, phường).",
            "A unit code has 2 digits (province), 3 (district) or 5 (commune).");
    in->province = dd_req_query(req, "province");
    ext = check_province(req, ext, in->province);
    in->date = dd_req_query(req, "date");
    ext = check_date(req, ext, in->date);
    if (ext) {
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return DD_EINVAL;
    }
    if (in->date)
        dd_strlcpy(in->day, in->date, sizeof in->day);
    else
        dd_units_today(in->day);
    return DD_OK;
}

/* --- output ---------------------------------------------------------------------------------- */

static json_t *
text_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static json_t *
unit_json(const struct dd_unit *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(u->kind));
    json_object_set_new(o, "code", json_string(u->code));
    json_object_set_new(o, "province_code", json_string(u->province_code));
    json_object_set_new(o, "district_code", text_or_null(u->district_code));
    json_object_set_new(o, "name", json_string(u->name));
    json_object_set_new(o, "level", json_string(u->level));
    json_object_set_new(o, "name_en", text_or_null(u->name_en));
    json_object_set_new(o, "valid_from", text_or_null(u->valid_from));
    json_object_set_new(o, "valid_to", text_or_null(u->valid_to));
    return o;
}

static int
fail_or_reply(struct dd_req *req, int rc)
{
    dd_reply_problem(req, dd_problem_from_error(rc), NULL);
    return rc;
}

/* --- GET /api/v1/units ----------------------------------------------------------------------- */

/* 404 unless the province of the query was in force on its date. */
static int
province_or_reply(struct dd_req *req, struct dd_db *db, const struct dd_units_query *q)
{
    if (q->province == NULL)
        return DD_OK;
    struct dd_unit p;
    int rc = dd_units_find(db, NULL, q->province, q->date, &p);
    if (rc == DD_ENOTFOUND) {
        char day[11];
        if (q->date == NULL)
            dd_units_today(day);
        const char *on = q->date ? q->date : day;
        dd_reply_problem_detail(
            req, DD_PROBLEM_NOT_FOUND,
            dd_arena_printf(req->arena, "Không có tỉnh, thành phố mã %s vào ngày %s.", q->province,
                            on),
            dd_arena_printf(req->arena, "No province with code %s on %s.", q->province, on), NULL);
        return rc;
    }
    return rc == DD_OK ? DD_OK : fail_or_reply(req, rc);
}

/* GET /api/v1/units — units of one kind (communes unless ?kind= says otherwise) in force on
 * ?date= (today by default), in one province or all, a page at a time in code order. */
static int
units_list(struct dd_req *req)
{
    struct list_in in;
    if (list_parse_or_reply(req, &in) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL || province_or_reply(req, db, &in.q) != DD_OK)
        return DD_DONE;
    size_t want = (size_t)in.limit + 1, n = 0;
    struct dd_unit *rows = dd_arena_alloc(req->arena, want * sizeof *rows);
    int rc = dd_units_list(db, &in.q, rows, want, &n);
    if (rc != DD_OK)
        return fail_or_reply(req, rc);
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < (size_t)in.limit; i++)
        json_array_append_new(items, unit_json(&rows[i]));
    json_t *next = json_null();
    if (n > (size_t)in.limit) {
        const struct dd_unit *last = &rows[in.limit - 1];
        next = json_string(dd_arena_printf(req->arena, "%s-%s", last->province_code, last->code));
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* --- GET /api/v1/units/{code} ---------------------------------------------------------------- */

static bool
counts(const struct dd_unit *u, const char *day)
{
    return day == NULL || dd_unit_in_force(u, day);
}

/* The provinces among found[0..n) (those in force on `day` when `day` is not NULL), listed as
 * "01, 56" into b; returns how many there are. */
static int
provinces_of(const struct dd_unit *found, size_t n, const char *day, struct dd_buf *b)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!counts(&found[i], day))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = counts(&found[j], day) &&
                   strcmp(found[j].province_code, found[i].province_code) == 0;
        if (seen)
            continue;
        dd_buf_puts(b, count ? ", " : "");
        dd_buf_puts(b, found[i].province_code);
        count++;
    }
    return count;
}

static int
reply_ambiguous(struct dd_req *req, const char *code, const char *provinces)
{
    json_t *ext = dd_problem_add_error(
        NULL, req, "province", "province-required",
        dd_arena_printf(req->arena, "Mã %s có ở nhiều tỉnh, thành phố (%s); hãy cho biết province.",
                        code, provinces),
        dd_arena_printf(req->arena, "Code %s exists in several provinces (%s); give province.",
                        code, provinces));
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_ECONFLICT;
}

static int
reply_unknown(struct dd_req *req, const struct get_in *in)
{
    struct dd_arena *a = req->arena;
    const char *where_vi =
        in->province ? dd_arena_printf(a, " thuộc tỉnh, thành phố mã %s", in->province) : "";
    const char *where_en = in->province ? dd_arena_printf(a, " in province %s", in->province) : "";
    const char *when_vi = in->date ? dd_arena_printf(a, " vào ngày %s", in->date) : "";
    const char *when_en = in->date ? dd_arena_printf(a, " on %s", in->date) : "";
    dd_reply_problem_detail(
        req, DD_PROBLEM_NOT_FOUND,
        dd_arena_printf(a, "Không có đơn vị hành chính mã %s%s%s.", in->code, where_vi, when_vi),
        dd_arena_printf(a, "No administrative unit with code %s%s%s.", in->code, where_en, when_en),
        NULL);
    return DD_ENOTFOUND;
}

/* Chooses the unit the request means (see the top of the file), or replies 400 or 404. */
static int
resolve_or_reply(struct dd_req *req, struct dd_db *db, const struct get_in *in, struct dd_unit *out)
{
    struct dd_unit found[MAX_CANDIDATES];
    size_t n = 0;
    int rc = dd_units_find_all(db, in->province, in->code, found, MAX_CANDIDATES, &n);
    if (rc != DD_OK)
        return fail_or_reply(req, rc);
    char list[256];
    struct dd_buf b;
    dd_buf_init_fixed(&b, list, sizeof list);
    int provinces = provinces_of(found, n, in->day, &b);
    if (provinces == 0 && in->date == NULL) /* none today: any period counts */
        provinces = provinces_of(found, n, NULL, &b);
    if (provinces > 1)
        return reply_ambiguous(req, in->code, list);
    const struct dd_unit *pick = NULL;
    for (size_t i = 0; i < n && pick == NULL; i++)
        if (dd_unit_in_force(&found[i], in->day))
            pick = &found[i];
    if (pick == NULL && in->date == NULL && n > 0)
        pick = &found[0]; /* the latest */
    if (pick) {
        *out = *pick;
        return DD_OK;
    }
    return reply_unknown(req, in);
}

/* Sets member to the name of unit `code` on the day the unit `u` was last in force, or null. */
static int
set_name(struct dd_db *db, const struct dd_unit *u, const char *code, json_t *o, const char *member)
{
    char day[11];
    if (u->valid_to[0])
        dd_strlcpy(day, u->valid_to, sizeof day);
    else
        dd_units_today(day);
    char name[DD_UNITS_NAME_MAX];
    int rc = code[0] ? dd_units_name(db, NULL, code, day, name, sizeof name) : DD_ENOTFOUND;
    json_object_set_new(o, member, rc == DD_OK ? json_string(name) : json_null());
    return rc == DD_OK || rc == DD_ENOTFOUND || rc == DD_ECONFLICT ? DD_OK : rc;
}

/* GET /api/v1/units/{code} — one unit with its predecessors and successors. 400 for a malformed
 * code, province or date, or a code several provinces have; 404 for an unknown one. */
static int
units_get(struct dd_req *req)
{
    struct get_in in;
    if (get_parse_or_reply(req, &in) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct dd_unit u;
    if (db == NULL || resolve_or_reply(req, db, &in, &u) != DD_OK)
        return DD_DONE;
    json_t *body = unit_json(&u);
    int rc = set_name(db, &u, u.province_code, body, "province_name");
    if (rc == DD_OK)
        rc = set_name(db, &u, u.district_code, body, "district_name");
    if (rc == DD_OK)
        rc = dd_units_history_json(db, &u, body);
    if (rc != DD_OK) {
        json_decref(body);
        return fail_or_reply(req, rc);
    }
    return dd_reply_json(req, 200, body);
}

static const struct dd_route units_routes[] = {
    DD_ROUTE("GET", "/api/v1/units", units_list, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/units/{code}", units_get, DD_AUTH_NONE, NULL),
    DD_ROUTES_END,
};

const struct dd_module dd_module_units = {
    .name = "units",
    .routes = units_routes,
    .on_event = NULL,
};
