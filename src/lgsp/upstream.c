/*
 * upstream.c — the gateway's own HTTP/1.1 client for providers reached over plain http.
 *
 * libcurl's general machinery (option handling, header parsing with sscanf, a poll over every
 * handle) cost the gateway more CPU per call than the rest of the call together. This client
 * does only what a forwarded call needs: one I/O thread with an edge-triggered epoll, a pool of
 * keep-alive connections per provider (host and port), the request written with one sendmsg
 * (head and body, no copy of the body), the answer read into one buffer that becomes the reply's
 * body (Content-Length, chunked, or until close), a deadline per call checked at every turn, and
 * one retry on a fresh connection when a kept connection turns out closed before any byte of
 * its answer. https providers still go through libcurl (forward.c). A provider's host name is
 * resolved on the I/O thread (getaddrinfo, blocking) on its first call and then at most once a
 * minute: a provider named by an IP address never waits for a resolver.
 *
 * Results use libcurl's codes so that the gateway treats both paths alike: CURLE_OK,
 * CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR,
 * CURLE_RECV_ERROR, CURLE_WEIRD_SERVER_REPLY, CURLE_WRITE_ERROR (answer above LGSP_BODY_MAX).
 */
#include "base/clock.h"
#include "base/mem.h"
#include "base/str.h"
#include "http/req.h"
#include "lgsp/internal.h"

#include <errno.h>
#include <netdb.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define IDLE_MAX       256 /* kept connections per provider */
#define RESOLVE_TTL_MS 60000
#define HEAD_MAX       16384 /* an answer's status line and headers */

enum conn_state { C_IDLE, C_CONNECTING, C_SENDING, C_READING };

struct pool;

struct conn {
    int fd;
    enum conn_state state;
    struct pool *pool;
    struct lgsp_call *call;
    bool reused;              /* kept from an earlier call */
    struct conn *prev, *next; /* the active list, or the pool's idle list (next only) */
    int64_t deadline_ms;
    /* the request */
    char *out;
    size_t out_len, sent; /* sent counts the head, then the body */
    /* the answer */
    char *in;
    size_t in_len, in_cap;
    size_t head_len;       /* 0 until the head is complete */
    long long content_len; /* -1: unknown */
    bool chunked, close_after, no_body;
    size_t dec_len, raw_off; /* chunked: decoded bytes at the body's start, next raw byte */
};

struct pool {
    struct pool *next;
    char host[256];
    char port[8];
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int64_t resolved_ms;
    struct conn *idle;
    int nidle;
};

static pthread_t thread;
static bool running, stopping;
static int epfd = -1, wakefd = -1;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lgsp_call *queue_head, *queue_tail;
static struct pool *pools;  /* one per provider host and port, kept while the process runs */
static struct conn *active; /* calls in flight */

static int64_t
now_ms(void)
{
    return dd_clock_mono_ns() / 1000000;
}

/* ---- connections ---- */

static void
active_add(struct conn *c)
{
    c->prev = NULL;
    c->next = active;
    if (active)
        active->prev = c;
    active = c;
}

static void
active_remove(struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (active == c)
        active = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd); /* closing removes it from the epoll set */
    free(c->out);
    free(c->in);
    free(c);
}

static void
conn_reset(struct conn *c)
{
    free(c->out);
    c->out = NULL;
    c->out_len = c->sent = 0;
    c->in_len = c->head_len = 0;
    c->content_len = -1;
    c->chunked = c->close_after = c->no_body = false;
    c->dec_len = c->raw_off = 0;
    c->call = NULL;
}

static struct conn *
conn_open(struct pool *p, CURLcode *err)
{
    int fd = socket(p->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = CURLE_COULDNT_CONNECT;
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = dd_xcalloc(1, sizeof *c);
    c->fd = fd;
    c->pool = p;
    c->content_len = -1;
    c->state = C_SENDING;
    if (connect(fd, (struct sockaddr *)&p->addr, p->addr_len) != 0) {
        if (errno != EINPROGRESS) {
            conn_close(c);
            *err = CURLE_COULDNT_CONNECT;
            return NULL;
        }
        c->state = C_CONNECTING;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        conn_close(c);
        *err = CURLE_COULDNT_CONNECT;
        return NULL;
    }
    return c;
}

/* ---- providers ---- */

/* Splits "http://host[:port]/rest" into host, port and the request target (starting with '/');
 * false when malformed. */
static bool
split_url(const char *url, char host[256], char port[8], const char **target)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return false;
    const char *h = url + 7;
    const char *end = h + strcspn(h, "/?#");
    const char *colon = NULL;
    if (*h == '[') { /* an IPv6 address */
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (rb == NULL)
            return false;
        if (rb + 1 < end && rb[1] == ':')
            colon = rb + 1;
        size_t n = (size_t)(rb - h - 1);
        if (n == 0 || n >= 256)
            return false;
        memcpy(host, h + 1, n);
        host[n] = '\0';
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        size_t n = (size_t)((colon ? colon : end) - h);
        if (n == 0 || n >= 256)
            return false;
        memcpy(host, h, n);
        host[n] = '\0';
    }
    if (colon) {
        size_t n = (size_t)(end - colon - 1);
        if (n == 0 || n >= 8)
            return false;
        memcpy(port, colon + 1, n);
        port[n] = '\0';
    } else {
        memcpy(port, "80", 3);
    }
    *target = *end == '/' ? end : NULL;
    return true;
}

