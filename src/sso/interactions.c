/*
 * interactions.c — an authorization request waiting for the person: to log in, to step up to
 * a second factor, or to consent. Its random id travels in URLs (the login page's `next`, the
 * consent page's `interaction`) and is stored as SHA-256; it lives ten minutes and ends when a
 * code is issued or consent is refused.
 *
 * The consent page reads it with GET /api/v1/sso/interactions/{id} (the client and each claim
 * asked for, labelled in the request's language) and answers with POST {"approve": bool}, which
 * remembers the consent and answers where the browser goes next.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "core/audit.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

static int
run(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
sso_interaction_create(struct dd_req *req, struct dd_db *db, const json_t *request,
                       int64_t account_id, const char **id)
{
    const char *raw = sso_random_token(req->arena, "");
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO sso_interactions (id, client_id, account_id, request, "
                           "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, sso_hash(req->arena, raw));
    dd_stmt_bind_text(st, 2, sso_authz_get(request, "client_id"));
    dd_stmt_bind_int64(st, 3, account_id);
    dd_stmt_bind_text(st, 4, dd_json_dump(req->arena, request));
    dd_stmt_bind_text(st, 5, sso_time(req->arena, 0));
    dd_stmt_bind_text(st, 6, sso_time(req->arena, SSO_INTERACTION_TTL));
    rc = run(st);
    if (rc == DD_OK)
        *id = raw;
    return rc;
}

int
sso_interaction_load(struct dd_req *req, struct dd_db *db, const char *id, json_t **request,
                     int64_t *account_id)
{
    if (id == NULL || strlen(id) > 100)
        return DD_ENOTFOUND;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT request, account_id FROM sso_interactions WHERE id = ? AND "
                           "done_at = '' AND expires_at > ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, sso_hash(req->arena, id));
    dd_stmt_bind_text(st, 2, sso_time(req->arena, 0));
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        const char *text = dd_stmt_text(st, 0);
        struct dd_json_error jerr;
        *request = dd_json_parse(req->arena, text, strlen(text), NULL, &jerr);
        *account_id = dd_stmt_int64(st, 1);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW && *request ? DD_OK : DD_ENOTFOUND;
}

int
sso_interaction_update(struct dd_req *req, struct dd_db *db, const char *id, const json_t *request,
                       int64_t account_id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "UPDATE sso_interactions SET request = ?, account_id = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, dd_json_dump(req->arena, request));
    dd_stmt_bind_int64(st, 2, account_id);
    dd_stmt_bind_text(st, 3, sso_hash(req->arena, id));
    return run(st);
}

int
sso_interaction_done(struct dd_req *req, struct dd_db *db, const char *id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "UPDATE sso_interactions SET done_at = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, sso_time(req->arena, 0));
    dd_stmt_bind_text(st, 2, sso_hash(req->arena, id));
    return run(st);
}

/* ---- remembered consent ---- */

