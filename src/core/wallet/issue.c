/*
 * issue.c — signing a credential as SD-JWT VC and storing it (dd_wallet_issue).
 *
 * The issuer-signed JWT is {iss, iat, exp, vct, _sd, _sd_alg, status}: every claim the document
 * states is a disclosure, so the holder can show any subset of them. "status" points at the
 * issuer's Token Status List, at the credential's row id. The row is inserted first (to learn
 * the id), then the signed text is written into it, both in the caller's transaction.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "core/wallet/internal.h"
#include "crypto/jws.h"
#include "crypto/sdjwt.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static const char *const reserved[] = {"iss",           "iat",    "exp", "nbf", "vct",
                                       "vct#integrity", "status", "cnf", "sub", "_sd",
                                       "_sd_alg",       "...",    NULL};

bool
wallet_claims_ok(const json_t *claims)
{
    if (!json_is_object(claims) || json_object_size(claims) == 0 || json_object_size(claims) > 64)
        return false;
    for (const char *const *r = reserved; *r; r++)
        if (json_object_get(claims, *r))
            return false;
    return true;
}

static int
cmp_digest(const void *x, const void *y)
{
    return strcmp(((const struct dd_sd_disclosure *)x)->digest,
                  ((const struct dd_sd_disclosure *)y)->digest);
}

/* The SD-JWT text: signed payload, then every disclosure, then the closing tilde. */
static int
sign(struct dd_db *db, struct dd_arena *a, const struct dd_wallet_issue_in *in,
     const json_t *claims, int64_t id, int64_t now_ms, const char **sd_jwt, char kid[64])
{
    size_t n = json_object_size(claims), i = 0;
    struct dd_sd_disclosure *d = dd_arena_alloc(a, n * sizeof *d);
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)claims, name, value) dd_sdjwt_disclose(a, name, value, &d[i++]);
    json_t *sd = json_array();
    struct dd_sd_disclosure *sorted = dd_arena_alloc(a, n * sizeof *sorted);
    memcpy(sorted, d, n * sizeof *d);
    qsort(sorted, n, sizeof *sorted, cmp_digest); /* the order must not reveal the claims */
    for (i = 0; i < n; i++)
        json_array_append_new(sd, json_string(sorted[i].digest));
    json_t *payload = dd_json_keep(
        a, json_pack("{s:s, s:I, s:I, s:s, s:o, s:s, s:{s:{s:I, s:s}}}", "iss",
                     wallet_issuer_url(a, in->issuer), "iat", (json_int_t)(now_ms / 1000), "exp",
                     (json_int_t)(in->expires_at_ms / 1000), "vct", in->vct, "_sd", sd, "_sd_alg",
                     "sha-256", "status", "status_list", "idx", (json_int_t)id, "uri",
                     wallet_status_url(a, in->issuer)));
    EVP_PKEY *key = NULL;
    int rc = wallet_key_current(db, in->issuer, &key, kid);
    if (rc != DD_OK)
        return rc;
    struct dd_buf out;
    dd_buf_init(&out, a, DD_SDJWT_MAX);
    rc = dd_jws_sign_es256(&out, key, kid, WALLET_TYP, dd_json_dump(a, payload));
    EVP_PKEY_free(key);
    for (i = 0; i < n && rc == DD_OK; i++) {
        rc = dd_buf_putc(&out, '~');
        if (rc == DD_OK)
            rc = dd_buf_puts(&out, d[i].text);
    }
    if (rc == DD_OK)
        rc = dd_buf_putc(&out, '~');
    if (rc == DD_OK)
        rc = dd_buf_putc(&out, '\0');
    *sd_jwt = out.data;
    return rc;
}

int
dd_wallet_issue(struct dd_db *db, struct dd_arena *a, const struct dd_wallet_issue_in *in,
                int64_t now_ms, struct dd_wallet_issued *out)
{
    if (!wallet_claims_ok(in->claims) || in->expires_at_ms <= now_ms)
        return DD_EINVAL;
    const char *issuer_name;
    int rc = wallet_issuer_name(db, a, in->issuer, &issuer_name);
    if (rc != DD_OK)
        return rc;
    json_t *claims = dd_json_keep(a, json_deep_copy(in->claims));
    if (json_object_get(claims, "id_number") == NULL)
        json_object_set_new(claims, "id_number", json_string(in->holder));
    wallet_random_id(out->public_id);
    struct dd_stmt *st;
    rc =
        dd_db_prepare(db,
                      "INSERT INTO wallet_credentials (public_id, holder, issuer, kid, vct, title, "
                      "claims, sd_jwt, issued_at, expires_at, issued_by) VALUES (?, ?, ?, '', "
                      "?, ?, ?, '', ?, ?, ?) RETURNING id",
                      &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, out->public_id);
    dd_stmt_bind_text(st, 2, in->holder);
    dd_stmt_bind_text(st, 3, in->issuer);
    dd_stmt_bind_text(st, 4, in->vct);
    dd_stmt_bind_text(st, 5, in->title);
    dd_stmt_bind_text(st, 6, dd_json_dump(a, claims));
    dd_stmt_bind_int64(st, 7, now_ms);
    dd_stmt_bind_int64(st, 8, in->expires_at_ms);
    dd_stmt_bind_text(st, 9, in->issued_by);
    rc = dd_stmt_step(st);
    out->id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc != DD_DB_ROW)
        return rc < 0 ? rc : DD_EDB;
    char kid[64];
    rc = sign(db, a, in, claims, out->id, now_ms, &out->sd_jwt, kid);
    if (rc != DD_OK)
        return rc;
    rc = dd_db_prepare(db, "UPDATE wallet_credentials SET sd_jwt = ?, kid = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, out->sd_jwt);
    dd_stmt_bind_text(st, 2, kid);
    dd_stmt_bind_int64(st, 3, out->id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}
