/*
 * admin.c — the LGSP administrator's API: members, subsystems, services, rights (granted with a
 * reason and an end, revoked with a reason), suspension and reinstatement of a consumer, usage
 * and the exchange log. Each change is one transaction that also emits `lgsp.changed` (caches
 * of other processes reload) and, for suspensions, the contract's `lgsp.consumer_suspended` /
 * `lgsp.consumer_reinstated`; this process forgets its catalogue at once.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/access_log.h"
#include "core/consent/consent.h"
#include "core/events.h"
#include "crypto/hash.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "lgsp/internal.h"
#include "lgsp/lgsp.h"
#include "store/store.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

static const char *const lgsp_body_types[] = {"application/json",
                                              "application/xml",
                                              "text/xml",
                                              "text/plain",
                                              "application/x-www-form-urlencoded",
                                              NULL};

/* ---- reading a body ---- */

struct form {
    struct dd_req *req;
    json_t *ext;
};

static const char *
text(struct form *f, const char *name, bool required, size_t max)
{
    json_t *v = json_object_get(f->req->json, name);
    const char *s = json_string_value(v);
    if (v == NULL && !required)
        return "";
    if (s == NULL || (required && s[0] == '\0') || strlen(s) > max || dd_str_has_control(s)) {
        f->ext = dd_problem_add_error(f->ext, f->req, name, "invalid",
                                      "Giá trị thiếu hoặc không hợp lệ.",
                                      "The value is missing or not valid.");
        return "";
    }
    return s;
}

static int64_t
number(struct form *f, const char *name, int64_t dflt, int64_t min, int64_t max)
{
    json_t *v = json_object_get(f->req->json, name);
    if (v == NULL)
        return dflt;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        f->ext =
            dd_problem_add_error(f->ext, f->req, name, "out-of-range",
                                 "Giá trị ngoài khoảng cho phép.", "The value is out of range.");
        return dflt;
    }
    return json_integer_value(v);
}

static void
check(struct form *f, bool ok, const char *name, const char *vi, const char *en)
{
    if (!ok)
        f->ext = dd_problem_add_error(f->ext, f->req, name, "invalid", vi, en);
}

static int
form_or_reply(struct form *f)
{
    if (!json_is_object(f->req->json)) {
        dd_reply_problem(f->req, DD_PROBLEM_BAD_REQUEST, NULL);
        return DD_EINVAL;
    }
    return DD_OK;
}

static int
done_or_reply(struct form *f)
{
    if (f->ext == NULL)
        return DD_OK;
    dd_reply_problem(f->req, DD_PROBLEM_VALIDATION_FAILED, f->ext);
    return DD_EINVAL;
}

static const char *
actor(struct dd_req *req)
{
    char a[96];
    dd_access_log_actor(req->who, a, sizeof a);
    return dd_arena_strdup(req->arena, a);
}

static const char *
now_text(struct dd_req *req)
{
    char at[32];
    dd_clock_iso8601(dd_clock_now_ms(), at);
    return dd_arena_strdup(req->arena, at);
}

/* ---- writing ---- */

