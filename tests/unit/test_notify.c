/*
 * test_notify.c — notices through the console, file and smtp adapters. The SMTP tests talk to a
 * small SMTP server in a thread of this test, on a loopback port, without STARTTLS
 * (notify-smtp-tls off), and check the commands and the message it received.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "core/notify/adapters.h"
#include "core/notify/notify.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* "Mã xác thực dinhdanh" and a body with Vietnamese text on two lines. */
#define SUBJECT_VI                                                                                 \
    "M\xc3\xa3 x\xc3\xa1"                                                                          \
    "c th\xe1\xbb\xb1"                                                                             \
    "c dinhdanh"
#define BODY_VI                                                                                    \
    "M\xc3\xa3 c\xe1\xbb\xa7"                                                                      \
    "a b\xe1\xba\xa1n l\xc3\xa0 482913.\n"                                                         \
    "Kh\xc3\xb4ng chia s\xe1\xba\xbb m\xc3\xa3 n\xc3\xa0y.\n"

static struct dd_notice
email_notice(void)
{
    return (struct dd_notice){.channel = DD_NOTIFY_EMAIL,
                              .recipient = "an.nguyen@example.vn",
                              .subject = SUBJECT_VI,
                              .body = BODY_VI,
                              .purpose = "login-code"};
}

/* Decodes base64 (whitespace skipped) into out, NUL-terminated; returns the byte count. */
static size_t
b64_decode(const char *in, size_t n, char *out, size_t outsize)
{
    char clean[8192];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof clean; i++)
        if (in[i] != '\r' && in[i] != '\n' && in[i] != ' ')
            clean[k++] = in[i];
    assert_true(k % 4 == 0 && (k / 4) * 3 < outsize);
    int len = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)clean, (int)k);
    assert_true(len >= 0);
    if (k > 0 && clean[k - 1] == '=')
        len--;
    if (k > 1 && clean[k - 2] == '=')
        len--;
    out[len] = '\0';
    return (size_t)len;
}

static char data_dir[64];

static struct dd_config
config_for(const char *adapter)
{
    struct dd_config c;
    dd_config_defaults(&c);
    snprintf(c.notify_adapter, sizeof c.notify_adapter, "%s", adapter);
    snprintf(c.data_dir, sizeof c.data_dir, "%s", data_dir);
    return c;
}

static void
nothing_is_sent_before_configuration(void **state)
{
    (void)state;
    struct dd_notice n = email_notice();
    char err[300];
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EUNAVAIL);
    assert_non_null(strstr(err, "not configured"));
}

static void
configure_refuses_unknown_adapters_and_bad_smtp_settings(void **state)
{
    (void)state;
    char err[300];
    struct dd_config c = config_for("pigeon");
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "pigeon"));
    c = config_for("smtp");
    snprintf(c.notify_from, sizeof c.notify_from, "no address");
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "notify-from"));
    /* The failed calls changed nothing: still unconfigured. */
    struct dd_notice n = email_notice();
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EUNAVAIL);
}

/* --- File adapter --------------------------------------------------------------------------- */

