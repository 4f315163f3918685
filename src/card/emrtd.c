/*
 * emrtd.c — the eMRTD command sequence over apdu.h: SELECT, BAC (GET CHALLENGE, EXTERNAL
 * AUTHENTICATE), then SELECT EF / READ BINARY under secure messaging (sm.h).
 */
#include "card/emrtd.h"
#include "base/err.h"
#include "card/tlv.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Short reads take 0xDF bytes so that the protected answer (DO'87', DO'99', DO'8E') fits 256. */
#define SHORT_CHUNK 0xDF
#define EXT_CHUNK   0x7F00

static const unsigned char dg_tags[17] = {0,    0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68,
                                          0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70};

static void
fail(struct dd_emrtd *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->error, sizeof e->error, fmt, ap);
    va_end(ap);
}

void
dd_emrtd_init(struct dd_emrtd *e, struct dd_apdu_transport *t, bool extended)
{
    memset(e, 0, sizeof *e);
    e->t = t;
    e->extended = extended && t->max_response > 256;
}

unsigned
dd_emrtd_dg_fid(int n)
{
    return 0x0100u + (unsigned)n;
}

int
dd_emrtd_transmit(struct dd_emrtd *e, const unsigned char *apdu, size_t n, unsigned char *resp,
                  size_t cap, size_t *resp_len, unsigned *sw)
{
    size_t raw_cap = DD_SM_MAX_APDU;
    unsigned char *raw = malloc(raw_cap), *cmd = NULL;
    if (!raw)
        abort();
    const unsigned char *send = apdu;
    size_t send_n = n, rn = 0;
    int rc = DD_OK;
    if (e->sm_on) {
        cmd = malloc(raw_cap);
        if (!cmd)
            abort();
        rc = dd_sm_protect(&e->sm, apdu, n, cmd, raw_cap, &send_n);
        if (rc != DD_OK) {
            fail(e, "secure messaging could not protect the command");
            goto done;
        }
        send = cmd;
    }
    e->apdus++;
    rc = e->t->transmit(e->t->ctx, send, send_n, raw, raw_cap, &rn);
    if (rc != DD_OK) {
        fail(e, "the reader or card failed");
        rc = DD_EUNAVAIL;
        goto done;
    }
    if (e->sm_on && rn == 2 && raw[0] != 0x90) {
        /* A chip may answer an error without secure messaging (and end the session). */
        dd_sm_ssc_increment(&e->sm);
        *sw = (unsigned)raw[0] << 8 | raw[1];
        *resp_len = 0;
        goto done;
    }
    if (e->sm_on) {
        size_t pn = 0;
        rc = dd_sm_unprotect(&e->sm, raw, rn, raw, raw_cap, &pn);
        if (rc != DD_OK) {
            fail(e, "the chip's secure-messaging answer does not check out (%s)",
                 rc == DD_EDENIED ? "wrong MAC" : "malformed");
            rc = DD_EDENIED;
            goto done;
        }
        rn = pn;
    }
    *sw = (unsigned)raw[rn - 2] << 8 | raw[rn - 1];
    if (rn - 2 > cap) {
        fail(e, "the answer is larger than %zu bytes", cap);
        rc = DD_ETOOBIG;
        goto done;
    }
    memcpy(resp, raw, rn - 2);
    *resp_len = rn - 2;
done:
    OPENSSL_clear_free(raw, raw_cap);
    if (cmd)
        OPENSSL_clear_free(cmd, raw_cap);
    return rc;
}

int
dd_emrtd_select_application(struct dd_emrtd *e)
{
    static const unsigned char sel[] = {0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0,
                                        0x00, 0x00, 0x02, 0x47, 0x10, 0x01};
    unsigned char r[64];
    size_t rn;
    unsigned sw;
    int rc = dd_emrtd_transmit(e, sel, sizeof sel, r, sizeof r, &rn, &sw);
    if (rc != DD_OK)
        return rc;
    if (sw != 0x9000) {
        fail(e, "SELECT of the eMRTD application: status %04X (not an ICAO travel document?)", sw);
        return DD_ENOTFOUND;
    }
    return DD_OK;
}

