/*
 * labour.c — POST /api/v1/insight/labour-imports: the labour department's records of people's
 * employment (model 28), as CSV.
 *
 * The header names the columns id_number, commune, employment_status (employed, unemployed,
 * inactive) and optionally sector (agriculture, industry, services) and industrial_park. Each
 * line gets a result: "recorded", "unchanged" (the same record is stored already) or "rejected"
 * with its errors (an unknown or dead person, a commune not of the caller's province, a bad
 * status or sector); rejected lines store nothing, the others are stored in one transaction with
 * one labour.recorded event each ({"id_number", "before", "after"}: the record before, null for a
 * new one, and after), from which the dashboards count. A file that is not CSV or lacks a
 * required column is refused whole (400).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/events.h"
#include "core/insight/internal.h"
#include "core/units/csv.h"
#include "core/units/units.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_LINES 200000

enum { C_ID, C_COMMUNE, C_STATUS, C_SECTOR, C_PARK, NCOLS };
static const char *const col_names[NCOLS] = {"id_number", "commune", "employment_status", "sector",
                                             "industrial_park"};

static bool
one_of(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return true;
    return false;
}

static int
header_or_reply(struct dd_req *req, struct dd_units_csv *r, int col[NCOLS])
{
    for (int i = 0; i < NCOLS; i++)
        col[i] = -1;
    if (dd_units_csv_next(r) == 1)
        for (int f = 0; f < r->nfields; f++)
            for (int i = 0; i < NCOLS; i++)
                if (strcmp(dd_units_csv_field(r, f), col_names[i]) == 0)
                    col[i] = f;
    if (col[C_ID] >= 0 && col[C_COMMUNE] >= 0 && col[C_STATUS] >= 0)
        return 0;
    dd_reply_problem(
        req, DD_PROBLEM_VALIDATION_FAILED,
        dd_problem_add_error(NULL, req, "body", "csv-header",
                             "Dòng tiêu đề CSV phải có id_number, commune, employment_status.",
                             "The CSV header must name id_number, commune, employment_status."));
    return -1;
}

/* The stored record of a person as figures (NULL if none). */
static json_t *
stored(struct dd_db *db, const char *id, int *rc)
{
    struct dd_stmt *st;
    if ((*rc = dd_db_prepare(db,
                             "SELECT province_code, commune_code, employment_status, sector, "
                             "industrial_park FROM people_labour WHERE id_number = ?",
                             &st)) != DD_OK)
        return NULL;
    dd_stmt_bind_text(st, 1, id);
    json_t *v = NULL;
    int r = dd_stmt_step(st);
    if (r == DD_DB_ROW)
        v = json_pack("{s:s, s:s, s:s, s:s, s:s}", "province", dd_stmt_text(st, 0), "commune",
                      dd_stmt_text(st, 1), "employment_status", dd_stmt_text(st, 2), "sector",
                      dd_stmt_text(st, 3), "industrial_park", dd_stmt_text(st, 4));
    dd_stmt_reset(st);
    if (r < 0)
        *rc = r;
    return v;
}

static int
person_alive(struct dd_db *db, const char *id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT status FROM people WHERE id_number = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id);
    rc = dd_stmt_step(st);
    int out = rc == DD_DB_ROW ? strcmp(dd_stmt_text(st, 0), "dead") != 0 : rc < 0 ? rc : 0;
    dd_stmt_reset(st);
    return out;
}

static json_t *
line_errors(struct dd_req *req, struct dd_db *db, const char *const *v, int *rc)
{
    static const char *const statuses[] = {"employed", "unemployed", "inactive", NULL};
    static const char *const sectors[] = {"", "agriculture", "industry", "services", NULL};
    json_t *ext = NULL;
    int alive =
        dd_str_all_digits(v[C_ID], 12) && strlen(v[C_ID]) == 12 ? person_alive(db, v[C_ID]) : 0;
    if (alive < 0)
        *rc = alive;
    if (alive != 1)
        ext = dd_problem_add_error(ext, req, "id_number", "person-unknown",
                                   "Không có người còn sống với số định danh này.",
                                   "No living person has this ID number.");
    int in = dd_units_commune_exists(db, req->who->province, v[C_COMMUNE], NULL);
    if (in < 0)
        *rc = in;
    if (in != 1)
        ext = dd_problem_add_error(ext, req, "commune", "commune-invalid",
                                   "Xã không thuộc tỉnh của cán bộ.",
                                   "The commune is not in the officer's province.");
    if (!one_of(v[C_STATUS], statuses))
        ext = dd_problem_add_error(ext, req, "employment_status", "status-invalid",
                                   "Tình trạng là employed, unemployed hoặc inactive.",
                                   "The status is employed, unemployed or inactive.");
    if (!one_of(v[C_SECTOR], sectors))
        ext = dd_problem_add_error(ext, req, "sector", "sector-invalid",
                                   "Ngành là agriculture, industry hoặc services.",
                                   "The sector is agriculture, industry or services.");
    if (strlen(v[C_PARK]) > 100 || dd_str_has_control(v[C_PARK]))
        ext = dd_problem_add_error(ext, req, "industrial_park", "park-invalid",
                                   "Tên khu công nghiệp tối đa 100 ký tự.",
                                   "The industrial park's name is at most 100 characters.");
    return ext;
}