static struct pool *
pool_for(const char *host, const char *port, CURLcode *err)
{
    struct pool *p = pools;
    while (p && (strcmp(p->host, host) != 0 || strcmp(p->port, port) != 0))
        p = p->next;
    if (p == NULL) {
        p = dd_xcalloc(1, sizeof *p);
        dd_strlcpy(p->host, host, sizeof p->host);
        dd_strlcpy(p->port, port, sizeof p->port);
        p->next = pools;
        pools = p;
    }
    int64_t now = now_ms();
    if (p->resolved_ms == 0 || now - p->resolved_ms > RESOLVE_TTL_MS) {
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
        if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) {
            *err = CURLE_COULDNT_RESOLVE_HOST;
            return NULL;
        }
        memcpy(&p->addr, ai->ai_addr, ai->ai_addrlen);
        p->addr_len = ai->ai_addrlen;
        p->resolved_ms = now;
        freeaddrinfo(ai);
    }
    return p;
}

/* ---- one call ---- */

static void
call_done(struct conn *c, CURLcode result)
{
    struct lgsp_call *call = c->call;
    call->result = result;
    active_remove(c);
    bool keep = result == CURLE_OK && !c->close_after && c->pool->nidle < IDLE_MAX;
    if (keep) {
        conn_reset(c);
        c->state = C_IDLE;
        c->next = c->pool->idle;
        c->pool->idle = c;
        c->pool->nidle++;
    } else {
        conn_close(c);
    }
    dd_req_unpark(call->req);
}

/* Builds the request's head into c->out. */
static void
build_head(struct conn *c, const struct lgsp_call *call, const char *target)
{
    const struct pool *p = c->pool;
    bool v6 = strchr(p->host, ':') != NULL;
    size_t cap = strlen(call->method) + strlen(target) + strlen(p->host) + call->headers_len + 128;
    c->out = dd_xmalloc(cap);
    int n = snprintf(c->out, cap, "%s %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", call->method, target,
                     v6 ? "[" : "", p->host, v6 ? "]" : "", strcmp(p->port, "80") ? ":" : "",
                     strcmp(p->port, "80") ? p->port : "");
    size_t len = (size_t)n;
    memcpy(c->out + len, call->headers_text, call->headers_len);
    len += call->headers_len;
    bool body =
        call->body_len > 0 || (strcmp(call->method, "GET") && strcmp(call->method, "HEAD") &&
                               strcmp(call->method, "DELETE") && strcmp(call->method, "OPTIONS"));
    if (body)
        len += (size_t)snprintf(c->out + len, cap - len, "Content-Length: %zu\r\n", call->body_len);
    memcpy(c->out + len, "\r\n", 2);
    c->out_len = len + 2;
    c->no_body = strcmp(call->method, "HEAD") == 0;
}

static void conn_io(struct conn *c, bool event);

/* Starts `call` on a kept connection or a new one; false (with *err) when it cannot start. */
static bool
start_on(struct lgsp_call *call, bool fresh, CURLcode *err)
{
    char host[256], port[8];
    const char *target;
    if (!split_url(call->url, host, port, &target)) {
        *err = CURLE_URL_MALFORMAT;
        return false;
    }
    struct pool *p = pool_for(host, port, err);
    if (p == NULL)
        return false;
    struct conn *c = NULL;
    if (!fresh && p->idle) {
        c = p->idle;
        p->idle = c->next;
        p->nidle--;
        c->reused = true;
        c->state = C_SENDING;
    } else {
        c = conn_open(p, err);
        if (c == NULL)
            return false;
        c->reused = false;
    }
    c->call = call;
    c->deadline_ms = call->deadline_ms;
    build_head(c, call, target ? target : "/");
    active_add(c);
    if (c->state == C_SENDING)
        conn_io(c, false);
    return true;
}