static char *
read_outbox(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/notify/outbox.jsonl", data_dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void
file_adapter_appends_one_json_line_per_notice(void **state)
{
    (void)state;
    char err[300];
    struct dd_config c = config_for("file");
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_OK);
    assert_null(read_outbox());

    struct dd_notice mail = email_notice();
    assert_int_equal(dd_notify_send(&mail, err, sizeof err), DD_OK);
    struct dd_notice sms = {.channel = DD_NOTIFY_SMS,
                            .recipient = "+84901234567",
                            .subject = "ignored for SMS",
                            .body = "dinhdanh: ma 771204"};
    assert_int_equal(dd_notify_send(&sms, NULL, 0), DD_OK);

    char *text = read_outbox();
    assert_non_null(text);
    char *second = strchr(text, '\n');
    assert_non_null(second);
    *second++ = '\0';
    assert_string_equal(strchr(second, '\n'), "\n"); /* exactly two lines */

    json_error_t jerr;
    json_t *a = json_loads(text, 0, &jerr);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "channel")), "email");
    assert_string_equal(json_string_value(json_object_get(a, "recipient")), "an.nguyen@example.vn");
    assert_string_equal(json_string_value(json_object_get(a, "subject")), SUBJECT_VI);
    assert_string_equal(json_string_value(json_object_get(a, "body")), BODY_VI);
    assert_string_equal(json_string_value(json_object_get(a, "purpose")), "login-code");
    const char *ts = json_string_value(json_object_get(a, "ts"));
    assert_non_null(ts);
    assert_int_equal(strlen(ts), 24);
    assert_int_equal(ts[23], 'Z');
    json_decref(a);

    json_t *b = json_loads(second, 0, &jerr);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "channel")), "sms");
    assert_string_equal(json_string_value(json_object_get(b, "recipient")), "+84901234567");
    assert_true(json_is_null(json_object_get(b, "subject")));
    assert_true(json_is_null(json_object_get(b, "purpose")));
    assert_string_equal(json_string_value(json_object_get(b, "body")), "dinhdanh: ma 771204");
    json_decref(b);

    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/notify/outbox.jsonl", data_dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/notify", data_dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
}

static void
bad_notices_are_refused_and_nothing_is_written(void **state)
{
    (void)state;
    char err[300];
    struct dd_config c = config_for("file");
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_OK);
    char before[65536];
    char *text = read_outbox();
    snprintf(before, sizeof before, "%s", text ? text : "");

    static const struct {
        const char *field, *value, *why;
    } bad[] = {
        {"recipient", "", "no recipient"},
        {"recipient", "an nguyen@example.vn", "e-mail address"},
        {"recipient", "<an@example.vn>", "e-mail address"},
        {"recipient", "an@example.vn\r\nBcc: x@evil.example", "e-mail address"},
        {"recipient", "a@b@c", "e-mail address"},
        {"subject", "", "subject"},
        {"subject", "Hello\r\nBcc: x@evil.example", "subject"},
        {"subject", "bad \xff utf8", "subject"},
        {"body", "", "body"},
        {"body", "bad \xc3 utf8", "body"},
        {"body", "bell \a", "body"},
        {"purpose", "Login Code", "purpose"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dd_notice n = email_notice();
        if (strcmp(bad[i].field, "recipient") == 0)
            n.recipient = bad[i].value;
        else if (strcmp(bad[i].field, "subject") == 0)
            n.subject = bad[i].value;
        else if (strcmp(bad[i].field, "body") == 0)
            n.body = bad[i].value;
        else
            n.purpose = bad[i].value;
        err[0] = '\0';
        assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EINVAL);
        assert_non_null(strstr(err, bad[i].why));
    }
    struct dd_notice n = email_notice();
    n.subject = NULL;
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EINVAL);
    n = email_notice();
    n.channel = DD_NOTIFY_SMS;
    n.recipient = "0901-234-567";
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "phone"));
    n.recipient = "1234567";
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EINVAL);
    char big[DD_NOTICE_BODY_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    n = email_notice();
    n.body = big;
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EINVAL);

    text = read_outbox();
    assert_string_equal(text ? text : "", before);
}

static void
file_adapter_reports_an_unwritable_folder(void **state)
{
    (void)state;
    char err[300];
    /* A data folder below a plain file cannot be made, whoever runs the test (root too). */
    char file[] = "/tmp/dd-notify-file-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    struct dd_config c = config_for("file");
    snprintf(c.data_dir, sizeof c.data_dir, "%s/data", file);
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_OK);
    struct dd_notice n = email_notice();
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EIO);
    assert_non_null(strstr(err, file));
    unlink(file);
}

static void
file_adapter_creates_a_missing_data_folder(void **state)
{
    (void)state;
    char err[300], dir[128], path[160];
    struct dd_config c = config_for("file");
    snprintf(dir, sizeof dir, "%s/not-yet", data_dir);
    snprintf(c.data_dir, sizeof c.data_dir, "%s", dir);
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_OK);
    struct dd_notice n = email_notice();
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_OK);
    snprintf(path, sizeof path, "%s/notify/outbox.jsonl", dir);
    assert_int_equal(access(path, R_OK), 0);
    unlink(path);
    snprintf(path, sizeof path, "%s/notify", dir);
    rmdir(path);
    rmdir(dir);
    c = config_for("file");
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_OK);
}

