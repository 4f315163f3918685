/*
 * vicc_emrtd.c — a software eMRTD chip for the tests. It connects to the virtual reader of
 * vsmartcard-vpcd (TCP; each message is a 2-byte big-endian length then the bytes; a 1-byte
 * message is a control code: 0 power off, 1 power on, 2 reset, 4 send the ATR) and answers
 * APDUs like an ICAO 9303 chip with Basic Access Control: SELECT of the eMRTD application,
 * GET CHALLENGE and EXTERNAL AUTHENTICATE with keys from the MRZ information, then secure
 * messaging (3DES) on SELECT EF and READ BINARY (B0 with the offset in P1-P2, B1 with DO'54'),
 * short and extended length; INTERNAL AUTHENTICATE for active authentication with the key in
 * --aa-key (RSA: ISO/IEC 9796-2 scheme 1 with SHA-1; EC: plain ECDSA-SHA-256). Files are read
 * from a folder holding EF.COM, EF.SOD, DG1 … DG16 as the reader saves them.
 *
 *   vicc_emrtd --port P --dir DIR --mrz-info INFO [--host H] [--aa-key PEM] [--remove-after N]
 *
 * --remove-after N drops the connection when the Nth APDU arrives (without answering it): for
 * the reader, the card was taken away in the middle of a read. Exits 0 when vpcd closes the
 * connection, 1 on a setup error.
 */
#include "base/err.h"
#include "card/sm.h"
#include "card/tlv.h"

#include <arpa/inet.h>
#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <openssl/buffer.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_MSG 70000

struct file {
    unsigned fid;
    unsigned char *data;
    size_t len;
};

static struct card {
    struct file files[20];
    int nfiles;
    unsigned char kenc[16], kmac[16]; /* BAC basic keys */
    unsigned char rnd_icc[8];
    bool challenged, app_selected;
    bool sm_on;
    struct dd_sm sm;
    const struct file *current;
    EVP_PKEY *aa_key;
    long remove_after, apdus;
    /* PACE (when the folder has EF.CardAccess): the session being set up */
    const char *mrz_info, *can;
    EAC_CTX *pace;
    PACE_SEC *pace_sec;
    BUF_MEM *terminal_pub;
    /* chip authentication: the DG14 private key; keys that take effect after this answer */
    EVP_PKEY *ca_key;
    enum dd_sm_cipher ca_cipher;
    bool ca_pending;
    struct dd_sm ca_next;
} card;

static const unsigned char atr[] = {0x3B, 0x80, 0x80, 0x01, 0x01};

static void
load_file(const char *dir, const char *name, unsigned fid)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    struct file *x = &card.files[card.nfiles++];
    x->fid = fid;
    x->data = malloc(1024 * 1024);
    x->len = fread(x->data, 1, 1024 * 1024, f);
    fclose(f);
}

static const struct file *
find_file(unsigned fid)
{
    for (int i = 0; i < card.nfiles; i++)
        if (card.files[i].fid == fid)
            return &card.files[i];
    return NULL;
}

/* The parts of a plain command APDU. */
struct cmd {
    unsigned char cla, ins, p1, p2;
    const unsigned char *data;
    size_t lc, le;
    bool has_le, extended;
};

static bool
parse_cmd(const unsigned char *a, size_t n, struct cmd *c)
{
    memset(c, 0, sizeof *c);
    if (n < 4)
        return false;
    c->cla = a[0], c->ins = a[1], c->p1 = a[2], c->p2 = a[3];
    const unsigned char *b = a + 4;
    size_t r = n - 4;
    if (r == 0)
        return true;
    if (r == 1) {
        c->has_le = true;
        c->le = b[0] ? b[0] : 256;
        return true;
    }
    if (b[0] != 0) {
        c->lc = b[0];
        c->data = b + 1;
        if (r == 1 + c->lc)
            return true;
        if (r != 2 + c->lc)
            return false;
        c->has_le = true;
        c->le = b[1 + c->lc] ? b[1 + c->lc] : 256;
        return true;
    }
    c->extended = true;
    if (r == 3) {
        c->has_le = true;
        c->le = ((size_t)b[1] << 8 | b[2]) ? ((size_t)b[1] << 8 | b[2]) : 65536;
        return true;
    }
    c->lc = (size_t)b[1] << 8 | b[2];
    c->data = b + 3;
    if (r == 3 + c->lc)
        return true;
    if (r != 5 + c->lc)
        return false;
    c->has_le = true;
    size_t le = (size_t)b[3 + c->lc] << 8 | b[4 + c->lc];
    c->le = le ? le : 65536;
    return true;
}

