/*
 * pace.c — the terminal's side of PACE: APDUs here, cryptography in OpenPACE; the keys it
 * derives are handed to sm.h.
 */
#include "card/pace.h"
#include "base/err.h"
#include "card/tlv.h"

#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t eac_once = PTHREAD_ONCE_INIT;

static void
eac_start(void)
{
    EAC_init();
}

static int
fail(struct dd_emrtd *e, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->error, sizeof e->error, fmt, ap);
    va_end(ap);
    return rc;
}

int
dd_emrtd_read_card_access(struct dd_emrtd *e, unsigned char **data, size_t *len)
{
    return dd_emrtd_read_file(e, DD_EMRTD_FID_CARD_ACCESS, data, len);
}

static BUF_MEM *
buf_of(const unsigned char *p, size_t n)
{
    BUF_MEM *b = BUF_MEM_new();
    if (!b || !BUF_MEM_grow(b, n))
        abort();
    memcpy(b->data, p, n);
    return b;
}

/* The OID (its DER value bytes) of the first PACEInfo: a SEQUENCE in the SecurityInfos whose
 * OID starts with id-PACE (0.4.0.127.0.7.2.2.4). */
static int
pace_oid(const unsigned char *ca, size_t n, struct dd_tlv *oid)
{
    static const unsigned char id_pace[] = {0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04};
    struct dd_tlv set, info;
    struct dd_tlv_iter it;
    if (dd_tlv_read(ca, n, &set) != DD_OK || set.tag != 0x31)
        return DD_EINVAL;
    dd_tlv_iter_init(&it, set.value, set.len);
    int r;
    while ((r = dd_tlv_next(&it, &info)) == 1)
        if (info.tag == 0x30 && dd_tlv_read(info.value, info.len, oid) == DD_OK &&
            oid->tag == 0x06 && oid->len > sizeof id_pace &&
            memcmp(oid->value, id_pace, sizeof id_pace) == 0)
            return DD_OK;
    return r < 0 ? DD_EINVAL : DD_ENOTFOUND;
}

/* One General Authenticate: 7C { tag data } out, the answer's object `want` in. `last` ends the
 * command chain (CLA 00 instead of 10). */
static int
general_authenticate(struct dd_emrtd *e, int step, unsigned tag, const BUF_MEM *data, unsigned want,
                     bool last, BUF_MEM **answer)
{
    unsigned char inner[1024], cmd[1100], r[1024];
    size_t in = 0, cn = 0, rn;
    if (data) {
        in = dd_tlv_put_header(tag, data->length, inner, sizeof inner);
        if (in == 0 || in + data->length > sizeof inner)
            return fail(e, DD_EINVAL, "PACE step %d: data too long", step);
        memcpy(inner + in, data->data, data->length);
        in += data->length;
    }
    cmd[cn++] = last ? 0x00 : 0x10;
    cmd[cn++] = 0x86;
    cmd[cn++] = 0x00;
    cmd[cn++] = 0x00;
    unsigned char hdr[8];
    size_t hl = dd_tlv_put_header(0x7C, in, hdr, sizeof hdr);
    if (hl + in > 255)
        return fail(e, DD_EINVAL, "PACE step %d: command too long", step);
    cmd[cn++] = (unsigned char)(hl + in);
    memcpy(cmd + cn, hdr, hl);
    cn += hl;
    memcpy(cmd + cn, inner, in);
    cn += in;
    cmd[cn++] = 0x00;
    unsigned sw;
    int rc = dd_emrtd_transmit(e, cmd, cn, r, sizeof r, &rn, &sw);
    if (rc != DD_OK)
        return rc;
    if (sw != 0x9000)
        return fail(e, last || sw == 0x6300 ? DD_EDENIED : DD_EINVAL,
                    "PACE step %d: the chip answered status %04X%s", step, sw,
                    last ? " (wrong MRZ or CAN)" : "");
    struct dd_tlv dyn, obj;
    if (dd_tlv_read(r, rn, &dyn) != DD_OK || dyn.tag != 0x7C ||
        dd_tlv_find(dyn.value, dyn.len, want, &obj) != DD_OK)
        return fail(e, DD_EINVAL, "PACE step %d: no object %02X in the chip's answer", step, want);
    *answer = buf_of(obj.value, obj.len);
    return DD_OK;
}

/* sm.h's cipher for OpenPACE's. */
static int
sm_cipher(const EVP_CIPHER *c, enum dd_sm_cipher *out)
{
    switch (EVP_CIPHER_get_nid(c)) {
    case NID_des_ede_cbc:
        *out = DD_SM_3DES;
        return DD_OK;
    case NID_aes_128_cbc:
        *out = DD_SM_AES128;
        return DD_OK;
    case NID_aes_192_cbc:
        *out = DD_SM_AES192;
        return DD_OK;
    case NID_aes_256_cbc:
        *out = DD_SM_AES256;
        return DD_OK;
    default:
        return DD_EINVAL;
    }
}

