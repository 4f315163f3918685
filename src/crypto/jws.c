/*
 * jws.c — compact JWS with ES256 signing and ES256/RS256/PS256 verification, JWK reading and
 * writing, and RFC 7638 thumbprints, on OpenSSL 3's EVP interface (jws.h).
 *
 * ECDSA signatures travel in JWS as the two 32-byte integers r and s side by side; OpenSSL
 * speaks DER. The conversion both ways is here, and nowhere else.
 */
#include "crypto/jws.h"
#include "crypto/ecdsa_ahead.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "crypto/hash.h"
#include "base/json.h"
#include "base/mem.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define P256_BYTES 32

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
dd_b64url_encode(const void *p, size_t n, char *out, size_t outsize)
{
    if (outsize < DD_B64URL_LEN(n) + 1)
        return DD_ETOOBIG;
    const unsigned char *s = p;
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
        out[o++] = b64url_alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
    return DD_OK;
}

static int
b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

int
dd_b64url_decode(const char *s, size_t n, unsigned char *out, size_t outsize, size_t *outlen)
{
    if (n % 4 == 1)
        return DD_EINVAL;
    size_t need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (need > outsize)
        return DD_ETOOBIG;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value(s[i]);
        if (v < 0)
            return DD_EINVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return DD_EINVAL;
    *outlen = o;
    return DD_OK;
}

enum dd_jws_alg
dd_jws_alg_from_name(const char *name)
{
    if (name == NULL)
        return DD_JWS_ALG_REFUSED;
    if (strcmp(name, "ES256") == 0)
        return DD_JWS_ES256;
    if (strcmp(name, "RS256") == 0)
        return DD_JWS_RS256;
    if (strcmp(name, "PS256") == 0)
        return DD_JWS_PS256;
    return DD_JWS_ALG_REFUSED;
}

/* ---- JWK ---- */

/* Decodes a base64url member into out (exactly `want` bytes unless want is 0); *len gets the
 * length. */
static int
member_bytes(const json_t *jwk, const char *name, unsigned char *out, size_t outsize, size_t want,
             size_t *len)
{
    const json_t *v = json_object_get(jwk, name);
    if (!json_is_string(v))
        return DD_EINVAL;
    const char *s = json_string_value(v);
    if (dd_b64url_decode(s, strlen(s), out, outsize, len) != DD_OK)
        return DD_EINVAL;
    if ((want && *len != want) || *len == 0)
        return DD_EINVAL;
    return DD_OK;
}

static int
pkey_from_params(const char *type, OSSL_PARAM_BLD *bld, int selection, EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    int rc = DD_EINVAL;
    *out = NULL;
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, out, selection, params) == 1)
        rc = DD_OK;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return rc;
}

/* Checks that a key read from numbers is sound: the point on the curve, the private key
 * matching it. */
static int
key_check(EVP_PKEY *key, bool private_key)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    int ok = ctx && (private_key ? EVP_PKEY_pairwise_check(ctx) : EVP_PKEY_public_check(ctx));
    EVP_PKEY_CTX_free(ctx);
    return ok == 1 ? DD_OK : DD_EINVAL;
}

static int
jwk_parse_ec(const json_t *jwk, EVP_PKEY **out)
{
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    if (crv == NULL || strcmp(crv, "P-256") != 0)
        return DD_EINVAL;
    unsigned char point[1 + 2 * P256_BYTES], d[P256_BYTES];
    size_t len;
    point[0] = 0x04;
    if (member_bytes(jwk, "x", point + 1, P256_BYTES, P256_BYTES, &len) != DD_OK ||
        member_bytes(jwk, "y", point + 1 + P256_BYTES, P256_BYTES, P256_BYTES, &len) != DD_OK)
        return DD_EINVAL;
    bool private_key = json_object_get(jwk, "d") != NULL;
    if (private_key && member_bytes(jwk, "d", d, sizeof d, P256_BYTES, &len) != DD_OK)
        return DD_EINVAL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn = private_key ? BN_bin2bn(d, P256_BYTES, NULL) : NULL;
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
    if (bn)
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn);
    int rc = pkey_from_params("EC", bld, private_key ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, out);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(bn);
    OPENSSL_cleanse(d, sizeof d);
    if (rc == DD_OK && key_check(*out, private_key) != DD_OK) {
        EVP_PKEY_free(*out);
        *out = NULL;
        rc = DD_EINVAL;
    }
    return rc;
}