static size_t
sw(unsigned char *out, size_t n, unsigned s)
{
    out[n] = (unsigned char)(s >> 8);
    out[n + 1] = (unsigned char)s;
    return n + 2;
}

/* EXTERNAL AUTHENTICATE of BAC: checks the terminal's cryptogram and answers with the chip's. */
static size_t
bac_external_authenticate(const struct cmd *c, unsigned char *out)
{
    unsigned char padded[48], mac[8], s[32], r[32], k_icc[16], seed[16];
    if (!card.challenged || c->lc != 40)
        return sw(out, 0, 0x6985);
    card.challenged = false;
    size_t pl = dd_sm_pad(c->data, 32, 8, padded, sizeof padded);
    if (dd_sm_mac(DD_SM_3DES, card.kmac, padded, pl, mac) != DD_OK ||
        memcmp(mac, c->data + 32, 8) != 0)
        return sw(out, 0, 0x6300);
    dd_sm_decrypt(DD_SM_3DES, card.kenc, NULL, c->data, 32, s);
    if (memcmp(s + 8, card.rnd_icc, 8) != 0)
        return sw(out, 0, 0x6300);
    RAND_bytes(k_icc, 16);
    memcpy(r, card.rnd_icc, 8);
    memcpy(r + 8, s, 8);
    memcpy(r + 16, k_icc, 16);
    dd_sm_encrypt(DD_SM_3DES, card.kenc, NULL, r, 32, out);
    pl = dd_sm_pad(out, 32, 8, padded, sizeof padded);
    dd_sm_mac(DD_SM_3DES, card.kmac, padded, pl, out + 32);
    for (int i = 0; i < 16; i++)
        seed[i] = s[16 + i] ^ k_icc[i];
    memset(&card.sm, 0, sizeof card.sm);
    card.sm.cipher = DD_SM_3DES;
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_ENC, card.sm.kenc);
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_MAC, card.sm.kmac);
    memcpy(card.sm.ssc, card.rnd_icc + 4, 4);
    memcpy(card.sm.ssc + 4, s + 4, 4);
    card.sm_on = true;
    return sw(out, 40, 0x9000);
}

/* ISO/IEC 9796-2 scheme 1 (SHA-1, trailer 0xBC) signature of a message M = M1 || M2 where M1 is
 * random and M2 the terminal's 8 bytes: the chip's answer to INTERNAL AUTHENTICATE with RSA. */
static size_t
aa_rsa(const unsigned char *m2, size_t m2n, unsigned char *out)
{
    size_t k = (size_t)EVP_PKEY_get_size(card.aa_key);
    unsigned char f[1024], m1[1024], h[SHA_DIGEST_LENGTH];
    size_t m1n = k - SHA_DIGEST_LENGTH - 2;
    RAND_bytes(m1, m1n);
    unsigned char m[1100];
    memcpy(m, m1, m1n);
    memcpy(m + m1n, m2, m2n);
    EVP_Digest(m, m1n + m2n, h, NULL, EVP_sha1(), NULL);
    f[0] = 0x6A;
    memcpy(f + 1, m1, m1n);
    memcpy(f + 1 + m1n, h, SHA_DIGEST_LENGTH);
    f[k - 1] = 0xBC;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(card.aa_key, NULL);
    size_t on = k;
    if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) <= 0 ||
        EVP_PKEY_sign(ctx, out, &on, f, k) <= 0)
        on = 0;
    EVP_PKEY_CTX_free(ctx);
    return on ? sw(out, on, 0x9000) : sw(out, 0, 0x6F00);
}

/* ECDSA-SHA-256 over the terminal's 8 bytes, r || s (each the size of the order). */
static size_t
aa_ec(const unsigned char *m, size_t mn, unsigned char *out)
{
    unsigned char der[160];
    size_t dl = sizeof der;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, card.aa_key) > 0 &&
             EVP_DigestSign(ctx, der, &dl, m, mn) > 0;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return sw(out, 0, 0x6F00);
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    int bits = EVP_PKEY_get_bits(card.aa_key), len = (bits + 7) / 8;
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, len);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + len, len);
    ECDSA_SIG_free(sig);
    return sw(out, (size_t)(2 * len), 0x9000);
}

