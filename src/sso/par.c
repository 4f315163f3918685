/*
 * par.c — pushed authorization requests (RFC 9126). The client authenticates and posts the
 * parameters it would have put in the URL; they are checked as /sso/authorize checks them and
 * kept for 60 seconds under `urn:ietf:params:oauth:request_uri:<random>`, usable once, by that
 * client only.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>

int
sso_par(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct sso_form f;
    sso_form_of_request(req, &f);
    if (f.invalid || f.duplicate)
        return sso_oauth_error(req, 400, "invalid_request",
                               "The form is malformed or repeats a parameter.");
    if (sso_form_get(&f, "request_uri"))
        return sso_oauth_error(req, 400, "invalid_request", "request_uri may not be pushed.");
    if (sso_form_get(&f, "request"))
        return sso_oauth_error(req, 400, "request_not_supported",
                               "Request objects are not "
                               "supported.");
    struct sso_client c;
    int rc = sso_client_auth_or_reply(req, db, &f, sso_url(req->arena, "/sso/par"), &c);
    if (rc != DD_OK)
        return req->replied ? DD_DONE : rc;
    json_t *r = sso_authz_from_form(req->arena, &f);
    struct sso_authz_error e;
    rc = sso_authz_check(db, req->arena, r, &c, true, &e);
    if (rc == DD_EINVAL)
        return sso_oauth_error(req, 400, e.code, e.description);
    if (rc != DD_OK)
        return rc;
    json_object_set_new(r, "client_id", json_string(c.client_id));
    const char *raw = sso_random_token(req->arena, "");
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "INSERT INTO sso_par (request_hash, client_id, request, expires_at) VALUES "
                       "(?, ?, ?, ?)",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, sso_hash(req->arena, raw));
    dd_stmt_bind_text(st, 2, c.client_id);
    dd_stmt_bind_text(st, 3, dd_json_dump(req->arena, r));
    dd_stmt_bind_text(st, 4, sso_time(req->arena, SSO_PAR_TTL));
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    json_t *body = json_pack("{s:s, s:i}", "request_uri",
                             dd_arena_printf(req->arena, "%s%s", SSO_PAR_PREFIX, raw), "expires_in",
                             SSO_PAR_TTL);
    return dd_reply_json(req, 201, body);
}

int
sso_par_take(struct dd_req *req, struct dd_db *db, const char *client_id, const char *request_uri,
             json_t **request)
{
    if (client_id == NULL || request_uri == NULL || !dd_str_has_prefix(request_uri, SSO_PAR_PREFIX))
        return DD_ENOTFOUND;
    const char *hash = sso_hash(req->arena, request_uri + strlen(SSO_PAR_PREFIX));
    const char *now = sso_time(req->arena, 0);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sso_par SET used_at = ? WHERE request_hash = ? AND client_id = "
                           "? AND used_at = '' AND expires_at > ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, hash);
    dd_stmt_bind_text(st, 3, client_id);
    dd_stmt_bind_text(st, 4, now);
    rc = dd_stmt_step(st);
    int64_t taken = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (taken != 1)
        return DD_ENOTFOUND;
    rc = dd_db_prepare(db, "SELECT request FROM sso_par WHERE request_hash = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hash);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        const char *text = dd_stmt_text(st, 0);
        struct dd_json_error jerr;
        *request = dd_json_parse(req->arena, text, strlen(text), NULL, &jerr);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW && *request ? DD_OK : DD_ENOTFOUND;
}
