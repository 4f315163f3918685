/*
 * aa.c — active authentication with OpenSSL 3: RSA by raw public-key recovery and the ISO/IEC
 * 9796-2 scheme 1 checks, ECDSA by turning r || s into a DER signature.
 */
#include "card/aa.h"
#include "base/err.h"
#include "card/tlv.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
set(struct dd_aa_result *r, enum dd_pa_result res, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    r->result = res;
    return rc;
}

/* The ISO/IEC 10118-3 hash identifier of a 9796-2 trailer 0x..CC. */
static const EVP_MD *
trailer_md(unsigned id, const char **name)
{
    switch (id) {
    case 0x33:
        *name = "sha1";
        return EVP_sha1();
    case 0x34:
        *name = "sha256";
        return EVP_sha256();
    case 0x35:
        *name = "sha512";
        return EVP_sha512();
    case 0x36:
        *name = "sha384";
        return EVP_sha384();
    case 0x38:
        *name = "sha224";
        return EVP_sha224();
    default:
        return NULL;
    }
}

static int
verify_rsa(EVP_PKEY *key, const unsigned char *m2, const unsigned char *sig, size_t sn,
           struct dd_aa_result *r)
{
    size_t k = (size_t)EVP_PKEY_get_size(key), fl = k;
    unsigned char *f = malloc(k);
    if (!f)
        abort();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    int ok = ctx && sn == k && EVP_PKEY_verify_recover_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
             EVP_PKEY_verify_recover(ctx, f, &fl, sig, sn) > 0 && fl == k;
    EVP_PKEY_CTX_free(ctx);
    int rc;
    const char *hn = "sha1";
    const EVP_MD *md = EVP_sha1();
    size_t t = 1;
    if (!ok) {
        rc = set(r, DD_PA_FAIL, DD_EDENIED,
                 "the RSA signature (%zu bytes) cannot be opened with "
                 "the DG15 key (%zu bytes)",
                 sn, k);
        goto done;
    }
    if (f[k - 1] != 0xBC) {
        md = f[k - 1] == 0xCC ? trailer_md(f[k - 2], &hn) : NULL;
        t = 2;
    }
    size_t hl = md ? (size_t)EVP_MD_get_size(md) : 0;
    if (!md || (f[0] & 0xC0) != 0x40 || k < hl + t + 1) {
        rc = set(r, DD_PA_FAIL, DD_EDENIED,
                 "the recovered message is not an ISO/IEC 9796-2 "
                 "scheme 1 signature (header %02X, trailer %02X)",
                 f[0], f[k - 1]);
        goto done;
    }
    snprintf(r->algorithm, sizeof r->algorithm, "rsa-iso9796-2-%s", hn);
    /* The first nibble 0x6 with the "more data" bit: partial recovery; M1 starts after the
     * padding nibbles 0xB… and the 0xBA border when present (header 0x4B…BA). */
    size_t start = 1;
    if ((f[0] & 0xF0) == 0x40) {
        while (start < k && f[start] == 0xBB)
            start++;
        if (start >= k || f[start] != 0xBA) {
            rc = set(r, DD_PA_FAIL, DD_EDENIED, "the 9796-2 padding is malformed");
            goto done;
        }
        start++;
    }
    size_t m1n = k - t - hl - start;
    unsigned char *m = malloc(m1n + 8), h[EVP_MAX_MD_SIZE];
    if (!m)
        abort();
    memcpy(m, f + start, m1n);
    memcpy(m + m1n, m2, 8);
    EVP_Digest(m, m1n + 8, h, NULL, md, NULL);
    free(m);
    if (CRYPTO_memcmp(h, f + k - t - hl, hl) != 0)
        rc = set(r, DD_PA_FAIL, DD_EDENIED,
                 "the signature does not cover this challenge: the "
                 "chip does not hold the private key of DG15 (a copied chip?)");
    else
        rc = set(r, DD_PA_PASS, DD_OK,
                 "the chip signed the challenge with the key of DG15 "
                 "(RSA %zu bits, ISO/IEC 9796-2 scheme 1, %s)",
                 k * 8, hn);
done:
    OPENSSL_clear_free(f, k);
    return rc;
}

/* The hash DG14's ActiveAuthenticationInfo names: ecdsa-plain-SHAx OIDs 0.4.0.127.0.7.1.1.4.1.n
 * (BSI TR-03111), found by their DER bytes. */