static int
store(struct dd_req *req, struct dd_db *db, const char *const *v, json_t *before, const char *now)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO people_labour (id_number, province_code, commune_code, "
                           "employment_status, sector, industrial_park, source, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id_number) DO UPDATE SET "
                           "province_code = excluded.province_code, commune_code = "
                           "excluded.commune_code, employment_status = excluded.employment_status, "
                           "sector = excluded.sector, industrial_park = excluded.industrial_park, "
                           "source = excluded.source, updated_at = excluded.updated_at",
                           &st);
    if (rc != DD_OK)
        return rc;
    const char *t[] = {v[C_ID],
                       req->who->province,
                       v[C_COMMUNE],
                       v[C_STATUS],
                       v[C_SECTOR],
                       v[C_PARK],
                       dd_arena_printf(req->arena, "officer:%s", req->who->name),
                       now};
    for (int i = 0; i < 8; i++)
        dd_stmt_bind_text(st, i + 1, t[i]);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc != DD_DB_DONE)
        return rc;
    json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:s}", "province", req->who->province,
                              "commune", v[C_COMMUNE], "employment_status", v[C_STATUS], "sector",
                              v[C_SECTOR], "industrial_park", v[C_PARK]);
    json_t *ev = json_pack("{s:s, s:O, s:o}", "id_number", v[C_ID], "before",
                           before ? before : json_null(), "after", after);
    rc = dd_event_emit(db, "labour.recorded", dd_arena_printf(req->arena, "person:%s", v[C_ID]),
                       dd_json_dump(req->arena, ev));
    json_decref(ev);
    return rc;
}

/* One line: its result object; the record stored when it is valid and new. */
static json_t *
one_line(struct dd_req *req, struct dd_db *db, struct dd_units_csv *r, const int *col,
         const char *now, int *rc, int *recorded)
{
    const char *v[NCOLS];
    for (int i = 0; i < NCOLS; i++)
        v[i] = col[i] >= 0 ? dd_arena_strdup(req->arena, dd_units_csv_field(r, col[i])) : "";
    json_t *res = json_pack("{s:I, s:s}", "line", (json_int_t)r->record_line, "id_number", v[C_ID]);
    json_t *ext = line_errors(req, db, v, rc);
    if (ext) {
        json_object_set_new(res, "result", json_string("rejected"));
        json_object_set(res, "errors", json_object_get(ext, "errors"));
        json_decref(ext);
        return res;
    }
    json_t *before = stored(db, v[C_ID], rc);
    bool same =
        before &&
        strcmp(json_string_value(json_object_get(before, "commune")), v[C_COMMUNE]) == 0 &&
        strcmp(json_string_value(json_object_get(before, "employment_status")), v[C_STATUS]) == 0 &&
        strcmp(json_string_value(json_object_get(before, "sector")), v[C_SECTOR]) == 0 &&
        strcmp(json_string_value(json_object_get(before, "industrial_park")), v[C_PARK]) == 0;
    if (*rc == DD_OK && !same) {
        *rc = store(req, db, v, before, now);
        (*recorded)++;
    }
    json_decref(before);
    json_object_set_new(res, "result", json_string(same ? "unchanged" : "recorded"));
    return res;
}

int
insight_labour_import(struct dd_req *req)
{
    struct dd_units_csv r;
    dd_units_csv_init(&r, req->body.data ? req->body.data : "", req->body.len);
    int col[NCOLS];
    if (header_or_reply(req, &r, col) != 0) {
        dd_units_csv_free(&r);
        return DD_DONE;
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL) {
        dd_units_csv_free(&r);
        return DD_DONE;
    }
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    json_t *results = json_array();
    int rc = dd_db_begin(db), recorded = 0, rejected = 0, lines = 0, next = 0;
    while (rc == DD_OK && (next = dd_units_csv_next(&r)) == 1 && lines < MAX_LINES) {
        if (r.nfields == 1 && dd_units_csv_field(&r, 0)[0] == '\0')
            continue;
        lines++;
        json_t *res = one_line(req, db, &r, col, now, &rc, &recorded);
        if (strcmp(json_string_value(json_object_get(res, "result")), "rejected") == 0)
            rejected++;
        json_array_append_new(results, res);
    }
    bool malformed = next < 0 || lines >= MAX_LINES;
    const char *why = dd_arena_strdup(req->arena, r.err);
    dd_units_csv_free(&r);
    if (rc == DD_OK && malformed) {
        dd_db_rollback(db);
        json_decref(results);
        return dd_reply_problem(
            req, DD_PROBLEM_VALIDATION_FAILED,
            dd_problem_add_error(NULL, req, "body", "csv-invalid", why[0] ? why : "CSV",
                                 why[0] ? why : "The CSV text is malformed or too long."));
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        dd_db_rollback(db);
        json_decref(results);
        return rc;
    }
    return dd_reply_json(req, 200,
                         json_pack("{s:i, s:i, s:i, s:o}", "lines", lines, "recorded", recorded,
                                   "rejected", rejected, "results", results));
}