static BUF_MEM *
buf_of(const unsigned char *p, size_t n)
{
    BUF_MEM *b = BUF_MEM_new();
    BUF_MEM_grow(b, n);
    memcpy(b->data, p, n);
    return b;
}

static void
pace_end(void)
{
    EAC_CTX_clear_free(card.pace);
    PACE_SEC_clear_free(card.pace_sec);
    BUF_MEM_free(card.terminal_pub);
    card.pace = NULL;
    card.pace_sec = NULL;
    card.terminal_pub = NULL;
}

/* MSE:Set AT for PACE: 83 01 01 (MRZ) or 02 (CAN). */
static size_t
pace_mse(const struct cmd *c, unsigned char *out)
{
    const struct file *ca = find_file(0x011C);
    struct dd_tlv ref;
    if (!ca || dd_tlv_find(c->data, c->lc, 0x83, &ref) != DD_OK || ref.len != 1)
        return sw(out, 0, 0x6A80);
    pace_end();
    card.sm_on = false;
    card.pace = EAC_CTX_new();
    if (!EAC_CTX_init_ef_cardaccess(ca->data, ca->len, card.pace))
        return sw(out, 0, 0x6F00);
    if (ref.value[0] == 1) {
        unsigned char k[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *)card.mrz_info, strlen(card.mrz_info), k);
        card.pace_sec = PACE_SEC_new((const char *)k, sizeof k, PACE_RAW);
    } else if (ref.value[0] == 2 && card.can) {
        card.pace_sec = PACE_SEC_new(card.can, strlen(card.can), PACE_CAN);
    } else {
        pace_end();
        return sw(out, 0, 0x6A88);
    }
    return sw(out, 0, 0x9000);
}

static size_t
dynamic(unsigned tag, BUF_MEM *b, unsigned char *out)
{
    unsigned char inner[600];
    size_t n = dd_tlv_put_header(tag, b->length, inner, 8);
    memcpy(inner + n, b->data, b->length);
    n += b->length;
    size_t k = dd_tlv_put_header(0x7C, n, out, 8);
    memcpy(out + k, inner, n);
    BUF_MEM_free(b);
    return sw(out, k + n, 0x9000);
}

/* General Authenticate: the step is the object the terminal sends (none, 81, 83, 85). */
static size_t
pace_ga(const struct cmd *c, unsigned char *out)
{
    struct dd_tlv dyn, obj = {0};
    if (!card.pace || !card.pace_sec || dd_tlv_read(c->data, c->lc, &dyn) != DD_OK ||
        dyn.tag != 0x7C)
        return sw(out, 0, 0x6985);
    if (dyn.len > 0 && dd_tlv_read(dyn.value, dyn.len, &obj) != DD_OK)
        return sw(out, 0, 0x6A80);
    BUF_MEM *theirs = obj.value ? buf_of(obj.value, obj.len) : NULL, *mine = NULL;
    size_t rn = 0;
    if (!obj.value) {
        mine = PACE_STEP1_enc_nonce(card.pace, card.pace_sec);
        rn = mine ? dynamic(0x80, mine, out) : sw(out, 0, 0x6F00);
    } else if (obj.tag == 0x81) {
        mine = PACE_STEP3A_generate_mapping_data(card.pace);
        rn = mine && PACE_STEP3A_map_generator(card.pace, theirs) ? dynamic(0x82, mine, out)
                                                                  : sw(out, 0, 0x6300);
    } else if (obj.tag == 0x83) {
        mine = PACE_STEP3B_generate_ephemeral_key(card.pace);
        if (mine && PACE_STEP3B_compute_shared_secret(card.pace, theirs) &&
            PACE_STEP3C_derive_keys(card.pace)) {
            card.terminal_pub = theirs;
            theirs = NULL;
            rn = dynamic(0x84, mine, out);
        } else {
            rn = sw(out, 0, 0x6300);
        }
    } else if (obj.tag == 0x85 && card.terminal_pub) {
        if (PACE_STEP3D_verify_authentication_token(card.pace, theirs) != 1) {
            pace_end(); /* a wrong password */
            rn = sw(out, 0, 0x6300);
        } else {
            mine = PACE_STEP3D_compute_authentication_token(card.pace, card.terminal_pub);
            KA_CTX *ka = card.pace->pace_ctx->ka_ctx;
            memset(&card.sm, 0, sizeof card.sm);
            card.sm.cipher = ka->k_enc->length == 16   ? DD_SM_AES128
                             : ka->k_enc->length == 24 ? DD_SM_AES192
                                                       : DD_SM_AES256;
            memcpy(card.sm.kenc, ka->k_enc->data, ka->k_enc->length);
            memcpy(card.sm.kmac, ka->k_mac->data, ka->k_mac->length);
            card.sm_on = true;
            rn = dynamic(0x86, mine, out);
            pace_end();
        }
    } else {
        rn = sw(out, 0, 0x6A80);
    }
    BUF_MEM_free(theirs);
    return rn;
}

