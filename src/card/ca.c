/*
 * ca.c — chip authentication with OpenSSL 3: DG14's key (its id-PK-ECDH algorithm identifier
 * rewritten as id-ecPublicKey so that OpenSSL parses the named or explicit curve), an
 * ephemeral key on the same curve, ECDH, the key derivation of sm.h, and the commands.
 */
#include "card/ca.h"
#include "base/err.h"
#include "card/tlv.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0.4.0.127.0.7.2.2.1.2 id-PK-ECDH; 0.4.0.127.0.7.2.2.3.2.n id-CA-ECDH-… (1 3DES, 2–4 AES). */
static const unsigned char id_pk_ecdh[] = {0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02};
static const unsigned char id_ca_ecdh[] = {0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02};

static int
set(struct dd_ca_result *r, enum dd_pa_result res, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    r->result = res;
    return rc;
}

struct ca_info {
    struct dd_tlv spki_alg_params, spki_key; /* from ChipAuthenticationPublicKeyInfo */
    struct dd_tlv ca_oid;                    /* ChipAuthenticationInfo's protocol */
    struct dd_tlv key_id;                    /* optional */
    bool have_key, have_ca;
};

/* Walks DG14's SecurityInfos for the ECDH public key and the CA protocol. */
static int
parse_dg14(const unsigned char *dg14, size_t n, struct ca_info *ci)
{
    memset(ci, 0, sizeof *ci);
    struct dd_tlv outer, set, info;
    if (dd_tlv_read(dg14, n, &outer) != DD_OK || outer.tag != 0x6E ||
        dd_tlv_read(outer.value, outer.len, &set) != DD_OK || set.tag != 0x31)
        return DD_EINVAL;
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, set.value, set.len);
    int r;
    while ((r = dd_tlv_next(&it, &info)) == 1) {
        struct dd_tlv oid, second, third = {0};
        if (info.tag != 0x30 || dd_tlv_read(info.value, info.len, &oid) != DD_OK ||
            oid.tag != 0x06 || oid.size >= info.len ||
            dd_tlv_read(info.value + oid.size, info.len - oid.size, &second) != DD_OK)
            continue;
        if (oid.size + second.size < info.len)
            dd_tlv_read(info.value + oid.size + second.size, info.len - oid.size - second.size,
                        &third);
        if (oid.len == sizeof id_pk_ecdh && !memcmp(oid.value, id_pk_ecdh, oid.len) &&
            second.tag == 0x30 && !ci->have_key) {
            struct dd_tlv alg, alg_oid;
            if (dd_tlv_read(second.value, second.len, &alg) != DD_OK || alg.tag != 0x30 ||
                dd_tlv_read(alg.value, alg.len, &alg_oid) != DD_OK || alg_oid.size >= alg.len ||
                dd_tlv_read(alg.value + alg_oid.size, alg.len - alg_oid.size,
                            &ci->spki_alg_params) != DD_OK ||
                dd_tlv_read(second.value + alg.size, second.len - alg.size, &ci->spki_key) !=
                    DD_OK ||
                ci->spki_key.tag != 0x03)
                return DD_EINVAL;
            ci->have_key = true;
        } else if (oid.len == sizeof id_ca_ecdh + 1 &&
                   !memcmp(oid.value, id_ca_ecdh, sizeof id_ca_ecdh) && !ci->have_ca) {
            ci->ca_oid = oid;
            if (third.tag == 0x02)
                ci->key_id = third;
            ci->have_ca = true;
        }
    }
    return r < 0 ? DD_EINVAL : DD_OK;
}

