/*
 * siem_forward.c — the SIEM forwarder's outputs and its consumer: a TCP or TLS connection to a
 * syslog receiver (OpenSSL; TLS 1.2 or later, the receiver's certificate checked against the
 * given CA bundle and its host name), and/or a file of JSON lines. Writes are bounded by the
 * timeout; a failed write ends the connection and the events after the cursor come again.
 */
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/events.h"
#include "core/soc/siem.h"
#include "core/soc/soc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct dd_siem {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    FILE *jsonl;
    char host[256];
    long pid;
    char err[300];
};

/* Splits "tcp://HOST:PORT" or "tls://HOST:PORT". */
static bool
parse_url(const char *url, bool *tls, char *host, size_t hostlen, char *port, size_t portlen)
{
    if (dd_str_has_prefix(url, "tcp://"))
        *tls = false;
    else if (dd_str_has_prefix(url, "tls://"))
        *tls = true;
    else
        return false;
    const char *h = url + 6;
    const char *colon = strrchr(h, ':');
    if (colon == NULL || colon == h || (size_t)(colon - h) >= hostlen || strlen(colon + 1) == 0 ||
        strlen(colon + 1) >= portlen || !dd_str_all_digits(colon + 1, strlen(colon + 1)))
        return false;
    memcpy(host, h, (size_t)(colon - h));
    host[colon - h] = '\0';
    dd_strlcpy(port, colon + 1, portlen);
    return true;
}

static int
tcp_connect(const char *host, const char *port, int timeout_ms)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list = NULL;
    if (getaddrinfo(host, port, &hints, &list) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    return fd;
}

static bool
tls_start(struct dd_siem *f, const char *host, const char *ca_file)
{
    f->ctx = SSL_CTX_new(TLS_client_method());
    if (f->ctx == NULL)
        return false;
    SSL_CTX_set_min_proto_version(f->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(f->ctx, SSL_VERIFY_PEER, NULL);
    int ok = ca_file ? SSL_CTX_load_verify_locations(f->ctx, ca_file, NULL)
                     : SSL_CTX_set_default_verify_paths(f->ctx);
    if (ok != 1)
        return false;
    f->ssl = SSL_new(f->ctx);
    return f->ssl && SSL_set_fd(f->ssl, f->fd) == 1 &&
           SSL_set_tlsext_host_name(f->ssl, host) == 1 && SSL_set1_host(f->ssl, host) == 1 &&
           SSL_connect(f->ssl) == 1 && SSL_get_verify_result(f->ssl) == X509_V_OK;
}

struct dd_siem *
dd_siem_open(const struct dd_siem_settings *s, char *err, size_t errlen)
{
    struct dd_siem *f = dd_xcalloc(1, sizeof *f);
    f->fd = -1;
    f->pid = (long)getpid();
    if (gethostname(f->host, sizeof f->host) != 0)
        dd_strlcpy(f->host, "-", sizeof f->host);
    if (s->jsonl_path) {
        f->jsonl = strcmp(s->jsonl_path, "-") == 0 ? stdout : fopen(s->jsonl_path, "a");
        if (f->jsonl == NULL) {
            snprintf(err, errlen, "cannot open %s: %s", s->jsonl_path, strerror(errno));
            dd_siem_close(f);
            return NULL;
        }
    }
    if (s->syslog_url == NULL)
        return f;
    bool tls;
    char host[256], port[8];
    if (!parse_url(s->syslog_url, &tls, host, sizeof host, port, sizeof port)) {
        snprintf(err, errlen, "the syslog receiver is tcp://HOST:PORT or tls://HOST:PORT, not %s",
                 s->syslog_url);
        dd_siem_close(f);
        return NULL;
    }
    f->fd = tcp_connect(host, port, s->timeout_ms > 0 ? s->timeout_ms : 10000);
    if (f->fd < 0) {
        snprintf(err, errlen, "cannot connect to %s", s->syslog_url);
        dd_siem_close(f);
        return NULL;
    }
    if (tls && !tls_start(f, host, s->ca_file)) {
        unsigned long e = ERR_get_error();
        snprintf(err, errlen, "TLS with %s failed: %s%s", s->syslog_url,
                 f->ssl ? X509_verify_cert_error_string(SSL_get_verify_result(f->ssl)) : "",
                 e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "" : "");
        dd_siem_close(f);
        return NULL;
    }
    return f;
}

void
dd_siem_close(struct dd_siem *f)
{
    if (f == NULL)
        return;
    /* A graceful end: close_notify, then our half of the connection, then whatever the receiver
     * still sends (TLS 1.3 session tickets) read until it closes. Closing with unread bytes would
     * reset the connection, and a reset may drop the last messages before the receiver reads
     * them. */
    if (f->ssl)
        SSL_shutdown(f->ssl);
    if (f->fd >= 0) {
        shutdown(f->fd, SHUT_WR);
        struct timeval tv = {.tv_sec = 1};
        setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char sink[4096];
        for (int i = 0; i < 256 && recv(f->fd, sink, sizeof sink, 0) > 0; i++)
            ;
    }
    SSL_free(f->ssl);
    SSL_CTX_free(f->ctx);
    if (f->fd >= 0)
        close(f->fd);
    if (f->jsonl && f->jsonl != stdout)
        fclose(f->jsonl);
    else if (f->jsonl)
        fflush(f->jsonl);
    free(f);
}

static int
send_all(struct dd_siem *f, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = f->ssl ? SSL_write(f->ssl, p, (int)n) : send(f->fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            snprintf(f->err, sizeof f->err, "the syslog receiver did not take the message");
            return DD_EIO;
        }
        p += w;
        n -= (size_t)w;
    }
    return DD_OK;
}

static int
forward_one(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)db;
    struct dd_siem *f = arg;
    struct dd_soc_event se;
    if (!dd_soc_normalise(ev, &se))
        return DD_OK;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 3 * DD_EVENT_MAX_PAYLOAD);
    int rc = DD_OK;
    if (f->fd >= 0) {
        rc = dd_siem_syslog(&b, ev, &se, f->host, f->pid);
        if (rc == DD_OK)
            rc = send_all(f, b.data, b.len);
    }
    if (rc == DD_OK && f->jsonl) {
        b.len = 0;
        rc = dd_siem_json(&b, ev, &se);
        if (rc == DD_OK && (fwrite(b.data, 1, b.len, f->jsonl) != b.len ||
                            fputc('\n', f->jsonl) == EOF || fflush(f->jsonl) != 0)) {
            snprintf(f->err, sizeof f->err, "cannot write the JSON lines: %s", strerror(errno));
            rc = DD_EIO;
        }
    }
    dd_buf_release(&b);
    return rc;
}

int
dd_siem_forward(struct dd_siem *f, struct dd_db *db, size_t max, size_t *sent, char *err,
                size_t errlen)
{
    f->err[0] = '\0';
    int rc = dd_events_consume(db, "siem", forward_one, f, max, sent);
    if (rc != DD_OK)
        snprintf(err, errlen, "%s", f->err[0] ? f->err : dd_strerror(rc));
    return rc;
}