static int
jwk_parse_rsa(const json_t *jwk, EVP_PKEY **out)
{
    if (json_object_get(jwk, "d") != NULL) /* a client never sends its private key */
        return DD_EINVAL;
    unsigned char n[1024], e[16];
    size_t nlen, elen;
    if (member_bytes(jwk, "n", n, sizeof n, 0, &nlen) != DD_OK ||
        member_bytes(jwk, "e", e, sizeof e, 0, &elen) != DD_OK)
        return DD_EINVAL;
    BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
    BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
    int rc = DD_EINVAL;
    if (bn_n && bn_e && BN_num_bits(bn_n) >= 2048) {
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
        rc = pkey_from_params("RSA", bld, EVP_PKEY_PUBLIC_KEY, out);
        OSSL_PARAM_BLD_free(bld);
    }
    BN_free(bn_n);
    BN_free(bn_e);
    return rc;
}

int
dd_jwk_parse(const json_t *jwk, EVP_PKEY **out)
{
    *out = NULL;
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    if (!json_is_object(jwk) || kty == NULL)
        return DD_EINVAL;
    if (strcmp(kty, "EC") == 0)
        return jwk_parse_ec(jwk, out);
    if (strcmp(kty, "RSA") == 0)
        return jwk_parse_rsa(jwk, out);
    return DD_EINVAL;
}

/* The base64url text of a big number, left-padded to `width` bytes (0: its own length). */
static int
bn_param_b64(EVP_PKEY *key, const char *name, size_t width, char *out, size_t outsize)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
        return DD_EINVAL;
    unsigned char bytes[1024];
    size_t n = width ? width : (size_t)BN_num_bytes(bn);
    int rc = DD_EINVAL;
    if (n <= sizeof bytes && BN_bn2binpad(bn, bytes, (int)n) == (int)n)
        rc = dd_b64url_encode(bytes, n, out, outsize);
    BN_free(bn);
    return rc;
}

static bool
is_p256(EVP_PKEY *key)
{
    char group[32];
    size_t len;
    return EVP_PKEY_is_a(key, "EC") &&
           EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &len) == 1 &&
           strcmp(group, "prime256v1") == 0;
}

json_t *
dd_jwk_public_ec(EVP_PKEY *key, const char *kid)
{
    char x[64], y[64];
    if (!is_p256(key) || bn_param_b64(key, OSSL_PKEY_PARAM_EC_PUB_X, P256_BYTES, x, sizeof x) ||
        bn_param_b64(key, OSSL_PKEY_PARAM_EC_PUB_Y, P256_BYTES, y, sizeof y))
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x,
                     "y", y, "kid", kid, "use", "sig", "alg", "ES256");
}

int
dd_jwk_thumbprint(EVP_PKEY *key, char out[44])
{
    char text[1500];
    int n;
    if (is_p256(key)) {
        char x[64], y[64];
        if (bn_param_b64(key, OSSL_PKEY_PARAM_EC_PUB_X, P256_BYTES, x, sizeof x) ||
            bn_param_b64(key, OSSL_PKEY_PARAM_EC_PUB_Y, P256_BYTES, y, sizeof y))
            return DD_EINVAL;
        n = snprintf(text, sizeof text,
                     "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
    } else if (EVP_PKEY_is_a(key, "RSA")) {
        char modulus[1400], e[32];
        if (bn_param_b64(key, OSSL_PKEY_PARAM_RSA_N, 0, modulus, sizeof modulus) ||
            bn_param_b64(key, OSSL_PKEY_PARAM_RSA_E, 0, e, sizeof e))
            return DD_EINVAL;
        n = snprintf(text, sizeof text, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e, modulus);
    } else {
        return DD_EINVAL;
    }
    if (n < 0 || (size_t)n >= sizeof text)
        return DD_EINVAL;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    dd_sha256(text, (size_t)n, digest);
    return dd_b64url_encode(digest, sizeof digest, out, 44);
}

/* ---- signing ---- */

/* DER ECDSA signature → raw r||s (64 bytes). */
static int
der_to_raw(const unsigned char *der, size_t len, unsigned char raw[2 * P256_BYTES])
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    if (sig == NULL)
        return DD_EINVAL;
    const BIGNUM *r, *s;
    ECDSA_SIG_get0(sig, &r, &s);
    int ok = BN_bn2binpad(r, raw, P256_BYTES) == P256_BYTES &&
             BN_bn2binpad(s, raw + P256_BYTES, P256_BYTES) == P256_BYTES;
    ECDSA_SIG_free(sig);
    return ok ? DD_OK : DD_EINVAL;
}

