/*
 * tokens.c — the tokens the provider mints: JWT access tokens (RFC 9068, typ at+jwt) and ID
 * tokens, both ES256 with the current key, plus random opaque values (codes, refresh tokens)
 * and the subject a client sees (the account id, or a pairwise value per client).
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "crypto/hash.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <string.h>

const char *
sso_random_token(struct dd_arena *a, const char *prefix)
{
    unsigned char rnd[32];
    dd_random_bytes(rnd, sizeof rnd);
    char text[DD_B64URL_LEN(32) + 1];
    dd_b64url_encode(rnd, sizeof rnd, text, sizeof text);
    return dd_arena_concat(a, prefix, text);
}

/* Refresh tokens read "ddr_<12 hex digits: milliseconds of issue>.<32 random bytes, base64url>".
 * The time makes keys issued one after another sort one after another (see sso_refresh_key). */
#define REFRESH_PREFIX      "ddr_"
#define REFRESH_TIME_DIGITS 12

const char *
sso_refresh_token_new(struct dd_arena *a)
{
    char prefix[sizeof REFRESH_PREFIX + REFRESH_TIME_DIGITS + 1];
    snprintf(prefix, sizeof prefix, REFRESH_PREFIX "%0*llx.", REFRESH_TIME_DIGITS,
             (unsigned long long)dd_clock_now_ms());
    return sso_random_token(a, prefix);
}

const char *
sso_refresh_key(struct dd_arena *a, const char *token)
{
    const char *hash = sso_hash(a, token);
    size_t prefix = strlen(REFRESH_PREFIX);
    if (strncmp(token, REFRESH_PREFIX, prefix) != 0)
        return hash;
    const char *time = token + prefix;
    if (strspn(time, "0123456789abcdef") != REFRESH_TIME_DIGITS || time[REFRESH_TIME_DIGITS] != '.')
        return hash; /* issued before the time was part of the token */
    char time_dot[REFRESH_TIME_DIGITS + 2];
    memcpy(time_dot, time, REFRESH_TIME_DIGITS + 1); /* the digits and their dot */
    time_dot[REFRESH_TIME_DIGITS + 1] = '\0';
    return dd_arena_concat(a, time_dot, hash);
}

const char *
sso_hash(struct dd_arena *a, const char *token)
{
    char *out = dd_arena_alloc(a, 2 * DD_SHA256_LEN + 1);
    dd_sha256_hex(token, strlen(token), out);
    return out;
}

const char *
sso_time(struct dd_arena *a, int64_t plus_seconds)
{
    char *out = dd_arena_alloc(a, 32);
    dd_clock_iso8601(dd_clock_now_ms() + plus_seconds * 1000, out);
    return out;
}

const char *
sso_subject(struct dd_arena *a, const struct sso_grant *g)
{
    if (!g->pairwise)
        return dd_arena_printf(a, "%lld", (long long)g->account_id);
    char input[160];
    int n = snprintf(input, sizeof input, "%s|%lld", g->client_id, (long long)g->account_id);
    unsigned char mac[32];
    unsigned int maclen = sizeof mac;
    HMAC(EVP_sha256(), sso_settings.pairwise_key, sizeof sso_settings.pairwise_key,
         (const unsigned char *)input, (size_t)n, mac, &maclen);
    char *out = dd_arena_alloc(a, DD_B64URL_LEN(32) + 1);
    dd_b64url_encode(mac, sizeof mac, out, DD_B64URL_LEN(32) + 1);
    return out;
}

int
sso_sign_text(struct dd_req *req, const char *typ, const char *payload, const char **token)
{
    EVP_PKEY *key;
    char kid[64];
    int rc = sso_key_current(&key, kid);
    if (rc != DD_OK)
        return rc;
    struct dd_buf b;
    dd_buf_init(&b, req->arena, DD_JWS_MAX);
    rc = dd_jws_sign_es256(&b, key, kid, typ, payload);
    EVP_PKEY_free(key);
    if (rc != DD_OK)
        return DD_EINTERNAL;
    *token = b.data;
    return DD_OK;
}

int
sso_sign(struct dd_req *req, const char *typ, json_t *payload, const char **token)
{
    return sso_sign_text(req, typ, dd_json_dump(req->arena, payload), token);
}

/* The amr list as a JSON array. */
static void
put_amr(struct dd_buf *b, const char *amr)
{
    dd_buf_puts(b, ",\"amr\":[");
    const char *p = amr ? amr : "";
    bool first = true;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n) {
            dd_buf_puts(b, first ? "\"" : ",\"");
            dd_buf_append(b, p, n);
            dd_buf_putc(b, '"');
            first = false;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    dd_buf_putc(b, ']');
}