/* ECDH of the chip's DG14 key with the terminal's ephemeral point; the new keys are used from
 * the next command on (this answer still goes out under the old ones). */
static bool
ca_agree(const unsigned char *point, size_t n, enum dd_sm_cipher c)
{
    EVP_PKEY *peer = EVP_PKEY_new();
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char secret[80];
    size_t sn = sizeof secret;
    bool ok = peer && card.ca_key && EVP_PKEY_copy_parameters(peer, card.ca_key) == 1 &&
              EVP_PKEY_set1_encoded_public_key(peer, point, n) == 1 &&
              (ctx = EVP_PKEY_CTX_new(card.ca_key, NULL)) && EVP_PKEY_derive_init(ctx) > 0 &&
              EVP_PKEY_derive_set_peer(ctx, peer) > 0 && EVP_PKEY_derive(ctx, secret, &sn) > 0;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    if (!ok)
        return false;
    memset(&card.ca_next, 0, sizeof card.ca_next);
    card.ca_next.cipher = c;
    dd_sm_kdf(c, secret, sn, DD_SM_KDF_ENC, card.ca_next.kenc);
    dd_sm_kdf(c, secret, sn, DD_SM_KDF_MAC, card.ca_next.kmac);
    card.ca_pending = true;
    return true;
}

/* MSE:Set KAT (41 A6, 91 = the point: 3DES) or MSE:Set AT (41 A4, 80 = the CA protocol). */
static size_t
ca_mse(const struct cmd *c, unsigned char *out)
{
    struct dd_tlv t;
    if (c->p2 == 0xA6) {
        if (dd_tlv_find(c->data, c->lc, 0x91, &t) != DD_OK || !ca_agree(t.value, t.len, DD_SM_3DES))
            return sw(out, 0, 0x6A80);
        return sw(out, 0, 0x9000);
    }
    if (dd_tlv_find(c->data, c->lc, 0x80, &t) != DD_OK || t.len != 10 || !card.ca_key)
        return sw(out, 0, 0x6A80);
    unsigned last = t.value[9];
    card.ca_cipher = last == 1   ? DD_SM_3DES
                     : last == 2 ? DD_SM_AES128
                     : last == 3 ? DD_SM_AES192
                                 : DD_SM_AES256;
    return sw(out, 0, 0x9000);
}

/* General Authenticate of chip authentication: 7C { 80 point } → 7C 00. */
static size_t
ca_ga(const struct cmd *c, unsigned char *out)
{
    struct dd_tlv dyn, t;
    if (dd_tlv_read(c->data, c->lc, &dyn) != DD_OK || dyn.tag != 0x7C ||
        dd_tlv_find(dyn.value, dyn.len, 0x80, &t) != DD_OK ||
        !ca_agree(t.value, t.len, card.ca_cipher))
        return sw(out, 0, 0x6A80);
    out[0] = 0x7C;
    out[1] = 0x00;
    return sw(out, 2, 0x9000);
}

