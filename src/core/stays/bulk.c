/*
 * bulk.c — POST /api/v1/stays/checkins/bulk: many check-ins in one request, as JSON
 * ({"items": [check-in, …]}) or as CSV (a header row naming the columns, then one guest a
 * row), with a result per row. A bad row is reported and stores nothing; the good rows are
 * stored. The whole upload is one transaction with a savepoint per row, so that a retry under the
 * same Idempotency-Key gets the same results and nothing twice.
 *
 * CSV columns (any order, all optional but the guest's): id_number, qr, passport_number,
 * nationality, full_name, birth_date, sex, room, reason, arrived_at, expected_departure. A row
 * with passport_number is a foreign guest; one with qr is read from the QR text; else typed.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/idempotency/idempotency.h"
#include "core/register/register.h"
#include "core/stays/internal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define ACCESS_PURPOSE "Thông báo lưu trú (Luật Cư trú 2020, điều 30)"
#define CSV_MAX_COLS   16

static const char *const csv_columns[] = {
    "id_number", "qr",   "passport_number", "nationality", "full_name",          "birth_date",
    "sex",       "room", "reason",          "arrived_at",  "expected_departure", NULL};

/* Reads one CSV field (RFC 4180: quotes double inside quoted fields) from *p up to end into the
 * arena; *eol is set at the end of a record. NULL on a stray quote. */
static const char *
csv_field(struct dd_req *req, const char **p, const char *end, bool *eol)
{
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 64 * 1024);
    const char *s = *p;
    if (s < end && *s == '"') {
        for (s++;; s++) {
            if (s >= end)
                return NULL;
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    dd_buf_putc(&b, '"');
                    s++;
                    continue;
                }
                s++;
                break;
            }
            dd_buf_putc(&b, *s);
        }
    } else {
        for (; s < end && *s != ',' && *s != '\n' && *s != '\r'; s++)
            dd_buf_putc(&b, *s);
    }
    if (s < end && *s == '\r')
        s++;
    *eol = s >= end || *s == '\n';
    if (s < end && (*s == ',' || *s == '\n'))
        s++;
    else if (s < end)
        return NULL;
    *p = s;
    dd_buf_putc(&b, '\0');
    return b.data ? b.data : "";
}

/* One CSV record as a check-in object. */
static json_t *
csv_row(const char *const *names, const char *const *cells, int n)
{
    json_t *o = json_object(), *pp = NULL;
    bool passport = false;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], "passport_number") == 0 && cells[i][0])
            passport = true;
    if (passport)
        json_object_set_new(o, "passport", pp = json_object());
    for (int i = 0; i < n; i++) {
        const char *k = names[i];
        if (cells[i][0] == '\0')
            continue;
        json_t *target = o;
        if (passport && strcmp(k, "passport_number") == 0)
            k = "number", target = pp;
        else if (passport && (strcmp(k, "nationality") == 0 || strcmp(k, "full_name") == 0 ||
                              strcmp(k, "sex") == 0 || strcmp(k, "birth_date") == 0))
            target = pp;
        else if (!passport && strcmp(k, "nationality") == 0)
            continue;
        json_object_set_new(target, k, json_string(cells[i]));
    }
    return o;
}

/* The CSV body as an array of check-in objects; NULL after a 400 reply. */
static json_t *
csv_items_or_reply(struct dd_req *req)
{
    const char *p = req->body.data ? req->body.data : "", *end = p + req->body.len;
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    const char *names[CSV_MAX_COLS];
    int ncols = 0;
    bool eol = false;
    json_t *ext = NULL;
    while (!eol && p < end) {
        const char *f = csv_field(req, &p, end, &eol);
        if (f == NULL || ncols == CSV_MAX_COLS || !stay_field_allowed(csv_columns, f)) {
            ext = dd_problem_add_error(ext, req, "header", "csv-header-invalid",
                                       "Dòng tiêu đề CSV có cột không được chấp nhận.",
                                       "The CSV header names a column that is not accepted.");
            break;
        }
        names[ncols++] = f;
    }
    if (ext == NULL && ncols == 0)
        ext = dd_problem_add_error(NULL, req, "header", "csv-header-invalid",
                                   "Thiếu dòng tiêu đề CSV.", "The CSV header row is missing.");
    if (ext) {
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return NULL;
    }
    json_t *items = json_array();
    while (p < end) {
        const char *cells[CSV_MAX_COLS];
        int n = 0;
        bool bad = false;
        eol = false;
        while (!eol) {
            const char *f = csv_field(req, &p, end, &eol);
            if (f == NULL || n == ncols) {
                bad = true;
                while (p < end && *p != '\n')
                    p++;
                p += p < end;
                break;
            }
            cells[n++] = f;
        }
        if (n == 1 && cells[0][0] == '\0' && !bad)
            continue; /* a blank line */
        json_array_append_new(items,
                              bad || n != ncols ? json_null() : csv_row(names, cells, ncols));
    }
    return items;
}

