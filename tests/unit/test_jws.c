/*
 * test_jws.c — base64url, JWK, JWS and thumbprints (crypto/jws.h) against the specifications'
 * own examples: RFC 4648 §10 (base64url of "f", "fo", "foo"…), RFC 7515 appendix A.3 (ES256
 * with its P-256 key), RFC 7638 §3.1 (the thumbprint of its RSA key); RS256 and PS256 with a key
 * made here; ES256 signatures finished from precomputed halves (crypto/ecdsa_ahead.h), made in
 * batches, by the pool's thread or by a signature that found the pool empty; and the
 * refusals: alg none and HS256, a flipped signature, keys of the wrong kind, points off the
 * curve, short RSA keys, expired or not-yet-valid tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "crypto/ecdsa_ahead.h"
#include "crypto/jws.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* RFC 7515 A.3: the ES256 key and the signed JWS. */
#define A3_X      "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define A3_Y      "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
#define A3_D      "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
#define A3_HEADER "eyJhbGciOiJFUzI1NiJ9"
#define A3_PAYLOAD                                                                                 \
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl" \
    "fQ"
#define A3_SIG                                                                                     \
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

/* RFC 7638 §3.1: the RSA key and its thumbprint. */
#define RFC7638_N                                                                                  \
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"      \
    "BJECPe"                                                                                       \
    "bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY3" \
    "68QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM" \
    "4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
#define RFC7638_THUMBPRINT "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

static EVP_PKEY *
jwk(const char *json)
{
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    EVP_PKEY *k = NULL;
    int rc = dd_jwk_parse(j, &k);
    json_decref(j);
    return rc == DD_OK ? k : NULL;
}

static EVP_PKEY *
a3_public(void)
{
    EVP_PKEY *k = jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y "\"}");
    assert_non_null(k);
    return k;
}

static EVP_PKEY *
a3_private(void)
{
    EVP_PKEY *k = jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y
                      "\",\"d\":\"" A3_D "\"}");
    assert_non_null(k);
    return k;
}

static void
test_b64url_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char out[16];
        assert_int_equal(dd_b64url_encode(plain[i], strlen(plain[i]), out, sizeof out), DD_OK);
        assert_string_equal(out, coded[i]);
        unsigned char back[16];
        size_t n = 99;
        assert_int_equal(dd_b64url_decode(coded[i], strlen(coded[i]), back, sizeof back, &n),
                         DD_OK);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(back, plain[i], n);
    }
    /* The URL alphabet: 0xfb 0xff is "-_8", not "+/8". */
    char out[8];
    dd_b64url_encode("\xfb\xff", 2, out, sizeof out);
    assert_string_equal(out, "-_8");
    unsigned char b[8];
    size_t n;
    assert_int_equal(dd_b64url_decode("Zg==", 4, b, sizeof b, &n), DD_EINVAL);
    assert_int_equal(dd_b64url_decode("Z", 1, b, sizeof b, &n), DD_EINVAL);
    assert_int_equal(dd_b64url_decode("+/8", 3, b, sizeof b, &n), DD_EINVAL);
    assert_int_equal(dd_b64url_decode("Zh", 2, b, sizeof b, &n), DD_EINVAL); /* unused bits */
    assert_int_equal(dd_b64url_encode("foo", 3, out, 4), DD_ETOOBIG);
}