int
sso_consent_covers(struct dd_db *db, int64_t account_id, const char *client_id, const char *scope,
                   bool *covered)
{
    *covered = false;
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT scopes FROM sso_consents WHERE account_id = ? AND client_id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    dd_stmt_bind_text(st, 2, client_id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *covered = sso_scopes_within(scope, dd_stmt_text(st, 0));
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Remembers scopes (added to what was consented before), in the caller's transaction. */
static int
consent_remember(struct dd_req *req, struct dd_db *db, int64_t account_id, const char *client_id,
                 const char *scope)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT scopes FROM sso_consents WHERE account_id = ? AND client_id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    dd_stmt_bind_text(st, 2, client_id);
    rc = dd_stmt_step(st);
    const char *old = rc == DD_DB_ROW ? dd_arena_strdup(req->arena, dd_stmt_text(st, 0)) : "";
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 1024);
    dd_buf_puts(&b, old);
    const char *p = scope;
    while (*p) {
        size_t n = strcspn(p, " ");
        char *word = dd_arena_strndup(req->arena, p, n);
        if (n && !sso_has_word(old, word)) {
            if (b.len)
                dd_buf_putc(&b, ' ');
            dd_buf_puts(&b, word);
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    rc =
        dd_db_prepare(db,
                      "INSERT INTO sso_consents (account_id, client_id, scopes, granted_at) VALUES "
                      "(?, ?, ?, ?) ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = "
                      "excluded.scopes, granted_at = excluded.granted_at",
                      &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    dd_stmt_bind_text(st, 2, client_id);
    dd_stmt_bind_text(st, 3, b.data ? b.data : "");
    dd_stmt_bind_text(st, 4, sso_time(req->arena, 0));
    return run(st);
}

/* ---- the API of the consent page ---- */

static int
not_found(struct dd_req *req)
{
    return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
}

/* The interaction of the path, when it belongs to the caller. */
static int
interaction_or_reply(struct dd_req *req, struct dd_db *db, json_t **request)
{
    int64_t account = 0;
    int rc = sso_interaction_load(req, db, dd_req_param(req, "id"), request, &account);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && account != req->who->account_id)) {
        not_found(req);
        return DD_ENOTFOUND;
    }
    return rc;
}

int
sso_interaction_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *r;
    int rc = interaction_or_reply(req, db, &r);
    if (rc != DD_OK)
        return req->replied ? DD_DONE : rc;
    struct sso_client c;
    rc = sso_client_get(db, req->arena, sso_authz_get(r, "client_id"), &c);
    if (rc == DD_ENOTFOUND)
        return not_found(req);
    if (rc != DD_OK)
        return rc;
    const char *scope = sso_authz_get(r, "scope");
    json_t *body =
        json_pack("{s:{s:s, s:s}, s:s, s:o}", "client", "client_id", c.client_id, "name", c.name,
                  "scope", scope, "claims", sso_scope_labels(scope, req->lang == DD_LANG_EN));
    return dd_reply_json(req, 200, body);
}

int
sso_interaction_post(struct dd_req *req)
{
    json_t *approve = json_object_get(req->json, "approve");
    if (!json_is_object(req->json) || !json_is_boolean(approve) ||
        json_object_size(req->json) != 1) {
        json_t *ext = dd_problem_add_error(NULL, req, "approve", "boolean-expected",
                                           "Cần trường approve là true hoặc false.",
                                           "The body must be {\"approve\": true or false}.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *r;
    int rc = interaction_or_reply(req, db, &r);
    if (rc != DD_OK)
        return req->replied ? DD_DONE : rc;
    const char *id = dd_req_param(req, "id");
    const char *client_id = sso_authz_get(r, "client_id");
    const char *actor =
        dd_arena_printf(req->arena, "account:%lld", (long long)req->who->account_id);
    bool yes = json_is_true(approve);
    rc = dd_db_begin(db);
    if (rc == DD_OK && yes) {
        rc = consent_remember(req, db, req->who->account_id, client_id, sso_authz_get(r, "scope"));
        json_object_set_new(r, "consented", json_true());
        if (rc == DD_OK)
            rc = sso_interaction_update(req, db, id, r, req->who->account_id);
    } else if (rc == DD_OK) {
        rc = sso_interaction_done(req, db, id);
    }
    if (rc == DD_OK) {
        struct dd_audit_entry e = {
            .actor = actor,
            .action = yes ? "sso.consent.grant" : "sso.consent.refuse",
            .object = client_id,
            .detail = dd_arena_printf(req->arena, "{\"scope\":\"%s\"}", sso_authz_get(r, "scope")),
            .request_id = req->request_id};
        rc = dd_audit_append(db, &e);
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        return rc;
    const char *to;
    if (yes) {
        const char *const q[] = {"interaction", id, NULL};
        to = sso_uri_with(req->arena, "/sso/authorize", q);
    } else {
        const char *const q[] = {"error",
                                 "access_denied",
                                 "error_description",
                                 "The person refused consent.",
                                 "state",
                                 sso_authz_get(r, "state"),
                                 "iss",
                                 sso_settings.issuer,
                                 NULL};
        to = sso_uri_with(req->arena, sso_authz_get(r, "redirect_uri"), q);
    }
    return dd_reply_json(req, 200, json_pack("{s:s}", "redirect_to", to));
}
