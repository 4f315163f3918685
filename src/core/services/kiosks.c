/*
 * kiosks.c — the registered kiosks of the offices (model 2):
 *   POST /api/v1/kiosks                    an officer with services:kiosks registers a kiosk for
 *                                          a commune of their area; the answer carries its
 *                                          credential, shown this once (only its SHA-256 is kept)
 *   GET  /api/v1/kiosks                    the kiosks of the officer's area, newest first
 *   POST /api/v1/kiosks/{id}/revocation    the kiosk's credential stops working at once
 * Registering and revoking are audited (kiosk.register, kiosk.revoke). A kiosk presents its
 * credential in the header X-Kiosk-Key to the kiosk routes (svc_kiosk_or_reply); a kiosk's
 * credential and a kiosk session's token are both looked up by their hash with one helper
 * (svc_credential_row_or_reply).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/audit.h"
#include "core/services/internal.h"
#include "core/units/units.h"
#include "crypto/hash.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define KIOSK_COLUMNS "id, name, province, commune, created_by, created_at, revoked_at"

static json_t *
kiosk_json(struct dd_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b}", "id", (json_int_t)dd_stmt_int64(st, 0),
                     "name", dd_stmt_text(st, 1), "province", dd_stmt_text(st, 2), "commune",
                     dd_stmt_text(st, 3), "created_by", dd_stmt_text(st, 4), "created_at",
                     (json_int_t)dd_stmt_int64(st, 5), "revoked", dd_stmt_int64(st, 6) > 0);
}

/* A credential: "dk_" and 64 hex digits of random; its hash is what is stored. */
static const char *
new_credential(struct dd_arena *a, char hash[2 * DD_SHA256_LEN + 1])
{
    unsigned char raw[32];
    dd_random_bytes(raw, sizeof raw);
    char *c = dd_arena_alloc(a, 3 + 2 * sizeof raw + 1);
    memcpy(c, "dk_", 3);
    dd_hex_encode(raw, sizeof raw, c + 3);
    dd_sha256_hex(c, strlen(c), hash);
    return c;
}

static int
audit(struct dd_req *req, struct dd_db *db, const char *action, int64_t id, const char *commune)
{
    json_t *d = json_pack("{s:s}", "commune", commune);
    char *text = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    struct dd_audit_entry e = {
        .actor = svc_actor(req),
        .action = action,
        .object = dd_arena_printf(req->arena, "kiosk:%lld", (long long)id),
        .detail = text,
        .request_id = req->request_id,
    };
    int rc = dd_audit_append(db, &e);
    free(text);
    return rc;
}

/* Reads {name, commune} into the out pointers, or replies 400 and returns -1. The commune must be
 * one in force in the officer's province (and theirs for a commune-level officer). */
static int
input_or_reply(struct dd_req *req, struct dd_db *db, const char **name, const char **commune)
{
    const json_t *b = json_is_object(req->json) ? req->json : NULL;
    *name = json_string_value(json_object_get(b, "name"));
    *commune = json_string_value(json_object_get(b, "commune"));
    json_t *ext = NULL;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)b, key, v)
    {
        if (strcmp(key, "name") != 0 && strcmp(key, "commune") != 0)
            ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                       "Trường này không được chấp nhận.",
                                       "This field is not accepted.");
    }
    if (*name == NULL || (*name)[0] == '\0' || strlen(*name) > 100 || dd_str_has_control(*name))
        ext = dd_problem_add_error(ext, req, "name", "invalid", "Tên máy từ 1 đến 100 ký tự.",
                                   "A name of 1 to 100 characters.");
    int exists = 0;
    if (*commune && strlen(*commune) == 5 && dd_str_all_digits(*commune, 5))
        exists = dd_units_commune_exists(db, req->who->province, *commune, NULL);
    if (exists < 0)
        return svc_fail(req, db, exists), -1;
    if (exists == 1 && !dd_principal_province_wide(req->who) &&
        strcmp(req->who->commune, *commune) != 0)
        exists = 0;
    if (exists != 1)
        ext = dd_problem_add_error(ext, req, "commune", "invalid",
                                   "Mã xã/phường không có trong địa bàn của cán bộ.",
                                   "Not a commune code of the officer's area.");
    if (ext == NULL)
        return 0;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return -1;
}

int
svc_kiosks_create(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *name, *commune;
    if (input_or_reply(req, db, &name, &commune) != 0)
        return DD_DONE;
    char hash[2 * DD_SHA256_LEN + 1];
    const char *credential = new_credential(req->arena, hash);
    int64_t now = dd_clock_now_ms(), id = 0;
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO service_kiosks (name, province, commune, secret_hash, "
                           "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, name);
        dd_stmt_bind_text(st, 2, req->who->province);
        dd_stmt_bind_text(st, 3, commune);
        dd_stmt_bind_text(st, 4, hash);
        dd_stmt_bind_text(st, 5, svc_actor(req));
        dd_stmt_bind_int64(st, 6, now);
        rc = dd_stmt_step(st);
        if (rc == DD_DB_ROW) {
            id = dd_stmt_int64(st, 0);
            rc = DD_OK;
        }
        dd_stmt_reset(st);
    }
    if (rc == DD_OK)
        rc = audit(req, db, "kiosk.register", id, commune);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b}", "id", (json_int_t)id, "name",
                            name, "province", req->who->province, "commune", commune, "credential",
                            credential, "created_at", (json_int_t)now, "revoked", 0);
    return dd_reply_json(req, 201, out);
}

