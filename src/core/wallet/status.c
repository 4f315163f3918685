/*
 * status.c — an issuer's Token Status List: one bit per credential (its row id), 1 when revoked,
 * signed by the issuer's current key as a JWT of type statuslist+jwt and served publicly at
 * GET /api/v1/wallet/status-lists/{issuer}. The list is built from the rows on every request,
 * with no cache, so a revocation is seen at the next check. It is at least 16 KiB of bits
 * (131 072 credentials) so its size says little about how many documents an issuer has.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/wallet/internal.h"
#include "crypto/jws.h"
#include "crypto/statuslist.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MIN_BYTES 16384
#define TTL_S     300
#define VALID_S   86400

static int
list_bits(struct dd_db *db, struct dd_arena *a, const char *issuer, unsigned char **bits, size_t *n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT COALESCE(MAX(id), 0) FROM wallet_credentials", &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    int64_t max = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    *n = (size_t)max / 8 + 1;
    if (*n < MIN_BYTES)
        *n = MIN_BYTES;
    *bits = dd_arena_zalloc(a, *n);
    rc = dd_db_prepare(db, "SELECT id FROM wallet_credentials WHERE issuer = ? AND revoked_at > 0",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, issuer);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        dd_statuslist_set(*bits, *n, dd_stmt_int64(st, 0));
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
wallet_status_token(struct dd_db *db, struct dd_arena *a, const char *issuer, int64_t now_ms,
                    const char **token)
{
    unsigned char *bits;
    size_t n;
    int rc = list_bits(db, a, issuer, &bits, &n);
    if (rc != DD_OK)
        return rc;
    const char *lst = dd_statuslist_encode(a, bits, n);
    if (lst == NULL)
        return DD_EINTERNAL;
    int64_t now = now_ms / 1000;
    json_t *payload =
        dd_json_keep(a, json_pack("{s:s, s:s, s:I, s:I, s:I, s:{s:i, s:s}}", "iss",
                                  wallet_issuer_url(a, issuer), "sub", wallet_status_url(a, issuer),
                                  "iat", (json_int_t)now, "exp", (json_int_t)(now + VALID_S), "ttl",
                                  (json_int_t)TTL_S, "status_list", "bits", 1, "lst", lst));
    EVP_PKEY *key = NULL;
    char kid[64];
    rc = wallet_key_current(db, issuer, &key, kid);
    if (rc != DD_OK)
        return rc;
    struct dd_buf out;
    dd_buf_init(&out, a, (1024 * 1024));
    rc = dd_jws_sign_es256(&out, key, kid, "statuslist+jwt", dd_json_dump(a, payload));
    EVP_PKEY_free(key);
    if (rc == DD_OK)
        rc = dd_buf_putc(&out, '\0');
    *token = out.data;
    return rc;
}

/* GET /api/v1/wallet/status-lists/{issuer} — the signed status list, application/statuslist+jwt;
 * 404 for an unknown issuer. */
int
wallet_status_list_get(struct dd_req *req)
{
    const char *issuer = dd_req_param(req, "issuer");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *name, *token;
    int rc = wallet_issuer_name(db, req->arena, issuer, &name);
    if (rc == DD_OK)
        rc = wallet_status_token(db, req->arena, issuer, dd_clock_now_ms(), &token);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_bytes(req, 200, "application/statuslist+jwt", token, strlen(token));
}
