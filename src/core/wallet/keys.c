/*
 * keys.c — issuers and their ES256 signing keys, kept in the database (wallet_issuer_keys) so
 * that every server sharing it signs with the same current key and a rotation is one insert. The
 * newest key signs; older ones are never deleted and stay in the issuer's JWKS, so documents
 * they signed keep verifying for as long as the documents are valid.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/wallet/internal.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "store/store.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

bool
wallet_issuer_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n < 2 || n > WALLET_ISSUER_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

/* A new P-256 key as PKCS#8 PEM text and public JWK text (malloc'd by OpenSSL/jansson). */
static int
key_new(const char *kid, char **pem, char **jwk)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (key == NULL)
        return DD_EINTERNAL;
    BIO *bio = BIO_new(BIO_s_mem());
    int rc = DD_EINTERNAL;
    if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1) {
        char *data;
        long n = BIO_get_mem_data(bio, &data);
        *pem = strndup(data, (size_t)n);
        json_t *pub = dd_jwk_public_ec(key, kid);
        *jwk = json_dumps(pub, JSON_COMPACT);
        json_decref(pub);
        rc = (*pem && *jwk) ? DD_OK : DD_EINTERNAL;
    }
    BIO_free(bio);
    EVP_PKEY_free(key);
    return rc;
}

static int
key_insert(struct dd_db *db, const char *issuer, int64_t now_ms, char kid[64])
{
    unsigned char r[4];
    char hex[9];
    dd_random_bytes(r, sizeof r);
    dd_hex_encode(r, sizeof r, hex);
    snprintf(kid, 64, "%s-%lld-%s", issuer, (long long)(now_ms / 1000), hex);
    /* Created strictly after the issuer's newest key, so "newest" never ties. */
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT COALESCE(MAX(created_at), 0) FROM wallet_issuer_keys WHERE issuer = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, issuer);
    rc = dd_stmt_step(st);
    int64_t newest = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (now_ms <= newest)
        now_ms = newest + 1;
    char *pem = NULL, *jwk = NULL;
    rc = key_new(kid, &pem, &jwk);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO wallet_issuer_keys (kid, issuer, private_pem, public_jwk, "
                           "created_at) VALUES (?, ?, ?, ?, ?)",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, kid);
        dd_stmt_bind_text(st, 2, issuer);
        dd_stmt_bind_text(st, 3, pem);
        dd_stmt_bind_text(st, 4, jwk);
        dd_stmt_bind_int64(st, 5, now_ms);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    if (pem)
        OPENSSL_cleanse(pem, strlen(pem));
    free(pem);
    free(jwk);
    return rc < 0 ? rc : DD_OK;
}

int
wallet_issuer_create(struct dd_db *db, const char *id, const char *name, int64_t now_ms)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "INSERT INTO wallet_issuers (id, name, created_at) VALUES (?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id);
    dd_stmt_bind_text(st, 2, name);
    dd_stmt_bind_int64(st, 3, now_ms);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    char kid[64];
    return key_insert(db, id, now_ms, kid);
}

int
wallet_issuer_name(struct dd_db *db, struct dd_arena *a, const char *id, const char **name)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT name FROM wallet_issuers WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *name = dd_arena_strdup(a, dd_stmt_text(st, 0));
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

int
wallet_key_rotate(struct dd_db *db, const char *id, int64_t now_ms, char kid[64])
{
    struct dd_arena *a = dd_arena_new(256);
    const char *name;
    int rc = wallet_issuer_name(db, a, id, &name);
    dd_arena_free(a);
    return rc == DD_OK ? key_insert(db, id, now_ms, kid) : rc;
}

int
wallet_key_current(struct dd_db *db, const char *issuer, EVP_PKEY **key, char kid[64])
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT kid, private_pem FROM wallet_issuer_keys WHERE issuer = ? "
                           "ORDER BY created_at DESC, kid DESC LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, issuer);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        dd_strlcpy(kid, dd_stmt_text(st, 0), 64);
        const char *pem = dd_stmt_text(st, 1);
        BIO *bio = BIO_new_mem_buf(pem, -1);
        *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        rc = *key ? DD_OK : DD_EINTERNAL;
    } else if (rc == DD_DB_DONE) {
        rc = DD_ENOTFOUND;
    }
    dd_stmt_reset(st);
    return rc;
}

int
wallet_key_find(struct dd_db *db, const char *issuer, const char *kid, EVP_PKEY **key)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT public_jwk FROM wallet_issuer_keys WHERE kid = ? AND issuer = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, kid);
    dd_stmt_bind_text(st, 2, issuer);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        json_t *jwk = json_loads(dd_stmt_text(st, 0), 0, NULL);
        rc = jwk && dd_jwk_parse(jwk, key) == DD_OK ? DD_OK : DD_EINTERNAL;
        json_decref(jwk);
    } else if (rc == DD_DB_DONE) {
        rc = DD_ENOTFOUND;
    }
    dd_stmt_reset(st);
    return rc;
}

int
wallet_jwks(struct dd_db *db, const char *issuer, json_t **out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT public_jwk FROM wallet_issuer_keys WHERE issuer = ? "
                           "ORDER BY created_at, kid",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, issuer);
    json_t *keys = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        json_t *jwk = json_loads(dd_stmt_text(st, 0), 0, NULL);
        if (jwk)
            json_array_append_new(keys, jwk);
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(keys);
        return rc;
    }
    *out = json_pack("{s:o}", "keys", keys);
    return DD_OK;
}

char *
wallet_issuer_url(struct dd_arena *a, const char *issuer)
{
    return dd_arena_printf(a, "%s/issuers/%s", wallet_settings.base_url, issuer);
}

char *
wallet_status_url(struct dd_arena *a, const char *issuer)
{
    return dd_arena_printf(a, "%s/api/v1/wallet/status-lists/%s", wallet_settings.base_url, issuer);
}

const char *
wallet_issuer_of_url(struct dd_arena *a, const char *url)
{
    char *prefix = dd_arena_printf(a, "%s/issuers/", wallet_settings.base_url);
    if (url == NULL || !dd_str_has_prefix(url, prefix))
        return NULL;
    const char *id = url + strlen(prefix);
    return wallet_issuer_id_ok(id) ? id : NULL;
}
