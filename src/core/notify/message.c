/*
 * message.c — the e-mail a notice becomes (RFC 5322): headers, an RFC 2047 subject, and the
 * UTF-8 body in base64, so the message is 7-bit clean and passes any SMTP server unchanged.
 */
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "core/notify/adapters.h"
#include "crypto/hash.h"

#include <openssl/evp.h>
#include <string.h>
#include <time.h>

#define WORD_BYTES 45 /* text bytes per encoded word: 60 base64 characters, 75 in all (§2) */
#define LINE_BYTES 57 /* body bytes per base64 line: 76 characters */

bool
dd_mail_address_ok(const char *s)
{
    size_t n = strnlen(s, 255);
    const char *at = strchr(s, '@');
    if (n == 0 || n > 254 || at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || strchr("\"<>(),;:\\[]", c) != NULL)
            return false;
    }
    return true;
}

/* "Tue, 01 Jul 2025 09:05:00 +0000" (RFC 5322 §3.3), with English names whatever the locale. */
static int
put_date(struct dd_buf *b, int64_t now_ms)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return dd_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                         tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                         tm.tm_sec);
}

static int
put_base64(struct dd_buf *b, const unsigned char *p, size_t n)
{
    unsigned char out[4 * ((WORD_BYTES > LINE_BYTES ? WORD_BYTES : LINE_BYTES) + 2) / 3 + 1];
    int len = EVP_EncodeBlock(out, p, (int)n);
    return dd_buf_append(b, out, (size_t)len);
}

static bool
plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
            return false;
    return true;
}

/* Subject: plain ASCII as it is; anything else as encoded words of whole characters, one per
 * folded line (RFC 2047 §5: a word is at most 75 characters; §8: characters are not split). */
static int
put_subject(struct dd_buf *b, const char *subject)
{
    if (plain_ascii(subject) && strlen(subject) <= 900)
        return dd_buf_printf(b, "Subject: %s\r\n", subject);
    int rc = dd_buf_puts(b, "Subject:");
    const unsigned char *p = (const unsigned char *)subject;
    size_t n = strlen(subject);
    while (rc == DD_OK && n > 0) {
        size_t take = n < WORD_BYTES ? n : WORD_BYTES;
        while (take < n && take > 0 && (p[take] & 0xC0) == 0x80)
            take--; /* end the word before a continuation byte */
        rc = dd_buf_puts(b, " =?UTF-8?B?");
        if (rc == DD_OK)
            rc = put_base64(b, p, take);
        if (rc == DD_OK)
            rc = dd_buf_puts(b, n > take ? "?=\r\n" : "?=");
        p += take;
        n -= take;
    }
    return rc == DD_OK ? dd_buf_puts(b, "\r\n") : rc;
}

/* Base64 lines of the body being written: bytes gather in `chunk` and leave a line at a time. */
struct body_lines {
    struct dd_buf *b;
    unsigned char chunk[LINE_BYTES];
    size_t have;
    int rc;
};

static void
lines_flush(struct body_lines *l)
{
    if (l->have == 0 || l->rc != DD_OK)
        return;
    l->rc = put_base64(l->b, l->chunk, l->have);
    if (l->rc == DD_OK)
        l->rc = dd_buf_puts(l->b, "\r\n");
    l->have = 0;
}

static void
lines_push(struct body_lines *l, unsigned char c)
{
    l->chunk[l->have++] = c;
    if (l->have == LINE_BYTES)
        lines_flush(l);
}

/* The body with every "\n" as "\r\n", in base64 lines of 76 characters. */
static int
put_body(struct dd_buf *b, const char *body)
{
    struct body_lines l = {.b = b, .have = 0, .rc = DD_OK};
    for (const char *s = body; *s && l.rc == DD_OK; s++) {
        if (*s == '\n' && (s == body || s[-1] != '\r'))
            lines_push(&l, '\r');
        lines_push(&l, (unsigned char)*s);
    }
    lines_flush(&l);
    return l.rc;
}

int
dd_mail_format(struct dd_buf *b, const char *from, const struct dd_notice *n, int64_t now_ms)
{
    unsigned char id[16];
    char id_hex[2 * sizeof id + 1];
    dd_random_bytes(id, sizeof id);
    dd_hex_encode(id, sizeof id, id_hex);
    const char *domain = strchr(from, '@');
    domain = domain ? domain + 1 : "localhost";

    int rc = put_date(b, now_ms);
    if (rc == DD_OK)
        rc = dd_buf_printf(b, "From: <%s>\r\nTo: <%s>\r\n", from, n->recipient);
    if (rc == DD_OK)
        rc = put_subject(b, n->subject);
    if (rc == DD_OK)
        rc = dd_buf_printf(b,
                           "Message-ID: <%s@%s>\r\n"
                           "Auto-Submitted: auto-generated\r\n"
                           "MIME-Version: 1.0\r\n"
                           "Content-Type: text/plain; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n",
                           id_hex, domain);
    if (rc == DD_OK)
        rc = put_body(b, n->body);
    return rc == DD_OK ? DD_OK : DD_ETOOBIG;
}