static void
test_rfc7515_a3_es256_verifies(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    EVP_PKEY *k = a3_public();
    struct dd_jws jws;
    assert_int_equal(dd_jws_parse(a, A3_HEADER "." A3_PAYLOAD "." A3_SIG, &jws), DD_OK);
    assert_int_equal(jws.alg, DD_JWS_ES256);
    assert_int_equal(jws.sig_len, 64);
    assert_string_equal(dd_jwt_str(jws.payload, "iss"), "joe");
    assert_int_equal(dd_jwt_int(jws.payload, "exp", 0), 1300819380);
    assert_int_equal(dd_jws_verify(&jws, k), DD_OK);
    /* The vector's exp has passed: the times are checked apart from the signature. */
    assert_int_equal(dd_jwt_check_times(jws.payload, 1300819300, 0), DD_OK);
    assert_int_equal(dd_jwt_check_times(jws.payload, 1300819380, 0), DD_EDENIED);
    /* One bit of the signature flipped (last character Q → R). */
    char bad[] = A3_HEADER "." A3_PAYLOAD "." A3_SIG;
    bad[strlen(bad) - 1] = 'R';
    assert_int_equal(dd_jws_parse(a, bad, &jws), DD_EINVAL); /* non-zero unused bits */
    bad[strlen(bad) - 2] = 'V';
    bad[strlen(bad) - 1] = 'Q';
    assert_int_equal(dd_jws_parse(a, bad, &jws), DD_OK);
    assert_int_equal(dd_jws_verify(&jws, k), DD_EDENIED);
    EVP_PKEY_free(k);
    dd_arena_free(a);
}

static void
test_es256_sign_with_the_a3_private_key(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    EVP_PKEY *priv = a3_private();
    assert_non_null(priv);
    struct dd_buf out;
    dd_buf_init(&out, a, DD_JWS_MAX);
    assert_int_equal(dd_jws_sign_es256(&out, priv, "k1", "at+jwt", "{\"sub\":\"7\",\"exp\":9}"),
                     DD_OK);
    struct dd_jws jws;
    assert_int_equal(dd_jws_parse(a, out.data, &jws), DD_OK);
    assert_string_equal(jws.kid, "k1");
    assert_string_equal(jws.typ, "at+jwt");
    assert_string_equal(dd_jwt_str(jws.payload, "sub"), "7");
    EVP_PKEY *pub = a3_public();
    assert_int_equal(dd_jws_verify(&jws, pub), DD_OK);
    /* The public JWK written for the JWKS is the RFC's x and y. */
    json_t *pj = dd_jwk_public_ec(priv, "k1");
    assert_string_equal(json_string_value(json_object_get(pj, "x")), A3_X);
    assert_string_equal(json_string_value(json_object_get(pj, "y")), A3_Y);
    assert_null(json_object_get(pj, "d"));
    assert_string_equal(json_string_value(json_object_get(pj, "alg")), "ES256");
    json_decref(pj);
    /* A JWK whose d does not match its point is refused. */
    EVP_PKEY *mismatched = jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y
                               "\",\"d\":\"jpsQnnGQmL-YBIffH1136cLnT8EgfH3cTzP9kGkoFtM\"}");
    assert_null(mismatched);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(priv);
    dd_arena_free(a);
}

/* Signs {"n":i} with priv and checks the JWS against pub; gives the signature's r (base64url
 * of its first 30 bytes: 40 characters). */
static void
sign_and_check(struct dd_arena *a, EVP_PKEY *priv, EVP_PKEY *pub, int i, char r[41])
{
    struct dd_buf out;
    dd_buf_init(&out, a, DD_JWS_MAX);
    char payload[32];
    snprintf(payload, sizeof payload, "{\"n\":%d}", i);
    assert_int_equal(dd_jws_sign_es256(&out, priv, "k1", NULL, payload), DD_OK);
    struct dd_jws jws;
    assert_int_equal(dd_jws_parse(a, out.data, &jws), DD_OK);
    assert_int_equal(dd_jws_verify(&jws, pub), DD_OK);
    const char *sig = strrchr(out.data, '.') + 1;
    assert_int_equal(strlen(sig), 86);
    memcpy(r, sig, 40);
    r[40] = '\0';
}

/* Signatures from the pool of precomputed halves (crypto/ecdsa_ahead.h) verify like those made in
 * full; no two share a nonce (their r differ); an empty or stopped pool falls back to signing in
 * full; a key of another curve is refused either way. */