int
dd_emrtd_bac(struct dd_emrtd *e, const char *mrz_info)
{
    unsigned char seed[16], kenc[16], kmac[16], rnd_icc[8], rnd_ifd[8], k_ifd[16], r[64];
    size_t rn;
    unsigned sw;
    static const unsigned char challenge[] = {0x00, 0x84, 0x00, 0x00, 0x08};
    e->sm_on = false;
    int rc = dd_emrtd_transmit(e, challenge, sizeof challenge, r, sizeof r, &rn, &sw);
    if (rc != DD_OK)
        return rc;
    if (sw != 0x9000 || rn != 8) {
        fail(e, "BAC: GET CHALLENGE answered status %04X", sw);
        return DD_EDENIED;
    }
    memcpy(rnd_icc, r, 8);
    dd_bac_seed(mrz_info, strlen(mrz_info), seed);
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_ENC, kenc);
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_MAC, kmac);
    if (RAND_bytes(rnd_ifd, 8) != 1 || RAND_bytes(k_ifd, 16) != 1)
        return DD_EINTERNAL;
    unsigned char ea[4 + 1 + 40 + 1] = {0x00, 0x82, 0x00, 0x00, 0x28};
    dd_bac_ifd_cryptogram(kenc, kmac, rnd_ifd, rnd_icc, k_ifd, ea + 5);
    ea[45] = 0x28;
    rc = dd_emrtd_transmit(e, ea, sizeof ea, r, sizeof r, &rn, &sw);
    if (rc == DD_OK && (sw != 0x9000 || rn != 40)) {
        fail(e,
             "BAC refused: the chip answered EXTERNAL AUTHENTICATE with status %04X (the "
             "document number, date of birth or date of expiry is wrong)",
             sw);
        rc = DD_EDENIED;
    } else if (rc == DD_OK &&
               dd_bac_session(kenc, kmac, rnd_ifd, rnd_icc, k_ifd, r, &e->sm) != DD_OK) {
        fail(e, "BAC: the chip's answer to EXTERNAL AUTHENTICATE does not check out");
        rc = DD_EDENIED;
    } else if (rc == DD_OK) {
        e->sm_on = true;
        snprintf(e->access, sizeof e->access, "BAC");
    }
    OPENSSL_cleanse(seed, sizeof seed);
    OPENSSL_cleanse(kenc, sizeof kenc);
    OPENSSL_cleanse(kmac, sizeof kmac);
    OPENSSL_cleanse(k_ifd, sizeof k_ifd);
    return rc;
}

static int
select_ef(struct dd_emrtd *e, unsigned fid)
{
    unsigned char sel[] = {
        0x00, 0xA4, 0x02, 0x0C, 0x02, (unsigned char)(fid >> 8), (unsigned char)fid};
    unsigned char r[64];
    size_t rn;
    unsigned sw;
    int rc = dd_emrtd_transmit(e, sel, sizeof sel, r, sizeof r, &rn, &sw);
    if (rc != DD_OK)
        return rc;
    if (sw == 0x6A82) {
        fail(e, "file %04X: not on the chip", fid);
        return DD_ENOTFOUND;
    }
    if (sw == 0x6982) {
        fail(e, "file %04X: access refused (status 6982)", fid);
        return DD_EDENIED;
    }
    if (sw != 0x9000) {
        fail(e, "SELECT file %04X: status %04X", fid, sw);
        return DD_EINVAL;
    }
    return DD_OK;
}

/* READ BINARY of up to `want` bytes at `off` into out; *got is what came. Offsets past 0x7FFF
 * use the odd INS with the offset in DO'54' and the data in DO'53'. */
static int
read_binary(struct dd_emrtd *e, unsigned fid, size_t off, size_t want, unsigned char *out,
            size_t *got)
{
    unsigned char cmd[16];
    size_t cn = 0;
    bool odd = off > 0x7FFF;
    size_t le = odd ? want + 4 : want; /* DO'53' and its length come before the data */
    bool ext = le > 256;
    cmd[cn++] = 0x00;
    cmd[cn++] = odd ? 0xB1 : 0xB0;
    cmd[cn++] = odd ? 0 : (unsigned char)(off >> 8);
    cmd[cn++] = odd ? 0 : (unsigned char)off;
    if (odd) {
        if (ext) {
            cmd[cn++] = 0;
            cmd[cn++] = 0;
        }
        cmd[cn++] = 5;
        cmd[cn++] = 0x54;
        cmd[cn++] = 3;
        cmd[cn++] = (unsigned char)(off >> 16);
        cmd[cn++] = (unsigned char)(off >> 8);
        cmd[cn++] = (unsigned char)off;
    } else if (ext) {
        cmd[cn++] = 0;
    }
    if (ext) {
        cmd[cn++] = (unsigned char)(le >> 8);
        cmd[cn++] = (unsigned char)le;
    } else {
        cmd[cn++] = (unsigned char)(le == 256 ? 0 : le);
    }
    size_t cap = le + 8, rn;
    unsigned char *r = malloc(cap);
    if (!r)
        abort();
    unsigned sw;
    int rc = dd_emrtd_transmit(e, cmd, cn, r, cap, &rn, &sw);
    if (rc == DD_OK && sw != 0x9000 && sw != 0x6282) {
        fail(e, "READ BINARY of file %04X at %zu: status %04X", fid, off, sw);
        rc = sw == 0x6982 ? DD_EDENIED : DD_EINVAL;
    }
    const unsigned char *data = r;
    if (rc == DD_OK && odd) {
        struct dd_tlv t;
        if (dd_tlv_read(r, rn, &t) != DD_OK || t.tag != 0x53) {
            fail(e, "READ BINARY of file %04X at %zu: no DO'53' in the answer", fid, off);
            rc = DD_EINVAL;
        } else {
            data = t.value;
            rn = t.len;
        }
    }
    if (rc == DD_OK) {
        if (rn > want)
            rn = want;
        memcpy(out, data, rn);
        *got = rn;
    }
    free(r);
    return rc;
}

