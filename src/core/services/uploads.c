/*
 * uploads.c — scans a citizen uploads for the documents a non-paperless procedure requires.
 *
 *   POST /api/v1/me/uploads                   the citizen: the raw bytes of one PDF, JPEG or PNG
 *                                             (checked by their magic bytes, not the declared
 *                                             type), at most upload-max-bytes (10 MiB)
 *   GET  /api/v1/me/uploads/{id}              the citizen: an upload of theirs
 *   GET  /api/v1/dossiers/{code}/documents/{n} officers of the dossier's area (X-Purpose; the
 *                                             applicant's access log gets the read): the n-th
 *                                             document (from 0) of a dossier, when an upload
 *
 * The body is streamed to a temporary file as it arrives (upload_files.c), so an upload holds a
 * few hundred bytes of memory whatever its size; once it is in, the file is kept as
 * DATA_DIR/uploads/<sha-256 hex> and a row of service_uploads names the owner, type, size and
 * hash. A submission or a supplement references an upload as {"kind", "upload": id}
 * (documents.c); the dossier's change attaches it (svc_upload_attach). An upload left unattached
 * for a day is purged, with its file when no other row names the same bytes: each new upload
 * purges a few (svc_uploads_purge). The route has its own limit (max_body_at), above the
 * server's max-body.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/str.h"
#include "core/purpose.h"
#include "core/register/register.h"
#include "core/services/internal.h"
#include "crypto/hash.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define UPLOAD_TTL_MS    (24LL * 3600 * 1000)
#define PURGE_PER_UPLOAD 20

/* ---- rows ---- */

int
svc_upload_load(struct dd_db *db, struct dd_arena *a, int64_t id, struct svc_upload *u)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, owner_id, media_type, size, sha256, created_at, dossier_id "
                           "FROM service_uploads WHERE id = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        u->id = dd_stmt_int64(st, 0);
        u->owner_id = dd_arena_strdup(a, dd_stmt_text(st, 1) ? dd_stmt_text(st, 1) : "");
        u->media_type = dd_arena_strdup(a, dd_stmt_text(st, 2) ? dd_stmt_text(st, 2) : "");
        u->size = dd_stmt_int64(st, 3);
        u->sha256 = dd_arena_strdup(a, dd_stmt_text(st, 4) ? dd_stmt_text(st, 4) : "");
        u->created_at = dd_stmt_int64(st, 5);
        u->dossier_id = dd_stmt_int64(st, 6);
    }
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

const char *
svc_upload_check(struct dd_db *db, struct dd_arena *a, int64_t id, const char *owner)
{
    struct svc_upload u;
    int rc = svc_upload_load(db, a, id, &u);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && strcmp(u.owner_id, owner) != 0))
        return "upload-unknown";
    if (rc != DD_OK)
        return "upload-unreadable";
    if (u.dossier_id != 0)
        return "upload-already-attached";
    return NULL;
}

int
svc_upload_attach(struct dd_db *db, int64_t id, const char *owner, int64_t dossier_id)
{
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(db,
                      "UPDATE service_uploads SET dossier_id = ? WHERE id = ? AND owner_id = ? "
                      "AND dossier_id = 0",
                      &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, dossier_id);
    dd_stmt_bind_int64(st, 2, id);
    dd_stmt_bind_text(st, 3, owner);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return changed == 1 ? DD_OK : DD_ECONFLICT;
}

/* Removes the file of hash hex when no row names it any more. */
static int
unlink_if_unused(struct dd_db *db, const char *hex)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT COUNT(*) FROM service_uploads WHERE sha256 = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hex);
    rc = dd_stmt_step(st);
    int64_t left = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : -1;
    dd_stmt_reset(st);
    if (left != 0)
        return rc < 0 ? rc : DD_OK;
    return svc_upload_file_remove(hex);
}

int
svc_uploads_purge(struct dd_db *db, struct dd_arena *a, int64_t now_ms, int limit, int64_t *removed)
{
    *removed = 0;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, sha256 FROM service_uploads WHERE dossier_id = 0 AND "
                           "created_at < ? ORDER BY created_at LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, now_ms - UPLOAD_TTL_MS);
    dd_stmt_bind_int64(st, 2, limit);
    int64_t ids[100];
    const char *hashes[100];
    int n = 0;
    while (n < limit && n < 100 && (rc = dd_stmt_step(st)) == DD_DB_ROW) {
        ids[n] = dd_stmt_int64(st, 0);
        hashes[n++] = dd_arena_strdup(a, dd_stmt_text(st, 1) ? dd_stmt_text(st, 1) : "");
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        rc = dd_db_prepare(db, "DELETE FROM service_uploads WHERE id = ? AND dossier_id = 0", &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_int64(st, 1, ids[i]);
        rc = dd_stmt_step(st);
        int64_t gone = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
        dd_stmt_reset(st);
        if (rc < 0)
            return rc;
        if (gone == 1 && (rc = unlink_if_unused(db, hashes[i])) != DD_OK)
            return rc;
        *removed += gone;
    }
    return DD_OK;
}

static json_t *
upload_json(const struct svc_upload *u)
{
    char created[32], expires[32];
    dd_clock_iso8601(u->created_at, created);
    dd_clock_iso8601(u->created_at + UPLOAD_TTL_MS, expires);
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s?}", "id", (json_int_t)u->id, "media_type",
                     u->media_type, "size", (json_int_t)u->size, "sha256", u->sha256, "created_at",
                     created, "expires_at", u->dossier_id ? NULL : expires);
}

