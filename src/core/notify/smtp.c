/*
 * smtp.c — the smtp adapter: one connection per notice, speaking just enough SMTP (RFC 5321)
 * to hand over one message: EHLO, STARTTLS (RFC 3207, OpenSSL, certificate and host name
 * checked), AUTH PLAIN or LOGIN (RFC 4954), MAIL, RCPT, DATA, QUIT.
 *
 * Every wait is bounded by notify-smtp-timeout: the connect, and each read and write (socket
 * timeouts, which bound TLS reads too). A password is never sent over a plain connection except
 * to a server on this machine (loopback), where there is no wire to listen on.
 */
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/notify/adapters.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define REPLY_LINE_MAX 1000   /* RFC 5321 §4.5.3.1.5: 512; servers send longer */
#define CAPS_MAX       2048   /* EHLO keywords kept */
#define MESSAGE_MAX    131072 /* the formatted message */

struct smtp {
    const struct dd_smtp_settings *s;
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    char in[4096]; /* bytes received and not yet read as lines */
    size_t in_len;
    char reply[REPLY_LINE_MAX + 1]; /* the last reply's final line, for error sentences */
    char caps[CAPS_MAX];            /* EHLO keywords, one per line, upper case */
    char *err;
    size_t errlen;
};

static int
fail(struct smtp *c, const char *what)
{
    snprintf(c->err, c->errlen, "SMTP %s:%ld: %s", c->s->host, c->s->port, what);
    return DD_EUNAVAIL;
}

/* --- The connection ------------------------------------------------------------------------- */