/* --- Console adapter ------------------------------------------------------------------------ */

static void
console_adapter_logs_one_line_with_the_recipient_masked(void **state)
{
    (void)state;
    char err[300];
    struct dd_config c = config_for("console");
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_OK);

    char path[] = "/tmp/dd-notify-console-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    dd_log_set_level(DD_LOG_INFO);
    struct dd_notice n = {.channel = DD_NOTIFY_SMS,
                          .recipient = "+84901234567",
                          .body = "dinhdanh: ma 503118",
                          .purpose = "register-code"};
    int rc = dd_notify_send(&n, err, sizeof err);
    dd_log_set_level(DD_LOG_ERROR);
    dup2(saved, STDERR_FILENO);
    close(saved);
    assert_int_equal(rc, DD_OK);

    char text[4096];
    ssize_t len = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    unlink(path);
    assert_true(len > 0);
    text[len] = '\0';
    assert_string_equal(strchr(text, '\n'), "\n"); /* one line */
    json_error_t jerr;
    json_t *line = json_loads(text, 0, &jerr);
    assert_non_null(line);
    assert_string_equal(json_string_value(json_object_get(line, "event")), "notify.console");
    const char *msg = json_string_value(json_object_get(line, "msg"));
    assert_non_null(strstr(msg, "sms"));
    assert_non_null(strstr(msg, "*********567"));
    assert_null(strstr(msg, "84901234567"));
    assert_non_null(strstr(msg, "register-code"));
    assert_non_null(strstr(msg, "dinhdanh: ma 503118"));
    json_decref(line);
}

/* --- A small SMTP server -------------------------------------------------------------------- */

struct fake_smtp {
    int listen_fd;
    int port;
    const char *auth;       /* the AUTH mechanisms it offers, or NULL */
    const char *rcpt_reply; /* its reply to RCPT TO */
    bool silent;            /* accepts, then says nothing */
    char transcript[65536]; /* every line received, each ending in "\n" */
    size_t len;
    char data[65536]; /* the message after DATA, lines with CRLF, without the final "." */
    size_t data_len;
    pthread_t thread;
};

static void
fake_say(int fd, const char *s)
{
    ssize_t n = send(fd, s, strlen(s), MSG_NOSIGNAL);
    (void)n;
}

/* Reads one line (CRLF removed) within 5 s; false at the end or on a timeout. */
static bool
fake_line(int fd, char *line, size_t size)
{
    size_t n = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            return false;
        char ch;
        if (recv(fd, &ch, 1, 0) != 1)
            return false;
        if (ch == '\n')
            break;
        if (n + 1 < size)
            line[n++] = ch;
    }
    if (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    return true;
}

static void
fake_record(struct fake_smtp *f, const char *line)
{
    f->len += (size_t)snprintf(f->transcript + f->len, sizeof f->transcript - f->len, "%s\n", line);
}