/* ---- POST /api/v1/me/uploads ---- */

/* What the body received came to (0), or a reply (-1): 400 when empty, 415 when not a PDF,
 * JPEG or PNG (or not as declared), 500 when its temporary file could not be written. */
static int
body_or_reply(struct dd_req *req, struct svc_upload_body *b)
{
    svc_upload_body(req, b);
    if (b->refused == DD_EIO) {
        dd_log(DD_LOG_ERROR, "services.upload_write", "cannot write an upload's temporary file");
        svc_fail(req, NULL, DD_EIO);
    } else if (b->refused) {
        dd_reply_problem_detail(req, DD_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                                "Tệp không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp), "
                                "hoặc không đúng loại đã khai.",
                                "The file is not a PDF, JPEG or PNG (checked by its content), or "
                                "not of the type declared.",
                                NULL);
    } else if (b->size == 0) {
        json_t *ext = dd_problem_add_error(NULL, req, "body", "empty", "Tệp tải lên trống.",
                                           "The uploaded file is empty.");
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    return req->replied ? -1 : 0;
}

int
svc_me_uploads_create(struct dd_req *req)
{
    struct svc_upload_body b;
    if (body_or_reply(req, &b) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms(), purged;
    if (svc_uploads_purge(db, req->arena, now, PURGE_PER_UPLOAD, &purged) != DD_OK)
        dd_log(DD_LOG_WARN, "services.upload_purge", "purging old uploads failed: %s",
               dd_db_errmsg(db));
    char hex[2 * DD_SHA256_LEN + 1];
    int rc = svc_upload_body_keep(req, hex);
    if (rc != DD_OK) {
        dd_log(DD_LOG_ERROR, "services.upload_write", "cannot keep an upload's file");
        return svc_fail(req, db, DD_EIO);
    }
    struct svc_upload u = {.owner_id = req->who->id_number,
                           .media_type = b.type,
                           .size = (int64_t)b.size,
                           .sha256 = hex,
                           .created_at = now};
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "INSERT INTO service_uploads (owner_id, media_type, size, sha256, "
                       "created_at, dossier_id) VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
                       &st);
    if (rc != DD_OK) {
        (void)unlink_if_unused(db, hex);
        return svc_fail(req, db, rc);
    }
    dd_stmt_bind_text(st, 1, u.owner_id);
    dd_stmt_bind_text(st, 2, u.media_type);
    dd_stmt_bind_int64(st, 3, u.size);
    dd_stmt_bind_text(st, 4, u.sha256);
    dd_stmt_bind_int64(st, 5, u.created_at);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        u.id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    if (rc != DD_DB_ROW) {
        (void)unlink_if_unused(db, hex); /* best effort: no file without a row */
        return svc_fail(req, db, rc < 0 ? rc : DD_EDB);
    }
    dd_reply_header(req, "Location",
                    dd_arena_printf(req->arena, "/api/v1/me/uploads/%lld", (long long)u.id));
    return dd_reply_json(req, 201, upload_json(&u));
}

/* ---- downloads ---- */

static int
not_found(struct dd_req *req)
{
    return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
}

static int
send_upload(struct dd_req *req, struct dd_db *db, const struct svc_upload *u)
{
    int fd = -1;
    int rc = svc_upload_file_open(u->sha256, (size_t)u->size, &fd);
    if (rc != DD_OK) {
        dd_log(DD_LOG_ERROR, "services.upload_read", "upload %lld: its file cannot be read",
               (long long)u->id);
        return svc_fail(req, db, rc == DD_ENOTFOUND ? DD_EIO : rc);
    }
    dd_reply_header(req, "Content-Disposition",
                    dd_arena_printf(req->arena, "attachment; filename=\"upload-%lld.%s\"",
                                    (long long)u->id,
                                    strcmp(u->media_type, "application/pdf") == 0 ? "pdf"
                                    : strcmp(u->media_type, "image/png") == 0     ? "png"
                                                                                  : "jpg"));
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_fd(req, 200, u->media_type, fd, (uint64_t)u->size);
}

static bool
param_id(const char *s, int64_t *out)
{
    return s && dd_parse_int64(s, 0, INT64_MAX, out) == DD_OK;
}

int
svc_me_uploads_get(struct dd_req *req)
{
    int64_t id;
    if (!param_id(dd_req_param(req, "id"), &id))
        return not_found(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_upload u;
    int rc = svc_upload_load(db, req->arena, id, &u);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && strcmp(u.owner_id, req->who->id_number) != 0))
        return not_found(req);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return send_upload(req, db, &u);
}

int
svc_dossier_documents_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    int64_t n;
    if (!param_id(dd_req_param(req, "n"), &n) || n >= SVC_MAX_DOSSIER_DOCS)
        return not_found(req);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_dossier d;
    int rc = svc_dossier_load(db, req->arena, dd_req_param(req, "code"), 0, &d);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && !svc_officer_sees(req, &d)))
        return not_found(req);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    json_t *docs = dd_json_keep(req->arena, json_loads(d.documents, 0, NULL));
    json_t *up = json_object_get(json_array_get(docs, (size_t)n), "upload");
    if (!json_is_integer(up))
        return not_found(req);
    struct svc_upload u;
    rc = svc_upload_load(db, req->arena, json_integer_value(up), &u);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && u.dossier_id != d.id))
        return not_found(req);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    const char *ids[] = {d.applicant_id};
    dd_reg_access_reads(db, req, ids, 1, "read", "document", purpose);
    return send_upload(req, db, &u);
}