int
dd_emrtd_pace(struct dd_emrtd *e, const unsigned char *card_access, size_t n,
              enum dd_pace_password type, const char *secret)
{
    pthread_once(&eac_once, eac_start);
    struct dd_tlv oid;
    if (pace_oid(card_access, n, &oid) != DD_OK)
        return fail(e, DD_EINVAL, "EF.CardAccess holds no PACEInfo");
    EAC_CTX *ctx = EAC_CTX_new();
    PACE_SEC *sec = NULL;
    BUF_MEM *enc_nonce = NULL, *my_map = NULL, *chip_map = NULL, *my_pub = NULL, *chip_pub = NULL,
            *my_token = NULL, *chip_token = NULL;
    int rc = DD_OK;
    if (!ctx || !EAC_CTX_init_ef_cardaccess(card_access, n, ctx) || !ctx->pace_ctx) {
        rc = fail(e, DD_EINVAL, "EF.CardAccess: a PACE protocol OpenPACE does not support");
        goto done;
    }
    if (type == DD_PACE_MRZ) {
        unsigned char k[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *)secret, strlen(secret), k);
        sec = PACE_SEC_new((const char *)k, sizeof k, PACE_RAW);
        OPENSSL_cleanse(k, sizeof k);
    } else {
        sec = PACE_SEC_new(secret, strlen(secret), PACE_CAN);
    }
    if (!sec) {
        rc = fail(e, DD_EINTERNAL, "PACE: the password could not be prepared");
        goto done;
    }
    /* MSE:Set AT — 80: the protocol OID, 83: the password (1 MRZ, 2 CAN). */
    unsigned char mse[64] = {0x00, 0x22, 0xC1, 0xA4, 0x00}, r[64];
    size_t mn = 5, rn;
    mn += dd_tlv_put_header(0x80, oid.len, mse + mn, 8);
    memcpy(mse + mn, oid.value, oid.len);
    mn += oid.len;
    mse[mn++] = 0x83;
    mse[mn++] = 0x01;
    mse[mn++] = type == DD_PACE_MRZ ? 0x01 : 0x02;
    mse[4] = (unsigned char)(mn - 5);
    unsigned sw;
    rc = dd_emrtd_transmit(e, mse, mn, r, sizeof r, &rn, &sw);
    if (rc == DD_OK && sw != 0x9000)
        rc = fail(e, DD_EINVAL, "PACE: MSE:Set AT answered status %04X", sw);
    if (rc != DD_OK)
        goto done;
    rc = general_authenticate(e, 1, 0, NULL, 0x80, false, &enc_nonce);
    if (rc != DD_OK)
        goto done;
    if (!PACE_STEP2_dec_nonce(ctx, sec, enc_nonce) ||
        !(my_map = PACE_STEP3A_generate_mapping_data(ctx))) {
        rc = fail(e, DD_EINVAL, "PACE: the nonce could not be decrypted or mapped");
        goto done;
    }
    rc = general_authenticate(e, 2, 0x81, my_map, 0x82, false, &chip_map);
    if (rc != DD_OK)
        goto done;
    if (!PACE_STEP3A_map_generator(ctx, chip_map) ||
        !(my_pub = PACE_STEP3B_generate_ephemeral_key(ctx))) {
        rc = fail(e, DD_EINVAL, "PACE: mapping to the ephemeral parameters failed");
        goto done;
    }
    rc = general_authenticate(e, 3, 0x83, my_pub, 0x84, false, &chip_pub);
    if (rc != DD_OK)
        goto done;
    if (!PACE_STEP3B_compute_shared_secret(ctx, chip_pub) || !PACE_STEP3C_derive_keys(ctx) ||
        !(my_token = PACE_STEP3D_compute_authentication_token(ctx, chip_pub))) {
        rc = fail(e, DD_EINVAL, "PACE: key agreement failed");
        goto done;
    }
    rc = general_authenticate(e, 4, 0x85, my_token, 0x86, true, &chip_token);
    if (rc != DD_OK)
        goto done;
    if (PACE_STEP3D_verify_authentication_token(ctx, chip_token) != 1) {
        rc = fail(e, DD_EDENIED, "PACE: the chip's authentication token does not verify");
        goto done;
    }
    KA_CTX *ka = ctx->pace_ctx->ka_ctx;
    enum dd_sm_cipher c;
    if (sm_cipher(ka->cipher, &c) != DD_OK || ka->k_enc->length != dd_sm_key_len(c) ||
        ka->k_mac->length != dd_sm_key_len(c)) {
        rc = fail(e, DD_EINVAL, "PACE: a secure-messaging cipher this reader does not handle");
        goto done;
    }
    memset(&e->sm, 0, sizeof e->sm);
    e->sm.cipher = c;
    memcpy(e->sm.kenc, ka->k_enc->data, ka->k_enc->length);
    memcpy(e->sm.kmac, ka->k_mac->data, ka->k_mac->length);
    e->sm_on = true;
    snprintf(e->access, sizeof e->access, "PACE");
done:
    BUF_MEM_free(enc_nonce);
    BUF_MEM_free(my_map);
    BUF_MEM_free(chip_map);
    BUF_MEM_free(my_pub);
    BUF_MEM_free(chip_pub);
    BUF_MEM_free(my_token);
    BUF_MEM_free(chip_token);
    PACE_SEC_clear_free(sec);
    EAC_CTX_clear_free(ctx);
    return rc;
}
