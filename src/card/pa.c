/*
 * pa.c — passive authentication with OpenSSL 3: the SOD and the LDS security object are taken
 * apart with the bounded TLV reader, the signature is checked with CMS_verify (the DS certificate
 * only, no chain), then the chain is built separately against the CSCA store with time checks
 * off, and the dates are compared on their own, so that each result stands alone in the report.
 * The CSCA trust store is loaded by trust.c.
 */
#include "card/pa.h"
#include "base/err.h"
#include "base/str.h"
#include "card/tlv.h"
#include "card/trust_store.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <string.h>

#define OID_LDS_SECURITY_OBJECT "2.23.136.1.1.1"

static void
set(struct dd_pa_check *c, enum dd_pa_result r, const char *detail)
{
    c->result = r;
    dd_strlcpy(c->detail, detail, sizeof c->detail);
}

const char *
dd_pa_result_name(enum dd_pa_result r)
{
    return r == DD_PA_PASS ? "pass" : r == DD_PA_FAIL ? "fail" : "not_checked";
}

const char *
dd_pa_dg_status_name(enum dd_pa_dg_status s)
{
    static const char *names[] = {"match", "mismatch", "not_read", "not_covered"};
    return names[s];
}

/* --- the SOD ------------------------------------------------------------------------------ */

/* A certificate's names, serial and dates for the report. */
static void
cert_info(X509 *x, struct dd_pa_cert_info *out)
{
    out->present = true;
    BIO *b = BIO_new(BIO_s_mem());
    const X509_NAME *names[2] = {X509_get_subject_name(x), X509_get_issuer_name(x)};
    char *dst[2] = {out->subject, out->issuer};
    for (int i = 0; i < 2; i++) {
        (void)BIO_reset(b);
        X509_NAME_print_ex(b, names[i], 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
        char *p;
        long n = BIO_get_mem_data(b, &p);
        size_t len = (size_t)n < DD_PA_TEXT - 1 ? (size_t)n : DD_PA_TEXT - 1;
        memcpy(dst[i], p, len);
        dst[i][len] = '\0';
    }
    BIO_free(b);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex)
        dd_strlcpy(out->serial, hex, sizeof out->serial);
    OPENSSL_free(hex);
    BN_free(bn);
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm))
        strftime(out->not_before, sizeof out->not_before, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm))
        strftime(out->not_after, sizeof out->not_after, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads the LDSSecurityObject: version, hash algorithm, the data-group hashes. */
static int
parse_lds(const unsigned char *p, size_t n, struct dd_pa_report *rep, const EVP_MD **md)
{
    struct dd_tlv seq, ver, alg, oid, list, item, num, hash;
    if (dd_tlv_read(p, n, &seq) != DD_OK || seq.tag != 0x30 || seq.size != n)
        return DD_EINVAL;
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, seq.value, seq.len);
    if (dd_tlv_next(&it, &ver) != 1 || ver.tag != 0x02 || ver.len != 1 || ver.value[0] > 1 ||
        dd_tlv_next(&it, &alg) != 1 || alg.tag != 0x30 || dd_tlv_next(&it, &list) != 1 ||
        list.tag != 0x30)
        return DD_EINVAL;
    rep->lds_version = ver.value[0];
    if (dd_tlv_read(alg.value, alg.len, &oid) != DD_OK || oid.tag != 0x06)
        return DD_EINVAL;
    const unsigned char *q = alg.value;
    ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &q, (long)oid.size);
    *md = obj ? EVP_get_digestbyobj(obj) : NULL;
    ASN1_OBJECT_free(obj);
    if (!*md)
        return DD_EINVAL;
    /* "SHA256" → "sha256" */
    dd_strlcpy(rep->hash_algorithm, OBJ_nid2sn(EVP_MD_get_type(*md)), sizeof rep->hash_algorithm);
    for (char *c = rep->hash_algorithm; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    struct dd_tlv_iter li;
    dd_tlv_iter_init(&li, list.value, list.len);
    int r;
    while ((r = dd_tlv_next(&li, &item)) == 1) {
        if (item.tag != 0x30 || rep->ndgs >= DD_PA_MAX_DG ||
            dd_tlv_read(item.value, item.len, &num) != DD_OK || num.tag != 0x02 || num.len != 1 ||
            dd_tlv_read(num.value + 1, item.len - num.size, &hash) != DD_OK || hash.tag != 0x04 ||
            hash.len != (size_t)EVP_MD_get_size(*md) || num.value[0] < 1 || num.value[0] > 16)
            return DD_EINVAL;
        struct dd_pa_dg_result *d = &rep->dgs[rep->ndgs++];
        d->number = num.value[0];
        d->hash_len = hash.len;
        memcpy(d->expected, hash.value, hash.len);
        d->status = DD_PA_DG_NOT_READ;
    }
    return r < 0 || rep->ndgs == 0 ? DD_EINVAL : DD_OK;
}