/* A plain command (after secure messaging was taken off). */
static size_t
process(const struct cmd *c, unsigned char *out)
{
    if (c->ins == 0xA4 && c->p1 == 0x04) {
        static const unsigned char aid[] = {0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};
        if (c->lc == sizeof aid && memcmp(c->data, aid, sizeof aid) == 0) {
            card.app_selected = true;
            return sw(out, 0, 0x9000);
        }
        return sw(out, 0, 0x6A82);
    }
    if (c->ins == 0x22 && c->p1 == 0xC1 && c->p2 == 0xA4)
        return pace_mse(c, out);
    if (c->ins == 0x22 && c->p1 == 0x41 && (c->p2 == 0xA4 || c->p2 == 0xA6) && card.sm_on)
        return ca_mse(c, out);
    if (c->ins == 0x86 && card.sm_on && card.app_selected)
        return ca_ga(c, out);
    if (c->ins == 0x86)
        return pace_ga(c, out);
    /* EF.CardAccess is in the master file and readable without access control. */
    if (c->ins == 0xA4 && c->p1 == 0x02 && c->lc == 2 && c->data[0] == 0x01 && c->data[1] == 0x1C) {
        card.current = find_file(0x011C);
        return sw(out, 0, card.current ? 0x9000 : 0x6A82);
    }
    bool free_read = card.current && card.current->fid == 0x011C;
    if (!card.app_selected && !((c->ins == 0xB0 || c->ins == 0xB1) && free_read))
        return sw(out, 0, 0x6985);
    if (c->ins == 0x84 && !card.sm_on) {
        RAND_bytes(card.rnd_icc, 8);
        card.challenged = true;
        memcpy(out, card.rnd_icc, 8);
        return sw(out, 8, 0x9000);
    }
    if (c->ins == 0x82 && !card.sm_on)
        return bac_external_authenticate(c, out);
    if (!card.sm_on && !((c->ins == 0xB0 || c->ins == 0xB1) && free_read))
        return sw(out, 0, 0x6982);
    if (c->ins == 0xA4 && c->p1 == 0x02 && c->lc == 2) {
        card.current = find_file((unsigned)c->data[0] << 8 | c->data[1]);
        return sw(out, 0, card.current ? 0x9000 : 0x6A82);
    }
    if (c->ins == 0xB0 || c->ins == 0xB1) {
        if (!card.current)
            return sw(out, 0, 0x6986);
        size_t off, head = 0;
        if (c->ins == 0xB0) {
            off = (size_t)(c->p1 & 0x7F) << 8 | c->p2;
        } else {
            if (c->lc < 3 || c->data[0] != 0x54 || c->data[1] > 3 ||
                (size_t)c->data[1] + 2 != c->lc)
                return sw(out, 0, 0x6A80);
            off = 0;
            for (int i = 0; i < c->data[1]; i++)
                off = off << 8 | c->data[2 + i];
        }
        if (off > card.current->len)
            return sw(out, 0, 0x6B00);
        size_t le = c->has_le ? c->le : 256;
        if (c->ins == 0xB1)
            le = le > 4 ? le - 4 : 0;
        size_t n = card.current->len - off < le ? card.current->len - off : le;
        if (c->ins == 0xB1)
            head = dd_tlv_put_header(0x53, n, out, 8);
        memcpy(out + head, card.current->data + off, n);
        return sw(out, head + n, n < le ? 0x6282 : 0x9000);
    }
    if (c->ins == 0x88 && card.aa_key && c->lc == 8)
        return EVP_PKEY_get_base_id(card.aa_key) == EVP_PKEY_RSA ? aa_rsa(c->data, c->lc, out)
                                                                 : aa_ec(c->data, c->lc, out);
    return sw(out, 0, 0x6D00);
}

