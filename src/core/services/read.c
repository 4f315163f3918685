/*
 * read.c — reading dossiers:
 *   GET /api/v1/me/dossiers[/{code}]   the applicant's own, newest first
 *   GET /api/v1/dossier-lookup         anyone, with the dossier code and the applicant's ID
 *                                      number: status and dates, no personal data
 *   GET /api/v1/dossiers[/{code}]      officers of the dossier's area (X-Purpose; each
 *                                      applicant shown is written to their access log);
 *                                      filters ?status, ?procedure, ?deadline=due-soon|overdue
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/identity/identity.h"
#include "core/purpose.h"
#include "core/register/register.h"
#include "core/services/internal.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdint.h>
#include <string.h>

static int
not_found(struct dd_req *req)
{
    return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND, "Không có hồ sơ này.",
                                   "No such dossier.", NULL);
}

static int
cursor_or_reply(struct dd_req *req, int64_t *before)
{
    const char *c = dd_req_query(req, "cursor");
    *before = INT64_MAX;
    if (c == NULL || dd_parse_int64(c, 1, INT64_MAX, before) == DD_OK)
        return 0;
    json_t *ext = dd_problem_add_error(NULL, req, "cursor", "cursor-invalid",
                                       "Con trỏ trang không hợp lệ; dùng next_cursor nhận được.",
                                       "The cursor is not valid; use the next_cursor received.");
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return -1;
}

struct filter {
    const char *applicant, *status, *procedure, *province, *commune, *deadline;
    int64_t before;
    int limit;
};

/* Lists dossiers (not bundle parts when listing for the applicant) under f, newest first. */
static int
list_reply(struct dd_req *req, struct dd_db *db, const struct filter *f, bool audit)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " SVC_DOSSIER_COLUMNS " FROM service_dossiers WHERE id < ? "
                           "AND (CAST(? AS TEXT) IS NULL OR (applicant_id = ? AND bundle_id = 0)) "
                           "AND (CAST(? AS TEXT) IS NULL OR status = ?) "
                           "AND (CAST(? AS TEXT) IS NULL OR procedure_code = ?) "
                           "AND (CAST(? AS TEXT) IS NULL OR province = ?) "
                           "AND (CAST(? AS TEXT) IS NULL OR commune = ?) ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, f->before);
    const char *binds[] = {f->applicant, f->status, f->procedure, f->province, f->commune};
    for (int i = 0; i < 5; i++) {
        dd_stmt_bind_text(st, 2 + 2 * i, binds[i]);
        dd_stmt_bind_text(st, 3 + 2 * i, binds[i]);
    }
    /* The deadline filter is applied here, so read a few pages' worth at most. */
    dd_stmt_bind_int64(st, 12, f->deadline ? (int64_t)f->limit * 4 + 1 : f->limit + 1);
    int64_t now = dd_clock_now_ms(), last = 0;
    json_t *items = json_array();
    const char **ids = dd_arena_alloc(req->arena, sizeof *ids * (size_t)(f->limit + 1));
    int n = 0;
    bool more = false;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        struct svc_dossier d;
        svc_dossier_row(st, req->arena, &d);
        if (f->deadline && strcmp(svc_deadline_state(&d, now), f->deadline) != 0)
            continue;
        if (n == f->limit) {
            more = true;
            break;
        }
        json_array_append_new(items, svc_dossier_json(NULL, req->arena, &d, false, now));
        ids[n++] = d.applicant_id;
        last = d.id;
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return svc_fail(req, db, rc);
    }
    if (audit && n > 0)
        dd_reg_access_reads(db, req, ids, n, "search", "dossier", dd_purpose(req));
    return dd_list_reply_page(req, items, more, last);
}

int
svc_me_dossiers_list(struct dd_req *req)
{
    struct filter f = {.applicant = req->who->id_number};
    if (dd_list_limit_or_reply(req, &f.limit) != DD_OK || cursor_or_reply(req, &f.before) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    return list_reply(req, db, &f, false);
}

int
svc_me_dossiers_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_dossier d;
    int rc = svc_dossier_load(db, req->arena, dd_req_param(req, "code"), 0, &d);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && strcmp(d.applicant_id, req->who->id_number) != 0))
        return not_found(req);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return dd_reply_json(req, 200, svc_dossier_json(db, req->arena, &d, true, dd_clock_now_ms()));
}

