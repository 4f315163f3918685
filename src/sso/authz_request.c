/*
 * authz_request.c — an authorization request, read from a query, a form or a pushed request,
 * and checked once for /sso/authorize and /sso/par alike: a known active client registered for
 * the code flow, the redirect URI one of its own (exact string match), response_type code,
 * scopes within the client's and with openid, PKCE with S256 (plain refused), acr_values among
 * ours, prompt and max_age well formed.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "sso/internal.h"

#include <string.h>

static const char *const params[] = {"response_type",
                                     "client_id",
                                     "redirect_uri",
                                     "scope",
                                     "state",
                                     "nonce",
                                     "code_challenge",
                                     "code_challenge_method",
                                     "acr_values",
                                     "prompt",
                                     "max_age",
                                     "ui_locales",
                                     "login_hint",
                                     "response_mode",
                                     NULL};

json_t *
sso_authz_from_form(struct dd_arena *a, const struct sso_form *f)
{
    json_t *o = json_object();
    for (int i = 0; params[i]; i++) {
        const char *v = sso_form_get(f, params[i]);
        if (v)
            json_object_set_new(o, params[i], json_string(v));
    }
    return dd_json_keep(a, o);
}

const char *
sso_authz_get(const json_t *request, const char *name)
{
    return json_string_value(json_object_get(request, name));
}

/* A PKCE challenge: 43 base64url characters (S256 of a verifier). */
static bool
challenge_ok(const char *s)
{
    if (s == NULL || strlen(s) != 43)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static bool
acr_values_ok(const char *v)
{
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, " ");
        bool known = (n == strlen(SSO_ACR_LOA1) && strncmp(p, SSO_ACR_LOA1, n) == 0) ||
                     (n == strlen(SSO_ACR_LOA2) && strncmp(p, SSO_ACR_LOA2, n) == 0);
        if (n && !known)
            return false;
        p += n;
        while (*p == ' ')
            p++;
    }
    return true;
}

static int
fail(struct sso_authz_error *e, bool redirectable, const char *code, const char *desc)
{
    e->redirectable = redirectable;
    e->code = code;
    e->description = desc;
    return DD_EINVAL;
}

int
sso_authz_check(struct dd_db *db, struct dd_arena *a, const json_t *r, struct sso_client *c,
                bool client_known, struct sso_authz_error *e)
{
    memset(e, 0, sizeof *e);
    const char *client_id = sso_authz_get(r, "client_id");
    if (!client_known) {
        if (client_id == NULL)
            return fail(e, false, "invalid_request", "client_id is missing.");
        int rc = sso_client_get(db, a, client_id, c);
        if (rc == DD_ENOTFOUND || (rc == DD_OK && !c->active))
            return fail(e, false, "invalid_client", "The client is unknown or disabled.");
        if (rc != DD_OK)
            return rc;
    } else if (client_id && strcmp(client_id, c->client_id) != 0) {
        return fail(e, false, "invalid_request", "client_id is not the authenticated client.");
    }
    const char *redirect = sso_authz_get(r, "redirect_uri");
    if (redirect == NULL || !sso_client_has_uri(db, c->client_id, "redirect", redirect))
        return fail(e, false, "invalid_request",
                    "redirect_uri is missing or not registered for this client.");
    if (strcmp(c->grant_type, "authorization_code") != 0)
        return fail(e, true, "unauthorized_client", "This client may not use the code flow.");
    const char *type = sso_authz_get(r, "response_type");
    if (type == NULL || strcmp(type, "code") != 0)
        return fail(e, true, "unsupported_response_type", "Only response_type=code is supported.");
    const char *mode = sso_authz_get(r, "response_mode");
    if (mode && strcmp(mode, "query") != 0)
        return fail(e, true, "invalid_request", "Only response_mode=query is supported.");
    const char *scope = sso_authz_get(r, "scope");
    if (scope == NULL || !sso_has_word(scope, "openid"))
        return fail(e, true, "invalid_scope", "The scope must include openid.");
    if (!sso_scopes_within(scope, c->scopes))
        return fail(e, true, "invalid_scope", "A requested scope is not allowed for this client.");
    const char *method = sso_authz_get(r, "code_challenge_method");
    if (!challenge_ok(sso_authz_get(r, "code_challenge")))
        return fail(e, true, "invalid_request",
                    "PKCE is required: code_challenge is missing or "
                    "malformed.");
    if (method == NULL || strcmp(method, "S256") != 0)
        return fail(e, true, "invalid_request", "code_challenge_method must be S256.");
    const char *acr = sso_authz_get(r, "acr_values");
    if (acr && !acr_values_ok(acr))
        return fail(e, true, "invalid_request", "acr_values names an unknown level.");
    const char *prompt = sso_authz_get(r, "prompt");
    if (prompt && strcmp(prompt, "none") != 0 && strcmp(prompt, "login") != 0 &&
        strcmp(prompt, "consent") != 0)
        return fail(e, true, "invalid_request", "prompt must be none, login or consent.");
    const char *max_age = sso_authz_get(r, "max_age");
    int64_t age;
    if (max_age && dd_parse_int64(max_age, 0, 366L * 86400, &age) != DD_OK)
        return fail(e, true, "invalid_request", "max_age must be a number of seconds.");
    const char *state = sso_authz_get(r, "state"), *nonce = sso_authz_get(r, "nonce");
    if ((state && strlen(state) > 512) || (nonce && strlen(nonce) > 512))
        return fail(e, true, "invalid_request", "state or nonce is too long.");
    return DD_OK;
}
