/*
 * tickets.c — the offices' queue tickets:
 *   POST /api/v1/kiosk/tickets          a registered kiosk (X-Kiosk-Key) takes a ticket for its
 *                                       office, optionally for a procedure: numbered per office
 *                                       and per day in Vietnam from 1, without gaps (the number
 *                                       is raised in the transaction that inserts the ticket)
 *   GET  /api/v1/service-tickets        officers (services:process): today's tickets of an
 *                                       office of their area, by number; ?status=waiting|called
 *   POST /api/v1/service-tickets/next   officers: calls the waiting ticket with the lowest number
 * and svc_ticket_stats, the waiting times for the statistics.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/services/internal.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define TICKET_COLUMNS                                                                             \
    "id, province, commune, day, number, procedure_code, kiosk_id, status, created_at, "           \
    "called_at, called_by"

static json_t *
ticket_json(struct dd_stmt *st)
{
    json_t *t = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s?, s:I, s:s, s:I}", "id",
                          (json_int_t)dd_stmt_int64(st, 0), "province", dd_stmt_text(st, 1),
                          "commune", dd_stmt_text(st, 2), "day", dd_stmt_text(st, 3), "number",
                          (json_int_t)dd_stmt_int64(st, 4), "procedure",
                          dd_stmt_text(st, 5)[0] ? dd_stmt_text(st, 5) : NULL, "kiosk",
                          (json_int_t)dd_stmt_int64(st, 6), "status", dd_stmt_text(st, 7),
                          "created_at", (json_int_t)dd_stmt_int64(st, 8));
    if (dd_stmt_int64(st, 9) > 0) {
        json_object_set_new(t, "called_at", json_integer(dd_stmt_int64(st, 9)));
        json_object_set_new(t, "called_by", json_string(dd_stmt_text(st, 10)));
    }
    if (json_object_get(t, "procedure") == NULL)
        json_object_set_new(t, "procedure", json_null());
    return t;
}

static const char *
today_text(struct dd_arena *a, int64_t now)
{
    char *day = dd_arena_alloc(a, 11);
    svc_day_text(svc_today(now), day);
    return day;
}

/* The next number of `commune` on `day`, in the caller's transaction. */
static int
next_number(struct dd_db *db, const char *commune, const char *day, int64_t *number)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO service_ticket_counters (commune, day, last) VALUES (?, ?, "
                           "1) ON CONFLICT (commune, day) DO UPDATE SET last = "
                           "service_ticket_counters.last + 1 RETURNING last",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, commune);
    dd_stmt_bind_text(st, 2, day);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *number = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
}

static int
insert_ticket(struct dd_db *db, const struct svc_kiosk *k, const char *day, int64_t number,
              const char *procedure, int64_t now, json_t **out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO service_tickets (province, commune, day, number, "
                           "procedure_code, kiosk_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                           "RETURNING " TICKET_COLUMNS,
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->province);
    dd_stmt_bind_text(st, 2, k->commune);
    dd_stmt_bind_text(st, 3, day);
    dd_stmt_bind_int64(st, 4, number);
    dd_stmt_bind_text(st, 5, procedure ? procedure : "");
    dd_stmt_bind_int64(st, 6, k->id);
    dd_stmt_bind_int64(st, 7, now);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *out = ticket_json(st);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
}

/* Waiting tickets of the office that day with a lower number. */
static int
waiting_before(struct dd_db *db, const char *commune, const char *day, int64_t number, int64_t *n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT COUNT(*) FROM service_tickets WHERE commune = ? AND day = ? AND "
                           "status = 'waiting' AND number < ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, commune);
    dd_stmt_bind_text(st, 2, day);
    dd_stmt_bind_int64(st, 3, number);
    rc = dd_stmt_step(st);
    *n = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
}