/* Connects to one address within the timeout; returns the socket or -1 with errno set. */
static int
connect_one(const struct addrinfo *ai, int timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return -1;
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        rc = poll(&p, 1, timeout_ms);
        if (rc == 0) {
            errno = ETIMEDOUT;
            rc = -1;
        } else if (rc > 0) {
            int soerr = 0;
            socklen_t len = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            errno = soerr;
            rc = soerr == 0 ? 0 : -1;
        }
    }
    if (rc != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    fcntl(fd, F_SETFL, flags);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static int
smtp_connect(struct smtp *c)
{
    char port[16];
    snprintf(port, sizeof port, "%ld", c->s->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(c->s->host, port, &hints, &list);
    if (gai != 0) {
        char why[300];
        snprintf(why, sizeof why, "cannot resolve the host: %s", gai_strerror(gai));
        return fail(c, why);
    }
    int saved = 0;
    for (const struct addrinfo *ai = list; ai != NULL && c->fd < 0; ai = ai->ai_next) {
        c->fd = connect_one(ai, (int)(c->s->timeout_s * 1000));
        saved = errno;
    }
    freeaddrinfo(list);
    if (c->fd >= 0)
        return DD_OK;
    char why[300];
    snprintf(why, sizeof why, "cannot connect: %s",
             saved == ETIMEDOUT ? "timed out" : strerror(saved));
    return fail(c, why);
}

static void
smtp_close(struct smtp *c)
{
    if (c->ssl != NULL) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->ctx != NULL)
        SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
}

/* Reads some bytes into c->in; DD_EUNAVAIL on a timeout, an error or the end of the stream. */
static int
fill(struct smtp *c)
{
    char *p = c->in + c->in_len;
    size_t room = sizeof c->in - c->in_len;
    ssize_t n;
    if (c->ssl != NULL) {
        int r = SSL_read(c->ssl, p, (int)room);
        n = r > 0 ? r : -1;
    } else {
        do
            n = recv(c->fd, p, room, 0);
        while (n < 0 && errno == EINTR);
    }
    if (n > 0) {
        c->in_len += (size_t)n;
        return DD_OK;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return fail(c, "timed out waiting for the server (notify-smtp-timeout)");
    return fail(c, "the server closed the connection");
}

static int
send_bytes(struct smtp *c, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w;
        if (c->ssl != NULL) {
            int r = SSL_write(c->ssl, p, (int)n);
            w = r > 0 ? r : -1;
        } else {
            w = send(c->fd, p, n, MSG_NOSIGNAL);
        }
        if (w < 0 && c->ssl == NULL && errno == EINTR)
            continue;
        if (w <= 0)
            return fail(c, "cannot send to the server (closed or timed out)");
        p += w;
        n -= (size_t)w;
    }
    return DD_OK;
}

/* Reads one line without its CRLF into line[REPLY_LINE_MAX + 1]. */
static int
read_line(struct smtp *c, char *line)
{
    for (;;) {
        char *nl = memchr(c->in, '\n', c->in_len);
        if (nl != NULL) {
            size_t n = (size_t)(nl - c->in);
            size_t keep = n > 0 && c->in[n - 1] == '\r' ? n - 1 : n;
            if (keep > REPLY_LINE_MAX)
                keep = REPLY_LINE_MAX;
            memcpy(line, c->in, keep);
            line[keep] = '\0';
            memmove(c->in, nl + 1, c->in_len - n - 1);
            c->in_len -= n + 1;
            return DD_OK;
        }
        if (c->in_len == sizeof c->in)
            return fail(c, "the server sent a line that is too long");
        int rc = fill(c);
        if (rc != DD_OK)
            return rc;
    }
}

/* True if a reply line starts with three digits and then ends, or goes on after ' ' or '-'. */
static bool
reply_code_ok(const char *line)
{
    for (int i = 0; i < 3; i++)
        if (line[i] < '0' || line[i] > '9')
            return false;
    return line[3] == '\0' || line[3] == ' ' || line[3] == '-';
}

/* Reads a whole reply (RFC 5321 §4.2: "250-…" lines, then "250 …"); returns its code (≥ 100) or
 * a DD_E… code. With keep_caps, the text of each line after the first goes to c->caps. */
static int
read_reply(struct smtp *c, bool keep_caps)
{
    char line[REPLY_LINE_MAX + 1];
    struct dd_buf caps;
    if (keep_caps)
        dd_buf_init_fixed(&caps, c->caps, sizeof c->caps);
    for (int i = 0;; i++) {
        int rc = read_line(c, line);
        if (rc != DD_OK)
            return rc;
        if (!reply_code_ok(line))
            return fail(c, "the server's reply is not SMTP");
        if (keep_caps && i > 0) {
            char *text = line[3] ? line + 4 : line + 3;
            for (char *p = text; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 'a' + 'A');
            /* A keyword cut off by a full buffer is only missing, which fails safe. */
            (void)dd_buf_puts(&caps, text);
            (void)dd_buf_putc(&caps, '\n');
        }
        if (line[3] != '-') {
            dd_strlcpy(c->reply, line, sizeof c->reply);
            return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        }
    }
}

/* Sends a command (if not NULL) and reads the reply; DD_OK if its code is `want` (or, when
 * want2 is not 0, want2), else a sentence naming `step` and quoting the server. */
static int
command(struct smtp *c, const char *cmd, const char *step, int want, int want2)
{
    if (cmd != NULL) {
        int rc = send_bytes(c, cmd, strlen(cmd));
        if (rc == DD_OK)
            rc = send_bytes(c, "\r\n", 2);
        if (rc != DD_OK)
            return rc;
    }
    int code = read_reply(c, false);
    if (code < 0)
        return code;
    if (code == want || (want2 != 0 && code == want2))
        return DD_OK;
    char why[REPLY_LINE_MAX + 100];
    snprintf(why, sizeof why, "%s refused: %s", step, c->reply);
    return fail(c, why);
}

/* EHLO (its keywords to c->caps); the name is the sender's domain. */
static int
ehlo(struct smtp *c)
{
    const char *at = strchr(c->s->from, '@');
    char cmd[300];
    snprintf(cmd, sizeof cmd, "EHLO %s\r\n", at ? at + 1 : "localhost");
    int rc = send_bytes(c, cmd, strlen(cmd));
    if (rc != DD_OK)
        return rc;
    int code = read_reply(c, true);
    if (code < 0)
        return code;
    if (code != 250) {
        char why[REPLY_LINE_MAX + 100];
        snprintf(why, sizeof why, "EHLO refused: %s", c->reply);
        return fail(c, why);
    }
    return DD_OK;
}

/* True if the EHLO keywords hold a line equal to `kw` or starting with `kw` and a space. */
static bool
has_cap(const struct smtp *c, const char *kw)
{
    size_t n = strlen(kw);
    for (const char *p = c->caps; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= n && strncmp(p, kw, n) == 0 && (len == n || p[n] == ' '))
            return true;
        p += len + (end ? 1 : 0);
    }
    return false;
}

