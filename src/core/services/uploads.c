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
 * The bytes go to DATA_DIR/uploads/<sha-256 hex> (written to a temporary file, fsynced, renamed,
 * the folder fsynced), then a row of service_uploads names the owner, type, size and hash. A
 * submission references an upload as {"kind", "upload": id}; submit.c attaches it to the dossier
 * (svc_upload_check, svc_upload_attach). An upload left unattached for a day is purged, with its
 * file when no other row names the same bytes: each new upload purges a few (svc_uploads_purge).
 * The HTTP layer holds a body in memory while it arrives, so the limit is also the memory one
 * upload may take; the route has its own limit (max_body_at), above the server's max-body.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/config.h"
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

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UPLOAD_TTL_MS     (24LL * 3600 * 1000)
#define PURGE_PER_UPLOAD  20
#define UPLOAD_PATH_BYTES 700

size_t svc_upload_max = 10 * 1024 * 1024;
static char upload_dir[UPLOAD_PATH_BYTES - 80] = "var/uploads";

void
dd_services_configure(const struct dd_config *cfg)
{
    svc_upload_max = (size_t)cfg->upload_max_bytes;
    snprintf(upload_dir, sizeof upload_dir, "%s/uploads", cfg->data_dir);
}

void
svc_upload_set_dir(const char *dir)
{
    dd_strlcpy(upload_dir, dir, sizeof upload_dir);
}

const char *
svc_upload_sniff(const unsigned char *p, size_t n)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return "application/pdf";
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (n >= sizeof png && memcmp(p, png, sizeof png) == 0)
        return "image/png";
    return NULL;
}

static void
file_path(const char *hex, char out[UPLOAD_PATH_BYTES])
{
    snprintf(out, UPLOAD_PATH_BYTES, "%s/%s", upload_dir, hex);
}

static int
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return DD_EIO;
    int ok = fsync(fd) == 0;
    close(fd);
    return ok ? DD_OK : DD_EIO;
}

/* Writes the bytes to the upload folder under their hash: a temporary file, fsync, rename, the
 * folder fsynced. Bytes already there are left as they are. */
static int
store_file(const void *p, size_t n, const char *hex)
{
    char path[UPLOAD_PATH_BYTES], tmp[UPLOAD_PATH_BYTES];
    file_path(hex, path);
    struct stat sb;
    if (stat(path, &sb) == 0 && (size_t)sb.st_size == n)
        return DD_OK;
    if (mkdir(upload_dir, 0700) != 0 && errno != EEXIST)
        return DD_EIO;
    snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", upload_dir);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return DD_EIO;
    const char *c = p;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, c + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    bool ok = done == n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0 && sync_dir(upload_dir) == DD_OK)
        return DD_OK;
    unlink(tmp);
    return DD_EIO;
}

/* Reads the stored file of hash hex, n bytes, into the arena. */
static int
load_file(struct dd_arena *a, const char *hex, size_t n, char **out)
{
    char path[UPLOAD_PATH_BYTES];
    file_path(hex, path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? DD_ENOTFOUND : DD_EIO;
    char *buf = dd_arena_alloc(a, n + 1);
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, buf + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        done += (size_t)r;
    }
    close(fd);
    if (done != n)
        return DD_EIO;
    *out = buf;
    return DD_OK;
}

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
    char path[UPLOAD_PATH_BYTES];
    file_path(hex, path);
    if (unlink(path) != 0 && errno != ENOENT)
        return DD_EIO;
    return DD_OK;
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

static const char *
type_or_reply(struct dd_req *req)
{
    const unsigned char *p = (const unsigned char *)req->body.data;
    size_t n = req->body.len;
    if (n == 0) {
        json_t *ext = dd_problem_add_error(NULL, req, "body", "empty", "Tệp tải lên trống.",
                                           "The uploaded file is empty.");
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return NULL;
    }
    const char *type = svc_upload_sniff(p, n);
    const char *declared = dd_req_header(req, "Content-Type");
    bool mismatch = type && declared && strncmp(declared, "application/octet-stream", 24) != 0 &&
                    strncmp(declared, type, strlen(type)) != 0;
    if (type == NULL || mismatch)
        dd_reply_problem_detail(req, DD_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                                "Tệp không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp), "
                                "hoặc không đúng loại đã khai.",
                                "The file is not a PDF, JPEG or PNG (checked by its content), or "
                                "not of the type declared.",
                                NULL);
    return mismatch ? NULL : type;
}

int
svc_me_uploads_create(struct dd_req *req)
{
    const char *type = type_or_reply(req);
    if (type == NULL)
        return DD_DONE;
    if (req->body.len > svc_upload_max)
        return dd_reply_problem(req, DD_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms(), purged;
    if (svc_uploads_purge(db, req->arena, now, PURGE_PER_UPLOAD, &purged) != DD_OK)
        dd_log(DD_LOG_WARN, "services.upload_purge", "purging old uploads failed: %s",
               dd_db_errmsg(db));
    char hex[2 * DD_SHA256_LEN + 1];
    dd_sha256_hex(req->body.data, req->body.len, hex);
    int rc = store_file(req->body.data, req->body.len, hex);
    if (rc != DD_OK) {
        dd_log(DD_LOG_ERROR, "services.upload_write", "cannot write an upload into %s", upload_dir);
        return svc_fail(req, db, rc);
    }
    struct svc_upload u = {.owner_id = req->who->id_number,
                           .media_type = type,
                           .size = (int64_t)req->body.len,
                           .sha256 = hex,
                           .created_at = now};
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "INSERT INTO service_uploads (owner_id, media_type, size, sha256, "
                       "created_at, dossier_id) VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
                       &st);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
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
    char *bytes;
    int rc = load_file(req->arena, u->sha256, (size_t)u->size, &bytes);
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
    return dd_reply_bytes(req, 200, u->media_type, bytes, (size_t)u->size);
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
    if (!param_id(dd_req_param(req, "n"), &n) || n >= SVC_MAX_DOCS)
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
