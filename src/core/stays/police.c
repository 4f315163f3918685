/*
 * police.c — what the police see of stays: the daily list of a commune (or one establishment),
 * late notifications, establishments that notified nothing on a day, one stay with its history,
 * and a person's stays.
 *
 * Each read shows people's data to an officer, so each needs a purpose (X-Purpose) and writes
 * access-log rows through the register's writer (dd_reg_access_reads): "search" for the people of
 * a list page, "read" for one stay or a person's stays. A commune officer sees their commune; a
 * province officer the province, naming the commune (or the establishment) of a daily list. A stay
 * outside the caller's area is answered as not found.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/purpose.h"
#include "core/register/register.h"
#include "core/stays/internal.h"
#include "core/stays/stays.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define STAY_FROM "FROM stays s JOIN stay_establishments e ON e.org_id = s.establishment_id "

struct area {
    const char *province;
    const char *commune; /* NULL: the whole province */
    int64_t establishment;
    const char *day;
};

static bool
day_shape(const char *d)
{
    if (d == NULL || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return false;
    return true;
}

/* ?commune, ?establishment and ?day within the caller's area; -1 after a reply. */
static int
area_or_reply(struct dd_req *req, struct area *a, bool need_place)
{
    const struct dd_principal *who = req->who;
    const char *commune = dd_req_query(req, "commune");
    const char *est = dd_req_query(req, "establishment");
    json_t *ext = NULL;
    a->province = who->province;
    a->commune = who->commune[0] ? who->commune : NULL;
    a->establishment = 0;
    if (commune && a->commune && strcmp(commune, a->commune) != 0)
        ext = dd_problem_add_error(ext, req, "commune", "outside-area",
                                   "Xã, phường này ngoài địa bàn của cán bộ.",
                                   "This commune is outside the officer's area.");
    else if (commune && (strlen(commune) != 5 || !dd_str_all_digits(commune, 5)))
        ext = dd_problem_add_error(ext, req, "commune", "commune-invalid",
                                   "Mã xã, phường gồm 5 chữ số.", "A commune code is 5 digits.");
    else if (commune)
        a->commune = commune;
    if (est && dd_parse_int64(est, 1, INT64_MAX, &a->establishment) != DD_OK)
        ext = dd_problem_add_error(ext, req, "establishment", "not-an-id", "Mã cơ sở không hợp lệ.",
                                   "The establishment id is not valid.");
    if (need_place && a->commune == NULL && a->establishment == 0 && ext == NULL)
        ext =
            dd_problem_add_error(ext, req, "commune", "required", "Cần chọn xã, phường hoặc cơ sở.",
                                 "A commune or an establishment is required.");
    char today[11];
    dd_stay_local_day(dd_clock_now_ms(), today);
    a->day = dd_req_query(req, "day");
    if (a->day == NULL)
        a->day = dd_arena_strdup(req->arena, today);
    else if (!day_shape(a->day))
        ext = dd_problem_add_error(ext, req, "day", "date-invalid", "Ngày phải có dạng YYYY-MM-DD.",
                                   "The day must be YYYY-MM-DD.");
    if (ext) {
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return -1;
    }
    return 0;
}

static bool
in_area(const struct dd_principal *who, const struct stay *s)
{
    return strcmp(s->province, who->province) == 0 &&
           (who->commune[0] == '\0' || strcmp(s->commune, who->commune) == 0);
}

/* GET /api/v1/stays/police/stays?commune=&establishment=&day=&late=true&cursor=&limit= — the
 * stays that arrived on `day` (default today) in a commune or at an establishment, in report
 * order; late=true keeps the late notifications only. */
int
stay_police_list(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    int limit;
    int64_t cursor;
    struct area a;
    if (stay_page_or_reply(req, &limit, &cursor) != 0 || area_or_reply(req, &a, true) != 0)
        return DD_DONE;
    const char *late = dd_req_query(req, "late");
    bool late_only = late && strcmp(late, "true") == 0;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc;
    if (a.establishment)
        rc = dd_db_prepare(db,
                           "SELECT " STAY_COLS ", e.name " STAY_FROM
                           "WHERE s.establishment_id = ? AND s.arrival_day = ? AND s.id > ? AND "
                           "s.late >= ? AND s.province_code = ? AND (CAST(? AS TEXT) IS NULL OR "
                           "s.commune_code = ?) ORDER BY s.id LIMIT ?",
                           &st);
    else
        rc = dd_db_prepare(db,
                           "SELECT " STAY_COLS ", e.name " STAY_FROM
                           "WHERE s.commune_code = ? AND s.arrival_day = ? AND s.id > ? AND "
                           "s.late >= ? AND s.province_code = ? AND (CAST(? AS TEXT) IS NULL OR "
                           "s.commune_code = ?) ORDER BY s.id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    if (a.establishment)
        dd_stmt_bind_int64(st, 1, a.establishment);
    else
        dd_stmt_bind_text(st, 1, a.commune);
    dd_stmt_bind_text(st, 2, a.day);
    dd_stmt_bind_int64(st, 3, cursor);
    dd_stmt_bind_int64(st, 4, late_only ? 1 : 0);
    dd_stmt_bind_text(st, 5, a.province);
    dd_stmt_bind_text(st, 6, a.commune);
    dd_stmt_bind_text(st, 7, a.commune);
    dd_stmt_bind_int64(st, 8, limit + 1);
    struct dd_buf items;
    stay_page_start(req, &items);
    const char **ids = dd_arena_zalloc(req->arena, (size_t)(limit + 1) * sizeof *ids);
    int64_t last = 0;
    int n = 0, nids = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && n < limit) {
        struct stay s;
        stay_from_row(req, st, &s);
        s.establishment_name = dd_arena_strdup(req->arena, dd_stmt_text(st, STAY_NCOLS));
        stay_page_add(&items, &s);
        if (s.id_number[0])
            ids[nids++] = s.id_number;
        last = s.id;
        n++;
    }
    bool more = rc == DD_DB_ROW;
    dd_stmt_reset(st);
    if (rc < 0) {
        return stay_fail(req, db, rc);
    }
    if (nids > 0 &&
        (rc = dd_reg_access_reads(db, req, ids, nids, "search", "stays", purpose)) != DD_OK) {
        return stay_fail(req, db, rc);
    }
    rc = stay_page_send(req, &items, more ? last : 0);
    return rc == DD_ETOOBIG ? stay_fail(req, db, rc) : rc;
}

/* A stay of the caller's area by id: DD_OK, DD_ENOTFOUND. */
static int
area_stay(struct dd_req *req, struct dd_db *db, int64_t id, struct stay *s)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT " STAY_COLS ", e.name " STAY_FROM "WHERE s.id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        stay_from_row(req, st, s);
        s->establishment_name = dd_arena_strdup(req->arena, dd_stmt_text(st, STAY_NCOLS));
    }
    dd_stmt_reset(st);
    if (rc == DD_DB_ROW)
        return in_area(req->who, s) ? DD_OK : DD_ENOTFOUND;
    return rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

