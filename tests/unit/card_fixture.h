/*
 * card_fixture.h — what the card tests make with OpenSSL: P-256 keys, certificates (a CSCA, a
 * document signer), DER objects built with dd_tlv_put_header, the LDS security object over
 * data groups and EF.SOD (CMS SignedData) around it. Included by test_card_pa.c and
 * test_card_read.c after cmocka.h; every function is static and may go unused.
 */
#ifndef DD_TEST_CARD_FIXTURE_H
#define DD_TEST_CARD_FIXTURE_H

#include "card/tlv.h"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <string.h>

#define FIXTURE static __attribute__((unused))

#ifndef DAY
#define DAY (24 * 3600L)
#endif

FIXTURE EVP_PKEY *
new_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    return k;
}

FIXTURE void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

/* A certificate for `key` named CN=cn, C=VN, signed by issuer_key (self-signed when issuer is
 * NULL), valid from `from` to `to` days from now. */
FIXTURE X509 *
new_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca, long from,
         long to, long serial)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"VN", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), from * DAY);
    X509_gmtime_adj(X509_getm_notAfter(x), to * DAY);
    X509_set_pubkey(x, key);
    X509 *signer = issuer ? issuer : x;
    add_ext(x, signer, NID_subject_key_identifier, "hash");
    add_ext(x, signer, NID_authority_key_identifier, "keyid:always");
    if (ca) {
        add_ext(x, signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x, signer, NID_key_usage, "critical,digitalSignature");
    }
    assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    return x;
}

struct buf {
    unsigned char p[8192];
    size_t n;
};

FIXTURE void
put(struct buf *b, unsigned tag, const void *value, size_t len)
{
    b->n += dd_tlv_put_header(tag, len, b->p + b->n, sizeof b->p - b->n);
    memcpy(b->p + b->n, value, len);
    b->n += len;
}

/* The DER of an LDSSecurityObject (v0, SHA-256) over the data groups. */
FIXTURE void
lds_object(const unsigned char *const *dg, const size_t *len, const int *num, int count,
           struct buf *out)
{
    static const unsigned char sha256_oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                               0x65, 0x03, 0x04, 0x02, 0x01};
    struct buf list = {.n = 0}, body = {.n = 0};
    for (int i = 0; i < count; i++) {
        struct buf item = {.n = 0};
        unsigned char n = (unsigned char)num[i], h[32];
        EVP_Digest(dg[i], len[i], h, NULL, EVP_sha256(), NULL);
        put(&item, 0x02, &n, 1);
        put(&item, 0x04, h, 32);
        put(&list, 0x30, item.p, item.n);
    }
    unsigned char zero = 0;
    put(&body, 0x02, &zero, 1);
    put(&body, 0x30, sha256_oid, sizeof sha256_oid);
    put(&body, 0x30, list.p, list.n);
    out->n = 0;
    put(out, 0x30, body.p, body.n);
}

/* CMS SignedData of `content` with eContentType `oid`, signed by cert/key; DER in *der. */
FIXTURE size_t
cms_signed(const unsigned char *content, size_t n, const char *oid, X509 *cert, EVP_PKEY *key,
           bool break_signature, unsigned char **der)
{
    BIO *in = BIO_new_mem_buf(content, (int)n);
    CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
    assert_non_null(cms);
    ASN1_OBJECT *type = OBJ_txt2obj(oid, 1);
    assert_true(CMS_set1_eContentType(cms, type));
    ASN1_OBJECT_free(type);
    assert_true(CMS_final(cms, in, NULL, CMS_BINARY));
    if (break_signature) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
        ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
        unsigned char *p = (unsigned char *)ASN1_STRING_get0_data(sig);
        p[ASN1_STRING_length(sig) - 3] ^= 0x01;
    }
    *der = NULL;
    int len = i2d_CMS_ContentInfo(cms, der);
    assert_true(len > 0);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return (size_t)len;
}

/* EF.SOD (0x77 around the CMS) over the data groups. */
FIXTURE void
make_sod(const unsigned char *const *dg, const size_t *len, const int *num, int count, X509 *ds,
         EVP_PKEY *key, bool break_signature, struct buf *out)
{
    struct buf lds;
    lds_object(dg, len, num, count, &lds);
    unsigned char *der;
    size_t n = cms_signed(lds.p, lds.n, "2.23.136.1.1.1", ds, key, break_signature, &der);
    out->n = 0;
    put(out, 0x77, der, n);
    OPENSSL_free(der);
}

#endif
