/*
 * grant_code.c — exchanging an authorization code (RFC 6749 §4.1.3 with PKCE, RFC 7636).
 *
 * The code must be this client's, unexpired, for the same redirect URI, and its S256 challenge
 * must match the verifier. A code is used once: a second use revokes the refresh family (and so
 * the access tokens) the first use started (RFC 6749 §4.1.2). Success starts a refresh family and
 * answers an access token, an ID token (with the request's nonce) and a refresh token.
 */
#include "base/arena.h"
#include "base/err.h"
#include "crypto/hash.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

struct code_row {
    struct sso_grant grant;
    const char *redirect_uri;
    const char *challenge;
    const char *family_id; /* "" until used */
    bool used, expired;
};

static const char code_sql[] =
    "SELECT client_id, account_id, redirect_uri, scope, nonce, code_challenge, acr, amr, "
    "auth_time, sid, family_id, used_at, expires_at FROM sso_codes WHERE code_hash = ?";

static int
code_read(struct dd_req *req, struct dd_db *db, const char *code, struct code_row *out)
{
    memset(out, 0, sizeof *out);
    struct dd_arena *a = req->arena;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, code_sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, sso_hash(a, code));
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        out->grant.client_id = dd_arena_strdup(a, dd_stmt_text(st, 0));
        out->grant.account_id = dd_stmt_int64(st, 1);
        out->redirect_uri = dd_arena_strdup(a, dd_stmt_text(st, 2));
        out->grant.scope = dd_arena_strdup(a, dd_stmt_text(st, 3));
        out->grant.nonce = dd_arena_strdup(a, dd_stmt_text(st, 4));
        out->challenge = dd_arena_strdup(a, dd_stmt_text(st, 5));
        out->grant.acr = dd_arena_strdup(a, dd_stmt_text(st, 6));
        out->grant.amr = dd_arena_strdup(a, dd_stmt_text(st, 7));
        out->grant.auth_time = dd_stmt_int64(st, 8);
        out->grant.sid = dd_arena_strdup(a, dd_stmt_text(st, 9));
        out->family_id = dd_arena_strdup(a, dd_stmt_text(st, 10));
        out->used = dd_stmt_text(st, 11)[0] != '\0';
        out->expired = strcmp(dd_stmt_text(st, 12), sso_time(a, 0)) <= 0;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

/* RFC 7636 §4.1 verifier, and BASE64URL(SHA256(verifier)) == challenge. */
static bool
pkce_ok(const char *verifier, const char *challenge)
{
    size_t n = verifier ? strlen(verifier) : 0;
    if (n < 43 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = verifier[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.' || ch == '_' || ch == '~'))
            return false;
    }
    unsigned char digest[SHA256_DIGEST_LENGTH];
    dd_sha256(verifier, n, digest);
    char b64[DD_B64URL_LEN(32) + 1];
    dd_b64url_encode(digest, sizeof digest, b64, sizeof b64);
    return strlen(challenge) == strlen(b64) && CRYPTO_memcmp(b64, challenge, strlen(b64)) == 0;
}

static int
mark_used(struct dd_req *req, struct dd_db *db, const char *code, const char *family_id,
          bool *fresh)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sso_codes SET used_at = ?, family_id = ? WHERE code_hash = ? "
                           "AND used_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, sso_time(req->arena, 0));
    dd_stmt_bind_text(st, 2, family_id);
    dd_stmt_bind_text(st, 3, sso_hash(req->arena, code));
    rc = dd_stmt_step(st);
    *fresh = dd_stmt_changes(st) == 1;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
invalid_grant(struct dd_req *req, struct dd_db *db, const char *why)
{
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return sso_oauth_error(req, 400, "invalid_grant", why);
}

/* A reused code: revoke what its first use started, and refuse. */
static int
refuse_reuse(struct dd_req *req, struct dd_db *db, const struct code_row *row)
{
    int rc = row->family_id[0] ? sso_family_revoke(db, row->family_id, "code-reuse") : DD_OK;
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return invalid_grant(req, db, "The code was already used.");
    sso_audit(db, dd_arena_printf(req->arena, "client:%s", row->grant.client_id), "sso.code.reuse",
              row->grant.client_id,
              dd_arena_printf(req->arena, "{\"family\":\"%s\"}", row->family_id), req->request_id);
    return sso_oauth_error(req, 400, "invalid_grant", "The code was already used.");
}

int
sso_grant_code(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
               const struct sso_client *c)
{
    const char *code = sso_form_get(f, "code");
    const char *redirect = sso_form_get(f, "redirect_uri");
    const char *verifier = sso_form_get(f, "code_verifier");
    if (code == NULL || redirect == NULL)
        return sso_oauth_error(req, 400, "invalid_request", "code and redirect_uri are required.");
    if (verifier == NULL)
        return sso_oauth_error(req, 400, "invalid_request", "code_verifier is required (PKCE).");
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    struct code_row row;
    rc = code_read(req, db, code, &row);
    if (rc == DD_ENOTFOUND)
        return invalid_grant(req, db, "The code is unknown.");
    if (rc != DD_OK) {
        dd_db_rollback(db);
        return rc;
    }
    if (strcmp(row.grant.client_id, c->client_id) != 0)
        return invalid_grant(req, db, "The code was issued to another client.");
    if (row.used)
        return refuse_reuse(req, db, &row);
    if (row.expired)
        return invalid_grant(req, db, "The code has expired.");
    if (strcmp(row.redirect_uri, redirect) != 0)
        return invalid_grant(req, db, "redirect_uri differs from the authorization request's.");
    if (!pkce_ok(verifier, row.challenge))
        return invalid_grant(req, db, "The code_verifier does not match the challenge.");
    struct sso_session acct;
    rc = sso_account_get(db, req->arena, row.grant.account_id, &acct);
    if (rc == DD_ENOTFOUND)
        return invalid_grant(req, db, "The account can no longer log in.");
    row.grant.pairwise = c->pairwise;
    const char *family = NULL, *refresh = NULL;
    bool fresh = false;
    if (rc == DD_OK)
        rc = sso_family_create(req, db, &row.grant, &family, &refresh);
    if (rc == DD_OK)
        rc = mark_used(req, db, code, family, &fresh);
    if (rc == DD_OK && !fresh)
        return invalid_grant(req, db, "The code was already used.");
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        return rc;
    }
    row.grant.family_id = family;
    const char *access, *id_token, *jti;
    rc = sso_access_token(req, &row.grant, &access, &jti);
    if (rc == DD_OK)
        rc = sso_id_token(req, &row.grant, access, &id_token);
    if (rc != DD_OK)
        return rc;
    sso_audit(db, dd_arena_printf(req->arena, "client:%s", c->client_id), "sso.token.issue",
              c->client_id,
              dd_arena_printf(req->arena,
                              "{\"grant\":\"authorization_code\",\"account\":%lld,\"jti\":\"%s\"}",
                              (long long)row.grant.account_id, jti),
              req->request_id);
    return sso_token_reply(req, access, row.grant.scope, id_token, refresh);
}
