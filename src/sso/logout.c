/*
 * logout.c — GET|POST /sso/logout, RP-initiated logout (OpenID Connect RP-Initiated Logout
 * 1.0). The client names itself with id_token_hint (one of our ID tokens, expired or not) or
 * client_id; the browser's session ends, every client that took part in it is told by
 * back-channel logout (backchannel.c), and the browser goes to post_logout_redirect_uri (an
 * exact match of one the client registered) with state, or sees a page saying it is logged out.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/identity/identity.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

/* The client of an ID token we signed (expiry not checked: hints are often old), or NULL. */
static const char *
hint_client(struct dd_req *req, const char *hint, const char **sub)
{
    struct dd_jws jws;
    if (hint == NULL || dd_jws_parse(req->arena, hint, &jws) != DD_OK || jws.alg != DD_JWS_ES256)
        return NULL;
    EVP_PKEY *key = sso_key_find(jws.kid);
    bool ok = key && dd_jws_verify(&jws, key) == DD_OK;
    EVP_PKEY_free(key);
    const char *iss = dd_jwt_str(jws.payload, "iss");
    if (!ok || iss == NULL || strcmp(iss, sso_settings.issuer) != 0)
        return NULL;
    *sub = dd_jwt_str(jws.payload, "sub");
    return dd_jwt_str(jws.payload, "aud");
}

static int
logged_out_page(struct dd_req *req)
{
    bool en = req->lang == DD_LANG_EN;
    const char *page = dd_arena_printf(
        req->arena,
        "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s</title>"
        "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><main><h1>%s</h1><p>%s</p>"
        "<p><a href=\"%s\">%s</a></p></main></body></html>",
        en ? "en" : "vi", en ? "Logged out" : "Đã đăng xuất", en ? "Logged out" : "Đã đăng xuất",
        en ? "You are logged out of the province's single sign-on."
           : "Bạn đã đăng xuất khỏi hệ thống đăng nhập một lần của tỉnh.",
        en ? "/en/login.html" : "/login.html", en ? "Log in again" : "Đăng nhập lại");
    return dd_reply_bytes(req, 200, "text/html; charset=utf-8", page, strlen(page));
}

static int
bad_request_page(struct dd_req *req)
{
    bool en = req->lang == DD_LANG_EN;
    const char *page = dd_arena_printf(
        req->arena,
        "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s</title>"
        "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><main><h1>%s</h1><p>%s</p>"
        "</main></body></html>",
        en ? "en" : "vi", en ? "Logout refused" : "Không thể đăng xuất",
        en ? "Logout refused" : "Không thể đăng xuất",
        en ? "The application's logout request is not valid (unknown client or return address)."
           : "Yêu cầu đăng xuất của ứng dụng không hợp lệ (ứng dụng hoặc địa chỉ quay lại không "
             "đúng).");
    return dd_reply_bytes(req, 400, "text/html; charset=utf-8", page, strlen(page));
}

/* Ends the browser's session, in a transaction with the back-channel notices. */
static int
end_session(struct dd_req *req, struct dd_db *db, const struct sso_session *s)
{
    int rc = dd_db_begin(db);
    struct dd_stmt *st = NULL;
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE sessions SET ended_at = ?, end_reason = 'sso-logout' WHERE "
                           "token_hash = ? AND ended_at = ''",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, sso_time(req->arena, 0));
        dd_stmt_bind_text(st, 2, s->token_hash);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (rc == DD_OK)
        rc = sso_backchannel_queue(req, db, s);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_OK) {
        sso_audit(db, dd_arena_printf(req->arena, "account:%lld", (long long)s->account_id),
                  "sso.logout", s->sid, NULL, req->request_id);
        dd_reply_header(req, "Set-Cookie",
                        "dd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        sso_backchannel_kick();
        dd_identity_session_ended(s->session_id);
    }
    return rc;
}

int
sso_logout(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct sso_form f;
    sso_form_of_request(req, &f);
    if (f.invalid || f.duplicate)
        return bad_request_page(req);
    const char *hint_sub = NULL;
    const char *hint = sso_form_get(&f, "id_token_hint");
    const char *client_id = hint_client(req, hint, &hint_sub);
    const char *given = sso_form_get(&f, "client_id");
    if ((hint && client_id == NULL) || (client_id && given && strcmp(client_id, given) != 0))
        return bad_request_page(req);
    if (client_id == NULL)
        client_id = given;
    const char *back = sso_form_get(&f, "post_logout_redirect_uri");
    if (back && (client_id == NULL || !sso_client_has_uri(db, client_id, "post_logout", back)))
        return bad_request_page(req);
    struct sso_session s;
    int rc = sso_session_of_request(req, db, &s);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    if (rc == DD_OK && (rc = end_session(req, db, &s)) != DD_OK)
        return rc;
    if (back == NULL)
        return logged_out_page(req);
    const char *const q[] = {"state", sso_form_get(&f, "state"), NULL};
    return sso_redirect(req, sso_uri_with(req->arena, back, q));
}