static void
check_hashes(struct dd_pa_report *rep, const EVP_MD *md, const struct dd_pa_dg *dgs, size_t ndgs)
{
    int matched = 0;
    char bad[DD_PA_TEXT] = "";
    for (size_t i = 0; i < ndgs; i++) {
        struct dd_pa_dg_result *d = NULL;
        for (int k = 0; k < rep->ndgs; k++)
            if (rep->dgs[k].number == dgs[i].number)
                d = &rep->dgs[k];
        if (!d) {
            if (rep->ndgs < DD_PA_MAX_DG) {
                d = &rep->dgs[rep->ndgs++];
                d->number = dgs[i].number;
                d->status = DD_PA_DG_NOT_COVERED;
            }
            size_t l = strlen(bad);
            snprintf(bad + l, sizeof bad - l, "%sDG%d is not in the SOD", l ? "; " : "",
                     dgs[i].number);
            continue;
        }
        unsigned int hl = 0;
        EVP_Digest(dgs[i].data, dgs[i].len, d->actual, &hl, md, NULL);
        if (hl == d->hash_len && memcmp(d->actual, d->expected, hl) == 0) {
            d->status = DD_PA_DG_MATCH;
            matched++;
        } else {
            d->status = DD_PA_DG_MISMATCH;
            size_t l = strlen(bad);
            snprintf(bad + l, sizeof bad - l, "%sDG%d hash differs from the SOD", l ? "; " : "",
                     dgs[i].number);
        }
    }
    char msg[DD_PA_TEXT];
    if (bad[0]) {
        set(&rep->hashes, DD_PA_FAIL, bad);
    } else if (matched == 0) {
        set(&rep->hashes, DD_PA_FAIL, "no data group given");
    } else {
        snprintf(msg, sizeof msg, "%d data group(s) read, every hash matches (%d in the SOD)",
                 matched, rep->ndgs);
        set(&rep->hashes, DD_PA_PASS, msg);
    }
}

static X509 *
find_signer(CMS_ContentInfo *cms, STACK_OF(X509) * certs, CMS_SignerInfo **si_out)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (!sis || sk_CMS_SignerInfo_num(sis) != 1)
        return NULL;
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
    *si_out = si;
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
            return sk_X509_value(certs, i);
    return NULL;
}

