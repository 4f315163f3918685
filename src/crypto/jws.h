/*
 * jws.h — JSON Web Signatures in compact form (RFC 7515), the keys they use as JWKs (RFC 7517,
 * 7518) and their thumbprints (RFC 7638), for the OpenID Connect provider.
 *
 * dinhdanh signs with ES256 only (ECDSA P-256 with SHA-256, the signature as raw r||s as JWS
 * requires, not DER). It verifies ES256, RS256 and PS256, which is what clients use for
 * private_key_jwt. "none" and every HMAC algorithm are refused: a client's assertion must be
 * signed with a key the provider holds only the public half of. OpenSSL 3 EVP only.
 */
#ifndef DD_CRYPTO_JWS_H
#define DD_CRYPTO_JWS_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;
struct dd_buf;

/* Characters of the unpadded base64url text of n bytes (without the NUL). */
#define DD_B64URL_LEN(n) ((((n)*4) + 2) / 3)

/* Longest compact JWS the parser accepts. */
#define DD_JWS_MAX 16384

/* Writes the base64url text (RFC 4648 §5, no padding) of p[0..n) and a NUL. DD_ETOOBIG when
 * outsize is below DD_B64URL_LEN(n) + 1. */
int dd_b64url_encode(const void *p, size_t n, char *out, size_t outsize);

/* Decodes s[0..n) (base64url without padding; '=' refused) into out. DD_EINVAL for a character
 * outside the alphabet, an impossible length or non-zero unused bits; DD_ETOOBIG if the bytes do
 * not fit. */
int dd_b64url_decode(const char *s, size_t n, unsigned char *out, size_t outsize, size_t *outlen);

enum dd_jws_alg {
    DD_JWS_ALG_REFUSED = 0, /* none, HS*, or anything unknown */
    DD_JWS_ES256,
    DD_JWS_RS256,
    DD_JWS_PS256,
};

/* The algorithm named `name` ("ES256"…), or DD_JWS_ALG_REFUSED. */
enum dd_jws_alg dd_jws_alg_from_name(const char *name);

/* Reads a JWK object: EC P-256 (public, or private with "d") or RSA public (2048 bits or more).
 * *out is a new key the caller frees with EVP_PKEY_free. DD_EINVAL for anything else (another
 * curve, a symmetric key, a malformed member, a point off the curve). */
int dd_jwk_parse(const json_t *jwk, EVP_PKEY **out);

/* The public JWK of an EC P-256 key, with "kid", "use":"sig" and "alg":"ES256"; NULL if the
 * key is not P-256. New reference. */
json_t *dd_jwk_public_ec(EVP_PKEY *key, const char *kid);

/* The RFC 7638 thumbprint (SHA-256, base64url, 43 characters and a NUL) of an EC P-256 or RSA
 * public key. DD_EINVAL for another kind of key. */
int dd_jwk_thumbprint(EVP_PKEY *key, char out[44]);

/* Signs `payload` (JSON text) with ES256 and appends the compact JWS to out. The protected
 * header is {"alg":"ES256","typ":typ,"kid":kid}; typ may be NULL (left out). DD_EINVAL if the
 * key cannot sign ES256, DD_ETOOBIG if out is full. */
int dd_jws_sign_es256(struct dd_buf *out, EVP_PKEY *key, const char *kid, const char *typ,
                      const char *payload);

/* A compact JWS split and decoded; strings and JSON live in the arena. */
struct dd_jws {
    json_t *header;  /* the protected header, an object */
    json_t *payload; /* the payload, an object (JWTs only) */
    enum dd_jws_alg alg;
    const char *kid; /* header "kid" or NULL */
    const char *typ; /* header "typ" or NULL */
    const char *signing_input;
    size_t signing_len;
    unsigned char sig[512];
    size_t sig_len;
};

/* Splits and decodes a compact JWS whose payload is a JSON object (a JWT). DD_EINVAL when it is
 * malformed, longer than DD_JWS_MAX, has a "crit" header, or names a refused algorithm (none,
 * HS256…): such a token is never looked at further. */
int dd_jws_parse(struct dd_arena *a, const char *compact, struct dd_jws *out);

/* Checks the signature with `key`, which must suit the token's algorithm (EC P-256 for ES256,
 * RSA for RS256 and PS256). DD_OK, or DD_EDENIED. */
int dd_jws_verify(const struct dd_jws *jws, EVP_PKEY *key);

/* The integer claim `name` of a payload, or `fallback` when absent or not an integer. */
int64_t dd_jwt_int(const json_t *payload, const char *name, int64_t fallback);

/* The string claim `name`, or NULL. */
const char *dd_jwt_str(const json_t *payload, const char *name);

/* Whether claim "aud" (a string or an array of strings) names `aud`. */
bool dd_jwt_aud_has(const json_t *payload, const char *aud);

/* Time checks of a JWT at `now` (seconds), allowing `leeway` seconds of clock skew: "exp" must be
 * present and in the future, "nbf" and "iat" (when present) not in the future. DD_OK or
 * DD_EDENIED. */
int dd_jwt_check_times(const json_t *payload, int64_t now, int64_t leeway);

#endif
