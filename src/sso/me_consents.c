/*
 * me_consents.c — the person's remembered consents, in the citizen portal:
 * GET /api/v1/me/sso-consents lists each application and the claims it may receive;
 * DELETE /api/v1/me/sso-consents/{client_id} withdraws one. Withdrawal takes effect on the next
 * token: the application's refresh families are revoked at once (audited), and its next
 * authorization asks for consent again.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/audit.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

int
sso_me_consents(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT k.client_id, c.name, k.scopes, k.granted_at FROM sso_consents k "
                           "JOIN sso_clients c ON c.client_id = k.client_id WHERE k.account_id = "
                           "? ORDER BY k.granted_at DESC, k.client_id LIMIT 500",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, req->who->account_id);
    json_t *items = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *scopes = dd_stmt_text(st, 2);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:o}", "client_id",
                                               dd_stmt_text(st, 0), "client_name",
                                               dd_stmt_text(st, 1), "scope", scopes, "granted_at",
                                               dd_stmt_text(st, 3), "claims",
                                               sso_scope_labels(scopes, req->lang == DD_LANG_EN)));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

int
sso_me_consent_delete(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *client_id = dd_req_param(req, "client_id");
    int64_t account = req->who->account_id;
    int rc = dd_db_begin(db);
    struct dd_stmt *st = NULL;
    int64_t deleted = 0;
    if (rc == DD_OK)
        rc = dd_db_prepare(db, "DELETE FROM sso_consents WHERE account_id = ? AND client_id = ?",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, account);
        dd_stmt_bind_text(st, 2, client_id);
        rc = dd_stmt_step(st);
        deleted = dd_stmt_changes(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (rc == DD_OK && deleted == 0) {
        dd_db_rollback(db);
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    }
    if (rc == DD_OK)
        rc = sso_families_revoke_for(db, account, client_id, "consent-withdrawn");
    if (rc == DD_OK) {
        struct dd_audit_entry e = {
            .actor = dd_arena_printf(req->arena, "account:%lld", (long long)account),
            .action = "sso.consent.withdraw",
            .object = client_id,
            .detail = NULL,
            .request_id = req->request_id};
        rc = dd_audit_append(db, &e);
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        return rc;
    return dd_reply_empty(req, 204);
}
