/*
 * upload_files.c — the files of citizens' uploads, under DATA_DIR/uploads/.
 *
 * The body of POST /api/v1/me/uploads is streamed (a DD_BODY_STREAM route, http/route.h): each
 * piece libmicrohttpd reads goes straight to a temporary file of the folder (.tmp-XXXXXX) while
 * its SHA-256 and size are counted, so an upload in progress holds a few hundred bytes of state
 * whatever the file's size. The first bytes decide the type (PDF, JPEG or PNG by their magic
 * bytes, and as declared when a type is declared): a body that is none of them is refused on its
 * first piece and its temporary file removed; so is a body past upload-max-bytes, as soon as the
 * server sees it pass. Once the body is in, the handler keeps the file under its hash (fsync,
 * rename, fsync of the folder) or drops it when the same bytes are there already. The temporary
 * file of a request that ends otherwise (refused, failed, the client gone) is removed by a
 * cleanup of the request's arena. Stored files are read back for downloads and removed by the
 * purge of uploads.c.
 */
#include "base/arena.h"
#include "base/config.h"
#include "base/err.h"
#include "base/fd.h"
#include "base/str.h"
#include "core/services/internal.h"
#include "crypto/hash.h"
#include "http/req.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UPLOAD_PATH_BYTES 700
#define SNIFF_BYTES       8 /* the longest signature: PNG's */

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

/* ---- the body as it arrives ---- */

/* One upload in progress: the temporary file, the hash and size so far, the first bytes. */
struct upload_in {
    int fd; /* the temporary file, or -1 */
    char tmp[UPLOAD_PATH_BYTES];
    struct dd_sha256_ctx sha;
    size_t size;
    unsigned char head[SNIFF_BYTES];
    size_t head_len;
    const char *type; /* known once the first bytes are in */
    int refused;      /* 0, DD_EINVAL (the type), DD_EIO */
};

/* Closes and removes the temporary file, if any. */
static void
discard(struct upload_in *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    if (u->tmp[0])
        unlink(u->tmp);
    u->tmp[0] = '\0';
}

static void
discard_cleanup(void *arg)
{
    discard(arg);
}

static struct upload_in *
upload_in(struct dd_req *req)
{
    struct upload_in *u = req->body_state;
    if (u)
        return u;
    u = dd_arena_zalloc(req->arena, sizeof *u);
    u->fd = -1;
    dd_sha256_init(&u->sha);
    dd_arena_on_cleanup(req->arena, discard_cleanup, u);
    req->body_state = u;
    return u;
}

static int
open_tmp(struct upload_in *u)
{
    if (mkdir(upload_dir, 0700) != 0 && errno != EEXIST)
        return DD_EIO;
    snprintf(u->tmp, sizeof u->tmp, "%s/.tmp-XXXXXX", upload_dir);
    u->fd = mkostemp(u->tmp, O_CLOEXEC);
    if (u->fd < 0) {
        u->tmp[0] = '\0';
        return DD_EIO;
    }
    return DD_OK;
}

/* Judges the first bytes: sets u->type, or u->refused when they are no PDF, JPEG or PNG, or
 * belie the type declared (application/octet-stream declares none). */
static void
judge_head(struct dd_req *req, struct upload_in *u)
{
    const char *type = svc_upload_sniff(u->head, u->head_len);
    const char *declared = dd_req_header(req, "Content-Type");
    bool mismatch = type && declared && strncmp(declared, "application/octet-stream", 24) != 0 &&
                    strncmp(declared, type, strlen(type)) != 0;
    if (type == NULL || mismatch)
        u->refused = DD_EINVAL;
    else
        u->type = type;
}

/* Keeps the first SNIFF_BYTES bytes and judges them once they are in. */
static void
take_head(struct dd_req *req, struct upload_in *u, const char *data, size_t n)
{
    size_t take = SNIFF_BYTES - u->head_len < n ? SNIFF_BYTES - u->head_len : n;
    memcpy(u->head + u->head_len, data, take);
    u->head_len += take;
    if (u->head_len == SNIFF_BYTES)
        judge_head(req, u);
}

static int
sink_chunk(struct dd_req *req, const char *data, size_t n)
{
    struct upload_in *u = upload_in(req);
    if (u->type == NULL)
        take_head(req, u, data, n);
    if (u->refused == 0 && u->fd < 0 && open_tmp(u) != DD_OK)
        u->refused = DD_EIO;
    if (u->refused == 0 && dd_fd_write_all(u->fd, data, n) != DD_OK)
        u->refused = DD_EIO;
    if (u->refused) {
        discard(u);
        return u->refused;
    }
    dd_sha256_update(&u->sha, data, n);
    u->size += n;
    return DD_OK;
}

static void
sink_over(struct dd_req *req)
{
    discard(upload_in(req));
}

const struct dd_body_sink svc_upload_sink = {.chunk = sink_chunk, .over = sink_over};

void
svc_upload_body(struct dd_req *req, struct svc_upload_body *out)
{
    struct upload_in *u = upload_in(req);
    if (u->type == NULL && u->refused == 0 && u->head_len > 0)
        judge_head(req, u); /* a body shorter than the longest signature */
    if (u->refused)
        discard(u);
    out->type = u->refused ? NULL : u->type;
    out->size = u->size;
    out->refused = u->refused;
}

int
svc_upload_body_keep(struct dd_req *req, char hex[2 * DD_SHA256_LEN + 1])
{
    struct upload_in *u = upload_in(req);
    if (u->refused || u->fd < 0)
        return DD_EINVAL;
    dd_sha256_final_hex(&u->sha, hex);
    char path[UPLOAD_PATH_BYTES];
    file_path(hex, path);
    bool ok = fsync(u->fd) == 0;
    ok = close(u->fd) == 0 && ok;
    u->fd = -1;
    struct stat sb;
    if (ok && stat(path, &sb) == 0 && (size_t)sb.st_size == u->size) {
        discard(u); /* the same bytes are stored already */
        return DD_OK;
    }
    if (ok && rename(u->tmp, path) == 0) {
        u->tmp[0] = '\0';
        return sync_dir(upload_dir);
    }
    discard(u);
    return DD_EIO;
}

/* ---- stored files ---- */

int
svc_upload_file_open(const char *hex, size_t n, int *fd_out)
{
    char path[UPLOAD_PATH_BYTES];
    file_path(hex, path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? DD_ENOTFOUND : DD_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != (uint64_t)n) {
        close(fd);
        return DD_EIO;
    }
    *fd_out = fd;
    return DD_OK;
}

int
svc_upload_file_remove(const char *hex)
{
    char path[UPLOAD_PATH_BYTES];
    file_path(hex, path);
    if (unlink(path) != 0 && errno != ENOENT)
        return DD_EIO;
    return DD_OK;
}