int
svc_kiosk_tickets_create(struct dd_req *req)
{
    /* The kiosk first: nobody else learns anything from this route, not even its validation. */
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_kiosk k;
    if (svc_kiosk_or_reply(req, db, &k) != 0)
        return DD_DONE;
    const json_t *b = json_is_object(req->json) ? req->json : NULL;
    json_t *ext = NULL;
    if (b == NULL)
        ext = dd_problem_add_error(ext, req, "", "not-an-object", "Nội dung phải là đối tượng.",
                                   "The body must be an object.");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)b, key, v)
    {
        if (strcmp(key, "procedure") != 0)
            ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                       "Trường này không được chấp nhận.",
                                       "This field is not accepted.");
    }
    const json_t *pj = json_object_get(b, "procedure");
    const char *procedure = json_string_value(pj);
    if (pj && !json_is_null(pj) && (procedure == NULL || svc_procedure_find(procedure) == NULL))
        ext = dd_problem_add_error(ext, req, "procedure", "unknown-procedure",
                                   "Không có thủ tục này.", "No such procedure.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    int64_t now = dd_clock_now_ms(), number = 0, before = 0;
    const char *day = today_text(req->arena, now);
    json_t *out = NULL;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = next_number(db, k.commune, day, &number);
    if (rc == DD_OK)
        rc = insert_ticket(db, &k, day, number, procedure, now, &out);
    if (rc == DD_OK)
        rc = waiting_before(db, k.commune, day, number, &before);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        json_decref(out);
        return svc_fail(req, db, rc);
    }
    json_object_set_new(out, "waiting_before", json_integer(before));
    json_object_set_new(out, "office_name", json_string(k.name));
    return dd_reply_json(req, 201, out);
}

/* The office an officer's request is about: ?commune (province-wide officers must name one),
 * else the officer's own. Replies 400 and returns NULL when it is not of their area. */
static const char *
office_or_reply(struct dd_req *req, const char *given)
{
    const struct dd_principal *w = req->who;
    const char *c = given ? given : w->commune[0] ? w->commune : NULL;
    if (c && strlen(c) == 5 && dd_str_all_digits(c, 5) &&
        (dd_principal_province_wide(w) || strcmp(c, w->commune) == 0))
        return c;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                     dd_problem_add_error(NULL, req, "commune", "invalid",
                                          "Mã xã/phường (5 chữ số) trong địa bàn của cán bộ.",
                                          "A commune code (5 digits) of the officer's area."));
    return NULL;
}

