/*
 * issuers.c — issuer metadata and the administration of issuers:
 *   GET  /.well-known/jwt-vc-issuer/issuers/{issuer}  SD-JWT VC issuer metadata {issuer, jwks}
 *   GET  /api/v1/wallet/issuers                        every issuer, with its metadata URL
 *   POST /api/v1/wallet/issuers                        a new issuer with its first key
 *   POST /api/v1/wallet/issuers/{issuer}/keys          a key rotation
 * An issuer's identifier is BASE/issuers/{id}; SD-JWT VC puts its metadata at the well-known
 * path inserted between the host and that path.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/access_log.h"
#include "core/soc/soc.h"
#include "core/wallet/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

int
wallet_metadata_get(struct dd_req *req)
{
    const char *issuer = dd_req_param(req, "issuer");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *name;
    json_t *jwks = NULL;
    int rc = wallet_issuer_name(db, req->arena, issuer, &name);
    if (rc == DD_OK)
        rc = wallet_jwks(db, issuer, &jwks);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 200,
                         json_pack("{s:s, s:s, s:o}", "issuer",
                                   wallet_issuer_url(req->arena, issuer), "name", name, "jwks",
                                   jwks));
}

int
wallet_issuers_list(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT id, name FROM wallet_issuers ORDER BY id LIMIT 500", &st);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    json_t *items = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *id = dd_stmt_text(st, 0);
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name", dd_stmt_text(st, 1),
                             "issuer", wallet_issuer_url(req->arena, id), "metadata",
                             dd_arena_printf(req->arena, "%s/.well-known/jwt-vc-issuer/issuers/%s",
                                             wallet_settings.base_url, id)));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return wallet_fail(req, db, rc);
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* A wallet issuer's signing key made or rotated, as a security event in the same transaction. */
static int
key_event(struct dd_req *req, struct dd_db *db, const char *type, const char *issuer)
{
    char actor[96];
    dd_access_log_actor(req->who, actor, sizeof actor);
    return dd_soc_change_event(db, type, dd_arena_printf(req->arena, "wallet:%s", issuer), actor,
                               json_pack("{s:s, s:s}", "kind", "wallet-issuer", "issuer", issuer));
}

int
wallet_issuers_create(struct dd_req *req)
{
    struct wform f;
    wform_init(&f, req);
    const char *id = wform_str(&f, "id", true, WALLET_ISSUER_ID_MAX);
    const char *name = wform_str(&f, "name", true, 200);
    if (id && !wallet_issuer_id_ok(id))
        wform_error(&f, "id", "issuer-id-invalid", "Mã cơ quan gồm 2–40 ký tự a-z, 0-9, -.",
                    "An issuer id is 2-40 of a-z, 0-9, -.");
    if (wform_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms();
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = wallet_issuer_create(db, id, name, now);
    if (rc == DD_OK)
        rc = key_event(req, db, "keys.created", id);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 201,
                         json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "issuer",
                                   wallet_issuer_url(req->arena, id)));
}

int
wallet_keys_create(struct dd_req *req)
{
    const char *issuer = dd_req_param(req, "issuer");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char kid[64];
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = wallet_key_rotate(db, issuer, dd_clock_now_ms(), kid);
    if (rc == DD_OK)
        rc = key_event(req, db, "keys.rotated", issuer);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 201, json_pack("{s:s, s:s}", "issuer", issuer, "kid", kid));
}