static void
fake_session(struct fake_smtp *f, int fd)
{
    char line[2048];
    if (f->silent) {
        while (fake_line(fd, line, sizeof line))
            ;
        return;
    }
    fake_say(fd, "220 fake.test ESMTP ready\r\n");
    int login_step = 0;
    while (fake_line(fd, line, sizeof line)) {
        fake_record(f, line);
        if (login_step == 1) {
            fake_say(fd, "334 UGFzc3dvcmQ6\r\n");
            login_step = 2;
        } else if (login_step == 2) {
            fake_say(fd, "235 2.7.0 accepted\r\n");
            login_step = 0;
        } else if (strncmp(line, "EHLO ", 5) == 0) {
            char reply[256];
            snprintf(reply, sizeof reply, "250-fake.test greets you\r\n%s%s%s250 8BITMIME\r\n",
                     f->auth ? "250-AUTH " : "", f->auth ? f->auth : "", f->auth ? "\r\n" : "");
            fake_say(fd, reply);
        } else if (strncmp(line, "AUTH PLAIN ", 11) == 0) {
            fake_say(fd, "235 2.7.0 accepted\r\n");
        } else if (strcmp(line, "AUTH LOGIN") == 0) {
            fake_say(fd, "334 VXNlcm5hbWU6\r\n");
            login_step = 1;
        } else if (strncmp(line, "MAIL FROM:", 10) == 0) {
            fake_say(fd, "250 2.1.0 ok\r\n");
        } else if (strncmp(line, "RCPT TO:", 8) == 0) {
            fake_say(fd, f->rcpt_reply);
        } else if (strcmp(line, "DATA") == 0) {
            fake_say(fd, "354 go ahead\r\n");
            while (fake_line(fd, line, sizeof line) && strcmp(line, ".") != 0)
                f->data_len += (size_t)snprintf(f->data + f->data_len, sizeof f->data - f->data_len,
                                                "%s\r\n", line);
            fake_say(fd, "250 2.0.0 queued as 1234\r\n");
        } else if (strcmp(line, "QUIT") == 0) {
            fake_say(fd, "221 2.0.0 bye\r\n");
            return;
        } else {
            fake_say(fd, "502 5.5.2 not implemented\r\n");
        }
    }
}

static void *
fake_main(void *arg)
{
    struct fake_smtp *f = arg;
    struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 10000) == 1) {
        int fd = accept(f->listen_fd, NULL, NULL);
        if (fd >= 0) {
            fake_session(f, fd);
            close(fd);
        }
    }
    return NULL;
}

static void
fake_start(struct fake_smtp *f)
{
    f->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(f->listen_fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f->listen_fd, 1), 0);
    socklen_t len = sizeof a;
    getsockname(f->listen_fd, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
    if (f->rcpt_reply == NULL)
        f->rcpt_reply = "250 2.1.5 ok\r\n";
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake_smtp *f)
{
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
}

static struct dd_config
smtp_config(int port)
{
    struct dd_config c = config_for("smtp");
    snprintf(c.notify_smtp_host, sizeof c.notify_smtp_host, "127.0.0.1");
    c.notify_smtp_port = port;
    c.notify_smtp_tls = false;
    c.notify_smtp_timeout = 2;
    snprintf(c.notify_from, sizeof c.notify_from, "khong-tra-loi@dinhdanh.test");
    return c;
}

/* Sends one notice through a fresh fake server; returns dd_notify_send's code. */
static int
send_via_fake(struct fake_smtp *f, const struct dd_config *extra, const struct dd_notice *n,
              char *err, size_t errlen)
{
    fake_start(f);
    struct dd_config c = smtp_config(f->port);
    if (extra != NULL) {
        memcpy(c.notify_smtp_user, extra->notify_smtp_user, sizeof c.notify_smtp_user);
        memcpy(c.notify_smtp_password, extra->notify_smtp_password, sizeof c.notify_smtp_password);
        c.notify_smtp_tls = extra->notify_smtp_tls;
        c.notify_smtp_timeout = extra->notify_smtp_timeout;
    }
    assert_int_equal(dd_notify_configure(&c, err, errlen), DD_OK);
    int rc = dd_notify_send(n, err, errlen);
    fake_stop(f);
    return rc;
}

/* The value of header `name` in a message (up to its CRLF not followed by a space). */
static const char *
header(const char *msg, const char *name, char *out, size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "\r\n%s: ", name);
    const char *p = strstr(msg, key);
    if (p == NULL && strncmp(msg, key + 2, strlen(key + 2)) == 0)
        p = msg - 2;
    if (p == NULL)
        return NULL;
    p += strlen(key);
    size_t n = 0;
    while (p[0] && !(p[0] == '\r' && p[1] == '\n' && p[2] != ' ') && n + 1 < size)
        out[n++] = *p++;
    out[n] = '\0';
    return out;
}

