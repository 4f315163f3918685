/*
 * documents.c — documents in wallets:
 *   POST /api/v1/wallet/documents                  an agency's officer issues a document
 *   POST /api/v1/wallet/documents/{id}/revocations the issuer revokes it (status bit set)
 *   GET  /api/v1/wallet/documents/{id}/claims      a later procedure reads the verified claims
 *                                                  of a document its applicant referenced
 *   GET  /api/v1/me/wallet/documents[/{id}]        the holder's documents
 * {id} is the document reference (public_id), never the row id.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/consent/dates.h"
#include "core/events.h"
#include "core/register/register.h"
#include "core/idempotency/idempotency.h"
#include "core/purpose.h"
#include "core/wallet/internal.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define DEFAULT_VALID_MS (10LL * 366 * 86400 * 1000)

/* The end (23:59:59 in Vietnam, UTC+7) of day "YYYY-MM-DD" in UTC ms, or -1. */
int64_t
wallet_day_end_ms(const char *s)
{
    int64_t days;
    if (s == NULL || dd_date_parse(s, 0, &days) != DD_OK)
        return -1;
    return (days + 1) * 86400000LL - 7 * 3600000LL - 1000;
}

static int
issue_parse_or_reply(struct dd_req *req, struct dd_wallet_issue_in *in, int64_t now)
{
    struct wform f;
    wform_init(&f, req);
    memset(in, 0, sizeof *in);
    in->issuer = wform_str(&f, "issuer", true, WALLET_ISSUER_ID_MAX);
    in->holder = wform_id_number(&f, "holder");
    in->vct = wform_str(&f, "vct", true, 200);
    in->title = wform_str(&f, "title", true, 200);
    in->claims = f.body ? json_object_get(f.body, "claims") : NULL;
    in->issued_by = req->who->name;
    const char *until = wform_str(&f, "valid_until", false, 10);
    in->expires_at_ms = until ? wallet_day_end_ms(until) : now + DEFAULT_VALID_MS;
    if (until && in->expires_at_ms <= now)
        wform_error(&f, "valid_until", "date-invalid",
                    "valid_until là một ngày YYYY-MM-DD chưa qua.",
                    "valid_until is a date YYYY-MM-DD not yet past.");
    if (f.body && !wallet_claims_ok(in->claims))
        wform_error(&f, "claims", "claims-invalid",
                    "claims là một đối tượng từ 1 đến 64 thông tin, không dùng tên dành riêng "
                    "(iss, iat, exp, nbf, vct, status, cnf, sub, _sd).",
                    "claims is an object of 1 to 64 claims without reserved names "
                    "(iss, iat, exp, nbf, vct, status, cnf, sub, _sd).");
    return wform_done_or_reply(&f);
}

json_t *
wallet_issued_json(struct dd_arena *a, const struct dd_wallet_issue_in *in,
                   const struct dd_wallet_issued *out, int64_t now)
{
    (void)a;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "id", out->public_id, "holder",
                     in->holder, "issuer", in->issuer, "vct", in->vct, "title", in->title,
                     "issued_at", (json_int_t)(now / 1000), "expires_at",
                     (json_int_t)(in->expires_at_ms / 1000), "sd_jwt", out->sd_jwt);
}

static int
wallet_documents_create_run(struct dd_req *req, struct dd_idem *idem)
{
    int64_t now = dd_clock_now_ms();
    struct dd_wallet_issue_in in;
    if (issue_parse_or_reply(req, &in, now) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_wallet_issued out;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_wallet_issue(db, req->arena, &in, now, &out);
    if (rc == DD_OK)
        rc = dd_event_emit(db, "wallet.document.issued", out.public_id,
                           dd_arena_printf(req->arena, "{\"issuer\":\"%s\"}", in.issuer));
    if (rc == DD_ENOTFOUND) {
        dd_db_rollback(db);
        json_t *ext = dd_problem_add_error(NULL, req, "issuer", "issuer-unknown",
                                           "Không có cơ quan cấp này.", "No such issuer.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_idem_commit_json(req, db, idem, 201, wallet_issued_json(req->arena, &in, &out, now),
                               NULL, wallet_fail);
}

int
wallet_documents_create(struct dd_req *req)
{
    return dd_idem_run(req, wallet_documents_create_run);
}

int
wallet_revocations_create(struct dd_req *req)
{
    struct wform f;
    wform_init(&f, req);
    const char *reason = wform_str(&f, "reason", true, 500);
    if (wform_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *id = dd_req_param(req, "id");
    int64_t now = dd_clock_now_ms();
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE wallet_credentials SET revoked_at = ?, revoke_reason = ? "
                           "WHERE public_id = ? AND revoked_at = 0",
                           &st);
    int64_t changed = 0;
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, now);
        dd_stmt_bind_text(st, 2, reason);
        dd_stmt_bind_text(st, 3, id);
        rc = dd_stmt_step(st);
        changed = dd_stmt_changes(st);
        dd_stmt_reset(st);
    }
    if (rc == DD_OK && changed == 0)
        rc = DD_ENOTFOUND;
    if (rc == DD_OK)
        rc = dd_event_emit(db, "wallet.document.revoked", id, "{}");
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 201,
                         json_pack("{s:s, s:I, s:s}", "id", id, "revoked_at",
                                   (json_int_t)(now / 1000), "reason", reason));
}