static void
check_signature(struct dd_pa_report *rep, CMS_ContentInfo *cms, X509 *ds, CMS_SignerInfo *si)
{
    X509_ALGOR *sig_alg = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    if (sig_alg) {
        const ASN1_OBJECT *o;
        X509_ALGOR_get0(&o, NULL, NULL, sig_alg);
        OBJ_obj2txt(rep->signature_algorithm, sizeof rep->signature_algorithm, o, 0);
    }
    if (!ds) {
        set(&rep->signature, DD_PA_FAIL, "the SOD holds no certificate of its signer");
        return;
    }
    STACK_OF(X509) *only = sk_X509_new_null();
    sk_X509_push(only, ds);
    int ok = CMS_verify(cms, only, NULL, NULL, NULL,
                        CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY | CMS_NOINTERN);
    sk_X509_free(only);
    if (ok) {
        set(&rep->signature, DD_PA_PASS,
            "the security object's signature verifies with the DS "
            "certificate");
        ERR_clear_error();
        return;
    }
    char why[200], msg[DD_PA_TEXT];
    dd_card_ssl_error(why, sizeof why, "verification failure");
    snprintf(msg, sizeof msg, "signature does not verify: %s", why);
    set(&rep->signature, DD_PA_FAIL, msg);
}

static void
check_chain(struct dd_pa_report *rep, X509 *ds, const struct dd_pa_trust *trust, X509 **csca)
{
    *csca = NULL;
    if (!trust) {
        set(&rep->chain, DD_PA_NOT_CHECKED, "no CSCA trust store given");
        return;
    }
    if (!ds) {
        set(&rep->chain, DD_PA_NOT_CHECKED, "no DS certificate to check");
        return;
    }
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx || !X509_STORE_CTX_init(ctx, dd_pa_trust_store(trust), ds, NULL))
        OPENSSL_die("out of memory", __FILE__, __LINE__);
    /* Every certificate of the store is a trust anchor, CSCA link certificates included
     * (ICAO 9303 Part 12): a chain may end at one that is not self-signed. */
    unsigned long flags = X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN;
    if (dd_pa_trust_crls(trust) > 0)
        flags |= X509_V_FLAG_CRL_CHECK;
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), flags);
    rep->crl_checked = dd_pa_trust_crls(trust) > 0;
    int ok = X509_verify_cert(ctx);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    if (ok == 1 && chain && sk_X509_num(chain) > 1) {
        *csca = sk_X509_value(chain, sk_X509_num(chain) - 1);
        X509_up_ref(*csca);
        char msg[DD_PA_TEXT];
        snprintf(msg, sizeof msg, "the DS certificate chains to a trusted CSCA%s",
                 rep->crl_checked ? " and is not revoked" : " (no CRL given)");
        set(&rep->chain, DD_PA_PASS, msg);
    } else {
        char msg[DD_PA_TEXT];
        int e = X509_STORE_CTX_get_error(ctx);
        snprintf(msg, sizeof msg, "%s",
                 ok == 1 ? "the DS certificate is itself in the trust "
                           "store, not issued by a CSCA"
                         : X509_verify_cert_error_string(e));
        set(&rep->chain, DD_PA_FAIL, msg);
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
}

static bool
valid_at(X509 *x, time_t at)
{
    return X509_cmp_time(X509_get0_notBefore(x), &at) < 0 &&
           X509_cmp_time(X509_get0_notAfter(x), &at) > 0;
}