/* True if the AUTH keyword lists mechanism `mech`. */
static bool
has_auth(const struct smtp *c, const char *mech)
{
    for (const char *p = strstr(c->caps, "AUTH "); p != NULL; p = strstr(p + 1, "AUTH ")) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t n = strlen(mech);
        for (const char *m = p + 5; m + n <= p + len; m++)
            if (strncmp(m, mech, n) == 0 && (m[-1] == ' ') && (m + n == p + len || m[n] == ' '))
                return true;
    }
    return false;
}

/* --- TLS and AUTH ----------------------------------------------------------------------------- */

static int
tls_fail(struct smtp *c, const char *what)
{
    char why[512];
    unsigned long e = ERR_get_error();
    long verify = c->ssl ? SSL_get_verify_result(c->ssl) : X509_V_OK;
    if (verify != X509_V_OK)
        snprintf(why, sizeof why, "%s: certificate not accepted: %s", what,
                 X509_verify_cert_error_string(verify));
    else if (e != 0)
        snprintf(why, sizeof why, "%s: %s", what, ERR_reason_error_string(e));
    else
        snprintf(why, sizeof why, "%s", what);
    ERR_clear_error();
    return fail(c, why);
}

static int
starttls(struct smtp *c)
{
    if (!has_cap(c, "STARTTLS"))
        return fail(c, "the server does not offer STARTTLS (set notify-smtp-tls off only for a "
                       "server on this machine)");
    int rc = command(c, "STARTTLS", "STARTTLS", 220, 0);
    if (rc != DD_OK)
        return rc;
    if (c->in_len != 0) /* bytes sent before the handshake must not be read as if protected */
        return fail(c, "the server sent data before the TLS handshake");
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (c->ctx == NULL)
        return tls_fail(c, "cannot set up TLS");
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_default_verify_paths(c->ctx) != 1)
        return tls_fail(c, "cannot load the system's certificate authorities");
    c->ssl = SSL_new(c->ctx);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
        SSL_set_tlsext_host_name(c->ssl, c->s->host) != 1 || SSL_set1_host(c->ssl, c->s->host) != 1)
        return tls_fail(c, "cannot set up TLS");
    if (SSL_connect(c->ssl) != 1)
        return tls_fail(c, "TLS handshake failed");
    return ehlo(c);
}

static bool
host_is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
           dd_str_has_prefix(host, "127.");
}

/* Appends the base64 of p[0..n) to cmd (which holds the command so far). */
static int
put_b64(struct dd_buf *cmd, const void *p, size_t n)
{
    unsigned char out[4 * ((2 * 256 + 2 + 2) / 3) + 1];
    if (n > 2 * 256 + 2)
        return DD_ETOOBIG;
    int len = EVP_EncodeBlock(out, p, (int)n);
    int rc = dd_buf_append(cmd, out, (size_t)len);
    OPENSSL_cleanse(out, sizeof out);
    return rc;
}

