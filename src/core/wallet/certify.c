/*
 * certify.c — electronic certification of a copy (chứng thực bản sao điện tử):
 *   POST /api/v1/wallet/certifications
 * A commune officer or a notary who has seen the original records the certifier, the type of the
 * original, the SHA-256 of the copy's file and the legal basis; the certified copy is issued into
 * the citizen's wallet as a credential of type urn:dinhdanh:vct:certified-copy, in the same
 * transaction as the record.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/events.h"
#include "core/idempotency/idempotency.h"
#include "core/wallet/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define VCT_CERTIFIED_COPY "urn:dinhdanh:vct:certified-copy"

static bool
hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

struct certify_in {
    const char *original_type, *original_title, *copy_sha256, *legal_basis;
};

static int
certify_parse_or_reply(struct dd_req *req, struct dd_wallet_issue_in *in, struct certify_in *c,
                       int64_t now)
{
    struct wform f;
    wform_init(&f, req);
    memset(in, 0, sizeof *in);
    in->issuer = wform_str(&f, "issuer", true, WALLET_ISSUER_ID_MAX);
    in->holder = wform_id_number(&f, "holder");
    c->original_type = wform_str(&f, "original_type", true, 100);
    c->original_title = wform_str(&f, "original_title", true, 200);
    c->copy_sha256 = wform_str(&f, "copy_sha256", true, 64);
    c->legal_basis = wform_str(&f, "legal_basis", true, 300);
    if (c->copy_sha256 && !hex64(c->copy_sha256)) {
        wform_error(&f, "copy_sha256", "sha256-invalid",
                    "copy_sha256 là 64 chữ số hex thường của SHA-256 tệp bản sao.",
                    "copy_sha256 is the 64 lowercase hex digits of the copy file's SHA-256.");
        c->copy_sha256 = NULL;
    }
    const char *until = wform_str(&f, "valid_until", false, 10);
    in->expires_at_ms = until ? wallet_day_end_ms(until) : now + 10LL * 366 * 86400 * 1000;
    if (until && in->expires_at_ms <= now)
        wform_error(&f, "valid_until", "date-invalid",
                    "valid_until là một ngày YYYY-MM-DD chưa qua.",
                    "valid_until is a date YYYY-MM-DD not yet past.");
    in->vct = VCT_CERTIFIED_COPY;
    in->title = c->original_title
                    ? dd_arena_printf(req->arena, "Bản sao chứng thực: %s", c->original_title)
                    : NULL;
    in->issued_by = req->who->name;
    return wform_done_or_reply(&f);
}

static int
wallet_certifications_create_run(struct dd_req *req, struct dd_idem *idem)
{
    int64_t now = dd_clock_now_ms();
    struct dd_wallet_issue_in in;
    struct certify_in c;
    if (certify_parse_or_reply(req, &in, &c, now) != 0)
        return DD_DONE;
    char date[32];
    dd_clock_iso8601(now + 7 * 3600000LL, date);
    date[10] = '\0';
    const struct dd_principal *who = req->who;
    json_t *claims = dd_json_keep(
        req->arena,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "original_type", c.original_type,
                  "original_title", c.original_title, "copy_sha256", c.copy_sha256, "certifier",
                  who->display_name[0] ? who->display_name : who->name, "certifier_agency",
                  who->agency, "legal_basis", c.legal_basis, "certified_on", date));
    in.claims = claims;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_wallet_issued out;
    struct dd_stmt *st;
    int64_t cert_id = 0;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_wallet_issue(db, req->arena, &in, now, &out);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO wallet_certifications (credential_id, holder, certifier, "
                           "certifier_name, agency, original_type, copy_sha256, legal_basis, "
                           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, out.id);
        dd_stmt_bind_text(st, 2, in.holder);
        dd_stmt_bind_text(st, 3, who->name);
        dd_stmt_bind_text(st, 4, who->display_name);
        dd_stmt_bind_text(st, 5, who->agency);
        dd_stmt_bind_text(st, 6, c.original_type);
        dd_stmt_bind_text(st, 7, c.copy_sha256);
        dd_stmt_bind_text(st, 8, c.legal_basis);
        dd_stmt_bind_int64(st, 9, now);
        rc = dd_stmt_step(st);
        cert_id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
        dd_stmt_reset(st);
        rc = rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
    }
    if (rc == DD_OK)
        rc = dd_event_emit(db, "wallet.copy.certified", out.public_id, "{}");
    if (rc == DD_ENOTFOUND) {
        dd_db_rollback(db);
        json_t *ext = dd_problem_add_error(NULL, req, "issuer", "issuer-unknown",
                                           "Không có cơ quan cấp này.", "No such issuer.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    json_t *body = wallet_issued_json(req->arena, &in, &out, now);
    json_object_set_new(body, "certification_id", json_integer(cert_id));
    json_object_set(body, "claims", claims);
    return dd_idem_commit_json(req, db, idem, 201, body, NULL, wallet_fail);
}

int
wallet_certifications_create(struct dd_req *req)
{
    return dd_idem_run(req, wallet_certifications_create_run);
}
