/*
 * vnpay.h — the signature of VNPay-style gateway parameters.
 *
 * The payment URL, the redirect back to the return URL and the server-to-server IPN carry their
 * parameters signed the same way: the parameters other than vnp_SecureHash and
 * vnp_SecureHashType, sorted by name (byte order), each name and value URL-encoded (letters,
 * digits and "-_." kept, space as "+", every other byte as %XX in upper-case hex), joined as
 * name=value with "&"; vnp_SecureHash is the HMAC-SHA512 of that text with the shared secret,
 * in hex. Pure functions: no state.
 */
#ifndef DD_CORE_PAY_VNPAY_H
#define DD_CORE_PAY_VNPAY_H

#include <stdbool.h>
#include <stddef.h>

struct dd_buf;

#define DD_VNPAY_MAX_PARAMS 40
#define DD_VNPAY_HASH_HEX   128

struct dd_kv {
    const char *key;
    const char *value;
};

/* A set of parameters (the strings are not copied). */
struct dd_vnpay_params {
    struct dd_kv kv[DD_VNPAY_MAX_PARAMS];
    size_t n;
};

/* Adds or replaces key. DD_ETOOBIG past DD_VNPAY_MAX_PARAMS. */
int dd_vnpay_set(struct dd_vnpay_params *p, const char *key, const char *value);

/* The value of key, or NULL. */
const char *dd_vnpay_get(const struct dd_vnpay_params *p, const char *key);

/* Appends s URL-encoded as described above. */
int dd_vnpay_encode(struct dd_buf *out, const char *s);

/* Writes the hex HMAC-SHA512 of p's signed text under secret into hash. DD_ETOOBIG if the text
 * is over 8 KiB. */
int dd_vnpay_sign(const struct dd_vnpay_params *p, const char *secret,
                  char hash[DD_VNPAY_HASH_HEX + 1]);

/* True if p carries a vnp_SecureHash equal (in any case of hex) to its signature under secret;
 * compared in constant time. False when secret is empty. */
bool dd_vnpay_verify(const struct dd_vnpay_params *p, const char *secret);

/* Appends p's query string, sorted and encoded as signed, then "&vnp_SecureHash=…". */
int dd_vnpay_query(const struct dd_vnpay_params *p, const char *secret, struct dd_buf *out);

/* Parses an application/x-www-form-urlencoded text (a query string or a form body) into p,
 * decoding + and %XX; the decoded strings are allocated in arena `a`. DD_EINVAL on a bad escape
 * or a repeated name, DD_ETOOBIG on too many parameters. */
struct dd_arena;
int dd_vnpay_parse_form(struct dd_arena *a, const char *text, size_t n, struct dd_vnpay_params *p);

/* The standard IPN reply: {"RspCode": code, "Message": message}. */
const char *dd_vnpay_message(const char *code);

#endif