static void
start(struct lgsp_call *call)
{
    CURLcode err = CURLE_OK;
    call->deadline_ms = now_ms() + call->timeout_ms;
    if (!start_on(call, false, &err)) {
        call->result = err;
        dd_req_unpark(call->req);
    }
}

/* A kept connection closed under a call before any byte of its answer: the call starts again
 * once, on a new connection. */
static void
retry_or_fail(struct conn *c, CURLcode result)
{
    struct lgsp_call *call = c->call;
    if (c->reused && c->in_len == 0) {
        active_remove(c);
        conn_close(c);
        CURLcode err = CURLE_OK;
        if (!start_on(call, true, &err)) {
            call->result = err;
            dd_req_unpark(call->req);
        }
        return;
    }
    c->close_after = true;
    call_done(c, result);
}

static bool
send_some(struct conn *c)
{
    const struct lgsp_call *call = c->call;
    size_t total = c->out_len + call->body_len;
    while (c->sent < total) {
        struct iovec iov[2];
        int n = 0;
        if (c->sent < c->out_len)
            iov[n++] = (struct iovec){c->out + c->sent, c->out_len - c->sent};
        size_t boff = c->sent > c->out_len ? c->sent - c->out_len : 0;
        if (call->body_len > boff)
            iov[n++] = (struct iovec){(char *)call->body + boff, call->body_len - boff};
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return false;
            if (errno == EINTR)
                continue;
            retry_or_fail(c, CURLE_SEND_ERROR);
            return false;
        }
        c->sent += (size_t)w;
    }
    c->state = C_READING;
    return true;
}

static bool
header_is(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n > k && line[k] == ':' && strncasecmp(line, name, k) == 0;
}

/* The value of a header line (after the colon, spaces skipped) and its length. */
static const char *
header_value(const char *line, size_t n, const char *name, size_t *vlen)
{
    const char *v = line + strlen(name) + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *vlen = (size_t)(end - v);
    return v;
}

static bool
contains_token(const char *v, size_t n, const char *token)
{
    size_t k = strlen(token);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(v + i, token, k) == 0)
            return true;
    return false;
}

/* Parses the head once it is complete: 1 done, 0 more bytes needed, -1 malformed. */
static int
parse_head(struct conn *c)
{
    char *end = NULL;
    size_t from = 0;
    for (;;) {
        if (c->in_len < from + 4)
            return c->in_len > HEAD_MAX ? -1 : 0;
        end = memmem(c->in + from, c->in_len - from, "\r\n\r\n", 4);
        if (end == NULL)
            return c->in_len > HEAD_MAX ? -1 : 0;
        size_t head_len = (size_t)(end - c->in) + 4;
        const char *s = c->in + from;
        if (head_len - from < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[8] != ' ')
            return -1;
        long status = 0;
        for (int i = 9; i < 12; i++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            status = status * 10 + (s[i] - '0');
        }
        if (status >= 100 && status < 200 && status != 101) { /* an interim answer: skipped */
            from = head_len;
            continue;
        }
        struct lgsp_call *call = c->call;
        call->status = status;
        c->close_after = s[7] == '0';
        const char *first_nl = memchr(s, '\n', head_len - from);
        const char *line = first_nl + 1;
        while (line < c->in + head_len - 2) {
            const char *nl = memchr(line, '\n', (size_t)(c->in + head_len - line));
            size_t n = (size_t)(nl - line);
            if (n > 0 && line[n - 1] == '\r')
                n--;
            size_t vn;
            const char *v;
            if (header_is(line, n, "content-length")) {
                v = header_value(line, n, "content-length", &vn);
                long long len = 0;
                for (size_t i = 0; i < vn; i++) {
                    if (v[i] < '0' || v[i] > '9' || len > (long long)LGSP_BODY_MAX)
                        return -1;
                    len = len * 10 + (v[i] - '0');
                }
                c->content_len = len;
            } else if (header_is(line, n, "transfer-encoding")) {
                v = header_value(line, n, "transfer-encoding", &vn);
                c->chunked = contains_token(v, vn, "chunked");
            } else if (header_is(line, n, "connection")) {
                v = header_value(line, n, "connection", &vn);
                if (contains_token(v, vn, "close"))
                    c->close_after = true;
                else if (contains_token(v, vn, "keep-alive"))
                    c->close_after = false;
            } else if (header_is(line, n, "content-type")) {
                v = header_value(line, n, "content-type", &vn);
                if (vn < sizeof call->content_type) {
                    memcpy(call->content_type, v, vn);
                    call->content_type[vn] = '\0';
                }
            }
            line = nl + 1;
        }
        if (c->no_body || status == 204 || status == 304) {
            c->content_len = 0;
            c->chunked = false;
        }
        if (c->chunked)
            c->content_len = -1;
        c->head_len = head_len;
        c->raw_off = head_len;
        return 1;
    }
}

