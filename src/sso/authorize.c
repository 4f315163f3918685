/*
 * authorize.c — GET|POST /sso/authorize: the browser's way through login, step-up and consent
 * to an authorization code.
 *
 * A request comes as parameters, as a pushed request (request_uri, RFC 9126), or as
 * `interaction=<id>` when the browser comes back from the login or consent page. It is checked
 * (authz_request.c); a request whose client or redirect URI cannot be trusted gets an error page,
 * any other refusal goes back to the client's redirect URI with error, state and iss (RFC 9207).
 * Then, in order: no session → the login page (`/login.html?next=…`); a level asked for in
 * acr_values that the account cannot reach → unmet_authentication_requirements, one it can
 * reach with a second factor it did not use → the login page again (step-up); prompt=login or an
 * expired max_age → the login page; no remembered consent for these scopes → the consent page;
 * then a code (60 s, one use, bound to the PKCE challenge and redirect URI).
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

/* An error page for a request that cannot be sent back to the client: what went wrong, in the
 * page's language, and the OAuth error with its English description for the app's developers. */
static int
error_page(struct dd_req *req, const char *code, const char *description)
{
    bool en = req->lang == DD_LANG_EN;
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 8192);
    dd_buf_printf(&b,
                  "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s</title>"
                  "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><main class=\"wrap "
                  "narrow\"><h1>%s</h1><p>%s</p><p><code>",
                  en ? "en" : "vi", en ? "Sign-in request refused" : "Yêu cầu đăng nhập bị từ chối",
                  en ? "Sign-in request refused" : "Yêu cầu đăng nhập bị từ chối",
                  en ? "The application sent a request that cannot be completed. Go back to it "
                       "and try again."
                     : "Ứng dụng đã gửi một yêu cầu không thể thực hiện. Hãy quay lại ứng dụng và "
                       "thử lại.");
    dd_buf_puts(&b, code);
    dd_buf_puts(&b, "</code>");
    if (description && description[0]) {
        dd_buf_puts(&b, ": ");
        dd_buf_puts(&b, description); /* our own fixed sentences, never request text */
    }
    dd_buf_puts(&b, "</p></main></body></html>");
    return dd_reply_bytes(req, 400, "text/html; charset=utf-8", b.data, b.len);
}

static int
redirect_error(struct dd_req *req, const json_t *r, const char *code, const char *description)
{
    const char *const q[] = {"error",
                             code,
                             "error_description",
                             description,
                             "state",
                             sso_authz_get(r, "state"),
                             "iss",
                             sso_settings.issuer,
                             NULL};
    return sso_redirect(req, sso_uri_with(req->arena, sso_authz_get(r, "redirect_uri"), q));
}

static bool
english(const json_t *r)
{
    const char *loc = sso_authz_get(r, "ui_locales");
    return loc && strncmp(loc, "en", 2) == 0;
}

/* Sends the browser to the login page, to come back to this interaction. */
static int
to_login(struct dd_req *req, const json_t *r, const char *iid, bool step_up)
{
    const char *next = dd_arena_printf(req->arena, "/sso/authorize?interaction=%s", iid);
    const char *const q[] = {"next", next, "step_up", step_up ? "1" : NULL, NULL};
    return sso_redirect(req,
                        sso_uri_with(req->arena, english(r) ? "/en/login.html" : "/login.html", q));
}

static int
to_consent(struct dd_req *req, const json_t *r, const char *iid)
{
    const char *const q[] = {"interaction", iid, NULL};
    return sso_redirect(
        req,
        sso_uri_with(req->arena, english(r) ? "/en/sso/consent.html" : "/sso/consent.html", q));
}

