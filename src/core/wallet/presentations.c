/*
 * presentations.c — the holder shows a chosen subset of a document's claims:
 *   POST /api/v1/me/wallet/documents/{id}/presentations   {claims: [names], ttl_seconds}
 *   GET  /api/v1/me/wallet/presentations                   the holder's presentations
 *   POST /api/v1/me/wallet/presentations/{id}/revocations  ends one before its time
 *   GET  /api/v1/wallet/presentations/{id}                 anyone with the link: the check
 * A presentation is the issued SD-JWT with only the chosen disclosures, stored under a random
 * 22-character id that the link and QR carry; it lives 10 minutes unless asked (at most a day).
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/wallet/internal.h"
#include "crypto/sdjwt.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define TTL_DEFAULT 600
#define TTL_MAX     86400

static bool
name_chosen(const json_t *names, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        if (strcmp(json_string_value(v), name) == 0)
            return true;
    }
    return false;
}

/* The SD-JWT with only the disclosures named in `names`; DD_EINVAL (and *unknown) when a name
 * is not a claim of the document. */
static int
present(struct dd_arena *a, const char *sd_jwt, const json_t *names, const char **out,
        const char **unknown)
{
    struct dd_sdjwt s;
    if (dd_sdjwt_split(a, sd_jwt, &s) != DD_OK)
        return DD_EINTERNAL;
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        bool found = false;
        for (int k = 0; k < s.n && !found; k++)
            found = strcmp(s.d[k].name, json_string_value(v)) == 0;
        if (!found) {
            *unknown = json_string_value(v);
            return DD_EINVAL;
        }
    }
    struct dd_buf b;
    dd_buf_init(&b, a, DD_SDJWT_MAX);
    dd_buf_puts(&b, s.jwt);
    dd_buf_putc(&b, '~');
    for (int k = 0; k < s.n; k++)
        if (name_chosen(names, s.d[k].name)) {
            dd_buf_puts(&b, s.d[k].text);
            dd_buf_putc(&b, '~');
        }
    dd_buf_putc(&b, '\0');
    *out = b.data;
    return DD_OK;
}

static int
present_parse_or_reply(struct dd_req *req, const json_t **names, int64_t *ttl)
{
    struct wform f;
    wform_init(&f, req);
    json_t *v = f.body ? json_object_get(f.body, "claims") : NULL;
    bool ok = json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= 64;
    size_t i;
    json_t *e;
    if (ok)
        json_array_foreach(v, i, e) ok = ok && json_is_string(e);
    if (f.body && !ok)
        wform_error(&f, "claims", "claims-invalid",
                    "claims là danh sách từ 1 đến 64 tên thông tin muốn cho xem.",
                    "claims is a list of 1 to 64 names of the claims to show.");
    json_t *t = f.body ? json_object_get(f.body, "ttl_seconds") : NULL;
    *ttl = TTL_DEFAULT;
    if (t && (!json_is_integer(t) || json_integer_value(t) < 30 || json_integer_value(t) > TTL_MAX))
        wform_error(&f, "ttl_seconds", "ttl-invalid", "ttl_seconds từ 30 đến 86400.",
                    "ttl_seconds is from 30 to 86400.");
    else if (t)
        *ttl = json_integer_value(t);
    *names = v;
    return wform_done_or_reply(&f);
}

static json_t *
presentation_json(struct dd_arena *a, const char *id, const char *doc, const json_t *names,
                  int64_t created, int64_t expires, int64_t revoked, int64_t now)
{
    const char *url =
        dd_arena_printf(a, "%s/wallet/verify.html?p=%s", wallet_settings.base_url, id);
    const char *state = revoked ? "revoked" : expires <= now ? "expired" : "active";
    return json_pack("{s:s, s:s, s:O, s:s, s:I, s:I, s:s}", "id", id, "document", doc, "claims",
                     names, "url", url, "created_at", (json_int_t)(created / 1000), "expires_at",
                     (json_int_t)(expires / 1000), "state", state);
}

