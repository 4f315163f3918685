/* totp.c — HOTP/TOTP over OpenSSL's HMAC-SHA1, base32, and the otpauth:// URI. */
#include "crypto/totp.h"
#include "base/buf.h"
#include "base/err.h"
#include "crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <string.h>

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int
dd_base32_encode(const unsigned char *p, size_t n, char *out, size_t outsize)
{
    if (outsize < DD_BASE32_SIZE(n))
        return DD_ETOOBIG;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32_alphabet[(acc >> bits) & 31];
        }
    }
    if (bits > 0)
        out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
    out[o] = '\0';
    return DD_OK;
}

/* The 5-bit value of a base32 character in either case, or -1. */
static int
b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int
dd_base32_decode(const char *s, unsigned char *out, size_t outsize, size_t *outlen)
{
    size_t o = 0, chars = 0;
    unsigned acc = 0;
    int bits = 0;
    bool padding = false;
    for (; *s; s++) {
        if (*s == ' ')
            continue;
        if (*s == '=') {
            padding = true;
            continue;
        }
        int v = b32_value(*s);
        if (v < 0 || padding) /* a letter after '=' */
            return DD_EINVAL;
        chars++;
        acc = (acc << 5) | (unsigned)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o >= outsize)
                return DD_ETOOBIG;
            out[o++] = (unsigned char)(acc >> bits);
        }
        acc &= (1u << bits) - 1; /* keep only the bits not yet written */
    }
    size_t tail = chars % 8;
    if (tail == 1 || tail == 3 || tail == 6 || acc != 0)
        return DD_EINVAL;
    *outlen = o;
    return DD_OK;
}

void
dd_totp_secret_new(unsigned char secret[DD_TOTP_SECRET_LEN])
{
    dd_random_bytes(secret, DD_TOTP_SECRET_LEN);
}

static bool
key_ok(size_t keylen)
{
    return keylen >= 16 && keylen <= 64;
}

int
dd_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits, char *out)
{
    static const uint32_t powers[] = {1000000, 10000000, 100000000};
    if (digits < 6 || digits > 8 || !key_ok(keylen))
        return DD_EINVAL;
    unsigned char msg[8];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen) == NULL || maclen != 20)
        return DD_EINTERNAL;
    /* Dynamic truncation (RFC 4226 §5.3): 31 bits at the offset named by the last nibble. */
    unsigned off = mac[19] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t value = bin % powers[digits - 6];
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
    out[digits] = '\0';
    return DD_OK;
}

int64_t
dd_totp_step(int64_t unix_seconds)
{
    int64_t q = unix_seconds / DD_TOTP_STEP;
    if (unix_seconds % DD_TOTP_STEP < 0)
        q--;
    return q;
}

/* Copies the digits of a typed code, skipping spaces; false unless exactly 6 digits. */
static bool
normalise_code(const char *code, char out[DD_TOTP_DIGITS + 1])
{
    size_t n = 0;
    for (; *code; code++) {
        if (*code == ' ')
            continue;
        if (*code < '0' || *code > '9' || n == DD_TOTP_DIGITS)
            return false;
        out[n++] = *code;
    }
    out[n] = '\0';
    return n == DD_TOTP_DIGITS;
}

int
dd_totp_verify(const unsigned char *key, size_t keylen, const char *code, int64_t now,
               int64_t after_step, int64_t *matched_step)
{
    char typed[DD_TOTP_DIGITS + 1];
    if (!key_ok(keylen) || !normalise_code(code, typed))
        return DD_EINVAL;
    int64_t current = dd_totp_step(now);
    int64_t found = -1;
    for (int64_t step = current - DD_TOTP_WINDOW; step <= current + DD_TOTP_WINDOW; step++) {
        char expected[DD_TOTP_DIGITS + 1];
        if (step < 0 || dd_hotp(key, keylen, (uint64_t)step, DD_TOTP_DIGITS, expected) != DD_OK)
            continue;
        bool same = CRYPTO_memcmp(expected, typed, DD_TOTP_DIGITS) == 0;
        if (same && step > after_step)
            found = step;
    }
    if (found < 0)
        return DD_EDENIED;
    *matched_step = found;
    return DD_OK;
}

/* Appends s percent-encoded: everything but RFC 3986's unreserved characters. */
static int
put_pct(struct dd_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = DD_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == DD_OK; p++) {
        unsigned char c = *p;
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            rc = dd_buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = dd_buf_append(b, esc, sizeof esc);
        }
    }
    return rc;
}

static bool
is_base32_text(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (strchr(b32_alphabet, *s) == NULL)
            return false;
    return true;
}

int
dd_totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
            size_t outsize)
{
    if (issuer[0] == '\0' || account[0] == '\0' || !is_base32_text(secret_b32))
        return DD_EINVAL;
    struct dd_buf b;
    dd_buf_init_fixed(&b, out, outsize);
    int rc = dd_buf_puts(&b, "otpauth://totp/");
    if (rc == DD_OK)
        rc = put_pct(&b, issuer);
    if (rc == DD_OK)
        rc = dd_buf_putc(&b, ':');
    if (rc == DD_OK)
        rc = put_pct(&b, account);
    if (rc == DD_OK)
        rc = dd_buf_printf(&b, "?secret=%s&issuer=", secret_b32);
    if (rc == DD_OK)
        rc = put_pct(&b, issuer);
    if (rc == DD_OK)
        rc = dd_buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", DD_TOTP_DIGITS, DD_TOTP_STEP);
    return rc == DD_OK ? DD_OK : DD_ETOOBIG;
}