/* The request of this call: resumed, pushed, or in the parameters. Replies on failure. */
static int
request_or_reply(struct dd_req *req, struct dd_db *db, json_t **r, const char **iid,
                 int64_t *iaccount)
{
    struct sso_form f;
    sso_form_of_request(req, &f);
    if (f.invalid || f.duplicate) {
        error_page(req, "invalid_request", "A parameter is malformed or repeated.");
        return DD_EINVAL;
    }
    *iid = sso_form_get(&f, "interaction");
    if (*iid) {
        int rc = sso_interaction_load(req, db, *iid, r, iaccount);
        if (rc == DD_ENOTFOUND)
            error_page(req, "interaction_expired",
                       "The sign-in took too long; start again from the application.");
        return rc;
    }
    const char *request_uri = sso_form_get(&f, "request_uri");
    if (request_uri) {
        int rc = sso_par_take(req, db, sso_form_get(&f, "client_id"), request_uri, r);
        if (rc == DD_ENOTFOUND)
            error_page(req, "invalid_request_uri", "The request_uri is unknown, used or expired.");
        return rc;
    }
    if (sso_form_get(&f, "request")) {
        error_page(req, "request_not_supported", "Request objects are not supported; use PAR.");
        return DD_EINVAL;
    }
    *r = sso_authz_from_form(req->arena, &f);
    return DD_OK;
}

/* Records the login into a client: the session's clients (back-channel logout) and the
 * person's authentication history. */
