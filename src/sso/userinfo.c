/*
 * userinfo.c — GET|POST /sso/userinfo (OpenID Connect Core §5.3): the claims the access token's
 * scopes release about its person, with the subject the client knows them by. The route is a
 * DD_AUTH_CLIENT one: dd_sso_authenticate has checked the token (signature, expiry, revocation,
 * family, client) before this runs. A read of register data is written to the person's access
 * log, naming the client.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "core/access_log.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

static int
insufficient_scope(struct dd_req *req)
{
    dd_reply_header(req, "WWW-Authenticate",
                    "Bearer error=\"insufficient_scope\", scope=\"openid\"");
    return dd_reply_problem(req, DD_PROBLEM_FORBIDDEN, NULL);
}

/* The account of a refresh family. */
static int
family_account(struct dd_db *db, const char *fid, int64_t *account)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT account_id FROM sso_families WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, fid);
    rc = dd_stmt_step(st);
    *account = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return *account ? DD_OK : DD_ENOTFOUND;
}

int
sso_userinfo(struct dd_req *req)
{
    const char *auth = dd_req_header(req, "Authorization");
    json_t *payload;
    if (auth == NULL || sso_access_token_verify(req->arena, auth + 7, &payload) != DD_OK)
        return dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
    const char *scope = dd_jwt_str(payload, "scope");
    const char *fid = dd_jwt_str(payload, "fid");
    if (fid == NULL || !sso_has_word(scope, "openid"))
        return insufficient_scope(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t account = 0;
    int rc = family_account(db, fid, &account);
    struct sso_session acct;
    if (rc == DD_OK)
        rc = sso_account_get(db, req->arena, account, &acct);
    if (rc == DD_ENOTFOUND) {
        dd_reply_header(req, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        return dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
    }
    if (rc != DD_OK)
        return rc;
    struct sso_client c;
    rc = sso_client_get(db, req->arena, dd_jwt_str(payload, "client_id"), &c);
    if (rc != DD_OK)
        return rc;
    struct sso_grant g = {.client_id = c.client_id, .account_id = account, .pairwise = c.pairwise};
    json_t *claims = sso_claims(db, req->arena, &acct, scope);
    json_object_set_new(claims, "sub", json_string(sso_subject(req->arena, &g)));
    bool register_data = sso_has_word(scope, "profile") || sso_has_word(scope, "residence") ||
                         sso_has_word(scope, "national_id");
    if (register_data && acct.id_number && dd_str_all_digits(acct.id_number, 12)) {
        const char *purpose = dd_arena_printf(req->arena, "Đăng nhập một lần: %s", c.name);
        rc = dd_access_log_write(db, req, acct.id_number, "read",
                                 dd_arena_printf(req->arena, "userinfo: %s", scope), purpose);
        if (rc != DD_OK)
            return rc;
    }
    return dd_reply_json(req, 200, json_incref(claims));
}