/* Decodes a header value made of RFC 2047 "B" encoded words separated by folding. */
static void
decode_words(const char *value, char *out, size_t size)
{
    size_t o = 0;
    const char *p = value;
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        p += 10;
        const char *end = strstr(p, "?=");
        assert_non_null(end);
        assert_true(end - p + 12 <= 75); /* a word is at most 75 characters */
        o += b64_decode(p, (size_t)(end - p), out + o, size - o);
        p = end + 2;
    }
    out[o] = '\0';
}

static void
smtp_delivers_an_rfc5322_message_with_auth_plain(void **state)
{
    (void)state;
    static struct fake_smtp f = {.auth = "PLAIN LOGIN"};
    struct dd_config auth;
    dd_config_defaults(&auth);
    snprintf(auth.notify_smtp_user, sizeof auth.notify_smtp_user, "mailer");
    snprintf(auth.notify_smtp_password, sizeof auth.notify_smtp_password, "s3cret-pw");
    auth.notify_smtp_tls = false;
    auth.notify_smtp_timeout = 2;
    struct dd_notice n = email_notice();
    char err[600] = "";
    int64_t before = dd_clock_now_ms() / 1000;
    assert_int_equal(send_via_fake(&f, &auth, &n, err, sizeof err), DD_OK);

    /* The commands, in order. base64("\0mailer\0s3cret-pw") = AG1haWxlcgBzM2NyZXQtcHc= */
    assert_string_equal(f.transcript, "EHLO dinhdanh.test\n"
                                      "AUTH PLAIN AG1haWxlcgBzM2NyZXQtcHc=\n"
                                      "MAIL FROM:<khong-tra-loi@dinhdanh.test>\n"
                                      "RCPT TO:<an.nguyen@example.vn>\n"
                                      "DATA\n"
                                      "QUIT\n");
    char v[1024];
    const char *msg = f.data;
    assert_string_equal(header(msg, "From", v, sizeof v), "<khong-tra-loi@dinhdanh.test>");
    assert_string_equal(header(msg, "To", v, sizeof v), "<an.nguyen@example.vn>");
    assert_string_equal(header(msg, "MIME-Version", v, sizeof v), "1.0");
    assert_string_equal(header(msg, "Content-Type", v, sizeof v), "text/plain; charset=UTF-8");
    assert_string_equal(header(msg, "Content-Transfer-Encoding", v, sizeof v), "base64");
    assert_non_null(header(msg, "Message-ID", v, sizeof v));
    assert_int_equal(v[0], '<');
    assert_non_null(strstr(v, "@dinhdanh.test>"));
    assert_int_equal(strlen(v), 1 + 32 + 1 + strlen("dinhdanh.test") + 1);

    /* Date: "Tue, 01 Jul 2025 09:05:00 +0000", within the seconds of the send. */
    assert_non_null(header(msg, "Date", v, sizeof v));
    struct tm tm = {0};
    const char *rest = strptime(v, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    assert_non_null(rest);
    assert_int_equal(*rest, '\0');
    int64_t sent = (int64_t)timegm(&tm);
    assert_in_range(sent, before, dd_clock_now_ms() / 1000);

    /* The subject is UTF-8 in encoded words and decodes to the text given. */
    char subject[512];
    assert_non_null(header(msg, "Subject", v, sizeof v));
    assert_true(strncmp(v, "=?UTF-8?B?", 10) == 0);
    decode_words(v, subject, sizeof subject);
    assert_string_equal(subject, SUBJECT_VI);

    /* The body is base64 of the text with CRLF line ends. */
    const char *body = strstr(msg, "\r\n\r\n");
    assert_non_null(body);
    char text[4096];
    b64_decode(body + 4, strlen(body + 4), text, sizeof text);
    assert_string_equal(text, "M\xc3\xa3 c\xe1\xbb\xa7"
                              "a b\xe1\xba\xa1n l\xc3\xa0 482913.\r\n"
                              "Kh\xc3\xb4ng chia s\xe1\xba\xbb m\xc3\xa3 n\xc3\xa0y.\r\n");
    /* Every line of the message ends in CRLF and none is longer than 78 characters. */
    for (const char *p = msg; *p;) {
        const char *end = strstr(p, "\r\n");
        assert_non_null(end);
        assert_true(end - p <= 78);
        p = end + 2;
    }
}

static void
smtp_uses_auth_login_when_plain_is_not_offered(void **state)
{
    (void)state;
    static struct fake_smtp f = {.auth = "LOGIN"};
    struct dd_config auth;
    dd_config_defaults(&auth);
    snprintf(auth.notify_smtp_user, sizeof auth.notify_smtp_user, "mailer");
    snprintf(auth.notify_smtp_password, sizeof auth.notify_smtp_password, "s3cret-pw");
    auth.notify_smtp_tls = false;
    auth.notify_smtp_timeout = 2;
    struct dd_notice n = email_notice();
    char err[600] = "";
    assert_int_equal(send_via_fake(&f, &auth, &n, err, sizeof err), DD_OK);
    /* base64("mailer") = bWFpbGVy, base64("s3cret-pw") = czNjcmV0LXB3 */
    assert_non_null(strstr(f.transcript, "AUTH LOGIN\nbWFpbGVy\nczNjcmV0LXB3\nMAIL FROM:"));
}

static void
smtp_without_a_user_sends_no_auth(void **state)
{
    (void)state;
    static struct fake_smtp f = {.auth = "PLAIN"};
    struct dd_notice n = email_notice();
    char err[600] = "";
    assert_int_equal(send_via_fake(&f, NULL, &n, err, sizeof err), DD_OK);
    assert_null(strstr(f.transcript, "AUTH"));
    assert_true(f.data_len > 0);
}

static void
smtp_reports_a_refused_recipient_with_the_servers_words(void **state)
{
    (void)state;
    static struct fake_smtp f = {.rcpt_reply =
                                     "550 5.1.1 <an.nguyen@example.vn>: no such user\r\n"};
    struct dd_notice n = email_notice();
    char err[600] = "";
    assert_int_equal(send_via_fake(&f, NULL, &n, err, sizeof err), DD_EUNAVAIL);
    assert_non_null(strstr(err, "RCPT TO refused: 550 5.1.1"));
    assert_non_null(strstr(err, "no such user"));
    assert_non_null(strstr(err, "127.0.0.1"));
    assert_null(strstr(f.transcript, "DATA"));
}

static void
smtp_requires_starttls_unless_told_otherwise(void **state)
{
    (void)state;
    static struct fake_smtp f = {.auth = "PLAIN"};
    struct dd_config tls;
    dd_config_defaults(&tls);
    tls.notify_smtp_tls = true;
    tls.notify_smtp_timeout = 2;
    snprintf(tls.notify_smtp_user, sizeof tls.notify_smtp_user, "mailer");
    snprintf(tls.notify_smtp_password, sizeof tls.notify_smtp_password, "s3cret-pw");
    struct dd_notice n = email_notice();
    char err[600] = "";
    assert_int_equal(send_via_fake(&f, &tls, &n, err, sizeof err), DD_EUNAVAIL);
    assert_non_null(strstr(err, "does not offer STARTTLS"));
    /* Neither the password nor the message left. */
    assert_string_equal(f.transcript, "EHLO dinhdanh.test\n");
}

static void
smtp_gives_up_on_a_silent_server_after_the_timeout(void **state)
{
    (void)state;
    static struct fake_smtp f = {.silent = true};
    struct dd_config slow;
    dd_config_defaults(&slow);
    slow.notify_smtp_tls = false;
    slow.notify_smtp_timeout = 1;
    struct dd_notice n = email_notice();
    char err[600] = "";
    int64_t t0 = dd_clock_mono_ns();
    assert_int_equal(send_via_fake(&f, &slow, &n, err, sizeof err), DD_EUNAVAIL);
    int64_t ms = (dd_clock_mono_ns() - t0) / 1000000;
    assert_non_null(strstr(err, "timed out"));
    assert_in_range(ms, 900, 4000);
}

static void
smtp_reports_a_closed_port_and_an_sms_notice(void **state)
{
    (void)state;
    /* A port that was free a moment ago: bind, read the number, close. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);

    char err[600] = "";
    struct dd_config c = smtp_config(ntohs(a.sin_port));
    assert_int_equal(dd_notify_configure(&c, err, sizeof err), DD_OK);
    struct dd_notice n = email_notice();
    assert_int_equal(dd_notify_send(&n, err, sizeof err), DD_EUNAVAIL);
    assert_non_null(strstr(err, "cannot connect"));

    struct dd_notice sms = {.channel = DD_NOTIFY_SMS, .recipient = "0901234567", .body = "ma 1"};
    assert_int_equal(dd_notify_send(&sms, err, sizeof err), DD_EUNAVAIL);
    assert_non_null(strstr(err, "no SMS gateway configured"));
}

static void
long_subjects_fold_into_encoded_words_of_whole_characters(void **state)
{
    (void)state;
    /* 60 × "ệ" (3 bytes each): 180 bytes, more than one 45-byte word can hold. */
    char subject[200];
    for (int i = 0; i < 60; i++)
        memcpy(subject + 3 * i, "\xe1\xbb\x87", 3);
    subject[180] = '\0';
    struct dd_notice n = email_notice();
    n.subject = subject;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 65536);
    assert_int_equal(dd_mail_format(&b, "a@dinhdanh.test", &n, 1751360700000), DD_OK);
    char v[1024], back[512];
    assert_non_null(header(b.data, "Subject", v, sizeof v));
    assert_non_null(strstr(v, "?=\r\n =?UTF-8?B?")); /* folded into several words */
    decode_words(v, back, sizeof back);
    assert_string_equal(back, subject);
    /* 1751360700 s is Tue, 01 Jul 2025 09:05:00 UTC. */
    assert_string_equal(header(b.data, "Date", v, sizeof v), "Tue, 01 Jul 2025 09:05:00 +0000");
    /* A plain ASCII subject stays as it is. */
    n.subject = "Your code";
    b.len = 0;
    assert_int_equal(dd_mail_format(&b, "a@dinhdanh.test", &n, 1751360700000), DD_OK);
    assert_string_equal(header(b.data, "Subject", v, sizeof v), "Your code");
    dd_buf_release(&b);
}