/* Takes secure messaging off a command: checks DO'8E', decrypts DO'87'/'85'. */
static bool
sm_unwrap(const unsigned char *a, size_t n, unsigned char *plain, size_t *pn)
{
    struct cmd c;
    if (!parse_cmd(a, n, &c) || (c.cla & 0x0C) != 0x0C || c.lc == 0)
        return false;
    struct dd_tlv t, data = {0}, le = {0}, mac = {0};
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, c.data, c.lc);
    size_t objs = 0;
    while (dd_tlv_next(&it, &t) == 1) {
        if (t.tag == 0x87 || t.tag == 0x85)
            data = t;
        else if (t.tag == 0x97)
            le = t;
        else if (t.tag == 0x8E) {
            mac = t;
            break;
        }
        objs += t.size;
    }
    if (!mac.value || mac.len != 8)
        return false;
    dd_sm_ssc_increment(&card.sm);
    size_t bl = dd_sm_block_len(card.sm.cipher);
    static unsigned char m[MAX_MSG];
    size_t mn = bl;
    memcpy(m, card.sm.ssc, bl);
    unsigned char hdr[4] = {a[0], a[1], a[2], a[3]};
    mn += dd_sm_pad(hdr, 4, bl, m + mn, bl);
    memcpy(m + mn, c.data, objs);
    mn += objs;
    if (objs > 0)
        mn = dd_sm_pad(m, mn, bl, m, sizeof m);
    unsigned char want[8];
    if (dd_sm_mac(card.sm.cipher, card.sm.kmac, m, mn, want) != DD_OK ||
        memcmp(want, mac.value, 8) != 0)
        return false;
    plain[0] = a[0] & (unsigned char)~0x0C;
    plain[1] = a[1], plain[2] = a[2], plain[3] = a[3];
    size_t k = 4, dn = 0;
    static unsigned char d[MAX_MSG];
    if (data.value) {
        const unsigned char *cr = data.value + (data.tag == 0x87);
        size_t cn = data.len - (data.tag == 0x87);
        unsigned char iv[16] = {0};
        if (card.sm.cipher != DD_SM_3DES)
            dd_sm_encrypt(card.sm.cipher, card.sm.kenc, NULL, card.sm.ssc, 16, iv);
        if (dd_sm_decrypt(card.sm.cipher, card.sm.kenc, iv, cr, cn, d) != DD_OK ||
            dd_sm_unpad(d, cn, &dn) != DD_OK)
            return false;
    }
    size_t lev = 0;
    if (le.value) {
        for (size_t i = 0; i < le.len; i++)
            lev = lev << 8 | le.value[i];
        if (lev == 0)
            lev = le.len == 1 ? 256 : 65536;
    }
    bool ext = dn > 255 || lev > 256;
    if (dn) {
        if (ext) {
            plain[k++] = 0;
            plain[k++] = (unsigned char)(dn >> 8);
        }
        plain[k++] = (unsigned char)dn;
        memcpy(plain + k, d, dn);
        k += dn;
    }
    if (le.value) {
        if (ext) {
            if (!dn)
                plain[k++] = 0;
            plain[k++] = (unsigned char)(lev == 65536 ? 0 : lev >> 8);
        }
        plain[k++] = (unsigned char)(lev == 256 || lev == 65536 ? 0 : lev);
    }
    *pn = k;
    return true;
}

/* Puts secure messaging on a response: DO'87' (data), DO'99' (status), DO'8E'. */
static size_t
sm_wrap(const unsigned char *r, size_t rn, unsigned char *out)
{
    dd_sm_ssc_increment(&card.sm);
    size_t bl = dd_sm_block_len(card.sm.cipher), k = 0;
    static unsigned char tmp[MAX_MSG];
    if (rn > 2) {
        size_t pl = dd_sm_pad(r, rn - 2, bl, tmp, sizeof tmp);
        unsigned char iv[16] = {0};
        if (card.sm.cipher != DD_SM_3DES)
            dd_sm_encrypt(card.sm.cipher, card.sm.kenc, NULL, card.sm.ssc, 16, iv);
        dd_sm_encrypt(card.sm.cipher, card.sm.kenc, iv, tmp, pl, tmp);
        k += dd_tlv_put_header(0x87, pl + 1, out, 8);
        out[k++] = 0x01;
        memcpy(out + k, tmp, pl);
        k += pl;
    }
    out[k++] = 0x99;
    out[k++] = 2;
    out[k++] = r[rn - 2];
    out[k++] = r[rn - 1];
    memcpy(tmp, card.sm.ssc, bl);
    memcpy(tmp + bl, out, k);
    size_t mn = dd_sm_pad(tmp, bl + k, bl, tmp, sizeof tmp);
    out[k++] = 0x8E;
    out[k++] = 8;
    dd_sm_mac(card.sm.cipher, card.sm.kmac, tmp, mn, out + k);
    k += 8;
    out[k++] = r[rn - 2];
    out[k++] = r[rn - 1];
    return k;
}

static size_t
answer(const unsigned char *a, size_t n, unsigned char *out)
{
    static unsigned char plain[MAX_MSG], r[MAX_MSG];
    struct cmd c;
    if (card.sm_on && (a[0] & 0x0C) == 0x0C) {
        size_t pn;
        if (!sm_unwrap(a, n, plain, &pn) || !parse_cmd(plain, pn, &c)) {
            card.sm_on = false; /* an SM error ends the session (Part 11 §9.8.4) */
            return sw(out, 0, 0x6988);
        }
        size_t n_out = sm_wrap(r, process(&c, r), out);
        if (card.ca_pending) { /* chip authentication: new keys, SSC zero */
            card.sm = card.ca_next;
            card.ca_pending = false;
        }
        return n_out;
    }
    if (!parse_cmd(a, n, &c))
        return sw(out, 0, 0x6700);
    if (card.sm_on && c.ins != 0xA4) {
        card.sm_on = false;
        return sw(out, 0, 0x6987);
    }
    if (c.ins == 0xA4 && c.p1 == 0x04)
        card.sm_on = false;
    return process(&c, out);
}

