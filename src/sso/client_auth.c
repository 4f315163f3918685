/*
 * client_auth.c — who is calling the token, PAR, introspection and revocation endpoints.
 *
 * Three ways, exactly one per request: HTTP Basic with the client id and secret
 * (client_secret_basic; the secret's SHA-256 compared in constant time), a signed client
 * assertion (private_key_jwt, RFC 7523: iss = sub = client id, aud naming the issuer or the
 * endpoint, expiring within five minutes, its jti refused the second time, signed ES256, RS256
 * or PS256 with a key of the client's registered JWKS), or the client id alone for a public
 * client. Any failure is 401 invalid_client with no hint of which check failed.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "crypto/hash.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

static int
invalid_client(struct dd_req *req)
{
    sso_oauth_error(req, 401, "invalid_client", "Client authentication failed.");
    return DD_EDENIED;
}

/* Splits `Basic base64(id:secret)` into the arena. */
static bool
basic_credentials(struct dd_req *req, const char *header, const char **id, const char **secret)
{
    if (strncasecmp(header, "Basic ", 6) != 0)
        return false;
    const char *b64 = header + 6;
    size_t n = strlen(b64);
    if (n == 0 || n > 1024 || n % 4 != 0)
        return false;
    unsigned char *out = dd_arena_alloc(req->arena, n);
    int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
    if (len < 0)
        return false;
    if (b64[n - 1] == '=')
        len--;
    if (b64[n - 2] == '=')
        len--;
    out[len] = '\0';
    if (memchr(out, '\0', (size_t)len) != NULL)
        return false;
    char *colon = strchr((char *)out, ':');
    if (colon == NULL)
        return false;
    /* Both parts are form-urlencoded first (RFC 6749 §2.3.1). */
    *id = sso_form_decode(req->arena, (const char *)out, (size_t)(colon - (char *)out));
    *secret = sso_form_decode(req->arena, colon + 1, strlen(colon + 1));
    return *id != NULL && *secret != NULL;
}

static bool
secret_matches(const struct sso_client *c, const char *secret)
{
    char hash[65];
    dd_sha256_hex(secret, strlen(secret), hash);
    return strlen(c->secret_hash) == 64 && CRYPTO_memcmp(hash, c->secret_hash, 64) == 0;
}

/* Verifies the assertion with the client's keys: the one named by kid, or each that fits. */
static bool
assertion_signed_by_client(struct dd_arena *a, const struct sso_client *c, const struct dd_jws *jws)
{
    json_t *doc = json_loads(c->jwks, 0, NULL);
    if (doc)
        dd_json_keep(a, doc);
    json_t *keys = json_object_get(doc, "keys");
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *kid = json_string_value(json_object_get(k, "kid"));
        if (jws->kid && (kid == NULL || strcmp(kid, jws->kid) != 0))
            continue;
        EVP_PKEY *pkey = NULL;
        bool ok = dd_jwk_parse(k, &pkey) == DD_OK && dd_jws_verify(jws, pkey) == DD_OK;
        EVP_PKEY_free(pkey);
        if (ok)
            return true;
    }
    return false;
}

/* Records the assertion's jti; false if it was seen before. Now and then clears old ones. */
static int
jti_first_use(struct dd_db *db, struct dd_arena *a, const char *client_id, const char *jti,
              int64_t exp)
{
    char expires[32];
    dd_clock_iso8601((exp + SSO_LEEWAY) * 1000, expires);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO sso_assertion_jti (client_id, jti, expires_at) VALUES "
                           "(?, ?, ?) ON CONFLICT DO NOTHING",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, client_id);
    dd_stmt_bind_text(st, 2, jti);
    dd_stmt_bind_text(st, 3, expires);
    rc = dd_stmt_step(st);
    int64_t added = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    unsigned char r;
    dd_random_bytes(&r, 1);
    if (r < 4 &&
        dd_db_prepare(db, "DELETE FROM sso_assertion_jti WHERE expires_at < ?", &st) == DD_OK) {
        dd_stmt_bind_text(st, 1, sso_time(a, 0));
        dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    return added == 1 ? DD_OK : DD_EEXIST;
}

