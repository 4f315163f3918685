/*
 * sm.c — BAC and secure messaging with OpenSSL 3. Single DES (for the retail MAC) is computed as
 * 3DES with three equal keys, so the legacy provider is never needed.
 */
#include "card/sm.h"
#include "base/err.h"
#include "card/tlv.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <string.h>

size_t
dd_sm_key_len(enum dd_sm_cipher c)
{
    return c == DD_SM_AES192 ? 24 : c == DD_SM_AES256 ? 32 : 16;
}

size_t
dd_sm_block_len(enum dd_sm_cipher c)
{
    return c == DD_SM_3DES ? 8 : 16;
}

void
dd_bac_seed(const char *mrz_info, size_t n, unsigned char kseed[16])
{
    unsigned char h[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)mrz_info, n, h);
    memcpy(kseed, h, 16);
}

void
dd_sm_kdf(enum dd_sm_cipher c, const unsigned char *secret, size_t n, uint32_t counter,
          unsigned char *key)
{
    unsigned char be[4] = {(unsigned char)(counter >> 24), (unsigned char)(counter >> 16),
                           (unsigned char)(counter >> 8), (unsigned char)counter};
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *md = (c == DD_SM_AES192 || c == DD_SM_AES256) ? EVP_sha256() : EVP_sha1();
    if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, secret, n) ||
        !EVP_DigestUpdate(ctx, be, 4) || !EVP_DigestFinal_ex(ctx, h, &hl))
        OPENSSL_die("digest failed", __FILE__, __LINE__);
    EVP_MD_CTX_free(ctx);
    size_t kl = dd_sm_key_len(c);
    memcpy(key, h, kl);
    if (c == DD_SM_3DES)
        for (size_t i = 0; i < kl; i++) {
            unsigned char b = key[i] & 0xFE;
            int ones = __builtin_popcount(b);
            key[i] = (unsigned char)(b | (ones % 2 == 0 ? 1 : 0));
        }
}

size_t
dd_sm_pad(const unsigned char *in, size_t n, size_t block, unsigned char *out, size_t cap)
{
    size_t total = (n / block + 1) * block;
    if (total > cap)
        return 0;
    memmove(out, in, n);
    out[n] = 0x80;
    memset(out + n + 1, 0, total - n - 1);
    return total;
}

int
dd_sm_unpad(const unsigned char *p, size_t n, size_t *len)
{
    while (n > 0 && p[n - 1] == 0)
        n--;
    if (n == 0 || p[n - 1] != 0x80)
        return DD_EINVAL;
    *len = n - 1;
    return DD_OK;
}

static const EVP_CIPHER *
cbc(enum dd_sm_cipher c)
{
    switch (c) {
    case DD_SM_3DES:
        return EVP_des_ede_cbc();
    case DD_SM_AES128:
        return EVP_aes_128_cbc();
    case DD_SM_AES192:
        return EVP_aes_192_cbc();
    default:
        return EVP_aes_256_cbc();
    }
}

static int
sm_crypt(const EVP_CIPHER *cipher, const unsigned char *key, const unsigned char *iv,
         const unsigned char *in, size_t n, unsigned char *out, int enc)
{
    static const unsigned char zero[16];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0,
        ok = ctx && n <= 0x7FFFFFFF &&
             EVP_CipherInit_ex(ctx, cipher, NULL, key, iv ? iv : zero, enc) &&
             EVP_CIPHER_CTX_set_padding(ctx, 0) && EVP_CipherUpdate(ctx, out, &l1, in, (int)n) &&
             EVP_CipherFinal_ex(ctx, out + l1, &l2);
    EVP_CIPHER_CTX_free(ctx);
    return ok && (size_t)(l1 + l2) == n ? DD_OK : DD_EINVAL;
}

int
dd_sm_encrypt(enum dd_sm_cipher c, const unsigned char *key, const unsigned char *iv,
              const unsigned char *in, size_t n, unsigned char *out)
{
    if (n % dd_sm_block_len(c) != 0)
        return DD_EINVAL;
    return sm_crypt(cbc(c), key, iv, in, n, out, 1);
}

int
dd_sm_decrypt(enum dd_sm_cipher c, const unsigned char *key, const unsigned char *iv,
              const unsigned char *in, size_t n, unsigned char *out)
{
    if (n % dd_sm_block_len(c) != 0)
        return DD_EINVAL;
    return sm_crypt(cbc(c), key, iv, in, n, out, 0);
}

/* ISO/IEC 9797-1 MAC algorithm 3: DES-CBC with Ka over every block, then decrypt with Kb and
 * encrypt with Ka the last result, i.e. the last block goes through 3DES (Ka, Kb). */