static int
make_data_dir(void **state)
{
    (void)state;
    snprintf(data_dir, sizeof data_dir, "/tmp/dd-notify-XXXXXX");
    return mkdtemp(data_dir) == NULL ? -1 : 0;
}

static int
remove_data_dir(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/notify/outbox.jsonl", data_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/notify", data_dir);
    rmdir(path);
    rmdir(data_dir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_is_sent_before_configuration),
        cmocka_unit_test(configure_refuses_unknown_adapters_and_bad_smtp_settings),
        cmocka_unit_test(file_adapter_appends_one_json_line_per_notice),
        cmocka_unit_test(bad_notices_are_refused_and_nothing_is_written),
        cmocka_unit_test(file_adapter_reports_an_unwritable_folder),
        cmocka_unit_test(file_adapter_creates_a_missing_data_folder),
        cmocka_unit_test(console_adapter_logs_one_line_with_the_recipient_masked),
        cmocka_unit_test(smtp_delivers_an_rfc5322_message_with_auth_plain),
        cmocka_unit_test(smtp_uses_auth_login_when_plain_is_not_offered),
        cmocka_unit_test(smtp_without_a_user_sends_no_auth),
        cmocka_unit_test(smtp_reports_a_refused_recipient_with_the_servers_words),
        cmocka_unit_test(smtp_requires_starttls_unless_told_otherwise),
        cmocka_unit_test(smtp_gives_up_on_a_silent_server_after_the_timeout),
        cmocka_unit_test(smtp_reports_a_closed_port_and_an_sms_notice),
        cmocka_unit_test(long_subjects_fold_into_encoded_words_of_whole_characters),
    };
    dd_log_set_level(DD_LOG_ERROR); /* failures are asserted here, not read in the log */
    return cmocka_run_group_tests_name("notify", tests, make_data_dir, remove_data_dir);
}