/* Decodes chunks in place; 1 when the last chunk is in, 0 more bytes needed, -1 malformed. */
static int
dechunk(struct conn *c)
{
    for (;;) {
        char *p = c->in + c->raw_off;
        size_t avail = c->in_len - c->raw_off;
        char *nl = memchr(p, '\n', avail);
        if (nl == NULL)
            return avail > 64 ? -1 : 0;
        size_t size = 0;
        const char *q = p;
        int digits = 0;
        for (; q < nl; q++, digits++) {
            int d = *q >= '0' && *q <= '9'   ? *q - '0'
                    : *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
                    : *q >= 'A' && *q <= 'F' ? *q - 'A' + 10
                                             : -1;
            if (d < 0)
                break;
            if (digits > 8)
                return -1;
            size = size * 16 + (size_t)d;
        }
        if (digits == 0)
            return -1;
        size_t line_len = (size_t)(nl - p) + 1;
        if (size == 0) { /* the last chunk; trailers, if any, end with an empty line */
            char *rest = nl + 1;
            size_t left = c->in_len - (size_t)(rest - c->in);
            if (left >= 2 && rest[0] == '\r' && rest[1] == '\n') {
                c->raw_off = (size_t)(rest - c->in) + 2;
                return 1;
            }
            char *t = left > 0 ? memmem(rest, left, "\r\n\r\n", 4) : NULL;
            if (t == NULL)
                return 0;
            c->raw_off = (size_t)(t - c->in) + 4;
            return 1;
        }
        if (c->dec_len + size > LGSP_BODY_MAX)
            return -1;
        if (avail < line_len + size + 2)
            return 0;
        memmove(c->in + c->head_len + c->dec_len, p + line_len, size);
        c->dec_len += size;
        c->raw_off += line_len + size + 2;
    }
}

/* Hands the body to the call (moved to the buffer's start, which the call then owns). */
static void
give_body(struct conn *c, size_t body_len)
{
    struct lgsp_call *call = c->call;
    memmove(c->in, c->in + c->head_len, body_len);
    c->in[body_len] = '\0';
    call->answer = c->in;
    call->answer_len = body_len;
    call->answer_cap = c->in_cap;
    c->in = NULL;
    c->in_cap = 0;
    call_done(c, CURLE_OK);
}

/* Whether the answer is complete (and handed over); false when more is awaited or it failed. */
static bool
answer_complete(struct conn *c, bool eof)
{
    if (c->head_len == 0) {
        int h = parse_head(c);
        if (h < 0) {
            c->close_after = true;
            call_done(c, CURLE_WEIRD_SERVER_REPLY);
            return true;
        }
        if (h == 0) {
            if (eof)
                retry_or_fail(c, CURLE_RECV_ERROR);
            return eof;
        }
    }
    if (c->chunked) {
        int d = dechunk(c);
        if (d > 0) {
            if (c->raw_off < c->in_len)
                c->close_after = true; /* bytes after the answer: not kept */
            give_body(c, c->dec_len);
            return true;
        }
        if (d < 0 || eof) {
            c->close_after = true;
            call_done(c, d < 0 ? CURLE_WEIRD_SERVER_REPLY : CURLE_RECV_ERROR);
            return true;
        }
        return false;
    }
    size_t have = c->in_len - c->head_len;
    if (c->content_len >= 0) {
        if (have >= (size_t)c->content_len) {
            if (have > (size_t)c->content_len)
                c->close_after = true;
            give_body(c, (size_t)c->content_len);
            return true;
        }
        if (eof) {
            c->close_after = true;
            call_done(c, CURLE_RECV_ERROR);
            return true;
        }
        return false;
    }
    if (eof) { /* no length: the body ends with the connection */
        c->close_after = true;
        give_body(c, have);
        return true;
    }
    return false;
}