static int
record_login(struct dd_req *req, struct dd_db *db, const struct sso_session *s,
             const char *client_id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO sso_session_clients (sid, client_id, account_id, "
                           "created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, s->sid);
    dd_stmt_bind_text(st, 2, client_id);
    dd_stmt_bind_int64(st, 3, s->account_id);
    dd_stmt_bind_text(st, 4, sso_time(req->arena, 0));
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = dd_db_prepare(db,
                       "INSERT INTO auth_history (at, account_id, service, method, level, success, "
                       "session_id) VALUES (?, ?, ?, 'sso', ?, 1, ?)",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, sso_time(req->arena, 0));
    dd_stmt_bind_int64(st, 2, s->account_id);
    dd_stmt_bind_text(st, 3, dd_arena_printf(req->arena, "sso:%s", client_id));
    dd_stmt_bind_int64(st, 4, s->level);
    dd_stmt_bind_int64(st, 5, s->session_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
insert_code(struct dd_req *req, struct dd_db *db, const json_t *r, const struct sso_session *s,
            const char *code)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO sso_codes (code_hash, client_id, account_id, redirect_uri, "
                           "scope, nonce, code_challenge, acr, amr, auth_time, sid, created_at, "
                           "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    const char *nonce = sso_authz_get(r, "nonce");
    dd_stmt_bind_text(st, 1, sso_hash(req->arena, code));
    dd_stmt_bind_text(st, 2, sso_authz_get(r, "client_id"));
    dd_stmt_bind_int64(st, 3, s->account_id);
    dd_stmt_bind_text(st, 4, sso_authz_get(r, "redirect_uri"));
    dd_stmt_bind_text(st, 5, sso_authz_get(r, "scope"));
    dd_stmt_bind_text(st, 6, nonce ? nonce : "");
    dd_stmt_bind_text(st, 7, sso_authz_get(r, "code_challenge"));
    dd_stmt_bind_text(st, 8, sso_session_acr(s));
    dd_stmt_bind_text(st, 9, sso_session_amr(s));
    dd_stmt_bind_int64(st, 10, s->auth_time);
    dd_stmt_bind_text(st, 11, s->sid);
    dd_stmt_bind_text(st, 12, sso_time(req->arena, 0));
    dd_stmt_bind_text(st, 13, sso_time(req->arena, SSO_CODE_TTL));
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Issues the code and sends the browser back to the client. */
static int
issue_code(struct dd_req *req, struct dd_db *db, const json_t *r, const struct sso_session *s,
           const char *iid)
{
    const char *code = sso_random_token(req->arena, "");
    const char *client_id = sso_authz_get(r, "client_id");
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = insert_code(req, db, r, s, code);
    if (rc == DD_OK)
        rc = record_login(req, db, s, client_id);
    if (rc == DD_OK && iid)
        rc = sso_interaction_done(req, db, iid);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        return rc;
    sso_audit(db, dd_arena_printf(req->arena, "account:%lld", (long long)s->account_id),
              "sso.login", client_id,
              dd_arena_printf(req->arena, "{\"acr\":\"%s\"}", sso_session_acr(s)), req->request_id);
    const char *const q[] = {
        "code", code, "state", sso_authz_get(r, "state"), "iss", sso_settings.issuer, NULL};
    return sso_redirect(req, sso_uri_with(req->arena, sso_authz_get(r, "redirect_uri"), q));
}

static bool
wants_loa2(const json_t *r)
{
    const char *acr = sso_authz_get(r, "acr_values");
    return acr && sso_has_word(acr, SSO_ACR_LOA2) && !sso_has_word(acr, SSO_ACR_LOA1);
}

/* Whether the session is too old for the request: prompt=login or max_age on the first pass,
 * or a login asked for by an earlier pass that has not happened since. Sets login_after. */
static bool
needs_fresh_login(json_t *r, const struct sso_session *s, bool first_pass)
{
    int64_t now = dd_clock_now_ms() / 1000;
    json_int_t after = json_integer_value(json_object_get(r, "login_after"));
    if (after)
        return s->auth_time < after;
    const char *prompt = sso_authz_get(r, "prompt");
    const char *max_age = sso_authz_get(r, "max_age");
    int64_t age = 0;
    bool stale =
        max_age && dd_parse_int64(max_age, 0, INT64_MAX, &age) == DD_OK && now - s->auth_time > age;
    if (first_pass && ((prompt && strcmp(prompt, "login") == 0) || stale)) {
        json_object_set_new(r, "login_after", json_integer(now));
        return true;
    }
    return false;
}

/* Saves the request as an interaction (new or updated) for the next page. */
static int
park(struct dd_req *req, struct dd_db *db, json_t *r, int64_t account, const char **iid)
{
    if (*iid)
        return sso_interaction_update(req, db, *iid, r, account);
    return sso_interaction_create(req, db, r, account, iid);
}

int
sso_authorize(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *r = NULL;
    const char *iid = NULL;
    int64_t iaccount = 0;
    int rc = request_or_reply(req, db, &r, &iid, &iaccount);
    if (rc != DD_OK)
        return req->replied ? DD_DONE : rc;
    struct sso_client c;
    struct sso_authz_error e;
    rc = sso_authz_check(db, req->arena, r, &c, false, &e);
    if (rc == DD_EINVAL)
        return e.redirectable ? redirect_error(req, r, e.code, e.description)
                              : error_page(req, e.code, e.description);
    if (rc != DD_OK)
        return rc;
    const char *prompt = sso_authz_get(r, "prompt");
    bool prompt_none = prompt && strcmp(prompt, "none") == 0;
    struct sso_session s;
    rc = sso_session_of_request(req, db, &s);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    if (rc == DD_ENOTFOUND) {
        if (prompt_none)
            return redirect_error(req, r, "login_required", "The person is not logged in.");
        if (iid == NULL && (rc = park(req, db, r, 0, &iid)) != DD_OK)
            return rc;
        return to_login(req, r, iid, false);
    }
    if (wants_loa2(r) && (s.level < 2 || !s.has_second_factor))
        return redirect_error(req, r, "unmet_authentication_requirements",
                              "The account does not reach the level asked for.");
    bool step_up = wants_loa2(r) && !s.second_factor;
    if (step_up && !json_object_get(r, "login_after"))
        json_object_set_new(r, "login_after", json_integer(dd_clock_now_ms() / 1000));
    if (step_up || needs_fresh_login(r, &s, iid == NULL)) {
        if (prompt_none)
            return redirect_error(req, r, "login_required", "A new login is needed.");
        if ((rc = park(req, db, r, s.account_id, &iid)) != DD_OK)
            return rc;
        return to_login(req, r, iid, step_up);
    }
    bool covered;
    rc = sso_consent_covers(db, s.account_id, c.client_id, sso_authz_get(r, "scope"), &covered);
    if (rc != DD_OK)
        return rc;
    bool consented_now = json_is_true(json_object_get(r, "consented")) && iaccount == s.account_id;
    bool ask = !covered || (prompt && strcmp(prompt, "consent") == 0 && !consented_now);
    if (ask) {
        if (prompt_none)
            return redirect_error(req, r, "consent_required", "The person has not consented.");
        json_object_del(r, "consented");
        if ((rc = park(req, db, r, s.account_id, &iid)) != DD_OK)
            return rc;
        return to_consent(req, r, iid);
    }
    return issue_code(req, db, r, &s, iid);
}