static int
auth(struct smtp *c)
{
    const struct dd_smtp_settings *s = c->s;
    if (c->ssl == NULL && !host_is_loopback(s->host))
        return fail(c, "refusing to send the SMTP password without TLS (notify-smtp-tls is off)");
    char storage[1200];
    struct dd_buf cmd;
    dd_buf_init_fixed(&cmd, storage, sizeof storage);
    int rc;
    if (has_auth(c, "PLAIN")) {
        char plain[2 * 256 + 2];
        size_t ul = strlen(s->user), pl = strlen(s->password);
        plain[0] = '\0';
        memcpy(plain + 1, s->user, ul);
        plain[1 + ul] = '\0';
        memcpy(plain + 2 + ul, s->password, pl);
        rc = dd_buf_puts(&cmd, "AUTH PLAIN ");
        if (rc == DD_OK)
            rc = put_b64(&cmd, plain, 2 + ul + pl);
        OPENSSL_cleanse(plain, sizeof plain);
        if (rc == DD_OK)
            rc = command(c, cmd.data, "AUTH PLAIN", 235, 0);
    } else if (has_auth(c, "LOGIN")) {
        rc = command(c, "AUTH LOGIN", "AUTH LOGIN", 334, 0);
        if (rc == DD_OK)
            rc = put_b64(&cmd, s->user, strlen(s->user));
        if (rc == DD_OK)
            rc = command(c, cmd.data, "AUTH LOGIN (user)", 334, 0);
        cmd.len = 0;
        cmd.data[0] = '\0';
        if (rc == DD_OK)
            rc = put_b64(&cmd, s->password, strlen(s->password));
        if (rc == DD_OK)
            rc = command(c, cmd.data, "AUTH LOGIN (password)", 235, 0);
    } else {
        rc = fail(c, "the server offers neither AUTH PLAIN nor AUTH LOGIN");
    }
    OPENSSL_cleanse(storage, sizeof storage);
    return rc == DD_ETOOBIG ? fail(c, "the SMTP user or password is too long") : rc;
}

/* --- One message ---------------------------------------------------------------------------- */

static int
transaction(struct smtp *c, const struct dd_notice *n)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>", c->s->from);
    int rc = command(c, cmd, "MAIL FROM", 250, 0);
    if (rc != DD_OK)
        return rc;
    snprintf(cmd, sizeof cmd, "RCPT TO:<%s>", n->recipient);
    rc = command(c, cmd, "RCPT TO", 250, 251);
    if (rc != DD_OK)
        return rc;
    rc = command(c, "DATA", "DATA", 354, 0);
    if (rc != DD_OK)
        return rc;
    struct dd_buf msg;
    dd_buf_init(&msg, NULL, MESSAGE_MAX);
    if (dd_mail_format(&msg, c->s->from, n, dd_clock_now_ms()) != DD_OK ||
        dd_buf_puts(&msg, ".\r\n") != DD_OK) {
        dd_buf_release(&msg);
        return fail(c, "the message is too large");
    }
    rc = send_bytes(c, msg.data, msg.len);
    dd_buf_release(&msg);
    return rc == DD_OK ? command(c, NULL, "the message", 250, 0) : rc;
}

int
dd_notify_smtp(const struct dd_smtp_settings *s, const struct dd_notice *n, char *err,
               size_t errlen)
{
    struct smtp c = {.s = s, .fd = -1, .err = err, .errlen = errlen};
    int rc = smtp_connect(&c);
    if (rc == DD_OK)
        rc = command(&c, NULL, "the greeting", 220, 0);
    if (rc == DD_OK)
        rc = ehlo(&c);
    if (rc == DD_OK && s->tls)
        rc = starttls(&c);
    if (rc == DD_OK && s->user[0] != '\0')
        rc = auth(&c);
    if (rc == DD_OK)
        rc = transaction(&c, n);
    if (rc == DD_OK)
        (void)command(&c, "QUIT", "QUIT", 221, 0); /* the message is accepted already */
    smtp_close(&c);
    return rc;
}
