/*
 * server.c — glue between libmicrohttpd's callbacks and dinhdanh's requests.
 *
 * libmicrohttpd calls on_request several times for one request: first with the headers (we
 * match the route and check auth, type and declared length, and may answer at once), then with
 * pieces of the body (kept in the request's bounded buffer, or handed to the route's sink as they
 * come for a streamed body: DD_BODY_STREAM), then once more with none (we parse
 * the body and run the handler). A handler may park its request (dd_req_park: the connection is
 * suspended while another thread does the work it waits for); once unparked, on_request is
 * called again and runs the answer the handler left. on_completed runs after the response is
 * sent: metrics, the access-log line, and the arena goes back to the thread for the next
 * request.
 */
#include "http/server.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/utf8.h"
#include "http/accesslog.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "http/router.h"
#include "http/static.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ARENA_FIRST_BLOCK (16 * 1024)
#define MAX_PATH_BYTES    2048

struct dd_server {
    struct MHD_Daemon *daemon;
    const struct dd_router *router;
    size_t max_body;
    bool access_log;
    atomic_long inflight;
    unsigned port;
    char *tls_key;
    char *tls_cert;
    char *tls_trust; /* CAs whose client certificates are asked for (tls/client-ca.pem), or NULL */
};

static dd_authenticator_fn authenticator;

void
dd_server_set_authenticator(dd_authenticator_fn fn)
{
    authenticator = fn;
}

/* ---- per-thread arena reuse ---- */

/* Each thread keeps the arenas of its finished requests, up to SPARE_ARENAS, for its next ones. A
 * thread may have many requests parked at once (the group commit) and gets their arenas back in
 * turn; with one spare it would make and free an arena for nearly every request. */
#define SPARE_ARENAS 64

struct spares {
    size_t n;
    struct dd_arena *arenas[SPARE_ARENAS];
};

static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void
spares_free(void *p)
{
    struct spares *s = p;
    for (size_t i = 0; i < s->n; i++)
        dd_arena_free(s->arenas[i]);
    free(s);
}

static void
spare_init(void)
{
    pthread_key_create(&spare_key, spares_free);
}

/* This thread's spares, made at its first request. */
static struct spares *
thread_spares(void)
{
    struct spares *s = pthread_getspecific(spare_key);
    if (s == NULL) {
        s = dd_xcalloc(1, sizeof *s);
        pthread_setspecific(spare_key, s);
    }
    return s;
}

static struct dd_arena *
arena_take(void)
{
    struct spares *s = thread_spares();
    return s->n ? s->arenas[--s->n] : dd_arena_new(ARENA_FIRST_BLOCK);
}

static void
arena_give_back(struct dd_arena *a)
{
    dd_arena_reset(a);
    struct spares *s = thread_spares();
    if (s->n < SPARE_ARENAS)
        s->arenas[s->n++] = a;
    else
        dd_arena_free(a);
}

/* ---- request start: route, auth, type, length ---- */

static bool
media_type_is(const char *header, const char *type)
{
    size_t n = strlen(type);
    if (strncasecmp(header, type, n) != 0)
        return false;
    char next = header[n];
    return next == '\0' || next == ';' || next == ' ';
}

static bool
content_type_accepted(const struct dd_route *route, const char *ct)
{
    if (ct == NULL)
        return false;
    if (route->content_types == NULL)
        return media_type_is(ct, "application/json");
    for (const char *const *t = route->content_types; *t; t++)
        if (media_type_is(ct, *t))
            return true;
    return false;
}

/* The route's own limit, never above the server's max-body setting unless the route points at a
 * limit of its own (max_body_at: a module's setting, e.g. upload-max-bytes). */
static size_t
route_max_body(const struct dd_server *srv, const struct dd_route *route)
{
    if (route->max_body_at)
        return *route->max_body_at;
    if (route->max_body && route->max_body < srv->max_body)
        return route->max_body;
    return srv->max_body;
}

static struct dd_req *
req_begin(struct dd_server *srv, struct MHD_Connection *conn, const char *url, const char *method)
{
    struct dd_arena *a = arena_take();
    struct dd_req *req = dd_arena_zalloc(a, sizeof *req);
    req->arena = a;
    req->conn = conn;
    req->start_ns = dd_clock_mono_ns();
    req->method = method;
    size_t n = strlen(url);
    bool printable = n <= MAX_PATH_BYTES && dd_utf8_valid(url, n, NULL);
    req->path = printable ? url : "/";
    req->scratch = dd_arena_alloc(a, strlen(req->path) + 1);
    req->lang = dd_req_lang_from_header(dd_req_header(req, "Accept-Language"));
    dd_req_make_id(dd_req_header(req, "X-Request-Id"), req->request_id);
    req->metrics_slot = dd_metrics_slot_unmatched();
    req->route_label = "unmatched";
    atomic_fetch_add(&srv->inflight, 1);
    return req;
}