static void
test_es256_signatures_made_ahead(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    EVP_PKEY *priv = a3_private();
    EVP_PKEY *pub = a3_public();
    enum { N = 40 };
    char r[2 * N][41];
    struct dd_ecdsa_ahead_stats before, after;
    dd_ecdsa_ahead_stats(&before);
    assert_int_equal(before.ready, 0);
    assert_int_equal(dd_ecdsa_ahead_fill(N), DD_OK);
    dd_ecdsa_ahead_stats(&after);
    assert_int_equal(after.ready, N);
    for (int i = 0; i < N; i++)
        sign_and_check(a, priv, pub, i, r[i]);
    dd_ecdsa_ahead_stats(&after);
    assert_int_equal(after.ready, 0);
    assert_int_equal(after.taken - before.taken, N);
    /* The pool is empty: the next ones are signed in full. */
    for (int i = N; i < 2 * N; i++)
        sign_and_check(a, priv, pub, i, r[i]);
    dd_ecdsa_ahead_stats(&after);
    assert_int_equal(after.taken - before.taken, N);
    assert_true(after.missed - before.missed >= N);
    for (int i = 0; i < 2 * N; i++)
        for (int j = i + 1; j < 2 * N; j++)
            assert_string_not_equal(r[i], r[j]);
    /* A P-384 key is refused, and the half it took is not given to anyone else. */
    assert_int_equal(dd_ecdsa_ahead_fill(1), DD_OK);
    EVP_PKEY *p384 = EVP_EC_gen("P-384");
    struct dd_buf out;
    dd_buf_init(&out, a, DD_JWS_MAX);
    assert_int_equal(dd_jws_sign_es256(&out, p384, "k2", NULL, "{}"), DD_EINVAL);
    dd_ecdsa_ahead_stats(&after);
    assert_int_equal(after.ready, 0);
    /* The thread fills the pool; stopping it wipes what is left. */
    dd_ecdsa_ahead_start();
    for (int i = 0; i < 3000; i++) {
        dd_ecdsa_ahead_stats(&after);
        if (after.ready >= 4)
            break;
        struct timespec ms = {0, 10 * 1000 * 1000};
        nanosleep(&ms, NULL);
    }
    assert_true(after.ready >= 4);
    sign_and_check(a, priv, pub, 0, r[0]);
    dd_ecdsa_ahead_stop();
    dd_ecdsa_ahead_stats(&after);
    assert_int_equal(after.ready, 0);
    sign_and_check(a, priv, pub, 1, r[1]);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(priv);
    dd_arena_free(a);
}

/* True when raw r||s is pub's signature of digest. */
static bool
raw_signature_verifies(EVP_PKEY *pub, const unsigned char digest[32], const unsigned char raw[64])
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
    assert_true(sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1);
    unsigned char *der = NULL;
    int derlen = i2d_ECDSA_SIG(sig, &der);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    bool ok = derlen > 0 && ctx && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_verify(ctx, der, (size_t)derlen, digest, 32) == 1;
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return ok;
}

/* While the filler runs, a signature never falls back to signing in full: one that finds the
 * pool empty (signing far faster than the filler makes halves, it soon does) makes a small batch
 * of halves on its own thread. Every signature verifies, and no two share r. */
static void
test_es256_pool_never_empty_while_filling(void **state)
{
    (void)state;
    EVP_PKEY *priv = a3_private();
    EVP_PKEY *pub = a3_public();
    enum { N = 3000 };
    unsigned char(*raw)[64] = calloc(N, 64);
    unsigned char digest[32];
    struct dd_ecdsa_ahead_stats before, after;
    dd_ecdsa_ahead_start();
    dd_ecdsa_ahead_stats(&before);
    for (int i = 0; i < N; i++) {
        memset(digest, i & 0xff, sizeof digest);
        assert_int_equal(dd_ecdsa_ahead_sign(priv, digest, raw[i]), DD_OK);
    }
    dd_ecdsa_ahead_stats(&after);
    dd_ecdsa_ahead_stop();
    assert_int_equal(after.taken - before.taken, N);
    for (int i = 0; i < N; i++) {
        memset(digest, i & 0xff, sizeof digest);
        assert_true(raw_signature_verifies(pub, digest, raw[i]));
    }
    for (int i = 1; i < N; i++)
        for (int j = 0; j < i; j++)
            assert_memory_not_equal(raw[i], raw[j], 32);
    free(raw);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(priv);
}