int
svc_tickets_list(struct dd_req *req)
{
    int limit;
    if (dd_list_limit_or_reply(req, &limit) != DD_OK)
        return DD_DONE;
    const char *commune = office_or_reply(req, dd_req_query(req, "commune"));
    if (commune == NULL)
        return DD_DONE;
    const char *status = dd_req_query(req, "status"), *c = dd_req_query(req, "cursor");
    int64_t after = 0;
    json_t *ext = NULL;
    if (status && strcmp(status, "waiting") != 0 && strcmp(status, "called") != 0)
        ext = dd_problem_add_error(ext, req, "status", "invalid", "waiting hoặc called.",
                                   "waiting or called.");
    if (c && dd_parse_int64(c, 1, INT64_MAX, &after) != DD_OK)
        ext = dd_problem_add_error(ext, req, "cursor", "cursor-invalid", "Con trỏ không hợp lệ.",
                                   "The cursor is not valid.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " TICKET_COLUMNS " FROM service_tickets WHERE province = ? AND "
                           "commune = ? AND day = ? AND id > ? AND (CAST(? AS TEXT) IS NULL OR "
                           "status = ?) ORDER BY id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, req->who->province);
    dd_stmt_bind_text(st, 2, commune);
    dd_stmt_bind_text(st, 3, today_text(req->arena, dd_clock_now_ms()));
    dd_stmt_bind_int64(st, 4, after);
    dd_stmt_bind_text(st, 5, status);
    dd_stmt_bind_text(st, 6, status);
    dd_stmt_bind_int64(st, 7, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    bool more = false;
    rc = dd_list_collect(st, limit, ticket_json, items, &more, &last);
    if (rc < 0) {
        json_decref(items);
        return svc_fail(req, db, rc);
    }
    return dd_list_reply_page(req, items, more, last);
}

/* Marks the lowest waiting ticket of the office today called; DD_ENOTFOUND when none waits. */
static int
call_next(struct dd_req *req, struct dd_db *db, const char *commune, json_t **out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "UPDATE service_tickets SET status = 'called', called_at = ?, called_by = ? WHERE id = "
        "(SELECT id FROM service_tickets WHERE province = ? AND commune = ? AND day = ? AND "
        "status = 'waiting' ORDER BY number LIMIT 1) AND status = 'waiting' "
        "RETURNING " TICKET_COLUMNS,
        &st);
    if (rc != DD_OK)
        return rc;
    int64_t now = dd_clock_now_ms();
    dd_stmt_bind_int64(st, 1, now);
    dd_stmt_bind_text(st, 2, svc_actor(req));
    dd_stmt_bind_text(st, 3, req->who->province);
    dd_stmt_bind_text(st, 4, commune);
    dd_stmt_bind_text(st, 5, today_text(req->arena, now));
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *out = ticket_json(st);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

int
svc_tickets_next(struct dd_req *req)
{
    const json_t *b = json_is_object(req->json) ? req->json : NULL;
    const json_t *cj = json_object_get(b, "commune");
    if (req->json &&
        (b == NULL || (cj && !json_is_string(cj)) || json_object_size(b) > (cj ? 1 : 0)))
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                                dd_problem_add_error(NULL, req, "", "invalid",
                                                     "Chỉ nhận {\"commune\": \"…\"}.",
                                                     "Only {\"commune\": \"…\"} is accepted."));
    const char *commune = office_or_reply(req, json_string_value(cj));
    if (commune == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *out = NULL;
    int rc = DD_ENOTFOUND;
    /* Two officers calling at once may race for the same ticket: the loser tries the next. */
    for (int i = 0; i < 3 && rc == DD_ENOTFOUND; i++) {
        rc = dd_db_begin(db);
        if (rc == DD_OK)
            rc = call_next(req, db, commune, &out);
        if (rc == DD_OK)
            rc = dd_db_commit(db);
        else if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        if (rc == DD_ENOTFOUND) {
            /* nobody waits, or another officer took it: again only while someone waits */
            int64_t n = 0;
            if (waiting_before(db, commune, today_text(req->arena, dd_clock_now_ms()), INT64_MAX,
                               &n) != DD_OK ||
                n == 0)
                break;
        }
    }
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND, "Không có ai đang chờ.",
                                       "Nobody is waiting.", NULL);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return dd_reply_json(req, 200, out);
}

int
svc_ticket_stats(struct dd_db *db, const char *province, const char *commune, int64_t from_ms,
                 int64_t to_ms, json_t **out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT commune, COUNT(*), SUM(CASE WHEN status = 'called' THEN 1 ELSE "
                           "0 END), SUM(CASE WHEN status = 'called' THEN called_at - created_at "
                           "ELSE 0 END) FROM service_tickets WHERE province = ? AND (CAST(? AS "
                           "TEXT) IS NULL OR commune = ?) AND created_at >= ? AND created_at < ? "
                           "GROUP BY commune ORDER BY commune",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, province);
    dd_stmt_bind_text(st, 2, commune);
    dd_stmt_bind_text(st, 3, commune);
    dd_stmt_bind_int64(st, 4, from_ms);
    dd_stmt_bind_int64(st, 5, to_ms);
    json_t *offices = json_array();
    int64_t total = 0, called = 0, wait = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        int64_t n = dd_stmt_int64(st, 1), c = dd_stmt_int64(st, 2), w = dd_stmt_int64(st, 3);
        total += n;
        called += c;
        wait += w;
        json_array_append_new(offices, json_pack("{s:s, s:I, s:I, s:f}", "commune",
                                                 dd_stmt_text(st, 0), "tickets", (json_int_t)n,
                                                 "called", (json_int_t)c, "average_wait_seconds",
                                                 c > 0 ? (double)w / (double)c / 1000.0 : 0.0));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(offices);
        return rc;
    }
    *out =
        json_pack("{s:I, s:I, s:f, s:o}", "total", (json_int_t)total, "called", (json_int_t)called,
                  "average_wait_seconds", called > 0 ? (double)wait / (double)called / 1000.0 : 0.0,
                  "by_office", offices);
    return DD_OK;
}