int
wallet_document_claims_get(struct dd_req *req)
{
    const char *holder = dd_req_query(req, "holder");
    if (holder == NULL || !dd_reg_id_number_shape(holder)) {
        json_t *ext = dd_problem_add_error(NULL, req, "holder", "id-number-invalid",
                                           "Cần số định danh cá nhân của người nộp.",
                                           "The applicant's personal ID number is needed.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_wallet_verdict v;
    int rc = dd_wallet_document_claims(db, req->arena, dd_req_param(req, "id"), holder,
                                       dd_clock_now_ms(), &v);
    /* The holder's document was read: written to their access log before the answer. */
    const char *ids[] = {holder};
    if (rc == DD_OK)
        rc = dd_reg_access_reads(db, req, ids, 1, "read", "wallet-document", purpose);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 200, wallet_verdict_json(&v));
}

/* ---- the holder's own ---- */

#define DOC_COLUMNS                                                                                \
    "SELECT c.id, c.public_id, c.issuer, i.name, c.vct, c.title, c.claims, c.issued_at, "          \
    "c.expires_at, c.revoked_at, c.sd_jwt FROM wallet_credentials c JOIN wallet_issuers i ON "     \
    "i.id = c.issuer "

static json_t *
doc_json(struct dd_stmt *st, bool full, int64_t now)
{
    json_t *claims = json_loads(dd_stmt_text(st, 6), 0, NULL);
    int64_t exp = dd_stmt_int64(st, 8), revoked = dd_stmt_int64(st, 9);
    const char *state = revoked ? "revoked" : exp < now ? "expired" : "valid";
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:s}", "id",
                          dd_stmt_text(st, 1), "issuer", dd_stmt_text(st, 2), "issuer_name",
                          dd_stmt_text(st, 3), "vct", dd_stmt_text(st, 4), "title",
                          dd_stmt_text(st, 5), "claims", claims ? claims : json_object(),
                          "issued_at", (json_int_t)(dd_stmt_int64(st, 7) / 1000), "expires_at",
                          (json_int_t)(exp / 1000), "state", state);
    if (full)
        json_object_set_new(o, "sd_jwt", json_string(dd_stmt_text(st, 10)));
    return o;
}

int
wallet_me_documents_list(struct dd_req *req)
{
    const char *me = wallet_me_or_reply(req);
    int limit;
    if (me == NULL || dd_list_limit_or_reply(req, &limit) != DD_OK)
        return DD_DONE;
    int64_t before = INT64_MAX;
    const char *cursor = dd_req_query(req, "cursor");
    if (cursor && dd_parse_int64(cursor, 1, INT64_MAX, &before) != DD_OK) {
        json_t *ext = dd_problem_add_error(NULL, req, "cursor", "cursor-invalid",
                                           "Con trỏ không hợp lệ.", "Invalid cursor.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, DOC_COLUMNS "WHERE c.holder = ? AND c.id < ? ORDER BY c.id DESC LIMIT ?", &st);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, me);
    dd_stmt_bind_int64(st, 2, before);
    dd_stmt_bind_int64(st, 3, limit + 1);
    json_t *items = json_array();
    int64_t now = dd_clock_now_ms(), last = 0;
    int n = 0;
    bool more = false;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (n == limit) {
            more = true;
            break;
        }
        last = dd_stmt_int64(st, 0);
        json_array_append_new(items, doc_json(st, false, now));
        n++;
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return wallet_fail(req, db, rc);
    }
    return dd_list_reply_page(req, items, more, last);
}

/* The holder's document {id} as a full JSON view, or a reply (404) and NULL. */
json_t *
wallet_my_document_or_reply(struct dd_req *req, struct dd_db *db, const char *me)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, DOC_COLUMNS "WHERE c.public_id = ? AND c.holder = ?", &st);
    if (rc != DD_OK) {
        wallet_fail(req, db, rc);
        return NULL;
    }
    dd_stmt_bind_text(st, 1, dd_req_param(req, "id"));
    dd_stmt_bind_text(st, 2, me);
    rc = dd_stmt_step(st);
    json_t *doc =
        rc == DD_DB_ROW ? dd_json_keep(req->arena, doc_json(st, true, dd_clock_now_ms())) : NULL;
    dd_stmt_reset(st);
    if (doc == NULL)
        wallet_fail(req, db, rc < 0 ? rc : DD_ENOTFOUND);
    return doc;
}

int
wallet_me_documents_get(struct dd_req *req)
{
    const char *me = wallet_me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *doc = wallet_my_document_or_reply(req, db, me);
    return doc ? dd_reply_json(req, 200, json_incref(doc)) : DD_DONE;
}