/* The compact text of a security event's payload, in the request's arena; v is released. */
static const char *
event_text(struct dd_req *req, json_t *v)
{
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

/* Runs `sql` with the texts (NULL-terminated; "#n" binds the integer n) in a transaction with
 * the `lgsp.changed` event and, when `event` is given and a row changed, that security event with
 * `payload` (JSON text) for the security operations centre; *changes gets the rows changed. */
static int
exec_change(struct dd_db *db, const char *sql, const char *const *args, int64_t *changes,
            const char *event, const char *payload)
{
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    struct dd_stmt *st;
    rc = dd_db_prepare(db, sql, &st);
    if (rc == DD_OK) {
        for (int i = 0; args[i]; i++) {
            int64_t n;
            if (args[i][0] == '#' && dd_parse_int64(args[i] + 1, INT64_MIN, INT64_MAX, &n) == 0)
                dd_stmt_bind_int64(st, i + 1, n);
            else
                dd_stmt_bind_text(st, i + 1, args[i]);
        }
        rc = dd_stmt_step(st);
        if (changes)
            *changes = dd_stmt_changes(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (rc == DD_OK)
        rc = dd_event_emit(db, LGSP_EVENT_CHANGED, NULL, "{}");
    if (rc == DD_OK && event && (!changes || *changes > 0))
        rc = dd_event_emit(db, event, NULL, payload);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else
        dd_db_rollback(db);
    if (rc == DD_OK)
        lgsp_cache_invalidate();
    return rc;
}

static int
change_or_reply(struct dd_req *req, const char *sql, const char *const *args, json_t *body)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t n = 0;
    int rc = exec_change(db, sql, args, &n, NULL, NULL);
    if (rc == DD_ECONFLICT || rc == DD_EEXIST) {
        json_decref(body);
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, NULL);
    }
    if (rc != DD_OK) {
        json_decref(body);
        return rc;
    }
    return dd_reply_json(req, 201, body);
}

/* 1 when organisation `id` exists, 0 when not, DD_E… */
static int
organisation_exists(struct dd_db *db, int64_t id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT 1 FROM organisations WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : rc == DD_DB_ROW ? 1 : 0;
}

/* POST /api/v1/lgsp/members {code, name, organisation?} — organisation: the id of the
 * organisation (core/identity orgs.h) whose staff see the member's own traffic (own.c). */
static int
member_create(struct dd_req *req)
{
    struct form f = {req, NULL};
    if (form_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *code = text(&f, "code", true, 32);
    const char *name = text(&f, "name", true, 200);
    int64_t org = number(&f, "organisation", 0, 0, INT64_MAX);
    check(&f, code[0] == '\0' || lgsp_member_code_valid(code), "code",
          "Mã thành viên gồm 1–32 ký tự A-Z 0-9 -.", "A member code is 1–32 of A-Z 0-9 -.");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    if (org > 0) {
        int rc = organisation_exists(db, org);
        if (rc < 0)
            return rc;
        check(&f, rc == 1, "organisation", "Không có tổ chức này.", "No such organisation.");
    }
    if (done_or_reply(&f) != DD_OK)
        return DD_DONE;
    char org_text[24];
    snprintf(org_text, sizeof org_text, "#%lld", (long long)org);
    const char *args[] = {code, name, actor(req), now_text(req), org_text, NULL};
    json_t *body = json_pack("{s:s, s:s}", "code", code, "name", name);
    json_object_set_new(body, "organisation", org > 0 ? json_integer(org) : json_null());
    if (org == 0)
        args[4] = NULL;
    return change_or_reply(req,
                           org > 0 ? "INSERT INTO lgsp_members (code, name, created_by, "
                                     "created_at, org_id) VALUES (?, ?, ?, ?, ?)"
                                   : "INSERT INTO lgsp_members (code, name, created_by, "
                                     "created_at) VALUES (?, ?, ?, ?)",
                           args, body);
}

/* POST /api/v1/lgsp/subsystems {member, code, client_id} */
static int
subsystem_create(struct dd_req *req)
{
    struct form f = {req, NULL};
    if (form_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *member = text(&f, "member", true, 32);
    const char *code = text(&f, "code", true, LGSP_CODE_MAX);
    const char *client = text(&f, "client_id", false, 63);
    check(&f, code[0] == '\0' || lgsp_code_valid(code), "code",
          "Mã hệ thống gồm 1–40 ký tự a-z A-Z 0-9 . _ -.",
          "A subsystem code is 1–40 of a-z A-Z 0-9 . _ -.");
    if (done_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *id = dd_arena_printf(req->arena, "VN/GOV/%s/%s", member, code);
    const char *args[] = {id, member, code, client, actor(req), now_text(req), NULL};
    return change_or_reply(req,
                           "INSERT INTO lgsp_subsystems (id, member_code, code, client_id, "
                           "created_by, created_at) SELECT ?, code, ?, ?, ?, ? FROM lgsp_members "
                           "WHERE code = ?",
                           (const char *const[]){id, code, client, args[4], args[5], member, NULL},
                           json_pack("{s:s, s:s, s:s, s:b}", "id", id, "member", member,
                                     "client_id", client, "suspended", 0));
}

/* POST /api/v1/lgsp/services {subsystem, code, name, upstream_url, legal_basis, …} */
static int
service_create(struct dd_req *req)
{
    struct form f = {req, NULL};
    if (form_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *sub = text(&f, "subsystem", true, LGSP_ID_MAX - 1);
    const char *code = text(&f, "code", true, LGSP_CODE_MAX);
    const char *name = text(&f, "name", true, 200);
    const char *url = text(&f, "upstream_url", true, LGSP_URL_MAX - 1);
    const char *uauth = text(&f, "upstream_authorization", false, 255);
    const char *legal = text(&f, "legal_basis", true, 500);
    const char *data = text(&f, "data_returned", false, 1000);
    const char *item = text(&f, "consent_item", false, 31);
    const char *person = text(&f, "person_field", false, 63);
    json_t *oa = json_object_get(req->json, "openapi");
    char *openapi = oa ? json_dumps(oa, JSON_COMPACT) : NULL;
    int64_t keep = number(&f, "keep_bodies_days", 0, 0, 3650);
    int64_t timeout = number(&f, "timeout_ms", 5000, 100, 120000);
    int64_t quota = number(&f, "quota_per_day", 0, 0, 1000000000);
    int64_t rate = number(&f, "rate_per_second", 0, 0, 1000000);
    check(&f, sub[0] == '\0' || lgsp_subsystem_id_valid(sub), "subsystem",
          "Mã hệ thống có dạng VN/GOV/<thành viên>/<hệ thống>.",
          "A subsystem id reads VN/GOV/<member>/<subsystem>.");
    check(&f, code[0] == '\0' || lgsp_code_valid(code), "code",
          "Mã dịch vụ gồm 1–40 ký tự a-z A-Z 0-9 . _ -.",
          "A service code is 1–40 of a-z A-Z 0-9 . _ -.");
    check(&f,
          url[0] == '\0' || dd_str_has_prefix(url, "http://") || dd_str_has_prefix(url, "https://"),
          "upstream_url", "Địa chỉ phải bắt đầu bằng http:// hoặc https://.",
          "The URL must begin with http:// or https://.");
    check(&f, item[0] == '\0' || dd_consent_item_find(item) != NULL, "consent_item",
          "Loại dữ liệu không có trong danh mục đồng ý.", "The item is not a consent item.");
    check(&f, oa == NULL || json_is_object(oa), "openapi", "Mô tả OpenAPI phải là đối tượng JSON.",
          "The OpenAPI description must be a JSON object.");
    if (done_or_reply(&f) != DD_OK) {
        free(openapi);
        return DD_DONE;
    }
    const char *id = dd_arena_printf(req->arena, "%s/%s", sub, code);
    const char *oa_text = dd_arena_strdup(req->arena, openapi ? openapi : "");
    free(openapi);
    char n1[24], n2[24], n3[24], n4[24];
    snprintf(n1, sizeof n1, "#%lld", (long long)keep);
    snprintf(n2, sizeof n2, "#%lld", (long long)timeout);
    snprintf(n3, sizeof n3, "#%lld", (long long)quota);
    snprintf(n4, sizeof n4, "#%lld", (long long)rate);
    const char *args[] = {id,     code, name, url, uauth, oa_text,    data,          legal, item,
                          person, n1,   n2,   n3,  n4,    actor(req), now_text(req), sub,   NULL};
    return change_or_reply(
        req,
        "INSERT INTO lgsp_services (id, subsystem_id, code, name, upstream_url, upstream_auth, "
        "openapi, data_returned, legal_basis, consent_item, person_field, keep_bodies_days, "
        "timeout_ms, quota_per_day, rate_per_second, created_by, created_at) SELECT ?, id, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM lgsp_subsystems WHERE id = ?",
        args,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id", id, "subsystem", sub, "name", name,
                  "upstream_url", url, "legal_basis", legal, "quota_per_day", (json_int_t)quota,
                  "rate_per_second", (json_int_t)rate));
}

/* POST /api/v1/lgsp/rights {consumer, service, operation, reason, valid_until} */
static int
right_create(struct dd_req *req)
{
    struct form f = {req, NULL};
    if (form_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *consumer = text(&f, "consumer", true, LGSP_ID_MAX - 1);
    const char *service = text(&f, "service", true, LGSP_SERVICE_MAX - 1);
    const char *op = text(&f, "operation", false, 7);
    const char *reason = text(&f, "reason", true, 500);
    const char *until = text(&f, "valid_until", true, 40);
    if (op[0] == '\0')
        op = "*";
    static const char *const ops[] = {"*", "GET", "POST", "PUT", "PATCH", "DELETE"};
    bool op_ok = false;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        op_ok = op_ok || strcmp(op, ops[i]) == 0;
    check(&f, op_ok, "operation", "Thao tác là *, GET, POST, PUT, PATCH hoặc DELETE.",
          "The operation is *, GET, POST, PUT, PATCH or DELETE.");
    int y, mo, d;
    check(&f,
          until[0] == '\0' ||
              (strlen(until) >= 10 && sscanf(until, "%4d-%2d-%2d", &y, &mo, &d) == 3 && mo >= 1 &&
               mo <= 12 && d >= 1 && d <= 31),
          "valid_until", "Ngày hết hạn có dạng 2026-12-31 hoặc 2026-12-31T23:59:59Z.",
          "The end reads 2026-12-31 or 2026-12-31T23:59:59Z.");
    if (done_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *end =
        strlen(until) == 10 ? dd_arena_printf(req->arena, "%sT23:59:59.999Z", until) : until;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int rc = dd_db_begin(db);
    struct dd_stmt *st;
    int64_t id = 0;
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO lgsp_rights (consumer_id, service_id, operation, reason, "
                           "valid_until, granted_by, granted_at) SELECT s.id, v.id, ?, ?, ?, ?, ? "
                           "FROM lgsp_subsystems s, lgsp_services v WHERE s.id = ? AND v.id = ? "
                           "RETURNING id",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, op);
        dd_stmt_bind_text(st, 2, reason);
        dd_stmt_bind_text(st, 3, end);
        dd_stmt_bind_text(st, 4, actor(req));
        dd_stmt_bind_text(st, 5, now_text(req));
        dd_stmt_bind_text(st, 6, consumer);
        dd_stmt_bind_text(st, 7, service);
        rc = dd_stmt_step(st);
        if (rc == DD_DB_ROW)
            id = dd_stmt_int64(st, 0);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (rc == DD_OK && id == 0) {
        dd_db_rollback(db);
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    }
    if (rc == DD_OK)
        rc = dd_event_emit(db, LGSP_EVENT_CHANGED, NULL, "{}");
    /* A privilege granted, for the security operations centre. */
    if (rc == DD_OK)
        rc =
            dd_event_emit(db, "lgsp.right_granted", NULL,
                          event_text(req, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "right",
                                                    (json_int_t)id, "consumer", consumer, "service",
                                                    service, "operation", op, "valid_until", end,
                                                    "reason", reason, "by", actor(req))));
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        return rc;
    lgsp_cache_invalidate();
    return dd_reply_json(req, 201,
                         json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
                                   "consumer", consumer, "service", service, "operation", op,
                                   "reason", reason, "valid_until", end));
}

/* POST /api/v1/lgsp/rights/{id}/revocation {reason} */
static int
right_revoke(struct dd_req *req)
{
    struct form f = {req, NULL};
    if (form_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *reason = text(&f, "reason", true, 500);
    int64_t id;
    if (dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) != 0)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    if (done_or_reply(&f) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char idt[24];
    snprintf(idt, sizeof idt, "#%lld", (long long)id);
    const char *args[] = {now_text(req), actor(req), reason, idt, NULL};
    int64_t n = 0;
    const char *ev = event_text(req, json_pack("{s:I, s:s, s:s}", "right", (json_int_t)id, "by",
                                               args[1], "reason", reason));
    int rc = exec_change(db,
                         "UPDATE lgsp_rights SET revoked_at = ?, revoked_by = ?, revoke_reason = ? "
                         "WHERE id = ? AND revoked_at = ''",
                         args, &n, "lgsp.right_revoked", ev);
    if (rc != DD_OK)
        return rc;
    if (n == 0)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return dd_reply_json(
        req, 200,
        json_pack("{s:I, s:b, s:s}", "id", (json_int_t)id, "revoked", 1, "revoke_reason", reason));
}

/* The SHA-256 (hex) of the first certificate of a PEM text; false when there is none. */
static bool
pem_thumbprint(const char *pem, char out[65])
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    const char *b = strstr(pem, begin);
    const char *e = b ? strstr(b, "-----END CERTIFICATE-----") : NULL;
    if (e == NULL)
        return false;
    b += sizeof begin - 1;
    unsigned char der[16384];
    size_t n = 0;
    if (sodium_base642bin(der, sizeof der, b, (size_t)(e - b), " \t\r\n", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n < 16 || der[0] != 0x30)
        return false;
    dd_sha256_hex(der, n, out);
    return true;
}

/* POST /api/v1/lgsp/certificates {subsystem, certificate | certificate_sha256} — the client
 * certificate a consumer subsystem calls with on the TLS listener (mtls.c); "" removes it. */
static int
certificate_register(struct dd_req *req)
{
    struct form f = {req, NULL};
    if (form_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *sub = text(&f, "subsystem", true, LGSP_ID_MAX - 1);
    /* PEM has line breaks, which text() refuses. */
    const char *pem = json_string_value(json_object_get(req->json, "certificate"));
    check(&f, json_object_get(req->json, "certificate") == NULL || (pem && strlen(pem) <= 16384),
          "certificate", "Chứng thư phải là văn bản PEM.", "The certificate must be PEM text.");
    pem = pem ? pem : "";
    const char *hex = text(&f, "certificate_sha256", false, 64);
    char thumb[65] = "";
    if (pem[0])
        check(&f, pem_thumbprint(pem, thumb), "certificate",
              "Chứng thư phải là một chứng thư X.509 dạng PEM.",
              "The certificate must be an X.509 certificate in PEM.");
    else if (hex[0]) {
        bool ok = strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64;
        check(&f, ok, "certificate_sha256", "Dấu vân tay SHA-256 gồm 64 chữ số hex viết thường.",
              "A SHA-256 thumbprint is 64 lower-case hex digits.");
        if (ok)
            memcpy(thumb, hex, 65);
    }
    check(&f,
          json_object_get(req->json, "certificate") ||
              json_object_get(req->json, "certificate_sha256"),
          "certificate", "Cần chứng thư hoặc dấu vân tay SHA-256 của nó (\"\" để gỡ).",
          "A certificate or its SHA-256 thumbprint is required (\"\" removes it).");
    if (done_or_reply(&f) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t n = 0;
    const char *ev = event_text(req, json_pack("{s:s, s:s, s:s}", "subsystem", sub,
                                               "certificate_sha256", thumb, "by", actor(req)));
    int rc =
        exec_change(db, "UPDATE lgsp_subsystems SET cert_sha256 = ? WHERE id = ?",
                    (const char *const[]){thumb, sub, NULL}, &n, "lgsp.certificate_changed", ev);
    if (rc == DD_ECONFLICT || rc == DD_EEXIST)
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, NULL);
    if (rc != DD_OK)
        return rc;
    if (n == 0)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return dd_reply_json(req, 200,
                         json_pack("{s:s, s:s}", "subsystem", sub, "certificate_sha256", thumb));
}

int
lgsp_set_suspended(struct dd_db *db, const char *consumer, bool suspended, const char *reason,
                   const char *who, int64_t *changed)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE lgsp_subsystems SET suspended = ?, suspend_reason = ? "
                           "WHERE id = ? AND suspended = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, suspended);
    dd_stmt_bind_text(st, 2, suspended ? reason : "");
    dd_stmt_bind_text(st, 3, consumer);
    dd_stmt_bind_int64(st, 4, !suspended);
    rc = dd_stmt_step(st);
    *changed = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc < 0 || *changed == 0)
        return rc < 0 ? rc : DD_OK;
    char subject[LGSP_ID_MAX + 8];
    snprintf(subject, sizeof subject, "lgsp:%s", consumer);
    json_t *p = json_pack("{s:s, s:s, s:s}", "consumer", consumer, "reason", reason, "actor", who);
    char *text_ = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    rc = dd_event_emit(db, suspended ? "lgsp.consumer_suspended" : "lgsp.consumer_reinstated",
                       subject, text_);
    free(text_);
    if (rc == DD_OK)
        rc = dd_event_emit(db, LGSP_EVENT_CHANGED, NULL, "{}");
    return rc;
}

static int
suspension(struct dd_req *req, bool suspended)
{
    struct form f = {req, NULL};
    if (form_or_reply(&f) != DD_OK)
        return DD_DONE;
    const char *consumer = text(&f, "consumer", true, LGSP_ID_MAX - 1);
    const char *reason = text(&f, "reason", true, 500);
    if (done_or_reply(&f) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int rc = dd_db_begin(db);
    int64_t n = 0;
    if (rc == DD_OK)
        rc = lgsp_set_suspended(db, consumer, suspended, reason, actor(req), &n);
    if (rc == DD_OK && n > 0)
        rc = dd_db_commit(db);
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        return rc;
    if (n == 0)
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, NULL);
    lgsp_cache_invalidate();
    return dd_reply_json(req, 201,
                         json_pack("{s:s, s:b, s:s}", "consumer", consumer, "suspended", suspended,
                                   "reason", reason));
}

/* POST /api/v1/lgsp/suspensions {consumer, reason} */
static int
suspend(struct dd_req *req)
{
    return suspension(req, true);
}

/* POST /api/v1/lgsp/reinstatements {consumer, reason} */
static int
reinstate(struct dd_req *req)
{
    return suspension(req, false);
}

/* ---- lists ---- */

int
lgsp_list_reply(struct dd_req *req, const char *sql, const char *const *args, enum lgsp_cursor kind)
{
    int limit;
    if (dd_list_limit_or_reply(req, &limit) != DD_OK)
        return DD_DONE;
    const char *cursor = dd_req_query(req, "cursor");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    int i = 0;
    for (; args && args[i]; i++)
        dd_stmt_bind_text(st, i + 1, args[i]);
    int64_t after = kind == LGSP_CURSOR_DOWN ? INT64_MAX : 0;
    if (kind != LGSP_CURSOR_TEXT && cursor && dd_parse_int64(cursor, 0, INT64_MAX, &after) != 0) {
        dd_stmt_reset(st);
        return dd_reply_problem(req, DD_PROBLEM_BAD_REQUEST, NULL);
    }
    if (kind == LGSP_CURSOR_TEXT)
        dd_stmt_bind_text(st, i + 1, cursor ? cursor : "");
    else
        dd_stmt_bind_int64(st, i + 1, after);
    dd_stmt_bind_int64(st, i + 2, limit + 1);
    json_t *items = json_array();
    const char *next = NULL;
    int n = 0;
    int64_t last_key = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (n++ == limit) {
            next = kind == LGSP_CURSOR_TEXT
                       ? dd_arena_strdup(req->arena, dd_stmt_text(st, 0))
                       : dd_arena_printf(req->arena, "%lld", (long long)last_key);
            break;
        }
        last_key = kind == LGSP_CURSOR_TEXT ? 0 : dd_stmt_int64(st, 0);
        json_t *o = json_object();
        for (int c = 1; c < dd_stmt_column_count(st); c++) {
            const char *name = dd_stmt_column_name(st, c);
            const char *v = dd_stmt_text(st, c);
            bool numeric_id =
                strcmp(name, "id") == 0 && v && v[0] && strspn(v, "0123456789") == strlen(v);
            if (strcmp(name, "status") == 0 || strcmp(name, "duration_us") == 0 || numeric_id ||
                strcmp(name, "seq") == 0 || strcmp(name, "quota_per_day") == 0 ||
                strcmp(name, "rate_per_second") == 0 || strcmp(name, "timeout_ms") == 0 ||
                strcmp(name, "keep_bodies_days") == 0 || strcmp(name, "organisation") == 0)
                json_object_set_new(o, name, json_integer(dd_stmt_int64(st, c)));
            else if (strcmp(name, "suspended") == 0)
                json_object_set_new(o, name, json_boolean(dd_stmt_int64(st, c) != 0));
            else
                json_object_set_new(o, name, json_string(dd_stmt_text(st, c)));
        }
        json_array_append_new(items, o);
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", next));
}

static int
member_list(struct dd_req *req)
{
    return lgsp_list_reply(req,
                           "SELECT code, code, name, COALESCE(org_id, 0) AS organisation, "
                           "created_at FROM lgsp_members WHERE code > ? "
                           "ORDER BY code LIMIT ?",
                           NULL, LGSP_CURSOR_TEXT);
}

static int
subsystem_list(struct dd_req *req)
{
    return lgsp_list_reply(req,
                           "SELECT id, id, member_code AS member, client_id, cert_sha256 AS "
                           "certificate_sha256, suspended, "
                           "suspend_reason FROM lgsp_subsystems WHERE id > ? ORDER BY id LIMIT ?",
                           NULL, LGSP_CURSOR_TEXT);
}

static int
service_list(struct dd_req *req)
{
    return lgsp_list_reply(
        req,
        "SELECT id, id, subsystem_id AS subsystem, name, upstream_url, "
        "data_returned, legal_basis, consent_item, person_field, keep_bodies_days, "
        "timeout_ms, quota_per_day, rate_per_second FROM lgsp_services WHERE id > ? "
        "ORDER BY id LIMIT ?",
        NULL, LGSP_CURSOR_TEXT);
}

static int
right_list(struct dd_req *req)
{
    const char *c = dd_req_query(req, "consumer");
    const char *s = dd_req_query(req, "service");
    const char *args[] = {c ? c : "", c ? c : "", s ? s : "", s ? s : "", NULL};
    return lgsp_list_reply(
        req,
        "SELECT id, id, consumer_id AS consumer, "
        "service_id AS service, operation, reason, valid_until, granted_by, "
        "granted_at, revoked_at, revoke_reason FROM lgsp_rights WHERE (? = '' OR "
        "consumer_id = ?) AND (? = '' OR service_id = ?) AND id > ? ORDER BY id "
        "LIMIT ?",
        args, LGSP_CURSOR_UP);
}

/* GET /api/v1/lgsp/log?consumer=&provider= — newest first. */
static int
log_list(struct dd_req *req)
{
    const char *c = dd_req_query(req, "consumer");
    const char *p = dd_req_query(req, "provider");
    const char *pl = p ? dd_arena_printf(req->arena, "%s/%%", p) : "";
    const char *args[] = {c ? c : "", c ? c : "", pl, pl, NULL};
    return lgsp_list_reply(
        req,
        "SELECT seq, seq, at, consumer_id AS "
        "consumer, service_id AS service, method, path, status, outcome, "
        "duration_us, request_hash, response_hash, request_id FROM lgsp_log "
        "WHERE (? = '' OR consumer_id = ?) AND (? = '' OR service_id LIKE ?) AND "
        "seq < ? ORDER BY seq DESC LIMIT ?",
        args, LGSP_CURSOR_DOWN);
}

/* GET /api/v1/lgsp/usage?consumer=&provider= */
static int
usage(struct dd_req *req)
{
    return dd_reply_json(
        req, 200, lgsp_stats_json(dd_req_query(req, "consumer"), dd_req_query(req, "provider")));
}

/* ---- the module ---- */

// clang-format off
static const struct dd_route lgsp_routes[] = {
    DD_ROUTE("GET", "/lgsp/r1/VN/GOV/{member}/{subsystem}/{service}/{path*}", lgsp_gateway, DD_AUTH_NONE, NULL),
    DD_ROUTE("DELETE", "/lgsp/r1/VN/GOV/{member}/{subsystem}/{service}/{path*}", lgsp_gateway, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/lgsp/r1/VN/GOV/{member}/{subsystem}/{service}/{path*}", lgsp_gateway, DD_AUTH_NONE, NULL, DD_BODY_RAW, 0, lgsp_body_types),
    DD_ROUTE_BODY("PUT", "/lgsp/r1/VN/GOV/{member}/{subsystem}/{service}/{path*}", lgsp_gateway, DD_AUTH_NONE, NULL, DD_BODY_RAW, 0, lgsp_body_types),
    DD_ROUTE_BODY("PATCH", "/lgsp/r1/VN/GOV/{member}/{subsystem}/{service}/{path*}", lgsp_gateway, DD_AUTH_NONE, NULL, DD_BODY_RAW, 0, lgsp_body_types),
    DD_ROUTE("GET", "/api/v1/lgsp/members", member_list, DD_AUTH_OFFICER, "lgsp:admin"),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/members", member_create, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE("GET", "/api/v1/lgsp/subsystems", subsystem_list, DD_AUTH_OFFICER, "lgsp:admin"),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/subsystems", subsystem_create, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE("GET", "/api/v1/lgsp/services", service_list, DD_AUTH_OFFICER, "lgsp:admin"),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/services", service_create, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 262144, NULL),
    DD_ROUTE("GET", "/api/v1/lgsp/rights", right_list, DD_AUTH_OFFICER, "lgsp:admin"),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/rights", right_create, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/rights/{id}/revocation", right_revoke, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/suspensions", suspend, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/reinstatements", reinstate, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 8192, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/lgsp/certificates", certificate_register, DD_AUTH_OFFICER, "lgsp:admin", DD_BODY_JSON, 32768, NULL),
    DD_ROUTE("GET", "/api/v1/lgsp/usage", usage, DD_AUTH_OFFICER, "lgsp:admin"),
    DD_ROUTE("GET", "/api/v1/lgsp/log", log_list, DD_AUTH_OFFICER, "lgsp:admin"),
    DD_ROUTE("GET", "/api/v1/me/lgsp/subsystems", lgsp_own_subsystems, DD_AUTH_ESTABLISHMENT, "establishment:read"),
    DD_ROUTE("GET", "/api/v1/me/lgsp/log", lgsp_own_log, DD_AUTH_ESTABLISHMENT, "establishment:read"),
    DD_ROUTE("GET", "/api/v1/me/lgsp/usage", lgsp_own_usage, DD_AUTH_ESTABLISHMENT, "establishment:read"),
    DD_ROUTES_END,
};
// clang-format on

/* Set by on_event when the catalogue changed in the delivery transaction; the copy in memory is
 * dropped once that transaction has committed (after_events), never inside it: a call on
 * another thread could otherwise reload the catalogue as it was before the change and keep it. */
static atomic_bool catalogue_changed;

/* The security operations centre's containment (`soc.contain.suspend_consumer`) and catalogue
 * changes made by other processes. */
static int
on_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)arg;
    if (strcmp(ev->type, LGSP_EVENT_CHANGED) == 0 || strncmp(ev->type, "lgsp.consumer_", 14) == 0) {
        atomic_store(&catalogue_changed, true);
        return DD_OK;
    }
    if (strcmp(ev->type, "soc.contain.suspend_consumer") != 0)
        return DD_OK;
    json_t *p = json_loads(ev->payload, 0, NULL);
    const char *consumer = json_string_value(json_object_get(p, "consumer"));
    if (consumer == NULL && dd_str_has_prefix(ev->subject, "lgsp:"))
        consumer = ev->subject + 5;
    const char *reason = json_string_value(json_object_get(p, "reason"));
    const char *incident = json_string_value(json_object_get(p, "incident"));
    const char *who = json_string_value(json_object_get(p, "actor"));
    char why[700];
    snprintf(why, sizeof why, "%s%s%s", reason ? reason : "SOC containment",
             incident ? " — incident " : "", incident ? incident : "");
    int64_t n = 0;
    int rc = consumer ? lgsp_set_suspended(db, consumer, true, why, who ? who : "soc", &n) : DD_OK;
    json_decref(p);
    if (rc == DD_OK && n > 0)
        atomic_store(&catalogue_changed, true);
    return rc;
}

static void
after_events(void)
{
    if (atomic_exchange(&catalogue_changed, false))
        lgsp_cache_invalidate();
}

const struct dd_module dd_module_lgsp = {
    .name = "lgsp",
    .routes = lgsp_routes,
    .on_event = on_event,
    .event_types = (const char *const[]){"lgsp.", "soc.contain.suspend_consumer", NULL},
    .after_events = after_events,
};