static int
retail_mac(const unsigned char *key, const unsigned char *in, size_t n, unsigned char mac[8])
{
    unsigned char single[16], y[8] = {0};
    memcpy(single, key, 8);
    memcpy(single + 8, key, 8);
    for (size_t off = 0; off < n; off += 8) {
        for (int i = 0; i < 8; i++)
            y[i] ^= in[off + i];
        const unsigned char *k = off + 8 < n ? single : key;
        if (sm_crypt(EVP_des_ede_ecb(), k, NULL, y, 8, y, 1) != DD_OK)
            return DD_EINVAL;
    }
    memcpy(mac, y, 8);
    OPENSSL_cleanse(single, sizeof single);
    return DD_OK;
}

static int
cmac(enum dd_sm_cipher c, const unsigned char *key, const unsigned char *in, size_t n,
     unsigned char mac[8])
{
    const char *name = c == DD_SM_AES128   ? "AES-128-CBC"
                       : c == DD_SM_AES192 ? "AES-192-CBC"
                                           : "AES-256-CBC";
    EVP_MAC *m = EVP_MAC_fetch(NULL, "CMAC", NULL);
    EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)name, 0),
                           OSSL_PARAM_construct_end()};
    unsigned char full[16];
    size_t fl = 0;
    int ok = ctx && EVP_MAC_init(ctx, key, dd_sm_key_len(c), params) &&
             EVP_MAC_update(ctx, in, n) && EVP_MAC_final(ctx, full, &fl, sizeof full) && fl == 16;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    if (!ok)
        return DD_EINVAL;
    memcpy(mac, full, 8);
    return DD_OK;
}

int
dd_sm_mac(enum dd_sm_cipher c, const unsigned char *key, const unsigned char *in, size_t n,
          unsigned char mac[8])
{
    if (n == 0 || n % dd_sm_block_len(c) != 0)
        return DD_EINVAL;
    return c == DD_SM_3DES ? retail_mac(key, in, n, mac) : cmac(c, key, in, n, mac);
}

int
dd_bac_ifd_cryptogram(const unsigned char kenc[16], const unsigned char kmac[16],
                      const unsigned char rnd_ifd[8], const unsigned char rnd_icc[8],
                      const unsigned char k_ifd[16], unsigned char out[40])
{
    unsigned char s[32], padded[40];
    memcpy(s, rnd_ifd, 8);
    memcpy(s + 8, rnd_icc, 8);
    memcpy(s + 16, k_ifd, 16);
    if (dd_sm_encrypt(DD_SM_3DES, kenc, NULL, s, 32, out) != DD_OK)
        return DD_EINVAL;
    size_t pl = dd_sm_pad(out, 32, 8, padded, sizeof padded);
    int rc = dd_sm_mac(DD_SM_3DES, kmac, padded, pl, out + 32);
    OPENSSL_cleanse(s, sizeof s);
    return rc;
}

int
dd_bac_session(const unsigned char kenc[16], const unsigned char kmac[16],
               const unsigned char rnd_ifd[8], const unsigned char rnd_icc[8],
               const unsigned char k_ifd[16], const unsigned char resp[40], struct dd_sm *sm)
{
    unsigned char padded[40], mac[8], r[32], seed[16];
    size_t pl = dd_sm_pad(resp, 32, 8, padded, sizeof padded);
    if (dd_sm_mac(DD_SM_3DES, kmac, padded, pl, mac) != DD_OK ||
        CRYPTO_memcmp(mac, resp + 32, 8) != 0)
        return DD_EDENIED;
    if (dd_sm_decrypt(DD_SM_3DES, kenc, NULL, resp, 32, r) != DD_OK)
        return DD_EINVAL;
    if (memcmp(r, rnd_icc, 8) != 0 || memcmp(r + 8, rnd_ifd, 8) != 0)
        return DD_EDENIED;
    for (int i = 0; i < 16; i++)
        seed[i] = k_ifd[i] ^ r[16 + i];
    memset(sm, 0, sizeof *sm);
    sm->cipher = DD_SM_3DES;
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_ENC, sm->kenc);
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_MAC, sm->kmac);
    memcpy(sm->ssc, rnd_icc + 4, 4);
    memcpy(sm->ssc + 4, rnd_ifd + 4, 4);
    OPENSSL_cleanse(r, sizeof r);
    OPENSSL_cleanse(seed, sizeof seed);
    return DD_OK;
}