static int
history_json(struct dd_req *req, struct dd_db *db, int64_t id, json_t **out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT version, kind, at, actor, reason, changes FROM stay_history "
                           "WHERE stay_id = ? ORDER BY version",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    *out = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *changes = dd_stmt_text(st, 5);
        json_t *c = json_loads(changes ? changes : "{}", 0, NULL);
        const char *reason = dd_stmt_text(st, 4);
        json_array_append_new(
            *out, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o}", "version",
                            (json_int_t)dd_stmt_int64(st, 0), "kind", dd_stmt_text(st, 1), "at",
                            dd_stmt_text(st, 2), "actor", dd_stmt_text(st, 3), "reason",
                            reason && reason[0] ? reason : NULL, "changes", c ? c : json_object()));
    }
    dd_stmt_reset(st);
    (void)req;
    if (rc < 0) {
        json_decref(*out);
        return rc;
    }
    return DD_OK;
}

/* GET /api/v1/stays/police/stays/{id} — the stay with its history of corrections and check-out;
 * 404 outside the caller's area. */
int
stay_police_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t id;
    struct stay s;
    int rc = dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) == DD_OK
                 ? area_stay(req, db, id, &s)
                 : DD_ENOTFOUND;
    json_t *history = NULL;
    if (rc == DD_OK)
        rc = history_json(req, db, id, &history);
    if (rc == DD_OK && s.id_number[0]) {
        const char *ids[] = {s.id_number};
        rc = dd_reg_access_reads(db, req, ids, 1, "read", "stays", purpose);
    }
    if (rc != DD_OK) {
        json_decref(history);
        return stay_fail(req, db, rc);
    }
    json_t *o = stay_json(&s);
    json_object_set_new(o, "history", history);
    return dd_reply_json(req, 200, o);
}