int
wallet_me_presentations_create(struct dd_req *req)
{
    const char *me = wallet_me_or_reply(req);
    const json_t *names;
    int64_t ttl;
    if (me == NULL || present_parse_or_reply(req, &names, &ttl) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *doc = wallet_my_document_or_reply(req, db, me);
    if (doc == NULL)
        return DD_DONE;
    const char *sd_jwt, *unknown = NULL;
    int rc = present(req->arena, json_string_value(json_object_get(doc, "sd_jwt")), names, &sd_jwt,
                     &unknown);
    if (rc == DD_EINVAL) {
        json_t *ext = dd_problem_add_error(NULL, req, "claims", "claim-unknown",
                                           "Giấy tờ không có thông tin này.",
                                           "The document has no such claim.");
        json_object_set_new(ext, "claim", json_string(unknown));
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    char id[24];
    wallet_random_id(id);
    int64_t now = dd_clock_now_ms(), expires = now + ttl * 1000;
    const char *doc_id = json_string_value(json_object_get(doc, "id"));
    struct dd_stmt *st;
    rc = dd_db_prepare(
        db,
        "INSERT INTO wallet_presentations (id, credential_id, holder, claims, sd_jwt, "
        "created_at, expires_at) SELECT ?, id, holder, ?, ?, ?, ? FROM "
        "wallet_credentials WHERE public_id = ?",
        &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, id);
        dd_stmt_bind_text(st, 2, dd_json_dump(req->arena, names));
        dd_stmt_bind_text(st, 3, sd_jwt);
        dd_stmt_bind_int64(st, 4, now);
        dd_stmt_bind_int64(st, 5, expires);
        dd_stmt_bind_text(st, 6, doc_id);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    if (rc < 0)
        return wallet_fail(req, db, rc);
    json_t *out = presentation_json(req->arena, id, doc_id, names, now, expires, 0, now);
    json_object_set_new(out, "sd_jwt", json_string(sd_jwt));
    const char *svg = wallet_qr_svg(req->arena, json_string_value(json_object_get(out, "url")));
    json_object_set_new(out, "qr_svg", svg ? json_string(svg) : json_null());
    return dd_reply_json(req, 201, out);
}

int
wallet_me_presentations_list(struct dd_req *req)
{
    const char *me = wallet_me_or_reply(req);
    int limit;
    if (me == NULL || dd_list_limit_or_reply(req, &limit) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT p.id, c.public_id, p.claims, p.created_at, p.expires_at, "
                           "p.revoked_at FROM wallet_presentations p JOIN wallet_credentials c ON "
                           "c.id = p.credential_id WHERE p.holder = ? ORDER BY p.created_at DESC, "
                           "p.id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, me);
    dd_stmt_bind_int64(st, 2, limit);
    json_t *items = json_array();
    int64_t now = dd_clock_now_ms();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        json_t *names = json_loads(dd_stmt_text(st, 2), 0, NULL);
        json_array_append_new(items,
                              presentation_json(req->arena, dd_stmt_text(st, 0),
                                                dd_stmt_text(st, 1), names, dd_stmt_int64(st, 3),
                                                dd_stmt_int64(st, 4), dd_stmt_int64(st, 5), now));
        json_decref(names);
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return wallet_fail(req, db, rc);
    }
    return dd_reply_json(req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

int
wallet_me_presentation_revoke(struct dd_req *req)
{
    const char *me = wallet_me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms();
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE wallet_presentations SET revoked_at = ? WHERE id = ? AND "
                           "holder = ? AND revoked_at = 0",
                           &st);
    int64_t changed = 0;
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, now);
        dd_stmt_bind_text(st, 2, dd_req_param(req, "id"));
        dd_stmt_bind_text(st, 3, me);
        rc = dd_stmt_step(st);
        changed = dd_stmt_changes(st);
        dd_stmt_reset(st);
    }
    if (rc < 0 || changed == 0)
        return wallet_fail(req, db, rc < 0 ? rc : DD_ENOTFOUND);
    return dd_reply_json(req, 201,
                         json_pack("{s:s, s:I}", "id", dd_req_param(req, "id"), "revoked_at",
                                   (json_int_t)(now / 1000)));
}

int
wallet_presentation_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT sd_jwt, expires_at, revoked_at FROM wallet_presentations WHERE id = ?", &st);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, dd_req_param(req, "id"));
    rc = dd_stmt_step(st);
    const char *sd_jwt = rc == DD_DB_ROW ? dd_arena_strdup(req->arena, dd_stmt_text(st, 0)) : NULL;
    int64_t expires = dd_stmt_int64(st, 1), revoked = dd_stmt_int64(st, 2);
    dd_stmt_reset(st);
    if (sd_jwt == NULL)
        return wallet_fail(req, db, rc < 0 ? rc : DD_ENOTFOUND);
    int64_t now = dd_clock_now_ms();
    struct dd_wallet_verdict v;
    memset(&v, 0, sizeof v);
    if (revoked)
        v.reason = "presentation-revoked";
    else if (expires <= now)
        v.reason = "presentation-expired";
    else if ((rc = dd_wallet_verify(db, req->arena, sd_jwt, now, &v)) != DD_OK)
        return wallet_fail(req, db, rc);
    json_t *out = wallet_verdict_json(&v);
    json_object_set_new(out, "presentation_expires_at", json_integer(expires / 1000));
    if (v.valid)
        json_object_set_new(out, "sd_jwt", json_string(sd_jwt));
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_json(req, 200, out);
}