static int
reply_method_not_allowed(struct dd_req *req)
{
    dd_reply_header(req, "Allow", req->match.allow);
    return dd_reply_problem(req, DD_PROBLEM_METHOD_NOT_ALLOWED, NULL);
}

static int
reply_unauthenticated(struct dd_req *req)
{
    dd_reply_header(req, "WWW-Authenticate", "Bearer");
    return dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
}

/* Everything decided from the request line and headers. May reply. */
static void
req_start(struct dd_server *srv, struct dd_req *req, const char *url)
{
    if (req->path != url || strlen(url) > MAX_PATH_BYTES) {
        dd_reply_problem(req, DD_PROBLEM_BAD_REQUEST, NULL);
        return;
    }
    enum dd_match m =
        dd_router_match(srv->router, req->method, req->path, req->scratch, &req->match);
    if (m == DD_MATCH_NO_PATH) {
        bool readable = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
        if (readable && !dd_str_has_prefix(req->path, "/api/")) {
            req->metrics_slot = dd_metrics_slot_static();
            req->route_label = "static";
            dd_static_serve(req);
        } else {
            dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
        }
        return;
    }
    if (m == DD_MATCH_NO_METHOD) {
        reply_method_not_allowed(req);
        return;
    }
    const struct dd_route *route = req->match.route;
    req->metrics_slot = req->match.index;
    req->route_label = route->path;
    if (route->auth != DD_AUTH_NONE) {
        if (authenticator == NULL) {
            reply_unauthenticated(req);
            return;
        }
        if (authenticator(req, route) != DD_OK) {
            if (!req->replied)
                dd_reply_problem(req, DD_PROBLEM_FORBIDDEN, NULL);
            return;
        }
    }
    if (route->body == DD_BODY_NONE)
        return;
    if (!content_type_accepted(route, dd_req_header(req, "Content-Type"))) {
        dd_reply_problem(req, DD_PROBLEM_UNSUPPORTED_MEDIA_TYPE, NULL);
        return;
    }
    size_t max = route_max_body(srv, route);
    const char *cl = dd_req_header(req, "Content-Length");
    int64_t declared;
    if (cl && dd_parse_int64(cl, 0, INT64_MAX, &declared) == DD_OK && (uint64_t)declared > max) {
        dd_reply_problem(req, DD_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
        return;
    }
    dd_buf_init(&req->body, req->arena, max);
}

/* Whether the client announced a body (a length above zero, or a chunked transfer). */
static bool
has_body(const struct dd_req *req)
{
    const char *cl = dd_req_header(req, "Content-Length");
    if (cl && strcmp(cl, "0") != 0)
        return true;
    return dd_req_header(req, "Transfer-Encoding") != NULL;
}

/* ---- request end: body, handler ---- */

static int
reply_json_fault(struct dd_req *req, const struct dd_json_error *e)
{
    json_t *ext = json_pack("{s:{s:I, s:i, s:i}}", "position", "offset", (json_int_t)e->offset,
                            "line", e->line, "column", e->column);
    if (e->fault == DD_JSON_UTF8)
        return dd_reply_problem(req, DD_PROBLEM_INVALID_UTF8, ext);
    const char *vi = "Nội dung không phải JSON hợp lệ.";
    switch (e->fault) {
    case DD_JSON_DEPTH:
        vi = "JSON lồng nhau quá sâu.";
        break;
    case DD_JSON_STRING:
        vi = "Một chuỗi trong JSON dài quá giới hạn.";
        break;
    case DD_JSON_EMPTY:
        vi = "Nội dung trống; cần một đối tượng JSON.";
        break;
    default:
        break;
    }
    char en[200];
    snprintf(en, sizeof en, "The body is not valid JSON: %s.", e->text);
    char vi_full[300];
    snprintf(vi_full, sizeof vi_full, "%s (dòng %d, cột %d)", vi, e->line, e->column);
    return dd_reply_problem_detail(req, DD_PROBLEM_INVALID_JSON, vi_full, en, ext);
}

/* Answers what a handler (or a parked request's answer) returned, unless it replied itself. */
static void
answer(struct dd_req *req, int rc)
{
    const struct dd_route *route = req->match.route;
    int left = dd_db_tidy(dd_db_pool_peek());
    if (left > 0)
        dd_log(DD_LOG_ERROR, "db.left_open",
               "%s %s left %d statement(s) or a transaction open (request %s); ended",
               route->method, route->path, left, req->request_id);
    if (req->replied || req->resume != NULL)
        return;
    if (rc == DD_DONE) {
        dd_log(DD_LOG_ERROR, "http.no_reply", "handler for %s %s returned without replying",
               route->method, route->path);
        rc = DD_EINTERNAL;
    }
    enum dd_problem p = dd_problem_from_error(rc);
    if (p == DD_PROBLEM_INTERNAL_ERROR)
        dd_log(DD_LOG_ERROR, "http.handler_failed", "%s %s failed: %s (request %s)", route->method,
               route->path, dd_strerror(rc), req->request_id);
    if (p == DD_PROBLEM_DATABASE_BUSY || p == DD_PROBLEM_SERVICE_UNAVAILABLE)
        dd_reply_header(req, "Retry-After", "1");
    dd_reply_problem(req, p, NULL);
}

static void
req_finish(struct dd_req *req)
{
    const struct dd_route *route = req->match.route;
    if (req->body_too_big) {
        dd_reply_problem(req, DD_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
        return;
    }
    if (route->body == DD_BODY_JSON) {
        struct dd_json_error jerr;
        req->json = dd_json_parse(req->arena, req->body.data ? req->body.data : "", req->body.len,
                                  NULL, &jerr);
        if (req->json == NULL) {
            reply_json_fault(req, &jerr);
            return;
        }
    }
    answer(req, route->handler(req));
}

/* A piece of a streamed body (DD_BODY_STREAM) goes to the route's sink while the body is within
 * the limit and the sink has not refused it; past the limit the sink is told at once. */
static void
body_stream(struct dd_req *req, const char *data, size_t n)
{
    const struct dd_body_sink *sink = req->match.route->sink;
    if (req->body_too_big)
        return;
    if (req->body_received > req->body.max) {
        req->body_too_big = true;
        sink->over(req);
        return;
    }
    if (!req->body_refused && sink->chunk(req, data, n) != DD_OK)
        req->body_refused = true;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct dd_server *srv = cls;
    struct dd_req *req = *con_cls;
    if (req == NULL) {
        req = req_begin(srv, conn, url, method);
        *con_cls = req;
        /* Answering now, before the body, makes libmicrohttpd close the connection; only a
         * request that comes with a body is judged early, so a refused upload is not read. */
        if (has_body(req))
            req_start(srv, req, url);
        else
            req->start_deferred = true;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (req->replied || req->match.route == NULL || req->match.route->body == DD_BODY_NONE)
            return MHD_YES;
        req->body_received += n;
        if (req->match.route->body == DD_BODY_STREAM)
            body_stream(req, upload_data, n);
        else if (!req->body_too_big && dd_buf_append(&req->body, upload_data, n) != DD_OK)
            req->body_too_big = true;
        /* A body far past the limit is not worth reading to the end: drop the connection. */
        if (req->body_too_big && req->body_received > 2 * req->body.max + 65536)
            return MHD_NO;
        return MHD_YES;
    }
    if (req->resume != NULL) { /* a parked request, unparked */
        int (*resume)(struct dd_req *, void *) = req->resume;
        req->resume = NULL;
        answer(req, resume(req, req->resume_arg));
        return MHD_YES;
    }
    if (req->start_deferred) {
        req->start_deferred = false;
        req_start(srv, req, url);
    }
    if (!req->replied)
        req_finish(req);
    return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct dd_server *srv = cls;
    struct dd_req *req = *con_cls;
    if (req == NULL)
        return;
    *con_cls = NULL;
    int64_t elapsed = dd_clock_mono_ns() - req->start_ns;
    unsigned status = req->replied ? req->status : 499; /* client went away before a reply */
    dd_metrics_observe(req->metrics_slot, status, elapsed);
    if (srv->access_log)
        dd_accesslog_write(req, status, elapsed, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
    atomic_fetch_sub(&srv->inflight, 1);
    arena_give_back(req->arena);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    dd_log(DD_LOG_DEBUG, "http.library", "%s", msg);
}

/* ---- start and stop ---- */

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, char *err, size_t errlen)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    size_t hlen = colon ? (size_t)(colon - listen) : 0;
    if (hlen == 0 || hlen >= sizeof host) {
        snprintf(err, errlen, "listen address %s is not ADDR:PORT", listen);
        return DD_EINVAL;
    }
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || res == NULL) {
        snprintf(err, errlen, "listen address %s is not a numeric address and port", listen);
        return DD_EINVAL;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return DD_OK;
}

static char *
read_file(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *data = dd_xmalloc(max + 1);
    size_t n = fread(data, 1, max, f);
    fclose(f);
    if (n == 0 || n == max) {
        free(data);
        return NULL;
    }
    data[n] = '\0';
    return data;
}

static int
load_tls(struct dd_server *srv, const struct dd_config *cfg, char *err, size_t errlen)
{
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, errlen, "this libmicrohttpd was built without TLS");
        return DD_EINVAL;
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/tls/key.pem", cfg->data_dir);
    srv->tls_key = read_file(path, 1 << 20);
    snprintf(path, sizeof path, "%s/tls/cert.pem", cfg->data_dir);
    srv->tls_cert = read_file(path, 1 << 20);
    if (srv->tls_key == NULL || srv->tls_cert == NULL) {
        snprintf(err, errlen, "TLS is on but %s/tls/cert.pem or key.pem cannot be read",
                 cfg->data_dir);
        return DD_EIO;
    }
    /* Optional: client certificates (the data-sharing gateway's consumers, docs/LGSP.md). */
    snprintf(path, sizeof path, "%s/tls/client-ca.pem", cfg->data_dir);
    srv->tls_trust = read_file(path, 1 << 20);
    return DD_OK;
}