static void
test_rfc7638_thumbprint(void **state)
{
    (void)state;
    EVP_PKEY *k = jwk("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\",\"alg\":\"RS256\","
                      "\"kid\":\"2011-04-29\"}");
    assert_non_null(k);
    char tp[44];
    assert_int_equal(dd_jwk_thumbprint(k, tp), DD_OK);
    assert_string_equal(tp, RFC7638_THUMBPRINT);
    EVP_PKEY_free(k);
    /* An EC thumbprint is 43 characters and the same for the private and public forms. */
    EVP_PKEY *pub = a3_public();
    EVP_PKEY *priv = a3_private();
    char t1[44], t2[44];
    assert_int_equal(dd_jwk_thumbprint(pub, t1), DD_OK);
    assert_int_equal(dd_jwk_thumbprint(priv, t2), DD_OK);
    assert_int_equal(strlen(t1), 43);
    assert_string_equal(t1, t2);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(priv);
}

static void
test_refused_algorithms_and_keys(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    struct dd_jws jws;
    /* {"alg":"none"} and {"alg":"HS256"}: never parsed into something to verify. */
    assert_int_equal(dd_jws_parse(a, "eyJhbGciOiJub25lIn0." A3_PAYLOAD ".", &jws), DD_EINVAL);
    assert_int_equal(dd_jws_parse(a, "eyJhbGciOiJIUzI1NiJ9." A3_PAYLOAD "." A3_SIG, &jws),
                     DD_EINVAL);
    /* Not three parts, or a header that is not JSON. */
    assert_int_equal(dd_jws_parse(a, A3_HEADER "." A3_PAYLOAD, &jws), DD_EINVAL);
    assert_int_equal(dd_jws_parse(a, "Zm9v." A3_PAYLOAD "." A3_SIG, &jws), DD_EINVAL);
    assert_int_equal(dd_jws_parse(a, A3_HEADER "." A3_PAYLOAD "." A3_SIG ".x", &jws), DD_EINVAL);
    /* Keys: another curve, a symmetric key, a point off the curve, an unknown type. */
    assert_null(jwk("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y "\"}"));
    assert_null(jwk("{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T\"}"));
    assert_null(jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X
                    "\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1\"}"));
    assert_null(jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\"}"));
    /* RSA shorter than 2048 bits. */
    assert_null(
        jwk("{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4"
            "cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4"
            "Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQ\",\"e\":\"AQAB\"}"));
    /* An ES256 token is not checked with an RSA key. */
    EVP_PKEY *rsa = jwk("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\"}");
    assert_int_equal(dd_jws_parse(a, A3_HEADER "." A3_PAYLOAD "." A3_SIG, &jws), DD_OK);
    assert_int_equal(dd_jws_verify(&jws, rsa), DD_EDENIED);
    EVP_PKEY_free(rsa);
    dd_arena_free(a);
}

/* Signs header.payload with an RSA key (PKCS#1 v1.5 or PSS), as a client would. */
static char *
rsa_token(struct dd_arena *a, EVP_PKEY *key, bool pss)
{
    const char *header = pss ? "{\"alg\":\"PS256\",\"kid\":\"r\"}" : "{\"alg\":\"RS256\"}";
    const char *payload = "{\"iss\":\"c\",\"sub\":\"c\",\"exp\":2000000000}";
    struct dd_buf b;
    dd_buf_init(&b, a, DD_JWS_MAX);
    char tmp[1024];
    dd_b64url_encode(header, strlen(header), tmp, sizeof tmp);
    dd_buf_puts(&b, tmp);
    dd_buf_putc(&b, '.');
    dd_b64url_encode(payload, strlen(payload), tmp, sizeof tmp);
    dd_buf_puts(&b, tmp);
    unsigned char sig[512];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_int_equal(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key), 1);
    if (pss) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    assert_int_equal(EVP_DigestSign(md, sig, &siglen, (unsigned char *)b.data, b.len), 1);
    EVP_MD_CTX_free(md);
    dd_buf_putc(&b, '.');
    char s64[800];
    dd_b64url_encode(sig, siglen, s64, sizeof s64);
    dd_buf_puts(&b, s64);
    return b.data;
}