static void
read_some(struct conn *c)
{
    for (;;) {
        if (c->in_cap - c->in_len < 4096 + 1) {
            size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
            if (cap > LGSP_BODY_MAX + HEAD_MAX + 4096) {
                c->close_after = true;
                call_done(c, CURLE_WRITE_ERROR);
                return;
            }
            c->in = dd_xrealloc(c->in, cap);
            c->in_cap = cap;
        }
        ssize_t r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1, 0);
        if (r > 0) {
            c->in_len += (size_t)r;
            if (answer_complete(c, false))
                return;
            continue;
        }
        if (r == 0) {
            answer_complete(c, true);
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            retry_or_fail(c, CURLE_RECV_ERROR);
        return;
    }
}

/* Moves a call on. After the request is written from start_on, the answer is not read at once:
 * its arrival is an edge of its own. */
static void
conn_io(struct conn *c, bool event)
{
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            c->close_after = true;
            call_done(c, CURLE_COULDNT_CONNECT);
            return;
        }
        c->state = C_SENDING;
    }
    if (c->state == C_SENDING && (!send_some(c) || !event))
        return;
    if (c->state == C_READING)
        read_some(c);
}

/* An event on a kept connection: the provider closed it (or sent what nobody asked for). */
static void
idle_event(struct conn *c)
{
    struct pool *p = c->pool;
    for (struct conn **pp = &p->idle; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            p->nidle--;
            break;
        }
    conn_close(c);
}

static void
expire(int64_t now)
{
    for (struct conn *c = active, *next; c; c = next) {
        next = c->next;
        if (now >= c->deadline_ms) {
            c->close_after = true;
            call_done(c, CURLE_OPERATION_TIMEDOUT);
        }
    }
}

static void
take_queue(void)
{
    pthread_mutex_lock(&queue_lock);
    struct lgsp_call *q = queue_head;
    queue_head = queue_tail = NULL;
    pthread_mutex_unlock(&queue_lock);
    while (q) {
        struct lgsp_call *next = q->next;
        start(q);
        q = next;
    }
}

static void *
io_main(void *arg)
{
    (void)arg;
    struct epoll_event evs[128];
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        bool stop = stopping && queue_head == NULL;
        pthread_mutex_unlock(&queue_lock);
        if (stop && active == NULL)
            break;
        take_queue();
        int timeout = 1000;
        int64_t now = now_ms();
        for (struct conn *c = active; c; c = c->next) {
            int64_t left = c->deadline_ms - now;
            if (left < timeout)
                timeout = left < 0 ? 0 : (int)left + 1;
        }
        int n = epoll_wait(epfd, evs, 128, timeout);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL) {
                uint64_t v;
                if (read(wakefd, &v, sizeof v) < 0) {
                    /* already read: nothing waits */
                }
                continue;
            }
            struct conn *c = evs[i].data.ptr;
            if (c->state == C_IDLE)
                idle_event(c);
            else
                conn_io(c, true);
        }
        expire(now_ms());
    }
    return NULL;
}

int
lgsp_upstream_start(void)
{
    if (running)
        return 0;
    epfd = epoll_create1(EPOLL_CLOEXEC);
    wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.ptr = NULL};
    if (epfd < 0 || wakefd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev) != 0)
        goto fail;
    stopping = false;
    if (pthread_create(&thread, NULL, io_main, NULL) != 0)
        goto fail;
    running = true;
    return 0;
fail:
    if (epfd >= 0)
        close(epfd);
    if (wakefd >= 0)
        close(wakefd);
    epfd = wakefd = -1;
    return -1;
}

void
lgsp_upstream_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&queue_lock);
    stopping = true;
    pthread_mutex_unlock(&queue_lock);
    uint64_t one = 1;
    if (write(wakefd, &one, sizeof one) < 0) {
        /* the counter is full: the thread is woken already */
    }
    pthread_join(thread, NULL);
    running = false;
    while (pools) {
        struct pool *p = pools;
        pools = p->next;
        while (p->idle) {
            struct conn *c = p->idle;
            p->idle = c->next;
            conn_close(c);
        }
        free(p);
    }
    close(epfd);
    close(wakefd);
    epfd = wakefd = -1;
}

bool
lgsp_upstream_handles(const char *url)
{
    return running && strncasecmp(url, "http://", 7) == 0;
}

void
lgsp_upstream_submit(struct lgsp_call *call)
{
    call->next = NULL;
    pthread_mutex_lock(&queue_lock);
    bool was_empty = queue_head == NULL;
    if (queue_tail)
        queue_tail->next = call;
    else
        queue_head = call;
    queue_tail = call;
    pthread_mutex_unlock(&queue_lock);
    if (was_empty) { /* the thread takes the whole queue: one wake-up is enough */
        uint64_t one = 1;
        if (write(wakefd, &one, sizeof one) < 0) {
            /* the counter is full: the thread is woken already */
        }
    }
}
