/*
 * gateway.c — `/lgsp/r1/VN/GOV/{member}/{subsystem}/{service}/{path*}`: a consumer's call to a
 * provider's service, checked, forwarded and logged.
 *
 * In order: the access token (an SSO client-credentials token, verified by the SSO module the
 * first time and remembered for a few seconds) or, without one, a registered client certificate
 * on the TLS listener (mtls.c), the consumer subsystem behind its client, not
 * suspended, the service, a right for the method that has not ended, the rate and the quota,
 * the person's consent when the service needs one, then the call to the provider through the
 * forwarder's I/O thread while the request is parked. The answer goes back as the provider gave
 * it (a 5xx, a timeout or no answer as the gateway's own problem). Every outcome, refusals
 * included, is one entry of the exchange log (log.c) and one count (stats.c). The people an
 * answer names (the service's `person_field`, at the top level or in `items`) get a row in their
 * access log naming the consuming agency and the purpose (X-Purpose).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/consent/consent.h"
#include "core/purpose.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "lgsp/internal.h"
#include "sso/sso.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One call in flight: lives in the request's arena. */
struct call_state {
    struct lgsp_call call;
    struct lgsp_entry *entry;
    struct lgsp_service service;
    struct lgsp_consumer consumer;
    int64_t start_ns;
};

static const struct dd_route client_route = {
    .method = "GET", .path = "/lgsp/r1", .auth = DD_AUTH_CLIENT};

static struct lgsp_entry *
entry_new(struct dd_req *req, const char *service)
{
    struct lgsp_entry *e = dd_xcalloc(1, sizeof *e);
    e->at_ms = dd_clock_now_ms();
    dd_strlcpy(e->service, service, sizeof e->service);
    dd_strlcpy(e->method, req->method, sizeof e->method);
    const char *rest = dd_req_param(req, "path");
    snprintf(e->path, sizeof e->path, "/%s", rest ? rest : "");
    dd_strlcpy(e->request_id, req->request_id, sizeof e->request_id);
    const union MHD_ConnectionInfo *ci =
        req->conn ? MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, ci->client_addr, sizeof sin);
        inet_ntop(AF_INET, &sin.sin_addr, e->ip, sizeof e->ip);
    } else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, ci->client_addr, sizeof sin6);
        inet_ntop(AF_INET6, &sin6.sin6_addr, e->ip, sizeof e->ip);
    }
    /* The request's hash: method, path with query, body. */
    char head[600];
    int n = snprintf(head, sizeof head, "%s %s\n", req->method, e->path);
    struct dd_buf b;
    dd_buf_init(&b, req->arena, (size_t)n + req->body.len + 1);
    dd_buf_append(&b, head, (size_t)n);
    if (req->body.len)
        dd_buf_append(&b, req->body.data, req->body.len);
    dd_sha256_hex(b.data, b.len, e->request_hash);
    return e;
}

/* Logs and counts an exchange that ends here. */
static void
entry_done(struct lgsp_entry *e, int status, const char *outcome, int64_t start_ns)
{
    e->status = status;
    dd_strlcpy(e->outcome, outcome, sizeof e->outcome);
    e->duration_us = (dd_clock_mono_ns() - start_ns) / 1000;
    if (e->response_hash[0] == '\0')
        dd_sha256_hex(outcome, strlen(outcome), e->response_hash);
    bool refused = lgsp_outcome_refusal(outcome);
    lgsp_stats_observe(e->consumer[0] ? e->consumer : "unknown", e->service, status, refused,
                       e->duration_us, e->at_ms);
    lgsp_log_append(e);
}

static int
refuse(struct dd_req *req, struct lgsp_entry *e, int64_t start_ns, enum lgsp_problem p,
       const char *reason)
{
    if (p == LGSP_PROBLEM_RATE || p == LGSP_PROBLEM_QUOTA)
        dd_reply_header(req, "Retry-After", p == LGSP_PROBLEM_RATE ? "1" : "3600");
    lgsp_problem_reply(req, p, NULL);
    entry_done(e, (int)req->status, reason, start_ns);
    return DD_DONE;
}