static size_t
ssc_len(const struct dd_sm *sm)
{
    return dd_sm_block_len(sm->cipher);
}

void
dd_sm_ssc_increment(struct dd_sm *sm)
{
    for (size_t i = ssc_len(sm); i-- > 0;)
        if (++sm->ssc[i] != 0)
            break;
}

/* The IV: zeros for 3DES, E(K_enc, SSC) for AES (Part 11 §9.8.6.1). */
static int
sm_iv(const struct dd_sm *sm, unsigned char iv[16])
{
    memset(iv, 0, 16);
    if (sm->cipher == DD_SM_3DES)
        return DD_OK;
    return dd_sm_encrypt(sm->cipher, sm->kenc, NULL, sm->ssc, 16, iv);
}

/* A plain APDU's parts. */
struct apdu {
    const unsigned char *data;
    size_t lc;
    size_t le; /* 0: absent; 256 / 65536 written as 00 / 0000 */
    bool has_le, extended;
};

static int
parse_apdu(const unsigned char *a, size_t n, struct apdu *out)
{
    memset(out, 0, sizeof *out);
    if (n < 4)
        return DD_EINVAL;
    const unsigned char *b = a + 4;
    size_t r = n - 4;
    if (r == 0)
        return DD_OK;
    if (r == 1) {
        out->has_le = true;
        out->le = b[0] ? b[0] : 256;
        return DD_OK;
    }
    if (b[0] != 0 || r < 3) { /* short case 3 or 4 */
        size_t lc = b[0];
        if (lc == 0 || (r != 1 + lc && r != 2 + lc))
            return DD_EINVAL;
        out->data = b + 1;
        out->lc = lc;
        if (r == 2 + lc) {
            out->has_le = true;
            out->le = b[1 + lc] ? b[1 + lc] : 256;
        }
        return DD_OK;
    }
    out->extended = true;
    if (r == 3) {
        out->has_le = true;
        out->le = ((size_t)b[1] << 8 | b[2]) ? ((size_t)b[1] << 8 | b[2]) : 65536;
        return DD_OK;
    }
    size_t lc = (size_t)b[1] << 8 | b[2];
    if (lc == 0 || (r != 3 + lc && r != 5 + lc))
        return DD_EINVAL;
    out->data = b + 3;
    out->lc = lc;
    if (r == 5 + lc) {
        size_t le = (size_t)b[3 + lc] << 8 | b[4 + lc];
        out->has_le = true;
        out->le = le ? le : 65536;
    }
    return DD_OK;
}

int
dd_sm_protect(struct dd_sm *sm, const unsigned char *apdu, size_t n, unsigned char *out, size_t cap,
              size_t *outlen)
{
    struct apdu a;
    if (parse_apdu(apdu, n, &a) != DD_OK)
        return DD_EINVAL;
    size_t bl = dd_sm_block_len(sm->cipher);
    size_t body_cap = a.lc + 64;
    unsigned char *body = OPENSSL_malloc(body_cap);
    unsigned char *mac_in = OPENSSL_malloc(body_cap + 48);
    if (!body || !mac_in)
        OPENSSL_die("out of memory", __FILE__, __LINE__);
    int rc = DD_OK;
    size_t bn = 0;
    dd_sm_ssc_increment(sm);
    if (a.lc > 0) {
        bool odd = apdu[1] & 1;
        size_t pl = dd_sm_pad(a.data, a.lc, bl, body + 8, body_cap - 8);
        unsigned char iv[16];
        if (sm_iv(sm, iv) != DD_OK ||
            dd_sm_encrypt(sm->cipher, sm->kenc, iv, body + 8, pl, body + 8) != DD_OK) {
            rc = DD_EINVAL;
            goto done;
        }
        /* Header then (for DO'87') the padding-content indicator, written before the
         * cryptogram. */
        unsigned char hdr[8];
        size_t hl = dd_tlv_put_header(odd ? 0x85 : 0x87, pl + (odd ? 0 : 1), hdr, sizeof hdr);
        memmove(body + hl + (odd ? 0 : 1), body + 8, pl);
        memcpy(body, hdr, hl);
        if (!odd)
            body[hl] = 0x01;
        bn = hl + (odd ? 0 : 1) + pl;
    }
    if (a.has_le) {
        body[bn++] = 0x97;
        if (a.extended || a.le > 256) {
            body[bn++] = 2;
            body[bn++] = (unsigned char)(a.le == 65536 ? 0 : a.le >> 8);
            body[bn++] = (unsigned char)a.le;
        } else {
            body[bn++] = 1;
            body[bn++] = (unsigned char)(a.le == 256 ? 0 : a.le);
        }
    }
    /* MAC input: SSC || padded masked header || the objects, padded. */
    size_t sl = ssc_len(sm), mn = 0;
    memcpy(mac_in, sm->ssc, sl);
    mn = sl;
    unsigned char header[4] = {(unsigned char)(apdu[0] | 0x0C), apdu[1], apdu[2], apdu[3]};
    mn += dd_sm_pad(header, 4, bl, mac_in + mn, bl);
    memcpy(mac_in + mn, body, bn);
    mn += bn;
    if (bn > 0)
        mn = dd_sm_pad(mac_in, mn, bl, mac_in, body_cap + 48);
    unsigned char mac[8];
    if (mn == 0 || dd_sm_mac(sm->cipher, sm->kmac, mac_in, mn, mac) != DD_OK) {
        rc = DD_EINVAL;
        goto done;
    }
    body[bn++] = 0x8E;
    body[bn++] = 8;
    memcpy(body + bn, mac, 8);
    bn += 8;
    bool ext = a.extended || bn > 255;
    size_t need = 4 + (ext ? 3 + bn + 2 : 1 + bn + 1);
    if (need > cap) {
        rc = DD_ETOOBIG;
        goto done;
    }
    memcpy(out, header, 4);
    size_t k = 4;
    if (ext) {
        out[k++] = 0;
        out[k++] = (unsigned char)(bn >> 8);
        out[k++] = (unsigned char)bn;
    } else {
        out[k++] = (unsigned char)bn;
    }
    memcpy(out + k, body, bn);
    k += bn;
    out[k++] = 0;
    if (ext)
        out[k++] = 0;
    *outlen = k;
done:
    OPENSSL_clear_free(body, body_cap);
    OPENSSL_clear_free(mac_in, body_cap + 48);
    return rc;
}