/* Raw r||s → DER, into der (at most 80 bytes for P-256). */
static int
raw_to_der(const unsigned char *raw, unsigned char *der, size_t dersize, size_t *derlen)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, P256_BYTES, NULL);
    BIGNUM *s = BN_bin2bn(raw + P256_BYTES, P256_BYTES, NULL);
    if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return DD_EINVAL;
    }
    int n = i2d_ECDSA_SIG(sig, NULL);
    int rc = DD_EINVAL;
    if (n > 0 && (size_t)n <= dersize) {
        unsigned char *p = der;
        *derlen = (size_t)i2d_ECDSA_SIG(sig, &p);
        rc = DD_OK;
    }
    ECDSA_SIG_free(sig);
    return rc;
}

static int
append_b64(struct dd_buf *out, const void *p, size_t n)
{
    char tmp[DD_B64URL_LEN(DD_JWS_MAX) + 1];
    if (DD_B64URL_LEN(n) + 1 > sizeof tmp)
        return DD_ETOOBIG;
    dd_b64url_encode(p, n, tmp, sizeof tmp);
    return dd_buf_puts(out, tmp);
}

/* Each thread keeps a signing context for the last key it used: setting one up costs an
 * algorithm lookup in OpenSSL 3's providers, which would otherwise be paid for every token. The
 * context holds a reference to its key, freed when the thread ends. */
struct sign_cache {
    EVP_PKEY *key;
    EVP_PKEY_CTX *ctx;
};

static pthread_key_t sign_cache_key;
static pthread_once_t sign_cache_once = PTHREAD_ONCE_INIT;

static void
sign_cache_free(void *p)
{
    struct sign_cache *c = p;
    EVP_PKEY_CTX_free(c->ctx);
    EVP_PKEY_free(c->key);
    free(c);
}

static void
sign_cache_init(void)
{
    pthread_key_create(&sign_cache_key, sign_cache_free);
}

static EVP_PKEY_CTX *
sign_ctx(EVP_PKEY *key)
{
    pthread_once(&sign_cache_once, sign_cache_init);
    struct sign_cache *c = pthread_getspecific(sign_cache_key);
    if (c == NULL) {
        c = dd_xcalloc(1, sizeof *c);
        pthread_setspecific(sign_cache_key, c);
    }
    if (c->key == key)
        return c->ctx;
    EVP_PKEY_CTX_free(c->ctx);
    EVP_PKEY_free(c->key);
    c->key = NULL;
    c->ctx = is_p256(key) ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
    if (c->ctx == NULL || EVP_PKEY_sign_init(c->ctx) != 1) {
        EVP_PKEY_CTX_free(c->ctx);
        c->ctx = NULL;
        return NULL;
    }
    EVP_PKEY_up_ref(key);
    c->key = key;
    return c->ctx;
}

int
dd_jws_sign_es256(struct dd_buf *out, EVP_PKEY *key, const char *kid, const char *typ,
                  const char *payload)
{
    char header[256];
    int hn = typ ? snprintf(header, sizeof header,
                            "{\"alg\":\"ES256\",\"typ\":\"%s\",\"kid\":\"%s\"}", typ, kid)
                 : snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", kid);
    if (hn < 0 || (size_t)hn >= sizeof header)
        return DD_EINVAL;
    size_t start = out->len;
    int rc = append_b64(out, header, (size_t)hn);
    if (rc == DD_OK)
        rc = dd_buf_putc(out, '.');
    if (rc == DD_OK)
        rc = append_b64(out, payload, strlen(payload));
    if (rc != DD_OK)
        return rc;
    unsigned char digest[SHA256_DIGEST_LENGTH], der[80], raw[2 * P256_BYTES];
    dd_sha256(out->data + start, out->len - start, digest);
    rc = dd_ecdsa_ahead_sign(key, digest, raw);
    if (rc == DD_ENOTFOUND) { /* no precomputed half ready: sign in full */
        size_t derlen = sizeof der;
        EVP_PKEY_CTX *ctx = sign_ctx(key);
        rc = ctx && EVP_PKEY_sign(ctx, der, &derlen, digest, sizeof digest) == 1
                 ? der_to_raw(der, derlen, raw)
                 : DD_EINVAL;
    }
    if (rc != DD_OK)
        return DD_EINVAL;
    rc = dd_buf_putc(out, '.');
    return rc == DD_OK ? append_b64(out, raw, sizeof raw) : rc;
}