static const EVP_MD *
dg14_hash(const unsigned char *dg14, size_t n, const char **name)
{
    static const unsigned char oid[] = {0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00,
                                        0x07, 0x01, 0x01, 0x04, 0x01};
    for (size_t i = 0; dg14 && i + sizeof oid < n; i++)
        if (memcmp(dg14 + i, oid, sizeof oid) == 0)
            switch (dg14[i + sizeof oid]) {
            case 1:
                *name = "sha1";
                return EVP_sha1();
            case 2:
                *name = "sha224";
                return EVP_sha224();
            case 4:
                *name = "sha384";
                return EVP_sha384();
            case 5:
                *name = "sha512";
                return EVP_sha512();
            default:
                return EVP_sha256();
            }
    return EVP_sha256();
}

static int
verify_ec(EVP_PKEY *key, const unsigned char *dg14, size_t n14, const unsigned char *m,
          const unsigned char *sig, size_t sn, struct dd_aa_result *r)
{
    const char *hn = "sha256";
    const EVP_MD *md = dg14_hash(dg14, n14, &hn);
    snprintf(r->algorithm, sizeof r->algorithm, "ecdsa-%s", hn);
    size_t len = (size_t)(EVP_PKEY_get_bits(key) + 7) / 8;
    if (sn != 2 * len)
        return set(r, DD_PA_FAIL, DD_EDENIED, "the ECDSA signature has %zu bytes, expected %zu", sn,
                   2 * len);
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(sig, (int)len, NULL), *bs = BN_bin2bn(sig + len, (int)len, NULL);
    ECDSA_SIG_set0(es, br, bs);
    unsigned char *der = NULL;
    int dl = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = dl > 0 && ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) > 0 &&
             EVP_DigestVerify(ctx, der, (size_t)dl, m, 8) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    if (!ok)
        return set(r, DD_PA_FAIL, DD_EDENIED,
                   "the ECDSA signature does not verify with the key "
                   "of DG15: the chip does not hold its private key (a copied chip?)");
    return set(r, DD_PA_PASS, DD_OK,
               "the chip signed the challenge with the key of DG15 (ECDSA "
               "%d bits, %s)",
               EVP_PKEY_get_bits(key), hn);
}

int
dd_aa_verify(const unsigned char *dg15, size_t n, const unsigned char *dg14, size_t n14,
             const unsigned char challenge[8], const unsigned char *sig, size_t sn,
             struct dd_aa_result *r)
{
    memset(r, 0, sizeof *r);
    struct dd_tlv t;
    if (dd_tlv_read(dg15, n, &t) != DD_OK || t.tag != 0x6F)
        return set(r, DD_PA_FAIL, DD_EINVAL, "DG15 is not a 0x6F object");
    const unsigned char *p = t.value;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)t.len);
    if (!key)
        return set(r, DD_PA_FAIL, DD_EINVAL, "DG15 does not hold a public key");
    int rc;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
        rc = verify_rsa(key, challenge, sig, sn, r);
    else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC)
        rc = verify_ec(key, dg14, n14, challenge, sig, sn, r);
    else
        rc = set(r, DD_PA_NOT_CHECKED, DD_EINVAL,
                 "DG15 holds a key type this reader does not "
                 "handle");
    EVP_PKEY_free(key);
    return rc;
}

int
dd_emrtd_active_auth(struct dd_emrtd *e, const unsigned char *dg15, size_t n,
                     const unsigned char *dg14, size_t n14, struct dd_aa_result *r)
{
    memset(r, 0, sizeof *r);
    unsigned char cmd[4 + 1 + 8 + 1] = {0x00, 0x88, 0x00, 0x00, 0x08}, resp[1024];
    if (RAND_bytes(cmd + 5, 8) != 1)
        return DD_EINTERNAL;
    cmd[13] = 0x00;
    size_t rn = 0;
    unsigned sw = 0;
    int rc = dd_emrtd_transmit(e, cmd, sizeof cmd, resp, sizeof resp, &rn, &sw);
    if (rc == DD_EUNAVAIL)
        return set(r, DD_PA_FAIL, rc, "the card was lost during INTERNAL AUTHENTICATE");
    if (rc != DD_OK || sw != 0x9000)
        return set(r, DD_PA_FAIL, DD_EDENIED,
                   "the chip refused INTERNAL AUTHENTICATE (status "
                   "%04X)",
                   sw);
    return dd_aa_verify(dg15, n, dg14, n14, cmd + 5, resp, rn, r);
}