/* Who calls: an SSO client behind a bearer token, or a registered client certificate. */
struct caller {
    char client[64];
    char cert[65]; /* the certificate's SHA-256, when the call carries no token */
    bool by_cert;
};

/* The caller, or a 401 (logged as bad-token) and false. A call without an Authorization header
 * on a TLS connection that presented a verified client certificate is named by the certificate
 * (mtls.c); every other call needs an access token. */
static bool
caller_or_reply(struct dd_req *req, struct lgsp_entry *e, int64_t start_ns, struct caller *who)
{
    const char *auth = dd_req_header(req, "Authorization");
    if (auth == NULL && lgsp_client_cert(req, who->cert)) {
        who->by_cert = true;
        return true;
    }
    const char *token = auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
    if (token && lgsp_token_seen(token, who->client))
        return true;
    if (dd_sso_authenticate(req, &client_route) != DD_OK) {
        if (!req->replied)
            dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
        entry_done(e, (int)req->status, "bad-token", start_ns);
        return false;
    }
    dd_strlcpy(who->client, req->who->name, sizeof who->client);
    struct dd_jws jws;
    if (dd_jws_parse(req->arena, token, &jws) == DD_OK) {
        int64_t exp = dd_jwt_int(jws.payload, "exp", 0);
        lgsp_token_remember(token, who->client, exp * 1000);
    }
    return true;
}

/* Appends `n` bytes of `p`, %XX-escaping what is not an unreserved character (RFC 3986); most
 * paths and queries are copied as they are, without an allocation. */
static void
put_escaped(struct dd_buf *b, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            dd_buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            dd_buf_append(b, esc, 3);
        }
    }
}

struct query {
    struct dd_buf *b;
    bool any;
};

/* Adds one query argument, escaped again, to the URL being built. */
static enum MHD_Result
add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct query *q = cls;
    dd_buf_putc(q->b, q->any ? '&' : '?');
    q->any = true;
    put_escaped(q->b, key, strlen(key));
    if (value) {
        dd_buf_putc(q->b, '=');
        put_escaped(q->b, value, strlen(value));
    }
    return MHD_YES;
}

static char *
upstream_url(struct dd_req *req, const struct lgsp_service *s)
{
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 16384);
    dd_buf_puts(&b, s->upstream);
    if (b.len && b.data[b.len - 1] == '/')
        b.len--;
    const char *rest = dd_req_param(req, "path");
    /* Each segment escaped again: the router gave them decoded. */
    for (const char *p = rest && rest[0] ? rest : NULL; p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        dd_buf_putc(&b, '/');
        put_escaped(&b, p, n);
        p = slash ? slash + 1 : NULL;
    }
    struct query q = {&b, false};
    if (req->conn)
        MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, add_arg, &q);
    return b.data;
}

/* Appends one header line "name: value\r\n"; a value with CR or LF is left out. */
static void
put_header(struct dd_buf *b, const char *name, const char *value)
{
    if (value == NULL || strpbrk(value, "\r\n"))
        return;
    dd_buf_puts(b, name);
    dd_buf_append(b, ": ", 2);
    dd_buf_puts(b, value);
    dd_buf_append(b, "\r\n", 2);
}

/* The headers the provider gets, as one block of lines (the consumer's token is not among them). */
static void
upstream_headers(struct dd_req *req, struct lgsp_call *c, const struct lgsp_consumer *consumer,
                 const struct lgsp_service *s, const char *purpose)
{
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 16384);
    if (s->upstream_auth[0])
        put_header(&b, "Authorization", s->upstream_auth);
    put_header(&b, "X-LGSP-Client", consumer->id);
    put_header(&b, "X-Request-Id", req->request_id);
    put_header(&b, "Content-Type", dd_req_header(req, "Content-Type"));
    put_header(&b, "Accept", dd_req_header(req, "Accept"));
    if (purpose)
        put_header(&b, "X-Purpose", dd_req_header(req, "X-Purpose"));
    c->headers_text = b.data ? b.data : "";
    c->headers_len = b.len;
}