static void
server_free(struct dd_server *srv)
{
    free(srv->tls_key);
    free(srv->tls_cert);
    free(srv->tls_trust);
    free(srv);
}

int
dd_server_start(const struct dd_config *cfg, const struct dd_router *router, struct dd_server **out,
                char *err, size_t errlen)
{
    pthread_once(&spare_once, spare_init);
    struct sockaddr_storage addr;
    if (parse_listen(cfg->listen, &addr, err, errlen) != DD_OK)
        return DD_EINVAL;
    if (dd_static_init(cfg->web_dir, err, errlen) != DD_OK)
        return DD_EIO;
    struct dd_server *srv = dd_xcalloc(1, sizeof *srv);
    srv->router = router;
    srv->max_body = (size_t)cfg->max_body;
    srv->access_log = cfg->access_log;
    if (cfg->tls && load_tls(srv, cfg, err, errlen) != DD_OK) {
        server_free(srv);
        return DD_EINVAL;
    }
    dd_reply_set_tls(cfg->tls);
    dd_metrics_init(router);

    long threads = cfg->threads > 0 ? cfg->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    unsigned flags =
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls)
        flags |= MHD_USE_TLS;
    /* Each connection's memory holds the request and reply heads and is cleared for every
     * request on a kept-alive connection, so it is kept to 16 KiB: request heads up to about
     * 15 KiB (bearer tokens and cookies included) fit; larger ones get 431. */
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->timeout, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 16 * 1024, NULL},
        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
        {MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL},
        {cfg->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, srv->tls_key},
        {cfg->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->tls_cert},
        {cfg->tls && srv->tls_trust ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0,
         srv->tls_trust},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts,
                                   MHD_OPTION_END);
    if (srv->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s (in use, or not an address of this machine)",
                 cfg->listen);
        dd_metrics_free();
        dd_static_free();
        server_free(srv);
        return DD_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    *out = srv;
    return DD_OK;
}

unsigned
dd_server_port(const struct dd_server *srv)
{
    return srv->port;
}

void
dd_server_quiesce(struct dd_server *srv)
{
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

long
dd_server_wait_idle(struct dd_server *srv, long seconds)
{
    int64_t deadline = dd_clock_mono_ns() + (int64_t)seconds * 1000000000;
    long left;
    while ((left = atomic_load(&srv->inflight)) > 0 && dd_clock_mono_ns() < deadline) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return left;
}

void
dd_server_stop(struct dd_server *srv)
{
    if (srv == NULL)
        return;
    MHD_stop_daemon(srv->daemon);
    dd_metrics_free();
    dd_static_free();
    server_free(srv);
}
