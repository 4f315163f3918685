/*
 * reply.c — building and queueing libmicrohttpd responses with the headers every reply carries.
 */
#include "http/reply.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "http/problem.h"
#include "http/req.h"

#include <microhttpd.h>
#include <string.h>
#include <unistd.h>

/* Pages: nothing from elsewhere, no framing, reports to us. */
static const char page_csp[] = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; object-src 'none'; "
                               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "report-uri /api/v1/csp-reports";

/* Everything else (JSON, CSV, files): no content may load or run at all if a browser ever renders
 * it, and no framing; shorter, and it is sent with every API reply. */
static const char data_csp[] = "default-src 'none'; frame-ancestors 'none'";

/* Whether a reply is an HTML page: the request says so (static pages, and their 304), or the
 * response's Content-Type does. */
static bool
is_page(const struct dd_req *req, struct MHD_Response *resp)
{
    const char *type = MHD_get_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE);
    return req->page || (type && strncmp(type, "text/html", 9) == 0);
}

static bool tls_on;

void
dd_reply_set_tls(bool on)
{
    tls_on = on;
}

void
dd_reply_header(struct dd_req *req, const char *name, const char *value)
{
    struct dd_req_header *h = dd_arena_alloc(req->arena, sizeof *h);
    h->name = dd_arena_strdup(req->arena, name);
    h->value = dd_arena_strdup(req->arena, value);
    h->next = req->extra_headers;
    req->extra_headers = h;
}

int
dd_reply_response(struct dd_req *req, unsigned status, struct MHD_Response *resp, size_t body_len)
{
    if (req->replied) {
        dd_log(DD_LOG_ERROR, "http.double_reply", "second reply %u to request %s", status,
               req->request_id);
        MHD_destroy_response(resp);
        return DD_EINTERNAL;
    }
    req->replied = true;
    req->status = status;
    req->bytes_out = body_len;
    for (struct dd_req_header *h = req->extra_headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    MHD_add_response_header(resp, "Content-Security-Policy",
                            is_page(req, resp) ? page_csp : data_csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (tls_on)
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains");
    MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    return DD_DONE;
}

int
dd_reply_bytes(struct dd_req *req, unsigned status, const char *content_type, const void *body,
               size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    return dd_reply_response(req, status, resp, len);
}

int
dd_reply_fd(struct dd_req *req, unsigned status, const char *content_type, int fd, uint64_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_fd(len, fd);
    if (resp == NULL) {
        close(fd);
        return dd_reply_problem(req, DD_PROBLEM_INTERNAL_ERROR, NULL);
    }
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    return dd_reply_response(req, status, resp, (size_t)len);
}

int
dd_reply_json_typed(struct dd_req *req, unsigned status, json_t *body, const char *content_type)
{
    char *text = dd_json_dump(req->arena, body);
    json_decref(body);
    size_t len = strlen(text);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    return dd_reply_response(req, status, resp, len);
}

int
dd_reply_json(struct dd_req *req, unsigned status, json_t *body)
{
    return dd_reply_json_typed(req, status, body, "application/json");
}

int
dd_reply_empty(struct dd_req *req, unsigned status)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    return dd_reply_response(req, status, resp, 0);
}
