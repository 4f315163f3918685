/*
 * static.h — the web UI's files, served from the web folder.
 *
 * Only regular files inside the folder are served: segments "." and "..", backslashes, NUL bytes
 * and symbolic links that lead outside are refused. Responses carry the right MIME type and an
 * ETag; If-None-Match gives 304.
 */
#ifndef DD_HTTP_STATIC_H
#define DD_HTTP_STATIC_H

#include <stddef.h>

struct dd_req;

/* Resolves the folder once. DD_EIO with a sentence if it does not exist. */
int dd_static_init(const char *web_dir, char *err, size_t errlen);
void dd_static_free(void);

/* Answers a GET or HEAD for req->path from the folder, or with a 404 problem. */
int dd_static_serve(struct dd_req *req);

/* The MIME type for a file name, by extension ("application/octet-stream" if unknown). */
const char *dd_static_mime(const char *name);

/* True if a decoded URL path is safe to look up under the folder. */
int dd_static_path_ok(const char *path);

#endif
