/*
 * security_reports.c — CSP violation reports from browsers.
 *
 * Two shapes arrive: the classic `report-uri` one ({"csp-report": {...}}, application/csp-report)
 * and the Reporting API's list ([{"type": "csp-violation", "body": {...}}],
 * application/reports+json). Both become the same row. URIs are kept without their query and
 * fragment, which may carry personal data. Each report is stored and its event emitted in one
 * transaction, so the operations centre sees exactly what was stored.
 */
#include "core/security_reports.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/events.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_REPORTS_PER_BODY 20
#define MAX_FIELD_BYTES      1024

struct csp_report {
    const char *document_uri;
    const char *directive;
    const char *blocked_uri;
};

/* Keeps scheme, host and path of a URI; drops "?query" and "#fragment"; bounds the length. */
static const char *
strip_uri(struct dd_arena *a, const char *uri)
{
    if (uri == NULL)
        return "";
    size_t n = strcspn(uri, "?#");
    if (n > MAX_FIELD_BYTES)
        n = MAX_FIELD_BYTES;
    return dd_arena_strndup(a, uri, n);
}

static const char *
string_member(json_t *obj, const char *a, const char *b)
{
    json_t *v = json_object_get(obj, a);
    if (!json_is_string(v) && b)
        v = json_object_get(obj, b);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Reads one report object in either naming; false when it has no directive. */
static bool
read_report(struct dd_arena *a, json_t *obj, bool reporting_api, struct csp_report *out)
{
    if (!json_is_object(obj))
        return false;
    const char *doc = reporting_api ? string_member(obj, "documentURL", NULL)
                                    : string_member(obj, "document-uri", NULL);
    const char *dir = reporting_api
                          ? string_member(obj, "effectiveDirective", NULL)
                          : string_member(obj, "effective-directive", "violated-directive");
    const char *blocked = reporting_api ? string_member(obj, "blockedURL", NULL)
                                        : string_member(obj, "blocked-uri", NULL);
    if (dir == NULL || dir[0] == '\0' || strlen(dir) > MAX_FIELD_BYTES)
        return false;
    out->document_uri = strip_uri(a, doc);
    out->directive = dir;
    out->blocked_uri = strip_uri(a, blocked);
    return true;
}

static int
reply_invalid(struct dd_req *req, const char *field)
{
    json_t *ext = dd_problem_add_error(
        NULL, req, field, "csp-report-invalid",
        "Cần một báo cáo CSP có chỉ thị bị vi phạm (violated-directive).",
        "Expected a CSP report with a violated directive (violated-directive).");
    return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
}

/* Collects the reports of a body into `out`; replies 400 and returns -1 on a bad body. */
static int
parse_reports_or_reply(struct dd_req *req, struct csp_report *out, size_t *count)
{
    json_t *body = req->json;
    *count = 0;
    if (json_is_object(body)) {
        if (!read_report(req->arena, json_object_get(body, "csp-report"), false, &out[0])) {
            reply_invalid(req, "csp-report");
            return -1;
        }
        *count = 1;
        return 0;
    }
    if (!json_is_array(body) || json_array_size(body) == 0 ||
        json_array_size(body) > MAX_REPORTS_PER_BODY) {
        reply_invalid(req, "body");
        return -1;
    }
    size_t i;
    json_t *item;
    json_array_foreach(body, i, item)
    {
        const char *type = string_member(item, "type", NULL);
        if (type == NULL || strcmp(type, "csp-violation") != 0 ||
            !read_report(req->arena, json_object_get(item, "body"), true, &out[i])) {
            reply_invalid(req, dd_arena_printf(req->arena, "[%zu]", i));
            return -1;
        }
    }
    *count = json_array_size(body);
    return 0;
}

static int
store_report(struct dd_db *db, struct dd_req *req, const struct csp_report *r, const char *now)
{
    static const char sql[] = "INSERT INTO security_reports (received_at, document_uri, "
                              "violated_directive, blocked_uri, raw, request_id) "
                              "VALUES (?, ?, ?, ?, ?, ?)";
    json_t *kept = json_pack("{s:s, s:s, s:s}", "document_uri", r->document_uri,
                             "violated_directive", r->directive, "blocked_uri", r->blocked_uri);
    const char *text = dd_json_dump(req->arena, kept);
    json_decref(kept);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, r->document_uri);
    dd_stmt_bind_text(st, 3, r->directive);
    dd_stmt_bind_text(st, 4, r->blocked_uri);
    dd_stmt_bind_text(st, 5, text);
    dd_stmt_bind_text(st, 6, req->request_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return dd_event_emit(db, "security.csp_violation", "csp", text);
}

/* POST /api/v1/csp-reports — 204 once stored; 400 for a body that is no CSP report. */
static int
csp_report_create(struct dd_req *req)
{
    struct csp_report reports[MAX_REPORTS_PER_BODY];
    size_t count;
    if (parse_reports_or_reply(req, reports, &count) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    int rc = dd_db_begin(db);
    for (size_t i = 0; rc == DD_OK && i < count; i++)
        rc = store_report(db, req, &reports[i], now);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        return rc;
    }
    return dd_reply_empty(req, 204);
}

static const char *const csp_content_types[] = {
    "application/csp-report",
    "application/reports+json",
    "application/json",
    NULL,
};

static const struct dd_route security_routes[] = {
    DD_ROUTE_BODY("POST", "/api/v1/csp-reports", csp_report_create, DD_AUTH_NONE, NULL,
                  DD_BODY_JSON, 16 * 1024, csp_content_types),
    DD_ROUTES_END,
};

const struct dd_module dd_module_security = {
    .name = "security",
    .routes = security_routes,
    .on_event = NULL,
};