/* The public half of an RSA key as a JWK, through the library's own reader. */
static EVP_PKEY *
rsa_public_jwk(EVP_PKEY *key)
{
    BIGNUM *n = NULL, *e = NULL;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    unsigned char nb[512], eb[8];
    int nl = BN_bn2bin(n, nb), el = BN_bn2bin(e, eb);
    char n64[700], e64[16], text[900];
    dd_b64url_encode(nb, (size_t)nl, n64, sizeof n64);
    dd_b64url_encode(eb, (size_t)el, e64, sizeof e64);
    snprintf(text, sizeof text, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}", n64, e64);
    BN_free(n);
    BN_free(e);
    return jwk(text);
}

static void
test_rs256_and_ps256_verify(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    EVP_PKEY *key = EVP_RSA_gen(2048);
    assert_non_null(key);
    EVP_PKEY *pub = rsa_public_jwk(key);
    assert_non_null(pub);
    struct dd_jws jws;
    assert_int_equal(dd_jws_parse(a, rsa_token(a, key, false), &jws), DD_OK);
    assert_int_equal(jws.alg, DD_JWS_RS256);
    assert_int_equal(dd_jws_verify(&jws, pub), DD_OK);
    char *pss = rsa_token(a, key, true);
    assert_int_equal(dd_jws_parse(a, pss, &jws), DD_OK);
    assert_int_equal(jws.alg, DD_JWS_PS256);
    assert_string_equal(jws.kid, "r");
    assert_int_equal(dd_jws_verify(&jws, pub), DD_OK);
    /* A PKCS#1 v1.5 signature presented as PS256 fails. */
    char *rs = rsa_token(a, key, false);
    char *mixed =
        dd_arena_printf(a, "%.*s.%s", (int)(strchr(pss, '.') - pss), pss, strchr(rs, '.') + 1);
    assert_int_equal(dd_jws_parse(a, mixed, &jws), DD_OK);
    assert_int_equal(dd_jws_verify(&jws, pub), DD_EDENIED);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(key);
    dd_arena_free(a);
}

static void
test_claim_helpers(void **state)
{
    (void)state;
    json_t *p = json_loads("{\"aud\":[\"a\",\"b\"],\"exp\":100,\"nbf\":50,\"iat\":40}", 0, NULL);
    assert_true(dd_jwt_aud_has(p, "b"));
    assert_false(dd_jwt_aud_has(p, "c"));
    assert_int_equal(dd_jwt_check_times(p, 60, 0), DD_OK);
    assert_int_equal(dd_jwt_check_times(p, 45, 0), DD_EDENIED); /* before nbf */
    assert_int_equal(dd_jwt_check_times(p, 45, 10), DD_OK);     /* within the leeway */
    assert_int_equal(dd_jwt_check_times(p, 100, 0), DD_EDENIED);
    json_object_del(p, "exp");
    assert_int_equal(dd_jwt_check_times(p, 60, 0), DD_EDENIED); /* exp is required */
    json_decref(p);
    p = json_loads("{\"aud\":\"only\"}", 0, NULL);
    assert_true(dd_jwt_aud_has(p, "only"));
    json_decref(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64url_rfc4648_vectors),
        cmocka_unit_test(test_rfc7515_a3_es256_verifies),
        cmocka_unit_test(test_es256_sign_with_the_a3_private_key),
        cmocka_unit_test(test_es256_signatures_made_ahead),
        cmocka_unit_test(test_es256_pool_never_empty_while_filling),
        cmocka_unit_test(test_rfc7638_thumbprint),
        cmocka_unit_test(test_refused_algorithms_and_keys),
        cmocka_unit_test(test_rs256_and_ps256_verify),
        cmocka_unit_test(test_claim_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