int
dd_sm_unprotect(struct dd_sm *sm, const unsigned char *rapdu, size_t n, unsigned char *out,
                size_t cap, size_t *outlen)
{
    if (n < 2)
        return DD_EINVAL;
    size_t bl = dd_sm_block_len(sm->cipher), objs_len = 0;
    struct dd_tlv t, data = {0}, status = {0}, mac = {0};
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, rapdu, n - 2);
    int r;
    const unsigned char *objs = rapdu;
    while ((r = dd_tlv_next(&it, &t)) == 1) {
        if (t.tag == 0x87 || t.tag == 0x85)
            data = t;
        else if (t.tag == 0x99)
            status = t;
        else if (t.tag == 0x8E) {
            mac = t;
            break;
        }
        objs_len += t.size;
    }
    if (r < 0)
        return DD_EINVAL;
    dd_sm_ssc_increment(sm);
    if (!mac.value || mac.len != 8)
        return DD_EDENIED;
    size_t sl = ssc_len(sm);
    size_t mcap = sl + objs_len + bl;
    unsigned char *mac_in = OPENSSL_malloc(mcap);
    if (!mac_in)
        OPENSSL_die("out of memory", __FILE__, __LINE__);
    memcpy(mac_in, sm->ssc, sl);
    memcpy(mac_in + sl, objs, objs_len);
    size_t mn = dd_sm_pad(mac_in, sl + objs_len, bl, mac_in, mcap);
    unsigned char want[8];
    int rc = dd_sm_mac(sm->cipher, sm->kmac, mac_in, mn, want);
    OPENSSL_free(mac_in);
    if (rc != DD_OK || CRYPTO_memcmp(want, mac.value, 8) != 0)
        return DD_EDENIED;
    size_t dn = 0;
    if (data.value) {
        const unsigned char *c = data.value;
        size_t cn = data.len;
        if (data.tag == 0x87) {
            if (cn < 1 || c[0] != 0x01)
                return DD_EINVAL;
            c++;
            cn--;
        }
        if (cn == 0 || cn % bl != 0 || cn + 2 > cap)
            return cn + 2 > cap ? DD_ETOOBIG : DD_EINVAL;
        unsigned char iv[16];
        if (sm_iv(sm, iv) != DD_OK ||
            dd_sm_decrypt(sm->cipher, sm->kenc, iv, c, cn, out) != DD_OK ||
            dd_sm_unpad(out, cn, &dn) != DD_OK)
            return DD_EINVAL;
    }
    if (dn + 2 > cap)
        return DD_ETOOBIG;
    if (status.value && status.len == 2)
        memcpy(out + dn, status.value, 2);
    else
        memcpy(out + dn, rapdu + n - 2, 2);
    *outlen = dn + 2;
    return DD_OK;
}
