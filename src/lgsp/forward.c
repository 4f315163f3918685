/*
 * forward.c — calls to providers, made by one I/O thread with libcurl's multi interface.
 *
 * A gateway handler parks its request (http/req.h) and hands the call over; the thread adds it
 * to the multi handle, whose connection cache keeps connections to providers open between calls
 * (HTTP/1.1 keep-alive), and unparks the request when the answer, a timeout or a failure is in.
 * No server thread waits for a provider. Easy handles are reused from a free list. The answer
 * is gathered into one malloc'd buffer, bounded by LGSP_BODY_MAX, that the handler gives to
 * libmicrohttpd as it is (no second copy). Calls to plain-http providers go to the lean client
 * (upstream.c) instead, unless DD_LGSP_CURL_ONLY is set in the environment (a comparison).
 */
#include "base/log.h"
#include "base/mem.h"
#include "http/req.h"
#include "lgsp/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FREE_MAX 256

static CURLM *multi;
static pthread_t thread;
static bool running;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lgsp_call *queue_head, *queue_tail;
static bool stopping;
static CURL *free_easy[FREE_MAX];
static size_t nfree;

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
    struct lgsp_call *c = arg;
    size_t len = size * n;
    if (c->answer_len + len > LGSP_BODY_MAX) {
        c->answer_too_big = true;
        return 0;
    }
    if (c->answer_len + len + 1 > c->answer_cap) {
        size_t cap = c->answer_cap ? c->answer_cap : 1024;
        while (cap < c->answer_len + len + 1)
            cap *= 2;
        c->answer = dd_xrealloc(c->answer, cap);
        c->answer_cap = cap;
    }
    memcpy(c->answer + c->answer_len, p, len);
    c->answer_len += len;
    c->answer[c->answer_len] = '\0';
    return len;
}

/* Options that stay the same for every call, set once per easy handle. */
static void
setup_once(CURL *e)
{
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
}

/* The call's own options; every option a call may change is set again, so that a handle
 * taken back from the free list carries nothing of its previous call (no curl_easy_reset,
 * which would free and rebuild the handle's state each time). */
/* The call's header lines as libcurl's list (freed by the gateway once answered). */
static struct curl_slist *
header_list(const struct lgsp_call *c)
{
    struct curl_slist *h = NULL;
    const char *p = c->headers_text, *end = p + c->headers_len;
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p));
        size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
        char line[1024];
        if (n < sizeof line) {
            memcpy(line, p, n);
            line[n] = '\0';
            h = curl_slist_append(h, line);
        }
        p += n + 2;
    }
    return curl_slist_append(h, "Expect:");
}

static void
setup(CURL *e, struct lgsp_call *c)
{
    if (c->headers == NULL)
        c->headers = header_list(c);
    curl_easy_setopt(e, CURLOPT_URL, c->url);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms < 3000 ? c->timeout_ms : 3000L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    bool get = strcmp(c->method, "GET") == 0, head = strcmp(c->method, "HEAD") == 0;
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, get || head ? NULL : c->method);
    if (get || head) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_NOBODY, head ? 1L : 0L);
    } else if (c->body_len > 0 || strcmp(c->method, "DELETE") != 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body ? c->body : "");
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
    }
}

static void
finish(CURL *e, struct lgsp_call *c, CURLcode result)
{
    c->result = result;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &c->status);
    char *ct = NULL;
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
    if (ct && strlen(ct) < sizeof c->content_type)
        memcpy(c->content_type, ct, strlen(ct) + 1);
}

static CURL *
easy_get(void)
{
    if (nfree > 0)
        return free_easy[--nfree];
    CURL *e = curl_easy_init();
    if (e)
        setup_once(e);
    return e;
}

static void
easy_put(CURL *e)
{
    if (nfree < FREE_MAX)
        free_easy[nfree++] = e;
    else
        curl_easy_cleanup(e);
}

static void
take_queue(void)
{
    pthread_mutex_lock(&queue_lock);
    struct lgsp_call *c = queue_head;
    queue_head = queue_tail = NULL;
    pthread_mutex_unlock(&queue_lock);
    while (c) {
        struct lgsp_call *next = c->next;
        CURL *e = easy_get();
        c->easy = e;
        if (e)
            setup(e, c);
        if (e == NULL || curl_multi_add_handle(multi, e) != CURLM_OK) {
            c->result = CURLE_FAILED_INIT;
            if (e)
                easy_put(e);
            dd_req_unpark(c->req);
        }
        c = next;
    }
}

static void
drain_done(void)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        CURLcode result = msg->data.result;
        struct lgsp_call *c = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&c);
        finish(e, c, result);
        curl_multi_remove_handle(multi, e);
        easy_put(e);
        dd_req_unpark(c->req);
    }
}

static void *
io_main(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        bool stop = stopping && queue_head == NULL;
        pthread_mutex_unlock(&queue_lock);
        int active = 0;
        take_queue();
        curl_multi_perform(multi, &active);
        drain_done();
        if (stop && active == 0)
            break;
        curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    return NULL;
}

int
lgsp_forward_start(void)
{
    if (running)
        return 0;
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 512L);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 256L);
    stopping = false;
    running = pthread_create(&thread, NULL, io_main, NULL) == 0;
    if (running && getenv("DD_LGSP_CURL_ONLY") == NULL && lgsp_upstream_start() != 0)
        dd_log(DD_LOG_WARN, "lgsp.upstream",
               "the lean client cannot start: calls go through libcurl");
    if (!running) {
        curl_multi_cleanup(multi);
        multi = NULL;
        return -1;
    }
    return 0;
}

void
lgsp_forward_stop(void)
{
    if (!running)
        return;
    lgsp_upstream_stop();
    pthread_mutex_lock(&queue_lock);
    stopping = true;
    pthread_mutex_unlock(&queue_lock);
    curl_multi_wakeup(multi);
    pthread_join(thread, NULL);
    running = false;
    while (nfree > 0)
        curl_easy_cleanup(free_easy[--nfree]);
    curl_multi_cleanup(multi);
    multi = NULL;
}

void
lgsp_forward_submit(struct lgsp_call *c)
{
    if (lgsp_upstream_handles(c->url)) {
        lgsp_upstream_submit(c);
        return;
    }
    c->next = NULL;
    pthread_mutex_lock(&queue_lock);
    if (queue_tail)
        queue_tail->next = c;
    else
        queue_head = c;
    queue_tail = c;
    pthread_mutex_unlock(&queue_lock);
    curl_multi_wakeup(multi);
}

void
lgsp_forward_run(struct lgsp_call *c)
{
    CURL *e = curl_easy_init();
    setup_once(e);
    setup(e, c);
    CURLcode rc = curl_easy_perform(e);
    finish(e, c, rc);
    curl_easy_cleanup(e);
}

bool
lgsp_forward_running(void)
{
    return running;
}