int
svc_kiosks_list(struct dd_req *req)
{
    int limit;
    if (dd_list_limit_or_reply(req, &limit) != DD_OK)
        return DD_DONE;
    int64_t before = INT64_MAX;
    const char *c = dd_req_query(req, "cursor");
    if (c && dd_parse_int64(c, 1, INT64_MAX, &before) != DD_OK)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED,
                                dd_problem_add_error(NULL, req, "cursor", "cursor-invalid",
                                                     "Con trỏ không hợp lệ.",
                                                     "The cursor is not valid."));
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *commune = dd_principal_province_wide(req->who) ? NULL : req->who->commune;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " KIOSK_COLUMNS " FROM service_kiosks WHERE id < ? AND "
                           "province = ? AND (CAST(? AS TEXT) IS NULL OR commune = ?) "
                           "ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, before);
    dd_stmt_bind_text(st, 2, req->who->province);
    dd_stmt_bind_text(st, 3, commune);
    dd_stmt_bind_text(st, 4, commune);
    dd_stmt_bind_int64(st, 5, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    bool more = false;
    rc = dd_list_collect(st, limit, kiosk_json, items, &more, &last);
    if (rc < 0) {
        json_decref(items);
        return svc_fail(req, db, rc);
    }
    return dd_list_reply_page(req, items, more, last);
}

int
svc_kiosks_revoke(struct dd_req *req)
{
    int64_t id;
    if (dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) != DD_OK)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *commune = dd_principal_province_wide(req->who) ? NULL : req->who->commune;
    int64_t now = dd_clock_now_ms();
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE service_kiosks SET revoked_at = ?, revoked_by = ? WHERE id = ? "
                           "AND province = ? AND (CAST(? AS TEXT) IS NULL OR commune = ?) AND "
                           "revoked_at = 0 RETURNING " KIOSK_COLUMNS,
                           &st);
    json_t *out = NULL;
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, now);
        dd_stmt_bind_text(st, 2, svc_actor(req));
        dd_stmt_bind_int64(st, 3, id);
        dd_stmt_bind_text(st, 4, req->who->province);
        dd_stmt_bind_text(st, 5, commune);
        dd_stmt_bind_text(st, 6, commune);
        rc = dd_stmt_step(st);
        if (rc == DD_DB_ROW) {
            out = kiosk_json(st);
            rc = DD_OK;
        } else if (rc == DD_DB_DONE) {
            rc = DD_ENOTFOUND;
        }
        dd_stmt_reset(st);
    }
    if (rc == DD_OK)
        rc = audit(req, db, "kiosk.revoke", id, json_string_value(json_object_get(out, "commune")));
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        json_decref(out);
        if (rc == DD_ENOTFOUND) {
            dd_db_rollback(db);
            return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND,
                                           "Không có máy kiosk đang hoạt động này trong địa bàn.",
                                           "No such active kiosk in the area.", NULL);
        }
        return svc_fail(req, db, rc);
    }
    return dd_reply_json(req, 200, out);
}

int
svc_credential_row_or_reply(struct dd_req *req, struct dd_db *db, const struct svc_credential *c,
                            struct dd_stmt **row)
{
    const char *key = dd_req_header(req, c->header);
    size_t prefix = strlen(c->prefix);
    int rc = DD_ENOTFOUND;
    if (key && strlen(key) == prefix + 64 && dd_str_has_prefix(key, c->prefix)) {
        char hash[2 * DD_SHA256_LEN + 1];
        dd_sha256_hex(key, strlen(key), hash);
        struct dd_stmt *st;
        rc = dd_db_prepare(db, c->sql, &st);
        if (rc == DD_OK) {
            dd_stmt_bind_text(st, 1, hash);
            for (int i = 0; i < c->nbinds; i++)
                dd_stmt_bind_int64(st, 2 + i, c->binds[i]);
            rc = dd_stmt_step(st);
            if (rc == DD_DB_ROW) {
                *row = st;
                return 0;
            }
            dd_stmt_reset(st);
            if (rc == DD_DB_DONE)
                rc = DD_ENOTFOUND;
        }
    }
    if (rc != DD_ENOTFOUND)
        return svc_fail(req, db, rc), -1;
    dd_reply_problem_detail(req, DD_PROBLEM_UNAUTHENTICATED, c->vi, c->en, NULL);
    return -1;
}

int
svc_kiosk_or_reply(struct dd_req *req, struct dd_db *db, struct svc_kiosk *k)
{
    static const struct svc_credential kiosk_key = {
        .header = "X-Kiosk-Key",
        .prefix = "dk_",
        .sql = "SELECT id, name, province, commune FROM service_kiosks WHERE secret_hash = ? AND "
               "revoked_at = 0",
        .vi = "Máy kiosk chưa đăng ký hoặc đã bị thu hồi (X-Kiosk-Key).",
        .en = "The kiosk is not registered or was revoked (X-Kiosk-Key).",
    };
    memset(k, 0, sizeof *k);
    struct dd_stmt *st;
    if (svc_credential_row_or_reply(req, db, &kiosk_key, &st) != 0)
        return -1;
    k->id = dd_stmt_int64(st, 0);
    k->name = dd_arena_strdup(req->arena, dd_stmt_text(st, 1));
    k->province = dd_arena_strdup(req->arena, dd_stmt_text(st, 2));
    k->commune = dd_arena_strdup(req->arena, dd_stmt_text(st, 3));
    k->actor = dd_arena_printf(req->arena, "kiosk:%lld", (long long)k->id);
    dd_stmt_reset(st);
    return 0;
}