/* The payload is written as text (not through jansson): this is the token endpoint's hot path. */
int
sso_access_token(struct dd_req *req, const struct sso_grant *g, const char **token,
                 const char **jti_out)
{
    int64_t now = dd_clock_now_ms() / 1000;
    const char *jti = sso_random_token(req->arena, "");
    const char *sub = g->account_id ? sso_subject(req->arena, g) : g->client_id;
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 8192);
    int rc = dd_buf_putc(&b, '{');
    rc |= dd_buf_json_str(&b, "iss", sso_settings.issuer);
    rc |= dd_buf_json_str(&b, "sub", sub);
    rc |= dd_buf_json_str(&b, "aud", sso_settings.issuer);
    rc |= dd_buf_json_str(&b, "client_id", g->client_id);
    rc |= dd_buf_json_str(&b, "jti", jti);
    rc |= dd_buf_json_int(&b, "iat", now);
    rc |= dd_buf_json_int(&b, "exp", now + SSO_ACCESS_TTL);
    rc |= dd_buf_json_str(&b, "scope", g->scope);
    if (g->account_id) {
        rc |= dd_buf_json_int(&b, "auth_time", g->auth_time);
        rc |= dd_buf_json_str(&b, "acr", g->acr);
        put_amr(&b, g->amr);
        if (g->sid && g->sid[0])
            rc |= dd_buf_json_str(&b, "sid", g->sid);
        if (g->family_id)
            rc |= dd_buf_json_str(&b, "fid", g->family_id);
    }
    if ((rc | dd_buf_putc(&b, '}')) != DD_OK)
        return DD_ETOOBIG;
    if (jti_out)
        *jti_out = jti;
    return sso_sign_text(req, "at+jwt", b.data, token);
}

/* Written as text too: a refresh makes one with each access token. */
int
sso_id_token(struct dd_req *req, const struct sso_grant *g, const char *access_token,
             const char **token)
{
    int64_t now = dd_clock_now_ms() / 1000;
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 8192);
    int rc = dd_buf_putc(&b, '{');
    rc |= dd_buf_json_str(&b, "iss", sso_settings.issuer);
    rc |= dd_buf_json_str(&b, "sub", sso_subject(req->arena, g));
    rc |= dd_buf_json_str(&b, "aud", g->client_id);
    rc |= dd_buf_json_int(&b, "iat", now);
    rc |= dd_buf_json_int(&b, "exp", now + SSO_ID_TTL);
    rc |= dd_buf_json_int(&b, "auth_time", g->auth_time);
    rc |= dd_buf_json_str(&b, "acr", g->acr);
    put_amr(&b, g->amr);
    if (g->nonce && g->nonce[0])
        rc |= dd_buf_json_str(&b, "nonce", g->nonce);
    if (g->sid && g->sid[0])
        rc |= dd_buf_json_str(&b, "sid", g->sid);
    rc |= dd_buf_json_str(&b, "azp", g->client_id);
    if (access_token) {
        unsigned char digest[SHA256_DIGEST_LENGTH];
        dd_sha256(access_token, strlen(access_token), digest);
        char half[DD_B64URL_LEN(16) + 1];
        dd_b64url_encode(digest, 16, half, sizeof half);
        rc |= dd_buf_json_str(&b, "at_hash", half);
    }
    if ((rc | dd_buf_putc(&b, '}')) != DD_OK)
        return DD_ETOOBIG;
    return sso_sign_text(req, NULL, b.data, token);
}

int
sso_access_token_verify(struct dd_arena *a, const char *token, json_t **payload)
{
    struct dd_jws jws;
    if (dd_jws_parse(a, token, &jws) != DD_OK || jws.alg != DD_JWS_ES256 || jws.typ == NULL ||
        strcmp(jws.typ, "at+jwt") != 0)
        return DD_EDENIED;
    EVP_PKEY *key = sso_key_find(jws.kid);
    if (key == NULL)
        return DD_EDENIED;
    int rc = dd_jws_verify(&jws, key);
    EVP_PKEY_free(key);
    if (rc != DD_OK)
        return DD_EDENIED;
    const char *iss = dd_jwt_str(jws.payload, "iss");
    if (iss == NULL || strcmp(iss, sso_settings.issuer) != 0 ||
        dd_jwt_check_times(jws.payload, dd_clock_now_ms() / 1000, 0) != DD_OK ||
        dd_jwt_str(jws.payload, "jti") == NULL || dd_jwt_str(jws.payload, "client_id") == NULL)
        return DD_EDENIED;
    *payload = jws.payload;
    return DD_OK;
}

static const char live_sql[] =
    "SELECT (SELECT count(*) FROM sso_revoked_jti WHERE jti = ?), "
    "(SELECT count(*) FROM sso_clients WHERE client_id = ? AND status = 'active'), "
    "(SELECT count(*) FROM sso_families WHERE id = ? AND revoked_at = '')";

int
sso_access_token_live(struct dd_db *db, const json_t *payload)
{
    const char *fid = dd_jwt_str(payload, "fid");
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, live_sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, dd_jwt_str(payload, "jti"));
    dd_stmt_bind_text(st, 2, dd_jwt_str(payload, "client_id"));
    dd_stmt_bind_text(st, 3, fid ? fid : "");
    rc = dd_stmt_step(st);
    bool live = rc == DD_DB_ROW && dd_stmt_int64(st, 0) == 0 && dd_stmt_int64(st, 1) == 1 &&
                (fid == NULL || dd_stmt_int64(st, 2) == 1);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return live ? DD_OK : DD_EDENIED;
}