static bool
read_all(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static bool
send_msg(int fd, const unsigned char *p, size_t n)
{
    unsigned char len[2] = {(unsigned char)(n >> 8), (unsigned char)n};
    return write(fd, len, 2) == 2 && write(fd, p, n) == (ssize_t)n;
}

static void
reset(void)
{
    card.app_selected = card.challenged = card.sm_on = false;
    card.current = NULL;
    pace_end();
}

int
main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *dir = NULL, *info = NULL, *aa = NULL, *ca = NULL;
    int port = 35963;
    card.remove_after = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0)
            port = (int)strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--host") == 0)
            host = argv[i + 1];
        else if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--mrz-info") == 0)
            info = argv[i + 1];
        else if (strcmp(argv[i], "--can") == 0)
            card.can = argv[i + 1];
        else if (strcmp(argv[i], "--ca-key") == 0)
            ca = argv[i + 1];
        else if (strcmp(argv[i], "--aa-key") == 0)
            aa = argv[i + 1];
        else if (strcmp(argv[i], "--remove-after") == 0)
            card.remove_after = strtol(argv[i + 1], NULL, 10);
    }
    if (!dir || !info) {
        fprintf(stderr, "usage: vicc_emrtd --port P --dir DIR --mrz-info INFO [--aa-key PEM] "
                        "[--remove-after N]\n");
        return 1;
    }
    card.mrz_info = info;
    EAC_init();
    load_file(dir, "EF.CardAccess", 0x011C);
    load_file(dir, "EF.COM", 0x011E);
    load_file(dir, "EF.SOD", 0x011D);
    for (int k = 1; k <= 16; k++) {
        char name[16];
        snprintf(name, sizeof name, "DG%d", k);
        load_file(dir, name, 0x0100u + (unsigned)k);
    }
    if (aa) {
        FILE *f = fopen(aa, "r");
        card.aa_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
        if (!card.aa_key) {
            fprintf(stderr, "vicc_emrtd: cannot read %s\n", aa);
            return 1;
        }
    }
    char ca_path[512];
    if (!ca) { /* the folder's ca-key.pem, if any */
        snprintf(ca_path, sizeof ca_path, "%s/ca-key.pem", dir);
        ca = access(ca_path, R_OK) == 0 ? ca_path : NULL;
    }
    if (ca) {
        FILE *f = fopen(ca, "r");
        card.ca_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
        if (!card.ca_key) {
            fprintf(stderr, "vicc_emrtd: cannot read %s\n", ca);
            return 1;
        }
    }
    unsigned char seed[16];
    dd_bac_seed(info, strlen(info), seed);
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_ENC, card.kenc);
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_MAC, card.kmac);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    int connected = -1;
    for (int tries = 0; tries < 100 && connected != 0; tries++) {
        connected = connect(fd, (struct sockaddr *)&sa, sizeof sa);
        if (connected != 0)
            usleep(50000);
    }
    if (connected != 0) {
        perror("vicc_emrtd: connect");
        return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    static unsigned char in[MAX_MSG], out[MAX_MSG];
    for (;;) {
        unsigned char lenb[2];
        if (!read_all(fd, lenb, 2))
            break;
        size_t n = (size_t)lenb[0] << 8 | lenb[1];
        if (n == 0 || !read_all(fd, in, n))
            break;
        if (n == 1) {
            if (in[0] == 4 && !send_msg(fd, atr, sizeof atr))
                break;
            if (in[0] == 0 || in[0] == 2)
                reset();
            continue;
        }
        if (++card.apdus == card.remove_after)
            break; /* taken off the reader */
        size_t rn = answer(in, n, out);
        if (!send_msg(fd, out, rn))
            break;
    }
    close(fd);
    for (int i = 0; i < card.nfiles; i++)
        free(card.files[i].data);
    EVP_PKEY_free(card.aa_key);
    EVP_PKEY_free(card.ca_key);
    pace_end();
    return 0;
}