static void
check_dates(struct dd_pa_report *rep, X509 *ds, X509 *csca, time_t at)
{
    if (!ds) {
        set(&rep->dates, DD_PA_NOT_CHECKED, "no DS certificate");
        return;
    }
    char msg[DD_PA_TEXT], when[24];
    struct tm tm;
    gmtime_r(&at, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    bool ds_ok = valid_at(ds, at), ca_ok = !csca || valid_at(csca, at);
    if (!ds_ok || !ca_ok) {
        snprintf(msg, sizeof msg, "%s%s%s %s not valid at %s", !ds_ok ? "the DS certificate" : "",
                 !ds_ok && !ca_ok ? " and " : "", !ca_ok ? "the CSCA certificate" : "",
                 !ds_ok && !ca_ok ? "are" : "is", when);
        set(&rep->dates, DD_PA_FAIL, msg);
        return;
    }
    snprintf(msg, sizeof msg, "%s valid at %s%s",
             csca ? "the DS and CSCA certificates are" : "the DS certificate is", when,
             csca ? "" : " (CSCA unknown)");
    set(&rep->dates, DD_PA_PASS, msg);
}

int
dd_pa_verify(const unsigned char *sod, size_t n, const struct dd_pa_dg *dgs, size_t ndgs,
             const struct dd_pa_trust *trust, time_t at, struct dd_pa_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->checked_at = at ? at : time(NULL);
    static const char *skipped = "not checked: the SOD cannot be read";
    set(&rep->hashes, DD_PA_NOT_CHECKED, skipped);
    set(&rep->signature, DD_PA_NOT_CHECKED, skipped);
    set(&rep->chain, DD_PA_NOT_CHECKED, skipped);
    set(&rep->dates, DD_PA_NOT_CHECKED, skipped);
    const unsigned char *p = sod;
    size_t len = n;
    struct dd_tlv outer;
    if (n > DD_PA_MAX_SOD) {
        set(&rep->sod, DD_PA_FAIL, "EF.SOD is over 64 KiB");
        return DD_EINVAL;
    }
    if (n > 0 && sod[0] == 0x77) {
        if (dd_tlv_read(sod, n, &outer) != DD_OK || outer.size != n) {
            set(&rep->sod, DD_PA_FAIL,
                "EF.SOD: the 0x77 object is truncated or has trailing "
                "bytes");
            return DD_EINVAL;
        }
        p = outer.value;
        len = outer.len;
    }
    const unsigned char *q = p;
    CMS_ContentInfo *cms = len ? d2i_CMS_ContentInfo(NULL, &q, (long)len) : NULL;
    if (!cms || q != p + len || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(cms);
        ERR_clear_error();
        set(&rep->sod, DD_PA_FAIL, "EF.SOD is not a CMS SignedData");
        return DD_EINVAL;
    }
    char oid[64] = "";
    OBJ_obj2txt(oid, sizeof oid, CMS_get0_eContentType(cms), 1);
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    const EVP_MD *md = NULL;
    int rc = DD_OK;
    if (strcmp(oid, OID_LDS_SECURITY_OBJECT) != 0) {
        char msg[DD_PA_TEXT];
        snprintf(msg, sizeof msg, "content type %s is not the LDS security object (%s)", oid,
                 OID_LDS_SECURITY_OBJECT);
        set(&rep->sod, DD_PA_FAIL, msg);
        rc = DD_EINVAL;
    } else if (!content || !*content ||
               parse_lds(ASN1_STRING_get0_data(*content), (size_t)ASN1_STRING_length(*content), rep,
                         &md) != DD_OK) {
        set(&rep->sod, DD_PA_FAIL,
            "the LDS security object is malformed or uses an unknown "
            "hash algorithm");
        rc = DD_EINVAL;
    }
    if (rc != DD_OK) {
        CMS_ContentInfo_free(cms);
        ERR_clear_error();
        return rc;
    }
    set(&rep->sod, DD_PA_PASS, "CMS SignedData with an LDS security object");
    check_hashes(rep, md, dgs, ndgs);
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    CMS_SignerInfo *si = NULL;
    X509 *ds = find_signer(cms, certs, &si);
    if (!si)
        set(&rep->signature, DD_PA_FAIL, "the SOD must have exactly one signer");
    else
        check_signature(rep, cms, ds, si);
    if (ds)
        cert_info(ds, &rep->ds);
    X509 *csca = NULL;
    check_chain(rep, ds, trust, &csca);
    if (csca)
        cert_info(csca, &rep->csca);
    check_dates(rep, ds, csca, rep->checked_at);
    X509_free(csca);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    rep->ok = rep->sod.result == DD_PA_PASS && rep->hashes.result == DD_PA_PASS &&
              rep->signature.result == DD_PA_PASS && rep->chain.result == DD_PA_PASS &&
              rep->dates.result == DD_PA_PASS;
    return rep->ok ? DD_OK : DD_EDENIED;
}
