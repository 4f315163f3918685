/*
 * verify.c — checking an SD-JWT VC (dd_wallet_verify) in the order a verifier must: shape, the
 * issuer and its key, the signature, the disclosures against the signed digests, the validity
 * dates, then the status bit. The first failure names the reason; a valid one gives only the
 * claims the holder disclosed.
 *
 * The status is read from the same rows the published status list is built from, so a
 * revocation counts at the very next check.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/wallet/internal.h"
#include "crypto/jws.h"
#include "crypto/sdjwt.h"
#include "store/store.h"

#include <string.h>

#define LEEWAY_S 60

static int
refuse(struct dd_wallet_verdict *v, const char *reason)
{
    v->valid = false;
    v->reason = reason;
    return DD_OK;
}

/* The revocation time of credential idx of `issuer`: DD_OK and *revoked (0 when valid), or
 * DD_ENOTFOUND. */
static int
status_of(struct dd_db *db, const char *issuer, int64_t idx, int64_t *revoked)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT revoked_at FROM wallet_credentials WHERE id = ? AND issuer = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, idx);
    dd_stmt_bind_text(st, 2, issuer);
    rc = dd_stmt_step(st);
    *revoked = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

static void
strip_reserved(json_t *claims)
{
    static const char *const names[] = {"iss", "iat", "exp", "nbf", "vct", "status", "cnf", NULL};
    for (const char *const *n = names; *n; n++)
        json_object_del(claims, *n);
}

int
dd_wallet_verify(struct dd_db *db, struct dd_arena *a, const char *sd_jwt, int64_t now_ms,
                 struct dd_wallet_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->status_idx = -1;
    struct dd_sdjwt s;
    struct dd_jws jws;
    if (dd_sdjwt_split(a, sd_jwt, &s) != DD_OK || dd_jws_parse(a, s.jwt, &jws) != DD_OK ||
        jws.typ == NULL || (strcmp(jws.typ, WALLET_TYP) != 0 && strcmp(jws.typ, "vc+sd-jwt") != 0))
        return refuse(v, "malformed");
    v->issuer = dd_jwt_str(jws.payload, "iss");
    v->vct = dd_jwt_str(jws.payload, "vct");
    v->kid = jws.kid;
    v->iat = dd_jwt_int(jws.payload, "iat", 0);
    v->exp = dd_jwt_int(jws.payload, "exp", 0);
    if (v->vct == NULL || v->issuer == NULL)
        return refuse(v, "malformed");
    v->issuer_id = wallet_issuer_of_url(a, v->issuer);
    int rc = v->issuer_id ? wallet_issuer_name(db, a, v->issuer_id, &v->issuer_name) : DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        return refuse(v, "unknown-issuer");
    if (rc != DD_OK)
        return rc;
    EVP_PKEY *key = NULL;
    rc = jws.kid ? wallet_key_find(db, v->issuer_id, jws.kid, &key) : DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        return refuse(v, "unknown-key");
    if (rc != DD_OK)
        return rc;
    rc = jws.alg == DD_JWS_ES256 ? dd_jws_verify(&jws, key) : DD_EDENIED;
    EVP_PKEY_free(key);
    if (rc != DD_OK)
        return refuse(v, "bad-signature");
    json_t *claims;
    if (dd_sdjwt_resolve(a, jws.payload, &s, &claims) != DD_OK)
        return refuse(v, "bad-disclosure");
    if (s.kb != NULL && s.kb[0] != '\0')
        return refuse(v, "key-binding-unsupported");
    int64_t now = now_ms / 1000;
    if (v->exp == 0 || now > v->exp + LEEWAY_S)
        return refuse(v, "expired");
    if (v->iat > now + LEEWAY_S || dd_jwt_int(jws.payload, "nbf", 0) > now + LEEWAY_S)
        return refuse(v, "not-yet-valid");
    json_t *sl = json_object_get(json_object_get(jws.payload, "status"), "status_list");
    const char *uri = json_string_value(json_object_get(sl, "uri"));
    v->status_idx = json_is_integer(json_object_get(sl, "idx"))
                        ? json_integer_value(json_object_get(sl, "idx"))
                        : -1;
    if (uri == NULL || v->status_idx < 0 || strcmp(uri, wallet_status_url(a, v->issuer_id)) != 0)
        return refuse(v, "malformed");
    int64_t revoked;
    rc = status_of(db, v->issuer_id, v->status_idx, &revoked);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    if (rc == DD_ENOTFOUND || revoked != 0)
        return refuse(v, "revoked");
    strip_reserved(claims);
    v->claims = claims;
    v->valid = true;
    return DD_OK;
}

int
dd_wallet_document_claims(struct dd_db *db, struct dd_arena *a, const char *public_id,
                          const char *holder, int64_t now_ms, struct dd_wallet_verdict *v)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT sd_jwt FROM wallet_credentials WHERE public_id = ? AND holder = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, public_id);
    dd_stmt_bind_text(st, 2, holder);
    rc = dd_stmt_step(st);
    const char *text = rc == DD_DB_ROW ? dd_arena_strdup(a, dd_stmt_text(st, 0)) : NULL;
    dd_stmt_reset(st);
    if (rc != DD_DB_ROW)
        return rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
    return dd_wallet_verify(db, a, text, now_ms, v);
}