/* ---- parsing and verifying ---- */

/* Decodes one base64url part holding a JSON object into the arena. */
static json_t *
decode_json_part(struct dd_arena *a, const char *s, size_t n)
{
    size_t cap = n / 4 * 3 + 3, len;
    unsigned char *bytes = dd_arena_alloc(a, cap + 1);
    if (dd_b64url_decode(s, n, bytes, cap, &len) != DD_OK)
        return NULL;
    struct dd_json_error err;
    json_t *v = dd_json_parse(a, (const char *)bytes, len, NULL, &err);
    return json_is_object(v) ? v : NULL;
}

int
dd_jws_parse(struct dd_arena *a, const char *compact, struct dd_jws *out)
{
    memset(out, 0, sizeof *out);
    size_t total = compact ? strlen(compact) : 0;
    if (total == 0 || total > DD_JWS_MAX)
        return DD_EINVAL;
    const char *dot1 = memchr(compact, '.', total);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', total - (size_t)(dot1 + 1 - compact)) : NULL;
    if (dot2 == NULL || memchr(dot2 + 1, '.', total - (size_t)(dot2 + 1 - compact)) != NULL)
        return DD_EINVAL;
    out->header = decode_json_part(a, compact, (size_t)(dot1 - compact));
    out->payload = decode_json_part(a, dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (out->header == NULL || out->payload == NULL)
        return DD_EINVAL;
    if (json_object_get(out->header, "crit") != NULL)
        return DD_EINVAL;
    out->alg = dd_jws_alg_from_name(json_string_value(json_object_get(out->header, "alg")));
    if (out->alg == DD_JWS_ALG_REFUSED)
        return DD_EINVAL;
    out->kid = json_string_value(json_object_get(out->header, "kid"));
    out->typ = json_string_value(json_object_get(out->header, "typ"));
    out->signing_input = compact;
    out->signing_len = (size_t)(dot2 - compact);
    const char *sig = dot2 + 1;
    if (dd_b64url_decode(sig, strlen(sig), out->sig, sizeof out->sig, &out->sig_len) != DD_OK)
        return DD_EINVAL;
    return DD_OK;
}

int
dd_jws_verify(const struct dd_jws *jws, EVP_PKEY *key)
{
    const unsigned char *sig = jws->sig;
    size_t siglen = jws->sig_len;
    unsigned char der[80];
    if (jws->alg == DD_JWS_ES256) {
        if (!is_p256(key) || siglen != 2 * P256_BYTES ||
            raw_to_der(jws->sig, der, sizeof der, &siglen) != DD_OK)
            return DD_EDENIED;
        sig = der;
    } else if (jws->alg == DD_JWS_RS256 || jws->alg == DD_JWS_PS256) {
        if (!EVP_PKEY_is_a(key, "RSA"))
            return DD_EDENIED;
    } else {
        return DD_EDENIED;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = md && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) == 1;
    if (ok && jws->alg == DD_JWS_PS256)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
    if (ok)
        ok = EVP_DigestVerify(md, sig, siglen, (const unsigned char *)jws->signing_input,
                              jws->signing_len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? DD_OK : DD_EDENIED;
}

/* ---- claims ---- */

int64_t
dd_jwt_int(const json_t *payload, const char *name, int64_t fallback)
{
    const json_t *v = json_object_get(payload, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

const char *
dd_jwt_str(const json_t *payload, const char *name)
{
    return json_string_value(json_object_get(payload, name));
}

bool
dd_jwt_aud_has(const json_t *payload, const char *aud)
{
    const json_t *v = json_object_get(payload, "aud");
    if (json_is_string(v))
        return strcmp(json_string_value(v), aud) == 0;
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), aud) == 0)
            return true;
    }
    return false;
}

int
dd_jwt_check_times(const json_t *payload, int64_t now, int64_t leeway)
{
    int64_t exp = dd_jwt_int(payload, "exp", INT64_MIN);
    if (exp == INT64_MIN || exp + leeway <= now)
        return DD_EDENIED;
    int64_t nbf = dd_jwt_int(payload, "nbf", INT64_MIN);
    if (nbf != INT64_MIN && nbf - leeway > now)
        return DD_EDENIED;
    int64_t iat = dd_jwt_int(payload, "iat", INT64_MIN);
    if (iat != INT64_MIN && iat - leeway > now)
        return DD_EDENIED;
    return DD_OK;
}