int
svc_lookup(struct dd_req *req)
{
    const char *code = dd_req_query(req, "code");
    const char *id = dd_req_query(req, "id_number");
    json_t *ext = NULL;
    if (code == NULL || strlen(code) > 20 || dd_str_has_control(code))
        ext = dd_problem_add_error(ext, req, "code", "required", "Nhập mã hồ sơ.",
                                   "Give the dossier code.");
    if (id == NULL || !dd_reg_id_number_shape(id))
        ext = dd_problem_add_error(ext, req, "id_number", "id-number-invalid",
                                   "Số định danh cá nhân gồm 12 chữ số hợp lệ.",
                                   "A personal ID number is 12 valid digits.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    /* Nobody signs in here: wrong answers for a code, and from a network, are throttled as
     * failed logins are, so that the ID number on a known code cannot be found by trying. */
    struct dd_guess_keys keys = {0};
    dd_guess_keys(req, "lookup", code, &keys);
    if (dd_guess_allowed_or_reply(req, db, &keys) != 0)
        return DD_DONE;
    struct svc_dossier d;
    int rc = svc_dossier_load(db, req->arena, code, 0, &d);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && strcmp(d.applicant_id, id) != 0)) {
        rc = dd_guess_failed(db, &keys);
        return rc == DD_OK ? not_found(req) : svc_fail(req, db, rc);
    }
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    const struct svc_procedure *p = svc_procedure_find(d.procedure_code);
    char submitted[32];
    dd_clock_iso8601(d.submitted_at, submitted);
    int64_t now = dd_clock_now_ms();
    json_t *o =
        json_pack("{s:s, s:s, s:O?, s:s, s:s, s:s, s:s, s:b}", "code", d.code, "procedure",
                  d.procedure_code, "procedure_name", p ? json_object_get(p->json, "name") : NULL,
                  "status", d.status, "submitted_at", submitted, "due_day", d.due_day, "deadline",
                  svc_deadline_state(&d, now), "result_issued", d.result_doc[0] != '\0');
    return dd_reply_json(req, 200, o);
}

static bool
one_of(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

int
svc_dossiers_list(struct dd_req *req)
{
    static const char *const statuses[] = {"awaiting-payment", "submitted", "received", "more-info",
                                           "processing",       "approved",  "refused",  NULL};
    static const char *const deadlines[] = {"on-track", "due-soon", "overdue", NULL};
    struct filter f = {
        .status = dd_req_query(req, "status"),
        .procedure = dd_req_query(req, "procedure"),
        .deadline = dd_req_query(req, "deadline"),
        .province = req->who->province,
        .commune = dd_principal_province_wide(req->who) ? NULL : req->who->commune,
    };
    json_t *ext = dd_list_limit(req, NULL, &f.limit);
    if (f.status && !one_of(f.status, statuses))
        ext = dd_problem_add_error(ext, req, "status", "invalid", "Trạng thái không hợp lệ.",
                                   "Unknown status.");
    if (f.deadline && !one_of(f.deadline, deadlines))
        ext = dd_problem_add_error(ext, req, "deadline", "invalid",
                                   "deadline là on-track, due-soon hoặc overdue.",
                                   "deadline is on-track, due-soon or overdue.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    if (cursor_or_reply(req, &f.before) != 0 || dd_purpose_or_reply(req) == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    return list_reply(req, db, &f, true);
}

int
svc_dossiers_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_dossier d;
    if (svc_officer_dossier_or_reply(req, db, &d) != 0)
        return DD_DONE;
    const char *ids[] = {d.applicant_id};
    dd_reg_access_reads(db, req, ids, 1, "read", "dossier", purpose);
    return dd_reply_json(req, 200, svc_dossier_json(db, req->arena, &d, true, dd_clock_now_ms()));
}
