/*
 * sdjwt.h — Selective Disclosure for JWTs (IETF SD-JWT) as SD-JWT VC uses it: disclosures of
 * top-level claims, their SHA-256 digests, and the split and check of an SD-JWT
 * `<jws>~<disclosure>~…~[<kb-jwt>]`.
 *
 * A disclosure is the base64url text of the JSON array [salt, name, value] (salt: 16 random
 * bytes, base64url); its digest is the base64url SHA-256 of that text, listed in the payload's
 * "_sd" array beside "_sd_alg": "sha-256". Only object properties at the top level are made
 * selectively disclosable here; nested values are disclosed whole with their claim.
 */
#ifndef DD_CRYPTO_SDJWT_H
#define DD_CRYPTO_SDJWT_H

#include <jansson.h>
#include <stddef.h>

struct dd_arena;

/* Longest SD-JWT the parser accepts, and most disclosures in one. */
#define DD_SDJWT_MAX            65536
#define DD_SDJWT_MAX_DISCLOSURE 128

struct dd_sd_disclosure {
    const char *text; /* base64url, as it travels */
    const char *name;
    json_t *value;   /* tied to the arena */
    char digest[44]; /* base64url SHA-256 of text */
};

/* An SD-JWT split at its tildes; the strings live in the arena. */
struct dd_sdjwt {
    const char *jwt; /* the issuer-signed JWS */
    int n;
    struct dd_sd_disclosure *d;
    const char *kb; /* the key-binding JWT, or NULL when the text ends with '~' */
};

/* The base64url SHA-256 of text[0..n) and a NUL (43 characters). */
void dd_sdjwt_digest(const char *text, size_t n, char out[44]);

/* Makes the disclosure of claim name = value with a fresh salt, into *out (arena strings). */
void dd_sdjwt_disclose(struct dd_arena *a, const char *name, const json_t *value,
                       struct dd_sd_disclosure *out);

/* Splits `text` and decodes every disclosure (a JSON array of three: string salt, string name,
 * any value) and its digest. DD_EINVAL when malformed, too long or with too many disclosures. */
int dd_sdjwt_split(struct dd_arena *a, const char *text, struct dd_sdjwt *out);

/* The claims of a verified payload as the holder disclosed them: the payload without "_sd" and
 * "_sd_alg", plus each disclosure's name and value. DD_EINVAL when "_sd_alg" is not "sha-256",
 * when a disclosure's digest is not in "_sd" (tampered or foreign), when two disclosures share a
 * digest, or when a disclosed name is already a plain claim or reserved (_sd, …). *claims is a
 * new object tied to the arena. */
int dd_sdjwt_resolve(struct dd_arena *a, const json_t *payload, const struct dd_sdjwt *s,
                     json_t **claims);

#endif