/* GET /api/v1/stays/police/missing?commune=&day= — the approved establishments (not coach
 * operators) of the commune that notified no arrival on `day` (default today). */
int
stay_police_missing(struct dd_req *req)
{
    struct area a;
    if (area_or_reply(req, &a, true) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "SELECT e.org_id, e.name, e.address, e.type, e.class, e.commune_code, (SELECT MAX(s.id) "
        "FROM stays s WHERE s.establishment_id = e.org_id) FROM stay_establishments e WHERE "
        "e.province_code = ? AND (CAST(? AS TEXT) IS NULL OR e.commune_code = ?) AND e.status = "
        "'approved' AND e.type <> 'coach-operator' AND NOT EXISTS (SELECT 1 FROM stays s WHERE "
        "s.establishment_id = e.org_id AND s.arrival_day = ?) ORDER BY e.org_id LIMIT 500",
        &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, a.province);
    dd_stmt_bind_text(st, 2, a.commune);
    dd_stmt_bind_text(st, 3, a.commune);
    dd_stmt_bind_text(st, 4, a.day);
    json_t *items = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id",
                                               (json_int_t)dd_stmt_int64(st, 0), "name",
                                               dd_stmt_text(st, 1), "address", dd_stmt_text(st, 2),
                                               "type", dd_stmt_text(st, 3), "class",
                                               dd_stmt_text(st, 4), "commune", dd_stmt_text(st, 5),
                                               "ever_reported", !dd_stmt_is_null(st, 6)));
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return stay_fail(req, db, rc);
    }
    return dd_reply_json(req, 200, json_pack("{s:s, s:o}", "day", a.day, "items", items));
}

/* GET /api/v1/stays/police/people/{key}/stays — the stays of an ID number (9 or 12 digits) or a
 * passport number in the caller's area, newest first (at most ?limit). */
int
stay_police_person(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    int limit;
    int64_t cursor;
    if (stay_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    const char *key = dd_req_param(req, "key");
    size_t n = key ? strlen(key) : 0;
    bool citizen = (n == 12 || n == 9) && dd_str_all_digits(key, n);
    if (n < 5 || n > 20)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           citizen ? "SELECT " STAY_COLS ", e.name " STAY_FROM
                                     "WHERE s.id_number = ? AND s.province_code = ? AND (CAST(? "
                                     "AS TEXT) IS NULL OR s.commune_code = ?) AND (? = 0 OR s.id "
                                     "< ?) ORDER BY s.id DESC LIMIT ?"
                                   : "SELECT " STAY_COLS ", e.name " STAY_FROM
                                     "WHERE s.passport_number = ? AND s.province_code = ? AND "
                                     "(CAST(? AS TEXT) IS NULL OR s.commune_code = ?) AND (? = 0 "
                                     "OR s.id < ?) ORDER BY s.id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    const char *commune = req->who->commune[0] ? req->who->commune : NULL;
    dd_stmt_bind_text(st, 1, key);
    dd_stmt_bind_text(st, 2, req->who->province);
    dd_stmt_bind_text(st, 3, commune);
    dd_stmt_bind_text(st, 4, commune);
    dd_stmt_bind_int64(st, 5, cursor);
    dd_stmt_bind_int64(st, 6, cursor);
    dd_stmt_bind_int64(st, 7, limit + 1);
    struct dd_buf items;
    stay_page_start(req, &items);
    int64_t last = 0;
    int count = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && count < limit) {
        struct stay s;
        stay_from_row(req, st, &s);
        s.establishment_name = dd_arena_strdup(req->arena, dd_stmt_text(st, STAY_NCOLS));
        stay_page_add(&items, &s);
        last = s.id;
        count++;
    }
    bool more = rc == DD_DB_ROW;
    dd_stmt_reset(st);
    if (rc >= 0 && citizen)
        rc = dd_reg_access_reads(db, req, &key, 1, "read", "stays", purpose);
    if (rc < 0) {
        return stay_fail(req, db, rc);
    }
    rc = stay_page_send(req, &items, more ? last : 0);
    return rc == DD_ETOOBIG ? stay_fail(req, db, rc) : rc;
}