int
dd_emrtd_read_file(struct dd_emrtd *e, unsigned fid, unsigned char **data, size_t *len)
{
    int rc = select_ef(e, fid);
    if (rc != DD_OK)
        return rc;
    unsigned char head[8];
    size_t got = 0;
    rc = read_binary(e, fid, 0, sizeof head, head, &got);
    if (rc != DD_OK)
        return rc;
    /* The tag (one byte for every LDS file) and the length give the size of the file. */
    size_t total;
    if (got < 2)
        rc = DD_EINVAL;
    else if (head[1] < 0x80)
        total = 2 + (size_t)head[1];
    else if (head[1] == 0x81 && got >= 3)
        total = 3 + (size_t)head[2];
    else if (head[1] == 0x82 && got >= 4)
        total = 4 + ((size_t)head[2] << 8 | head[3]);
    else if (head[1] == 0x83 && got >= 5)
        total = 5 + ((size_t)head[2] << 16 | (size_t)head[3] << 8 | head[4]);
    else
        rc = DD_EINVAL;
    if (rc != DD_OK) {
        fail(e, "file %04X does not start with a TLV header", fid);
        return DD_EINVAL;
    }
    if (total > DD_EMRTD_MAX_FILE) {
        fail(e, "file %04X holds %zu bytes, over the %d this reader takes", fid, total,
             DD_EMRTD_MAX_FILE);
        return DD_ETOOBIG;
    }
    unsigned char *buf = malloc(total);
    if (!buf)
        abort();
    size_t have = got < total ? got : total;
    memcpy(buf, head, have);
    size_t chunk = e->extended ? EXT_CHUNK : SHORT_CHUNK;
    while (have < total) {
        size_t want = total - have < chunk ? total - have : chunk;
        rc = read_binary(e, fid, have, want, buf + have, &got);
        if (rc == DD_OK && got == 0) {
            fail(e, "file %04X ends at %zu bytes, its header says %zu", fid, have, total);
            rc = DD_EINVAL;
        }
        if (rc != DD_OK) {
            free(buf);
            return rc;
        }
        have += got;
    }
    *data = buf;
    *len = total;
    return DD_OK;
}

int
dd_emrtd_com_dgs(const unsigned char *com, size_t n, int *dgs, int max)
{
    struct dd_tlv t, list;
    if (dd_tlv_read(com, n, &t) != DD_OK || t.tag != 0x60 ||
        dd_tlv_find(t.value, t.len, 0x5C, &list) != DD_OK)
        return DD_EINVAL;
    int count = 0;
    for (size_t i = 0; i < list.len && count < max; i++)
        for (int k = 1; k <= 16; k++)
            if (list.value[i] == dg_tags[k])
                dgs[count++] = k;
    return count;
}

int
dd_emrtd_read_all(struct dd_emrtd *e, struct dd_emrtd_files *out)
{
    memset(out, 0, sizeof *out);
    int rc = dd_emrtd_read_file(e, DD_EMRTD_FID_COM, &out->com, &out->com_len);
    if (rc != DD_OK)
        return rc;
    int dgs[16];
    int n = dd_emrtd_com_dgs(out->com, out->com_len, dgs, 16);
    if (n < 0) {
        fail(e, "EF.COM is malformed");
        return DD_EINVAL;
    }
    rc = dd_emrtd_read_file(e, DD_EMRTD_FID_SOD, &out->sod, &out->sod_len);
    if (rc != DD_OK)
        return rc;
    for (int i = 0; i < n; i++) {
        int k = dgs[i];
        if (k == 3 || k == 4) {
            snprintf(out->skipped[k], sizeof out->skipped[k],
                     "needs terminal authentication (EAC)");
            continue;
        }
        rc = dd_emrtd_read_file(e, dd_emrtd_dg_fid(k), &out->dg[k], &out->dg_len[k]);
        if (rc == DD_ENOTFOUND || rc == DD_EDENIED) {
            snprintf(out->skipped[k], sizeof out->skipped[k], "%s",
                     rc == DD_ENOTFOUND ? "listed in EF.COM but not on the chip"
                                        : "the chip refused to give it");
            continue;
        }
        if (rc != DD_OK)
            return rc;
        if (out->dg[k][0] != dg_tags[k]) {
            fail(e, "DG%d starts with tag %02X, expected %02X", k, out->dg[k][0], dg_tags[k]);
            return DD_EINVAL;
        }
    }
    return DD_OK;
}

void
dd_emrtd_files_free(struct dd_emrtd_files *f)
{
    free(f->com);
    free(f->sod);
    for (int k = 0; k <= 16; k++)
        free(f->dg[k]);
    memset(f, 0, sizeof *f);
}
