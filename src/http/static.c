/*
 * static.c — files of the web UI, with ETag revalidation and no way out of the folder.
 */
#include "http/static.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"

#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *web_root; /* real path, no trailing slash */

static const struct {
    const char *ext;
    const char *mime;
} mime_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

int
dd_static_init(const char *web_dir, char *err, size_t errlen)
{
    char resolved[PATH_MAX];
    if (realpath(web_dir, resolved) == NULL) {
        snprintf(err, errlen, "web folder %s does not exist", web_dir);
        return DD_EIO;
    }
    free(web_root);
    web_root = dd_xstrdup(resolved);
    return DD_OK;
}

void
dd_static_free(void)
{
    free(web_root);
    web_root = NULL;
}

const char *
dd_static_mime(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strchr(dot, '/') == NULL)
        for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
            if (dd_str_eq_nocase(dot, mime_types[i].ext))
                return mime_types[i].mime;
    return "application/octet-stream";
}

int
dd_static_path_ok(const char *path)
{
    if (path[0] != '/' || strlen(path) > 1024 || strchr(path, '\\'))
        return 0;
    for (const char *seg = path + 1;; seg++) {
        size_t len = strcspn(seg, "/");
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)seg[i] < 0x20 || seg[i] == 0x7f)
                return 0;
        seg += len;
        if (*seg == '\0')
            return 1;
    }
}

static int
not_found(struct dd_req *req)
{
    return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
}

/* Directories are answered with a redirect to their slash form, so relative links work. */
static int
redirect_to_dir(struct dd_req *req)
{
    dd_reply_header(req, "Location", dd_arena_printf(req->arena, "%s/", req->path));
    return dd_reply_bytes(req, 301, NULL, "", 0);
}

int
dd_static_serve(struct dd_req *req)
{
    if (web_root == NULL || !dd_static_path_ok(req->path))
        return not_found(req);
    size_t plen = strlen(req->path);
    const char *rel = req->path[plen - 1] == '/'
                          ? dd_arena_printf(req->arena, "%sindex.html", req->path)
                          : req->path;
    char *full = dd_arena_printf(req->arena, "%s%s", web_root, rel);
    char resolved[PATH_MAX];
    if (realpath(full, resolved) == NULL)
        return not_found(req);
    size_t rootlen = strlen(web_root);
    if (strncmp(resolved, web_root, rootlen) != 0 || resolved[rootlen] != '/')
        return not_found(req);

    int fd = open(resolved, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return not_found(req);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return not_found(req);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return redirect_to_dir(req);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return not_found(req);
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
                 (unsigned long long)st.st_mtim.tv_nsec);
    dd_reply_header(req, "ETag", etag);
    dd_reply_header(req, "Cache-Control", "no-cache");
    /* A 304 updates the headers the browser keeps for the page, so it carries the page's CSP. */
    req->page = strncmp(dd_static_mime(resolved), "text/html", 9) == 0;
    const char *inm = dd_req_header(req, "If-None-Match");
    if (inm && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0)) {
        close(fd);
        return dd_reply_empty(req, 304);
    }
    return dd_reply_fd(req, 200, dd_static_mime(resolved), fd, (uint64_t)st.st_size);
}