/* The chip's key: SubjectPublicKeyInfo rebuilt with id-ecPublicKey. */
static EVP_PKEY *
chip_key(const struct ca_info *ci)
{
    static const unsigned char ec_oid[] = {0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
    size_t pn = ci->spki_alg_params.size, kn = ci->spki_key.size;
    size_t alg_len = sizeof ec_oid + pn, cap = alg_len + kn + 16;
    unsigned char *der = malloc(cap);
    if (!der)
        abort();
    size_t k = 0;
    unsigned char hdr[8];
    size_t ah = dd_tlv_put_header(0x30, alg_len, hdr, sizeof hdr);
    k += dd_tlv_put_header(0x30, ah + alg_len + kn, der, cap);
    memcpy(der + k, hdr, ah);
    k += ah;
    memcpy(der + k, ec_oid, sizeof ec_oid);
    k += sizeof ec_oid;
    memcpy(der + k, ci->spki_alg_params.value - (pn - ci->spki_alg_params.len), pn);
    k += pn;
    memcpy(der + k, ci->spki_key.value - (kn - ci->spki_key.len), kn);
    k += kn;
    const unsigned char *p = der;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)k);
    free(der);
    return key;
}

static const char *
cipher_name(enum dd_sm_cipher c)
{
    return c == DD_SM_3DES     ? "ecdh-3des-cbc-cbc"
           : c == DD_SM_AES128 ? "ecdh-aes-cbc-cmac-128"
           : c == DD_SM_AES192 ? "ecdh-aes-cbc-cmac-192"
                               : "ecdh-aes-cbc-cmac-256";
}

/* Sends the ephemeral public key: MSE:Set KAT for 3DES; MSE:Set AT and General Authenticate
 * for AES. */
static int
send_key(struct dd_emrtd *e, const struct ca_info *ci, enum dd_sm_cipher c,
         const unsigned char *pub, size_t pn, struct dd_ca_result *r)
{
    unsigned char cmd[400], resp[64];
    size_t cn = 5, rn;
    unsigned sw;
    if (c == DD_SM_3DES) {
        memcpy(cmd, "\x00\x22\x41\xA6", 4);
        cn += dd_tlv_put_header(0x91, pn, cmd + cn, 8);
        memcpy(cmd + cn, pub, pn);
        cn += pn;
    } else {
        memcpy(cmd, "\x00\x22\x41\xA4", 4);
        cn += dd_tlv_put_header(0x80, ci->ca_oid.len, cmd + cn, 8);
        memcpy(cmd + cn, ci->ca_oid.value, ci->ca_oid.len);
        cn += ci->ca_oid.len;
    }
    if (ci->key_id.value && ci->key_id.len <= 8) { /* 84: the key's reference */
        cmd[cn++] = 0x84;
        cmd[cn++] = (unsigned char)ci->key_id.len;
        memcpy(cmd + cn, ci->key_id.value, ci->key_id.len);
        cn += ci->key_id.len;
    }
    cmd[4] = (unsigned char)(cn - 5);
    int rc = dd_emrtd_transmit(e, cmd, cn, resp, sizeof resp, &rn, &sw);
    if (rc != DD_OK)
        return set(r, DD_PA_FAIL, rc, "MSE:Set for chip authentication: %s", e->error);
    if (sw != 0x9000)
        return set(r, DD_PA_FAIL, DD_EDENIED, "the chip refused MSE:Set (status %04X)", sw);
    if (c == DD_SM_3DES)
        return DD_OK;
    unsigned char inner[200];
    size_t in = dd_tlv_put_header(0x80, pn, inner, sizeof inner);
    memcpy(inner + in, pub, pn);
    in += pn;
    memcpy(cmd, "\x00\x86\x00\x00", 4);
    cn = 5;
    cn += dd_tlv_put_header(0x7C, in, cmd + cn, 8);
    memcpy(cmd + cn, inner, in);
    cn += in;
    cmd[4] = (unsigned char)(cn - 5);
    cmd[cn++] = 0x00;
    rc = dd_emrtd_transmit(e, cmd, cn, resp, sizeof resp, &rn, &sw);
    if (rc != DD_OK)
        return set(r, DD_PA_FAIL, rc, "General Authenticate for chip authentication: %s", e->error);
    if (sw != 0x9000)
        return set(r, DD_PA_FAIL, DD_EDENIED, "the chip refused General Authenticate (status %04X)",
                   sw);
    return DD_OK;
}

