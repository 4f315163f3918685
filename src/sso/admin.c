/*
 * admin.c — the client registry over HTTP, for the province's administrators (operator
 * routes): list, register, read, issue a new secret, disable. The body of a registration is the
 * command line's options as JSON: {"name", "grant_type", "token_endpoint_auth_method", "scope",
 * "redirect_uris", "post_logout_redirect_uris", "backchannel_logout_uri", "jwks",
 * "subject_type"}.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"

#include <string.h>

static const char *
actor(struct dd_req *req)
{
    return dd_arena_printf(req->arena, "officer:%lld", (long long)req->who->id);
}

int
sso_admin_list(struct dd_req *req)
{
    int limit;
    if (dd_list_limit_or_reply(req, &limit) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *out;
    int rc = dd_sso_client_list(db, dd_req_query(req, "cursor"), limit, &out);
    if (rc != DD_OK)
        return rc;
    return dd_reply_json(req, 200, out);
}

static int
invalid(struct dd_req *req, const char *field, const char *en)
{
    json_t *ext = dd_problem_add_error(NULL, req, field, "invalid", en, en);
    return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
}

/* Copies a list of strings into out; false when `v` is present and not such a list. */
static bool
string_list(json_t *v, const char **out, int *n)
{
    *n = 0;
    if (v == NULL)
        return true;
    if (!json_is_array(v) || json_array_size(v) > DD_SSO_MAX_URIS)
        return false;
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s)
    {
        if (!json_is_string(s))
            return false;
        out[(*n)++] = json_string_value(s);
    }
    return true;
}

static const char *const fields[] = {"name",
                                     "grant_type",
                                     "token_endpoint_auth_method",
                                     "scope",
                                     "redirect_uris",
                                     "post_logout_redirect_uris",
                                     "backchannel_logout_uri",
                                     "jwks",
                                     "subject_type",
                                     NULL};

static bool
only_known_fields(json_t *body, const char **unknown)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        bool known = false;
        for (int i = 0; fields[i]; i++)
            known = known || strcmp(fields[i], key) == 0;
        if (!known) {
            *unknown = key;
            return false;
        }
    }
    return true;
}

int
sso_admin_create(struct dd_req *req)
{
    json_t *b = req->json;
    if (!json_is_object(b))
        return invalid(req, "body", "The body must be a JSON object.");
    const char *unknown = NULL;
    if (!only_known_fields(b, &unknown))
        return invalid(req, unknown, "This field is not accepted here.");
    struct dd_sso_client_new c = {0};
    c.name = json_string_value(json_object_get(b, "name"));
    c.grant_type = json_string_value(json_object_get(b, "grant_type"));
    c.auth_method = json_string_value(json_object_get(b, "token_endpoint_auth_method"));
    c.scope = json_string_value(json_object_get(b, "scope"));
    c.backchannel_logout_uri = json_string_value(json_object_get(b, "backchannel_logout_uri"));
    const char *subject = json_string_value(json_object_get(b, "subject_type"));
    c.pairwise = subject && strcmp(subject, "pairwise") == 0;
    if (subject && !c.pairwise && strcmp(subject, "public") != 0)
        return invalid(req, "subject_type", "subject_type is public or pairwise.");
    json_t *jwks = json_object_get(b, "jwks");
    if (jwks && !json_is_object(jwks))
        return invalid(req, "jwks", "jwks must be a JWK set object.");
    c.jwks = jwks ? dd_json_dump(req->arena, jwks) : NULL;
    if (!string_list(json_object_get(b, "redirect_uris"), c.redirect_uris, &c.nredirect))
        return invalid(req, "redirect_uris", "redirect_uris must be a list of at most 16 URIs.");
    if (!string_list(json_object_get(b, "post_logout_redirect_uris"), c.post_logout_uris,
                     &c.npost_logout))
        return invalid(req, "post_logout_redirect_uris",
                       "post_logout_redirect_uris must be a list of at most 16 URIs.");
    c.actor = actor(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *out;
    char err[300];
    int rc = dd_sso_client_add(db, &c, &out, err, sizeof err);
    if (rc == DD_EINVAL)
        return invalid(req, "body", err);
    if (rc != DD_OK)
        return rc;
    return dd_reply_json(req, 201, out);
}

int
sso_admin_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int rc;
    json_t *c = dd_sso_client_json(db, dd_req_param(req, "client_id"), &rc);
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    if (rc != DD_OK)
        return rc;
    return dd_reply_json(req, 200, c);
}

int
sso_admin_rotate(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *out;
    char err[300];
    int rc = dd_sso_client_rotate_secret(db, dd_req_param(req, "client_id"), actor(req), &out, err,
                                         sizeof err);
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    if (rc == DD_EINVAL)
        return dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED,
                                       "Ứng dụng này không dùng khoá bí mật.", err, NULL);
    if (rc != DD_OK)
        return rc;
    return dd_reply_json(req, 201, out);
}

int
sso_admin_disable(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char err[300];
    const char *id = dd_req_param(req, "client_id");
    int rc = dd_sso_client_disable(db, id, actor(req), err, sizeof err);
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    if (rc != DD_OK)
        return rc;
    json_t *c = dd_sso_client_json(db, id, &rc);
    return c ? dd_reply_json(req, 200, c) : rc;
}