/* The items of the body; NULL after a 400 reply. */
static json_t *
items_or_reply(struct dd_req *req)
{
    const char *ct = dd_req_header(req, "Content-Type");
    json_t *items;
    if (ct && dd_str_has_prefix(ct, "text/csv")) {
        items = csv_items_or_reply(req);
        if (items == NULL)
            return NULL;
    } else {
        struct dd_json_error err;
        json_t *body = dd_json_parse(req->arena, req->body.data ? req->body.data : "",
                                     req->body.len, &dd_json_default_limits, &err);
        if (body == NULL)
            return dd_reply_problem(req, DD_PROBLEM_INVALID_JSON, NULL), NULL;
        items = json_object_get(body, "items");
        if (!json_is_array(items) || json_object_size(body) != 1) {
            dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                             dd_problem_add_error(NULL, req, "items", "required",
                                                  "Nội dung là {\"items\": [...]}.",
                                                  "The body is {\"items\": [...]}."));
            return NULL;
        }
        json_incref(items);
    }
    if (json_array_size(items) == 0 || json_array_size(items) > STAY_BULK_ROWS) {
        json_decref(items);
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                         dd_problem_add_error(NULL, req, "items", "rows-out-of-range",
                                              "Cần từ 1 đến 1000 dòng.",
                                              "Between 1 and 1000 rows are needed."));
        return NULL;
    }
    return items;
}

static void
release_json(void *v)
{
    json_decref(v);
}

struct row {
    struct stay s;
    json_t *result;
    bool ok, found;
    int64_t alert_id;
};

static json_t *
row_result(int i, unsigned status)
{
    return json_pack("{s:i, s:i}", "row", i + 1, "status", (int)status);
}

static int
bulk_run(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct stay_est e;
    if (stay_est_or_reply(req, db, NULL, &e) != 0)
        return DD_DONE;
    json_t *items = items_or_reply(req);
    if (items == NULL)
        return DD_DONE;
    size_t n = json_array_size(items);
    struct row *rows = dd_arena_zalloc(req->arena, n * sizeof *rows);
    int64_t now = dd_clock_now_ms();
    const char *actor = stay_actor(req);
    int rc = DD_OK;
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        json_t *item = json_array_get(items, i);
        json_t *ext = item == NULL || json_is_null(item)
                          ? dd_problem_add_error(NULL, req, "", "csv-row-invalid",
                                                 "Dòng CSV không đúng số cột hoặc dấu ngoặc kép.",
                                                 "The CSV row has the wrong number of fields or "
                                                 "a stray quote.")
                          : stay_in_parse(req, item, &e, now, &rows[i].s);
        rows[i].result = row_result((int)i, ext ? 400 : 201);
        if (ext) {
            json_object_set(rows[i].result, "errors", json_object_get(ext, "errors"));
            json_decref(ext);
            continue;
        }
        rows[i].s.reported_by = actor;
        rc = stay_guest_fill(req, db, &rows[i].s, &rows[i].found);
        rows[i].ok = true;
    }
    /* The rows' strings point into items: it lives until the request's arena is freed. */
    dd_arena_on_cleanup(req->arena, release_json, items);
    if (rc == DD_OK)
        rc = dd_db_begin(db);
    int created = 0, covered = 0, failed = 0;
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        if (!rows[i].ok) {
            failed++;
            continue;
        }
        rc = dd_db_exec(db, "SAVEPOINT stay_row");
        int r = rc == DD_OK ? stay_insert(req, db, &e, &rows[i].s, &rows[i].alert_id) : rc;
        if (r == DD_ECONFLICT) {
            rc = dd_db_exec(db, "ROLLBACK TO SAVEPOINT stay_row");
            if (rc == DD_OK)
                rc = dd_db_exec(db, "RELEASE SAVEPOINT stay_row");
            json_object_set_new(rows[i].result, "status", json_integer(409));
            json_object_set_new(rows[i].result, "problem",
                                stay_problem_json(req, STAY_PROBLEM_DUPLICATE));
            rows[i].ok = false;
            failed++;
            continue;
        }
        if (r != DD_OK && r != STAY_COVERED) {
            rc = r;
            break;
        }
        rc = dd_db_exec(db, "RELEASE SAVEPOINT stay_row");
        if (r == STAY_COVERED) {
            json_object_set_new(rows[i].result, "status", json_integer(200));
            covered++;
        } else
            created++;
        json_object_set_new(rows[i].result, "stay_id", json_integer(rows[i].s.id));
        json_object_set_new(rows[i].result, "late", json_boolean(rows[i].s.late));
        json_object_set_new(rows[i].result, "verified", json_boolean(rows[i].s.verified));
        rows[i].found = rows[i].found && r == DD_OK;
    }
    if (rc != DD_OK) {
        for (size_t i = 0; i < n; i++)
            json_decref(rows[i].result);
        return stay_fail(req, db, rc);
    }
    json_t *results = json_array();
    const char **ids = dd_arena_zalloc(req->arena, (n + 1) * sizeof *ids);
    int nids = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(results, rows[i].result);
        if (rows[i].ok && rows[i].found)
            ids[nids++] = rows[i].s.id_number;
    }
    json_t *body = json_pack("{s:o, s:i, s:i, s:i}", "items", results, "created", created,
                             "covered", covered, "failed", failed);
    rc = stay_commit_reply(req, db, idem, 200, body, NULL);
    for (size_t i = 0; i < n && req->status == 200; i++)
        if (rows[i].ok && rows[i].alert_id)
            stay_alert_notify(db, rows[i].alert_id);
    if (nids > 0)
        dd_reg_access_reads(db, req, ids, nids, "read", "stay", ACCESS_PURPOSE);
    return rc;
}

/* POST /api/v1/stays/checkins/bulk — 200 {"items": [{"row", "status", "stay_id" | "errors" |
 * "problem"}], "created", "covered", "failed"}; 400 for a body that is not an upload at all. */
int
stay_bulk(struct dd_req *req)
{
    return dd_idem_run(req, bulk_run);
}
