/*
 * vnpay.c — signing and checking VNPay-style parameters (vnpay.h) with OpenSSL's HMAC.
 */
#include "core/pay/vnpay.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#define SIGNED_TEXT_MAX 8192

int
dd_vnpay_set(struct dd_vnpay_params *p, const char *key, const char *value)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->kv[i].key, key) == 0) {
            p->kv[i].value = value;
            return DD_OK;
        }
    if (p->n == DD_VNPAY_MAX_PARAMS)
        return DD_ETOOBIG;
    p->kv[p->n++] = (struct dd_kv){key, value};
    return DD_OK;
}

const char *
dd_vnpay_get(const struct dd_vnpay_params *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->kv[i].key, key) == 0)
            return p->kv[i].value;
    return NULL;
}

int
dd_vnpay_encode(struct dd_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = DD_OK;
    for (const unsigned char *c = (const unsigned char *)s; rc == DD_OK && *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.')
            rc = dd_buf_putc(out, (char)*c);
        else if (*c == ' ')
            rc = dd_buf_putc(out, '+');
        else {
            char e[3] = {'%', hex[*c >> 4], hex[*c & 15]};
            rc = dd_buf_append(out, e, 3);
        }
    }
    return rc;
}

static bool
is_hash_field(const char *key)
{
    return strcmp(key, "vnp_SecureHash") == 0 || strcmp(key, "vnp_SecureHashType") == 0;
}

static int
by_key(const void *a, const void *b)
{
    return strcmp(((const struct dd_kv *)a)->key, ((const struct dd_kv *)b)->key);
}

/* The sorted, encoded name=value text of p without the hash fields. */
static int
signed_text(const struct dd_vnpay_params *p, struct dd_buf *out)
{
    struct dd_kv sorted[DD_VNPAY_MAX_PARAMS];
    memcpy(sorted, p->kv, p->n * sizeof sorted[0]);
    qsort(sorted, p->n, sizeof sorted[0], by_key);
    int rc = DD_OK;
    bool first = true;
    for (size_t i = 0; rc == DD_OK && i < p->n; i++) {
        if (is_hash_field(sorted[i].key))
            continue;
        if (!first)
            rc = dd_buf_putc(out, '&');
        first = false;
        if (rc == DD_OK)
            rc = dd_vnpay_encode(out, sorted[i].key);
        if (rc == DD_OK)
            rc = dd_buf_putc(out, '=');
        if (rc == DD_OK)
            rc = dd_vnpay_encode(out, sorted[i].value);
    }
    return rc;
}

int
dd_vnpay_sign(const struct dd_vnpay_params *p, const char *secret, char hash[DD_VNPAY_HASH_HEX + 1])
{
    char text[SIGNED_TEXT_MAX + 1];
    struct dd_buf b;
    dd_buf_init_fixed(&b, text, sizeof text);
    int rc = signed_text(p, &b);
    if (rc != DD_OK)
        return rc;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha512(), secret, (int)strlen(secret), (const unsigned char *)b.data, b.len, mac,
             &len) == NULL)
        return DD_EINTERNAL;
    dd_hex_encode(mac, len, hash);
    return DD_OK;
}

bool
dd_vnpay_verify(const struct dd_vnpay_params *p, const char *secret)
{
    const char *given = dd_vnpay_get(p, "vnp_SecureHash");
    if (secret == NULL || secret[0] == '\0' || given == NULL || strlen(given) != DD_VNPAY_HASH_HEX)
        return false;
    char want[DD_VNPAY_HASH_HEX + 1], lower[DD_VNPAY_HASH_HEX + 1];
    if (dd_vnpay_sign(p, secret, want) != DD_OK)
        return false;
    for (size_t i = 0; i < DD_VNPAY_HASH_HEX; i++) {
        char c = given[i];
        lower[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
    }
    lower[DD_VNPAY_HASH_HEX] = '\0';
    return CRYPTO_memcmp(want, lower, DD_VNPAY_HASH_HEX) == 0;
}

int
dd_vnpay_query(const struct dd_vnpay_params *p, const char *secret, struct dd_buf *out)
{
    char hash[DD_VNPAY_HASH_HEX + 1];
    int rc = dd_vnpay_sign(p, secret, hash);
    if (rc == DD_OK)
        rc = signed_text(p, out);
    if (rc == DD_OK)
        rc = dd_buf_printf(out, "&vnp_SecureHash=%s", hash);
    return rc;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new arena string; NULL on a bad escape or a NUL byte. */
static char *
decode(struct dd_arena *a, const char *s, size_t n)
{
    char *out = dd_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[k++] = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= n)
                return NULL;
            int h = hexval(s[i + 1]);
            int l = hexval(s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return NULL;
            out[k++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    return out;
}

int
dd_vnpay_parse_form(struct dd_arena *a, const char *text, size_t n, struct dd_vnpay_params *p)
{
    p->n = 0;
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && text[end] != '&')
            end++;
        size_t eq = i;
        while (eq < end && text[eq] != '=')
            eq++;
        if (end > i) {
            char *key = decode(a, text + i, eq - i);
            char *value =
                eq < end ? decode(a, text + eq + 1, end - eq - 1) : dd_arena_strdup(a, "");
            if (key == NULL || value == NULL || key[0] == '\0' || dd_vnpay_get(p, key))
                return DD_EINVAL;
            if (dd_vnpay_set(p, key, value) != DD_OK)
                return DD_ETOOBIG;
        }
        i = end + 1;
    }
    return DD_OK;
}

const char *
dd_vnpay_message(const char *code)
{
    static const struct {
        const char *code, *message;
    } messages[] = {
        {"00", "Confirm Success"}, {"01", "Order not found"},   {"02", "Order already confirmed"},
        {"04", "Invalid amount"},  {"97", "Invalid signature"}, {"99", "Unknown error"},
    };
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
        if (strcmp(messages[i].code, code) == 0)
            return messages[i].message;
    return "Unknown error";
}