static int
assertion_auth(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
               const char *endpoint_url, struct sso_client *out)
{
    const char *assertion = sso_form_get(f, "client_assertion");
    struct dd_jws jws;
    if (dd_jws_parse(req->arena, assertion, &jws) != DD_OK)
        return invalid_client(req);
    const char *iss = dd_jwt_str(jws.payload, "iss");
    const char *sub = dd_jwt_str(jws.payload, "sub");
    const char *jti = dd_jwt_str(jws.payload, "jti");
    const char *given_id = sso_form_get(f, "client_id");
    if (iss == NULL || sub == NULL || strcmp(iss, sub) != 0 || jti == NULL || jti[0] == '\0' ||
        strlen(jti) > 200 || (given_id && strcmp(given_id, iss) != 0))
        return invalid_client(req);
    int rc = sso_client_get(db, req->arena, iss, out);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    if (rc == DD_ENOTFOUND || !out->active || strcmp(out->auth_method, "private_key_jwt") != 0)
        return invalid_client(req);
    int64_t now = dd_clock_now_ms() / 1000;
    int64_t exp = dd_jwt_int(jws.payload, "exp", 0);
    bool aud_ok = dd_jwt_aud_has(jws.payload, sso_settings.issuer) ||
                  dd_jwt_aud_has(jws.payload, sso_url(req->arena, "/sso/token")) ||
                  dd_jwt_aud_has(jws.payload, endpoint_url);
    if (!aud_ok || dd_jwt_check_times(jws.payload, now, SSO_LEEWAY) != DD_OK ||
        exp > now + SSO_ASSERTION_MAX + SSO_LEEWAY)
        return invalid_client(req);
    if (!assertion_signed_by_client(req->arena, out, &jws))
        return invalid_client(req);
    rc = jti_first_use(db, req->arena, out->client_id, jti, exp);
    if (rc == DD_EEXIST)
        return invalid_client(req);
    return rc;
}

int
sso_client_auth_or_reply(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                         const char *endpoint_url, struct sso_client *out)
{
    const char *header = dd_req_header(req, "Authorization");
    const char *assertion_type = sso_form_get(f, "client_assertion_type");
    bool has_assertion = sso_form_get(f, "client_assertion") != NULL;
    int methods = (header != NULL) + (assertion_type != NULL || has_assertion);
    if (methods > 1 || sso_form_get(f, "client_secret") != NULL)
        return invalid_client(req);
    if (has_assertion || assertion_type) {
        if (assertion_type == NULL || strcmp(assertion_type, ASSERTION_TYPE) != 0 || !has_assertion)
            return invalid_client(req);
        return assertion_auth(req, db, f, endpoint_url, out);
    }
    const char *id = sso_form_get(f, "client_id"), *secret = NULL;
    if (header && !basic_credentials(req, header, &id, &secret))
        return invalid_client(req);
    if (header && sso_form_get(f, "client_id") && strcmp(sso_form_get(f, "client_id"), id) != 0)
        return invalid_client(req);
    if (id == NULL)
        return invalid_client(req);
    int rc = sso_client_get(db, req->arena, id, out);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    if (rc == DD_ENOTFOUND || !out->active)
        return invalid_client(req);
    if (strcmp(out->auth_method, "client_secret_basic") != 0)
        return strcmp(out->auth_method, "none") == 0 && header == NULL ? DD_OK
                                                                       : invalid_client(req);
    if (secret && secret_matches(out, secret))
        return DD_OK;
    /* What the cache holds may predate a rotation made by another process: ask the database. */
    rc = sso_client_read(db, req->arena, id, out);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    return rc == DD_OK && out->active && secret && secret_matches(out, secret)
               ? DD_OK
               : invalid_client(req);
}

int
sso_client_request(struct dd_req *req, const char *path, struct dd_db **db, struct sso_form *f,
                   struct sso_client *client)
{
    /* Never DD_DONE once answered: it equals DD_OK, and the caller would go on. */
    *db = dd_req_db_or_reply(req);
    if (*db == NULL)
        return DD_EDENIED;
    sso_form_of_request(req, f);
    if (f->invalid || f->duplicate) {
        sso_oauth_error(req, 400, "invalid_request",
                        "The form is malformed or repeats a parameter.");
        return DD_EDENIED;
    }
    int rc = sso_client_auth_or_reply(req, *db, f, sso_url(req->arena, path), client);
    if (rc != DD_OK && req->replied)
        return DD_EDENIED;
    return rc;
}
