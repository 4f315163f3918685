/*
 * reply.h — answering a request. Each request is answered exactly once; a second reply is a
 * defect and is refused (DD_EINTERNAL, logged). Every reply carries the request id and the
 * security headers; JSON replies are never cached.
 */
#ifndef DD_HTTP_REPLY_H
#define DD_HTTP_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_req;
struct MHD_Response;

/* Replies with a JSON body (the reference is taken). Returns DD_DONE. */
int dd_reply_json(struct dd_req *req, unsigned status, json_t *body);

/* Same, with another JSON media type (application/problem+json, …). */
int dd_reply_json_typed(struct dd_req *req, unsigned status, json_t *body,
                        const char *content_type);

/* Replies with bytes that stay valid until the request ends (static or in the arena). */
int dd_reply_bytes(struct dd_req *req, unsigned status, const char *content_type, const void *body,
                   size_t len);

/* Replies with the `len` bytes of open file `fd` from its start, sent from the file as the
 * connection takes them (never read into memory); the reply owns fd and closes it, whatever the
 * outcome. */
int dd_reply_fd(struct dd_req *req, unsigned status, const char *content_type, int fd,
                uint64_t len);

/* Replies with no body (204, 304, …). */
int dd_reply_empty(struct dd_req *req, unsigned status);

/* Adds a header to the coming reply; name and value are copied. */
void dd_reply_header(struct dd_req *req, const char *name, const char *value);

/* Queues a prepared response with the common headers; destroys it. Returns DD_DONE. */
int dd_reply_response(struct dd_req *req, unsigned status, struct MHD_Response *resp,
                      size_t body_len);

/* Whether replies should carry Strict-Transport-Security (set once at start). */
void dd_reply_set_tls(bool on);

#endif