int
dd_emrtd_chip_auth(struct dd_emrtd *e, const unsigned char *dg14, size_t n,
                   const unsigned char *com, size_t com_len, struct dd_ca_result *r)
{
    memset(r, 0, sizeof *r);
    struct ca_info ci;
    if (parse_dg14(dg14, n, &ci) != DD_OK)
        return set(r, DD_PA_FAIL, DD_EINVAL, "DG14 is malformed");
    if (!ci.have_key || !ci.have_ca)
        return set(r, DD_PA_NOT_CHECKED, DD_ENOTFOUND, "DG14 offers no ECDH chip authentication");
    unsigned last = ci.ca_oid.value[ci.ca_oid.len - 1];
    if (last < 1 || last > 4)
        return set(r, DD_PA_NOT_CHECKED, DD_ENOTFOUND,
                   "DG14 names a chip-authentication "
                   "cipher this reader does not handle");
    enum dd_sm_cipher c = last == 1   ? DD_SM_3DES
                          : last == 2 ? DD_SM_AES128
                          : last == 3 ? DD_SM_AES192
                                      : DD_SM_AES256;
    snprintf(r->protocol, sizeof r->protocol, "%s", cipher_name(c));
    EVP_PKEY *chip = chip_key(&ci), *eph = NULL;
    EVP_PKEY_CTX *gen = chip ? EVP_PKEY_CTX_new_from_pkey(NULL, chip, NULL) : NULL;
    if (!gen || EVP_PKEY_keygen_init(gen) <= 0 || EVP_PKEY_keygen(gen, &eph) <= 0) {
        EVP_PKEY_CTX_free(gen);
        EVP_PKEY_free(chip);
        return set(r, DD_PA_FAIL, DD_EINVAL, "DG14's public key is not a usable EC key");
    }
    EVP_PKEY_CTX_free(gen);
    unsigned char pub[160], secret[80];
    size_t pn = 0, sn = sizeof secret;
    EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL);
    int ok = EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
                                             sizeof pub, &pn) == 1 &&
             dctx && EVP_PKEY_derive_init(dctx) > 0 && EVP_PKEY_derive_set_peer(dctx, chip) > 0 &&
             EVP_PKEY_derive(dctx, secret, &sn) > 0;
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(eph);
    EVP_PKEY_free(chip);
    if (!ok)
        return set(r, DD_PA_FAIL, DD_EINVAL, "ECDH with DG14's key failed");
    int rc = send_key(e, &ci, c, pub, pn, r);
    if (rc != DD_OK) {
        OPENSSL_cleanse(secret, sizeof secret);
        return rc;
    }
    memset(&e->sm, 0, sizeof e->sm);
    e->sm.cipher = c;
    dd_sm_kdf(c, secret, sn, DD_SM_KDF_ENC, e->sm.kenc);
    dd_sm_kdf(c, secret, sn, DD_SM_KDF_MAC, e->sm.kmac);
    OPENSSL_cleanse(secret, sizeof secret);
    unsigned char *again = NULL;
    size_t an = 0;
    rc = dd_emrtd_read_file(e, DD_EMRTD_FID_COM, &again, &an);
    if (rc == DD_EUNAVAIL)
        return set(r, DD_PA_FAIL, rc, "the card was lost after chip authentication");
    if (rc != DD_OK) {
        e->sm_on = false;
        return set(r, DD_PA_FAIL, DD_EDENIED,
                   "the chip's answer under the new keys does not check out: it does not hold "
                   "the private key of DG14 (a copied chip?)");
    }
    bool same = an == com_len && memcmp(again, com, an) == 0;
    free(again);
    if (!same)
        return set(r, DD_PA_FAIL, DD_EDENIED, "EF.COM read under the new keys differs");
    return set(r, DD_PA_PASS, DD_OK,
               "the chip proved it holds the private key of DG14 (ECDH, new %s secure "
               "messaging)",
               c == DD_SM_3DES ? "3DES" : "AES");
}
