/*
 * card_bench.c — single-thread throughput of the card library, for bench/card.sh: passive
 * authentication of the BSI reference EF.SOD (RSASSA-PSS 2048, SHA-256; hashes + signature +
 * dates, no CSCA exists for it) and of a P-256 ECDSA CSCA → DS → SOD chain made here (every check,
 * the chain included), MRZ parses (TD1 Vietnamese card) and QR parses. Prints "name value" lines
 * (operations per second).
 *
 * Usage: card_bench SECONDS DATA_DIR   (DATA_DIR = tests/data/emrtd/bsi)
 */
#include "base/err.h"
#include "card/mrz.h"
#include "card/pa.h"
#include "card/qr.h"
#include "card/tlv.h"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
slurp(const char *dir, const char *name, unsigned char *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "card_bench: %s is missing\n", path);
        exit(1);
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void
ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

static X509 *
cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_set_pubkey(x, key);
    if (ca) {
        ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
        ext(x, x, NID_key_usage, "critical,keyCertSign");
    }
    X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
    return x;
}

/* The P-256 chain: writes the CSCA to csca_path and the SOD (over dg) to sod/sod_len. */
static void
make_chain(const char *csca_path, const unsigned char *dg, size_t dg_len, unsigned char *sod,
           size_t *sod_len)
{
    EVP_PKEY *ck = EVP_EC_gen("P-256"), *dk = EVP_EC_gen("P-256");
    X509 *csca = cert("Bench CSCA", ck, NULL, NULL, 1), *ds = cert("Bench DS", dk, csca, ck, 0);
    FILE *f = fopen(csca_path, "w");
    PEM_write_X509(f, csca);
    fclose(f);
    unsigned char lds[128], h[32];
    EVP_Digest(dg, dg_len, h, NULL, EVP_sha256(), NULL);
    static const unsigned char head[] = {0x30, 0x39, 0x02, 0x01, 0x00, 0x30, 0x0B, 0x06, 0x09,
                                         0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                                         0x30, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20};
    memcpy(lds, head, sizeof head);
    memcpy(lds + sizeof head, h, 32);
    BIO *in = BIO_new_mem_buf(lds, (int)(sizeof head + 32));
    CMS_ContentInfo *cms = CMS_sign(ds, dk, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
    ASN1_OBJECT *type = OBJ_txt2obj("2.23.136.1.1.1", 1);
    CMS_set1_eContentType(cms, type);
    CMS_final(cms, in, NULL, CMS_BINARY);
    unsigned char *der = NULL;
    int n = i2d_CMS_ContentInfo(cms, &der);
    size_t hl = dd_tlv_put_header(0x77, (size_t)n, sod, 8);
    memcpy(sod + hl, der, (size_t)n);
    *sod_len = hl + (size_t)n;
    OPENSSL_free(der);
    ASN1_OBJECT_free(type);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    X509_free(csca);
    X509_free(ds);
    EVP_PKEY_free(ck);
    EVP_PKEY_free(dk);
}

#define RUN(name, seconds, body)                                                                   \
    do {                                                                                           \
        long ops_ = 0;                                                                             \
        double start_ = now(), end_ = start_ + (seconds);                                          \
        while (now() < end_)                                                                       \
            for (int k_ = 0; k_ < 16; k_++, ops_++) {                                              \
                body;                                                                              \
            }                                                                                      \
        printf("%s %.0f\n", name, (double)ops_ / (now() - start_));                                \
    } while (0)

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: card_bench SECONDS DATA_DIR\n");
        return 2;
    }
    double secs = atof(argv[1]);
    static unsigned char sod[8192], dg1[512], dg14[1024], ec_sod[2048];
    size_t sn = slurp(argv[2], "EF.SOD", sod, sizeof sod);
    size_t n1 = slurp(argv[2], "DG1", dg1, sizeof dg1);
    size_t n14 = slurp(argv[2], "DG14", dg14, sizeof dg14);
    struct dd_pa_dg dgs[2] = {{1, dg1, n1}, {14, dg14, n14}};
    struct dd_pa_report r;
    time_t valid_day = 1401624000; /* 2014-06-01, inside the DS certificate's validity */
    if (dd_pa_verify(sod, sn, dgs, 2, NULL, valid_day, &r) != DD_EDENIED ||
        r.signature.result != DD_PA_PASS || r.hashes.result != DD_PA_PASS) {
        fprintf(stderr, "card_bench: the BSI SOD does not verify\n");
        return 1;
    }
    RUN("pa_rsapss2048_no_chain", secs, dd_pa_verify(sod, sn, dgs, 2, NULL, valid_day, &r));

    char csca_path[] = "/tmp/dd-card-bench-XXXXXX";
    int fd = mkstemp(csca_path);
    close(fd);
    size_t en;
    make_chain(csca_path, dg1, n1, ec_sod, &en);
    struct dd_pa_trust *trust;
    char err[256];
    if (dd_pa_trust_load(csca_path, &trust, err, sizeof err) != DD_OK) {
        fprintf(stderr, "card_bench: %s\n", err);
        return 1;
    }
    unlink(csca_path);
    if (dd_pa_verify(ec_sod, en, dgs, 1, trust, 0, &r) != DD_OK) {
        fprintf(stderr, "card_bench: the P-256 chain does not verify: %s / %s / %s / %s / %s\n",
                r.sod.detail, r.hashes.detail, r.signature.detail, r.chain.detail, r.dates.detail);
        return 1;
    }
    RUN("pa_p256_full_chain", secs, dd_pa_verify(ec_sod, en, dgs, 1, trust, 0, &r));
    dd_pa_trust_free(trust);

    static const char mrz[] = "IDVNM0990123459001099012345<<<\n"
                              "9901155M3901153VNM<<<<<<<<<<<6\n"
                              "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<";
    struct dd_mrz m;
    if (dd_mrz_parse(mrz, sizeof mrz - 1, &m) != DD_OK)
        return 1;
    RUN("mrz_td1", secs, dd_mrz_parse(mrz, sizeof mrz - 1, &m));
    static const char qr[] = "001099012345|123456789|Nguyễn Văn An|15011999|Nam|"
                             "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|20052021";
    struct dd_card_qr q;
    if (dd_card_qr_parse(qr, sizeof qr - 1, NULL, &q) != DD_OK)
        return 1;
    RUN("qr", secs, dd_card_qr_parse(qr, sizeof qr - 1, "2026-01-01", &q));
    return 0;
}