static bool
twelve_digits(const char *p)
{
    for (int i = 0; i < 12; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* The people an answer names: every member called the service's person_field whose value is a
 * 12-digit ID number, wherever it is in the answer (the top level, `items`, a household's
 * members). A scan for `"<field>":"` rather than a parse: an answer is not parsed for each call,
 * and a key cannot appear inside a JSON string without its quotes escaped. */
static void
find_persons(struct call_state *s)
{
    const char *field = s->service.person_field;
    size_t flen = strlen(field);
    if (flen == 0 || s->call.answer_len == 0)
        return;
    struct lgsp_entry *e = s->entry;
    const char *p = s->call.answer, *end = p + s->call.answer_len;
    while (e->npersons < LGSP_PERSONS_MAX && p < end) {
        const char *q = memmem(p, (size_t)(end - p), field, flen);
        if (q == NULL)
            break;
        p = q + flen;
        if (q == s->call.answer || q[-1] != '"' || (q - 1 > s->call.answer && q[-2] == '\\') ||
            p >= end || *p != '"')
            continue;
        const char *v = p + 1;
        while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
            v++;
        if (v >= end || *v != ':')
            continue;
        v++;
        while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
            v++;
        if (end - v < 14 || *v != '"' || v[13] != '"' || !twelve_digits(v + 1))
            continue;
        bool seen = false;
        for (int i = 0; i < e->npersons && !seen; i++)
            seen = memcmp(e->persons[i], v + 1, 12) == 0;
        if (!seen) {
            memcpy(e->persons[e->npersons], v + 1, 12);
            e->persons[e->npersons++][12] = '\0';
        }
        p = v + 14;
    }
}

/* Answers a call once the forwarder has it back. */
static int
answer(struct dd_req *req, void *arg)
{
    struct call_state *s = arg;
    struct lgsp_call *c = &s->call;
    struct lgsp_entry *e = s->entry;
    curl_slist_free_all(c->headers);
    c->headers = NULL;
    if (c->result == CURLE_OPERATION_TIMEDOUT) {
        free(c->answer);
        lgsp_problem_reply(req, LGSP_PROBLEM_TIMEOUT, NULL);
        entry_done(e, (int)req->status, "timeout", s->start_ns);
        return DD_DONE;
    }
    if (c->result != CURLE_OK || c->status >= 500 || c->status < 100) {
        free(c->answer);
        json_t *ext = json_pack("{s:i}", "upstream_status", (int)c->status);
        lgsp_problem_reply(req, LGSP_PROBLEM_UPSTREAM, ext);
        entry_done(e, (int)req->status, "upstream-error", s->start_ns);
        return DD_DONE;
    }
    dd_sha256_hex(c->answer ? c->answer : "", c->answer_len, e->response_hash);
    find_persons(s);
    if (s->service.keep_bodies_days > 0) {
        e->keep_days = s->service.keep_bodies_days;
        e->request_body = dd_xstrdup(req->body.len ? req->body.data : "");
        e->response_body = dd_xstrdup(c->answer ? c->answer : "");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(
        c->answer_len, c->answer ? c->answer : dd_xstrdup(""), free);
    if (c->content_type[0])
        MHD_add_response_header(resp, "Content-Type", c->content_type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    int status = (int)c->status;
    entry_done(e, status, "ok", s->start_ns);
    return dd_reply_response(req, (unsigned)status, resp, c->answer_len);
}

/* The consent a service needs: the person named by X-Person-Id consented to the consumer
 * receiving the service's item. False after a refusal. */
static bool
consent_or_reply(struct dd_req *req, struct call_state *s, struct dd_db *db)
{
    if (s->service.consent_item[0] == '\0')
        return true;
    const char *person = dd_req_header(req, "X-Person-Id");
    char svc[96];
    lgsp_consent_service(s->consumer.id, svc, sizeof svc);
    if (person && strlen(person) == 12 && dd_str_all_digits(person, 12) &&
        dd_consent_holds(db, person, svc, s->service.consent_item, dd_clock_now_ms()))
        return true;
    refuse(req, s->entry, s->start_ns, LGSP_PROBLEM_CONSENT_MISSING, "consent-missing");
    return false;
}

int
lgsp_gateway(struct dd_req *req)
{
    int64_t start_ns = dd_clock_mono_ns();
    char service_id[LGSP_SERVICE_MAX];
    snprintf(service_id, sizeof service_id, "VN/GOV/%s/%s/%s", dd_req_param(req, "member"),
             dd_req_param(req, "subsystem"), dd_req_param(req, "service"));
    struct lgsp_entry *e = entry_new(req, service_id);
    struct caller who = {0};
    if (!caller_or_reply(req, e, start_ns, &who))
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL) {
        entry_done(e, (int)req->status, "unavailable", start_ns);
        return DD_DONE;
    }
    struct call_state *s = dd_arena_zalloc(req->arena, sizeof *s);
    s->entry = e;
    s->start_ns = start_ns;
    int rc;
    if (!lgsp_cache_consumer(db, who.client, who.by_cert ? who.cert : NULL, &s->consumer, &rc)) {
        if (rc != DD_OK) {
            entry_done(e, 503, "unavailable", start_ns);
            return rc;
        }
        return refuse(req, e, start_ns, LGSP_PROBLEM_NO_RIGHT, "no-right");
    }
    dd_strlcpy(e->consumer, s->consumer.id, sizeof e->consumer);
    dd_strlcpy(e->agency, s->consumer.member_name, sizeof e->agency);
    if (s->consumer.suspended)
        return refuse(req, e, start_ns, LGSP_PROBLEM_SUSPENDED, "suspended");
    if (!lgsp_cache_service(db, service_id, &s->service, &rc)) {
        dd_reply_problem(req, rc != DD_OK ? DD_PROBLEM_SERVICE_UNAVAILABLE : DD_PROBLEM_NOT_FOUND,
                         NULL);
        entry_done(e, (int)req->status, "unknown-service", start_ns);
        return DD_DONE;
    }
    enum lgsp_right_check right =
        lgsp_cache_right(s->consumer.id, service_id, req->method, dd_clock_now_ms());
    if (right != LGSP_RIGHT_OK)
        return refuse(req, e, start_ns,
                      right == LGSP_RIGHT_EXPIRED ? LGSP_PROBLEM_RIGHT_EXPIRED
                                                  : LGSP_PROBLEM_NO_RIGHT,
                      right == LGSP_RIGHT_EXPIRED ? "expired-right" : "no-right");
    enum lgsp_limit limit = lgsp_limit_take(&s->consumer, &s->service, dd_clock_now_ms());
    if (limit != LGSP_LIMIT_OK)
        return refuse(req, e, start_ns,
                      limit == LGSP_LIMIT_RATE ? LGSP_PROBLEM_RATE : LGSP_PROBLEM_QUOTA,
                      limit == LGSP_LIMIT_RATE ? "rate-limit" : "quota");
    const char *purpose = dd_purpose(req);
    if (s->service.person_field[0] || s->service.consent_item[0]) {
        purpose = dd_purpose_or_reply(req);
        if (purpose == NULL) {
            entry_done(e, (int)req->status, "no-purpose", start_ns);
            return DD_DONE;
        }
    }
    dd_strlcpy(e->purpose, purpose ? purpose : "", sizeof e->purpose);
    if (!consent_or_reply(req, s, db))
        return DD_DONE;
    if (lgsp_log_full()) {
        dd_reply_header(req, "Retry-After", "1");
        dd_reply_problem(req, DD_PROBLEM_SERVICE_UNAVAILABLE, NULL);
        entry_done(e, 503, "log-full", start_ns);
        return DD_DONE;
    }
    struct lgsp_call *c = &s->call;
    c->req = req;
    c->url = upstream_url(req, &s->service);
    c->method = req->method;
    upstream_headers(req, c, &s->consumer, &s->service, purpose);
    c->body = req->body.len ? req->body.data : NULL;
    c->body_len = req->body.len;
    c->timeout_ms = s->service.timeout_ms > 0 ? s->service.timeout_ms : 5000;
    if (lgsp_forward_running() && dd_req_can_park(req)) {
        dd_req_park(req, answer, s);
        lgsp_forward_submit(c);
        return DD_DONE;
    }
    lgsp_forward_run(c);
    return answer(req, s);
}
