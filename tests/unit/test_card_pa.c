/*
 * test_card_pa.c — passive authentication. A chain made here (CSCA → document signer → EF.SOD
 * over generated data groups, P-256 keys) gives the positive case and each failure on its own:
 * an expired DS certificate, an unknown CSCA (another name, and the same name with another key),
 * a tampered data group, a changed signature, a revoked DS certificate, a data group the SOD does
 * not cover; the trust store is loaded as a folder, as one file and as an ICAO master list.
 * Then the public reference files in tests/data/emrtd (BSI TR-03105-5 and ETSI sets, see the
 * README there): hashes and RSASSA-PSS signatures verify, the tampered DG1, the broken signature
 * and the changed security object are each caught, and the missing CSCA is reported as such.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "card/json.h"
#include "card/pa.h"
#include "card/tlv.h"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DAY (24 * 3600L)

static char tmpdir[64];

#include "card_fixture.h"

static void
write_pem(const char *name, X509 *x)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    PEM_write_X509(f, x);
    fclose(f);
}

static void
write_bytes(const char *name, const void *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static struct dd_pa_trust *
trust_from(const char *name)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    struct dd_pa_trust *t = NULL;
    int rc = dd_pa_trust_load(path, &t, err, sizeof err);
    if (rc != DD_OK)
        fail_msg("trust store %s: %s", path, err);
    return t;
}

/* --- the generated world: one CSCA, DS certificates, data groups ---------------------------- */

struct world {
    EVP_PKEY *csca_key, *ds_key, *other_key;
    X509 *csca, *ds, *ds_expired, *other_csca, *impostor_csca;
    unsigned char dg1[93], dg2[300];
    const unsigned char *dgs[2];
    size_t lens[2];
    int nums[2];
};

static struct world w;

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dd-card-pa-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    w.csca_key = new_key();
    w.ds_key = new_key();
    w.other_key = new_key();
    w.csca = new_cert("CSCA Test VN", w.csca_key, NULL, NULL, true, -30, 3650, 1);
    w.ds = new_cert("DS Test VN", w.ds_key, w.csca, w.csca_key, false, -1, 365, 2);
    w.ds_expired = new_cert("DS Test VN old", w.ds_key, w.csca, w.csca_key, false, -400, -5, 3);
    w.other_csca = new_cert("CSCA Elsewhere", w.other_key, NULL, NULL, true, -30, 3650, 4);
    w.impostor_csca = new_cert("CSCA Test VN", w.other_key, NULL, NULL, true, -30, 3650, 5);
    w.dg1[0] = 0x61;
    w.dg1[1] = 0x5B;
    memcpy(w.dg1 + 2, "\x5F\x1F\x58", 3);
    memset(w.dg1 + 5, '<', 88);
    for (size_t i = 0; i < sizeof w.dg2; i++)
        w.dg2[i] = (unsigned char)(i * 7);
    w.dgs[0] = w.dg1;
    w.dgs[1] = w.dg2;
    w.lens[0] = sizeof w.dg1;
    w.lens[1] = sizeof w.dg2;
    w.nums[0] = 1;
    w.nums[1] = 2;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/store", tmpdir);
    assert_int_equal(mkdir(dir, 0700), 0);
    write_pem("store/csca.pem", w.csca);
    write_pem("store/unrelated.crt", w.other_csca);
    write_pem("other.pem", w.other_csca);
    write_pem("impostor.pem", w.impostor_csca);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    X509 *certs[] = {w.csca, w.ds, w.ds_expired, w.other_csca, w.impostor_csca};
    for (size_t i = 0; i < 5; i++)
        X509_free(certs[i]);
    EVP_PKEY_free(w.csca_key);
    EVP_PKEY_free(w.ds_key);
    EVP_PKEY_free(w.other_key);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void
given(struct dd_pa_dg *out, int count, const unsigned char *dg1)
{
    out[0] = (struct dd_pa_dg){1, dg1 ? dg1 : w.dg1, sizeof w.dg1};
    if (count > 1)
        out[1] = (struct dd_pa_dg){2, w.dg2, sizeof w.dg2};
}

static void
a_good_chain_passes_every_check(void **state)
{
    (void)state;
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds, w.ds_key, false, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_trust *t = trust_from("store");
    assert_int_equal(dd_pa_trust_count(t), 2);
    struct dd_pa_report r;
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_OK);
    assert_true(r.ok);
    assert_int_equal(r.sod.result, DD_PA_PASS);
    assert_int_equal(r.hashes.result, DD_PA_PASS);
    assert_int_equal(r.signature.result, DD_PA_PASS);
    assert_int_equal(r.chain.result, DD_PA_PASS);
    assert_int_equal(r.dates.result, DD_PA_PASS);
    assert_string_equal(r.hash_algorithm, "sha256");
    assert_int_equal(r.ndgs, 2);
    assert_int_equal(r.dgs[0].status, DD_PA_DG_MATCH);
    assert_int_equal(r.dgs[1].status, DD_PA_DG_MATCH);
    assert_string_equal(r.ds.subject, "CN=DS Test VN,C=VN");
    assert_string_equal(r.csca.subject, "CN=CSCA Test VN,C=VN");
    assert_false(r.crl_checked);

    /* The bare CMS (without the 0x77 tag) is accepted too; the JSON states each check. */
    struct dd_tlv outer;
    assert_int_equal(dd_tlv_read(sod.p, sod.n, &outer), DD_OK);
    assert_int_equal(dd_pa_verify(outer.value, outer.len, dg, 2, t, 0, &r), DD_OK);
    json_t *j = dd_pa_report_json(&r);
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(j, "checks"), "chain"), "result")),
                        "pass");
    json_decref(j);
    dd_pa_trust_free(t);
}

static void
an_expired_document_signer_fails_only_the_dates(void **state)
{
    (void)state;
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds_expired, w.ds_key, false, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_trust *t = trust_from("store");
    struct dd_pa_report r;
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_false(r.ok);
    assert_int_equal(r.hashes.result, DD_PA_PASS);
    assert_int_equal(r.signature.result, DD_PA_PASS);
    assert_int_equal(r.chain.result, DD_PA_PASS);
    assert_int_equal(r.dates.result, DD_PA_FAIL);
    assert_non_null(strstr(r.dates.detail, "DS certificate is not valid"));
    /* Checked at a day inside its validity, it passes; at a day before the CSCA's, the CSCA is
     * named. */
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, time(NULL) - 20 * DAY, &r), DD_OK);
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, time(NULL) - 100 * DAY, &r), DD_EDENIED);
    assert_non_null(strstr(r.dates.detail, "the CSCA certificate is not valid"));
    dd_pa_trust_free(t);
}

static void
an_unknown_csca_fails_only_the_chain(void **state)
{
    (void)state;
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds, w.ds_key, false, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_report r;
    /* Another CSCA altogether. */
    struct dd_pa_trust *t = trust_from("other.pem");
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.chain.result, DD_PA_FAIL);
    assert_string_equal(r.chain.detail, "unable to get local issuer certificate");
    assert_int_equal(r.hashes.result, DD_PA_PASS);
    assert_int_equal(r.signature.result, DD_PA_PASS);
    assert_int_equal(r.dates.result, DD_PA_PASS);
    assert_false(r.csca.present);
    dd_pa_trust_free(t);
    /* A CSCA with the right name and another key. */
    t = trust_from("impostor.pem");
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.chain.result, DD_PA_FAIL);
    assert_int_equal(r.signature.result, DD_PA_PASS);
    dd_pa_trust_free(t);
    /* No trust store: the chain is not checked, and the report is not ok. */
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, NULL, 0, &r), DD_EDENIED);
    assert_int_equal(r.chain.result, DD_PA_NOT_CHECKED);
    assert_false(r.ok);
}

static void
a_tampered_data_group_fails_only_its_hash(void **state)
{
    (void)state;
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds, w.ds_key, false, &sod);
    unsigned char changed[sizeof w.dg1];
    memcpy(changed, w.dg1, sizeof changed);
    changed[10] = 'X';
    struct dd_pa_dg dg[2];
    given(dg, 2, changed);
    struct dd_pa_trust *t = trust_from("store");
    struct dd_pa_report r;
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.hashes.result, DD_PA_FAIL);
    assert_string_equal(r.hashes.detail, "DG1 hash differs from the SOD");
    assert_int_equal(r.dgs[0].status, DD_PA_DG_MISMATCH);
    assert_int_equal(r.dgs[1].status, DD_PA_DG_MATCH);
    assert_int_equal(r.signature.result, DD_PA_PASS);
    assert_int_equal(r.chain.result, DD_PA_PASS);
    assert_int_equal(r.dates.result, DD_PA_PASS);

    /* A data group the SOD does not cover fails the hashes too; one not given is "not read". */
    struct buf only1;
    make_sod(w.dgs, w.lens, w.nums, 1, w.ds, w.ds_key, false, &only1);
    given(dg, 2, NULL);
    assert_int_equal(dd_pa_verify(only1.p, only1.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.hashes.result, DD_PA_FAIL);
    assert_string_equal(r.hashes.detail, "DG2 is not in the SOD");
    assert_int_equal(r.dgs[1].status, DD_PA_DG_NOT_COVERED);
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 1, t, 0, &r), DD_OK);
    assert_int_equal(r.dgs[1].status, DD_PA_DG_NOT_READ);
    dd_pa_trust_free(t);
}

static void
a_wrong_signature_fails_only_the_signature(void **state)
{
    (void)state;
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds, w.ds_key, true, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_trust *t = trust_from("store");
    struct dd_pa_report r;
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.signature.result, DD_PA_FAIL);
    assert_non_null(strstr(r.signature.detail, "signature does not verify"));
    assert_int_equal(r.hashes.result, DD_PA_PASS);
    assert_int_equal(r.chain.result, DD_PA_PASS);
    /* Signed with another key than the DS certificate's: CMS_sign refuses that pairing, so the
     * SOD is signed by a certificate of the other key that names the same subject. */
    X509 *forged = new_cert("DS Test VN", w.other_key, w.csca, w.other_key, false, -1, 365, 2);
    make_sod(w.dgs, w.lens, w.nums, 2, forged, w.other_key, false, &sod);
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.signature.result, DD_PA_PASS); /* it signed what it carries… */
    assert_int_equal(r.chain.result, DD_PA_FAIL);     /* …but the CSCA never issued it */
    X509_free(forged);
    dd_pa_trust_free(t);
}

static void
a_revoked_document_signer_fails_the_chain(void **state)
{
    (void)state;
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(w.csca));
    ASN1_TIME *now = X509_gmtime_adj(NULL, 0), *next = X509_gmtime_adj(NULL, 30 * DAY);
    X509_CRL_set1_lastUpdate(crl, now);
    X509_CRL_set1_nextUpdate(crl, next);
    X509_REVOKED *rev = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(w.ds));
    X509_REVOKED_set_revocationDate(rev, now);
    X509_CRL_add0_revoked(crl, rev);
    assert_true(X509_CRL_sign(crl, w.csca_key, EVP_sha256()) > 0);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/revoked.crl", tmpdir);
    FILE *f = fopen(path, "w");
    PEM_write_X509_CRL(f, crl);
    fclose(f);

    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds, w.ds_key, false, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_trust *t = trust_from("store");
    assert_int_equal(dd_pa_trust_add_crl(t, path, err, sizeof err), DD_OK);
    struct dd_pa_report r;
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_true(r.crl_checked);
    assert_int_equal(r.chain.result, DD_PA_FAIL);
    assert_string_equal(r.chain.detail, "certificate revoked");
    assert_int_equal(r.signature.result, DD_PA_PASS);
    dd_pa_trust_free(t);
    /* A CRL that does not list the DS certificate: the chain passes and says it was checked. */
    X509_CRL *empty = X509_CRL_new();
    X509_CRL_set_version(empty, 1);
    X509_CRL_set_issuer_name(empty, X509_get_subject_name(w.csca));
    X509_CRL_set1_lastUpdate(empty, now);
    X509_CRL_set1_nextUpdate(empty, next);
    assert_true(X509_CRL_sign(empty, w.csca_key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(empty, &der);
    write_bytes("empty.crl", der, (size_t)n);
    OPENSSL_free(der);
    snprintf(path, sizeof path, "%s/empty.crl", tmpdir);
    t = trust_from("store");
    assert_int_equal(dd_pa_trust_add_crl(t, path, err, sizeof err), DD_OK);
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_OK);
    assert_non_null(strstr(r.chain.detail, "not revoked"));
    dd_pa_trust_free(t);
    /* Something that is not a CRL is refused. */
    t = trust_from("store");
    assert_int_equal(dd_pa_trust_add_crl(t, "tests/data/emrtd/bsi/DG1", err, sizeof err),
                     DD_EINVAL);
    dd_pa_trust_free(t);
    X509_CRL_free(crl);
    X509_CRL_free(empty);
    ASN1_TIME_free(now);
    ASN1_TIME_free(next);
}

static void
an_icao_master_list_is_a_trust_store(void **state)
{
    (void)state;
    /* CscaMasterList ::= SEQUENCE { version INTEGER (0), certList SET OF Certificate }, signed
     * by a master-list signer the CSCA issued. */
    struct buf set = {.n = 0}, body = {.n = 0}, list = {.n = 0};
    X509 *certs[] = {w.other_csca, w.csca};
    for (int i = 0; i < 2; i++) {
        unsigned char *der = NULL;
        int n = i2d_X509(certs[i], &der);
        memcpy(set.p + set.n, der, (size_t)n);
        set.n += (size_t)n;
        OPENSSL_free(der);
    }
    unsigned char zero = 0;
    put(&body, 0x02, &zero, 1);
    put(&body, 0x31, set.p, set.n);
    put(&list, 0x30, body.p, body.n);
    EVP_PKEY *mls_key = new_key();
    X509 *mls = new_cert("Master List Signer VN", mls_key, w.csca, w.csca_key, false, -1, 30, 9);
    unsigned char *der;
    size_t n = cms_signed(list.p, list.n, "2.23.136.1.1.2", mls, mls_key, false, &der);
    write_bytes("vn.ml", der, n);
    struct dd_pa_trust *t = trust_from("vn.ml");
    assert_int_equal(dd_pa_trust_count(t), 2);
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds, w.ds_key, false, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_report r;
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_OK);
    assert_string_equal(r.csca.subject, "CN=CSCA Test VN,C=VN");
    dd_pa_trust_free(t);
    /* A master list whose content was changed after signing is refused. */
    OPENSSL_free(der);
    n = cms_signed(list.p, list.n, "2.23.136.1.1.2", mls, mls_key, true, &der);
    write_bytes("broken.ml", der, n);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/broken.ml", tmpdir);
    assert_int_equal(dd_pa_trust_load(path, &t, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "master list signature"));
    OPENSSL_free(der);
    X509_free(mls);
    EVP_PKEY_free(mls_key);
}

static void
a_csca_link_certificate_is_a_trust_anchor(void **state)
{
    (void)state;
    /* The CSCA renewed its key: the link certificate (new key, signed with the old key) is in the
     * store, the old CSCA is not; a DS under the new key chains to it. The DS certificate itself
     * in the store is no CSCA. */
    EVP_PKEY *new_csca_key = new_key();
    X509 *link = new_cert("CSCA Test VN", new_csca_key, w.csca, w.csca_key, true, -1, 3650, 20);
    X509 *ds = new_cert("DS Test VN 2", w.ds_key, link, new_csca_key, false, -1, 365, 21);
    write_pem("link.pem", link);
    write_pem("ds-only.pem", ds);
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, ds, w.ds_key, false, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_report r;
    struct dd_pa_trust *t = trust_from("link.pem");
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_OK);
    assert_string_equal(r.csca.issuer, "CN=CSCA Test VN,C=VN");
    dd_pa_trust_free(t);
    t = trust_from("ds-only.pem");
    assert_int_equal(dd_pa_verify(sod.p, sod.n, dg, 2, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.chain.result, DD_PA_FAIL);
    assert_non_null(strstr(r.chain.detail, "not issued by a CSCA"));
    dd_pa_trust_free(t);
    X509_free(link);
    X509_free(ds);
    EVP_PKEY_free(new_csca_key);
}

static void
trust_store_errors_are_reported(void **state)
{
    (void)state;
    struct dd_pa_trust *t = NULL;
    char err[256], path[128];
    assert_int_equal(dd_pa_trust_load("/nonexistent/csca", &t, err, sizeof err), DD_EIO);
    assert_null(t);
    snprintf(path, sizeof path, "%s/empty", tmpdir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(dd_pa_trust_load(path, &t, err, sizeof err), DD_ENOTFOUND);
    assert_non_null(strstr(err, "no certificate"));
}

static void
malformed_sods_are_refused_with_the_reason(void **state)
{
    (void)state;
    struct buf sod;
    make_sod(w.dgs, w.lens, w.nums, 2, w.ds, w.ds_key, false, &sod);
    struct dd_pa_dg dg[2];
    given(dg, 2, NULL);
    struct dd_pa_report r;
    /* Cut short, one byte too many, not CMS at all, empty. */
    assert_int_equal(dd_pa_verify(sod.p, sod.n - 1, dg, 2, NULL, 0, &r), DD_EINVAL);
    assert_int_equal(r.sod.result, DD_PA_FAIL);
    assert_int_equal(r.hashes.result, DD_PA_NOT_CHECKED);
    sod.p[sod.n] = 0;
    assert_int_equal(dd_pa_verify(sod.p, sod.n + 1, dg, 2, NULL, 0, &r), DD_EINVAL);
    assert_int_equal(dd_pa_verify(w.dg2, sizeof w.dg2, dg, 2, NULL, 0, &r), DD_EINVAL);
    assert_string_equal(r.sod.detail, "EF.SOD is not a CMS SignedData");
    assert_int_equal(dd_pa_verify(sod.p, 0, dg, 2, NULL, 0, &r), DD_EINVAL);
    /* Signed data of another content type (a master list's). */
    unsigned char *der;
    struct buf lds, wrapped;
    lds_object(w.dgs, w.lens, w.nums, 2, &lds);
    size_t n = cms_signed(lds.p, lds.n, "2.23.136.1.1.2", w.ds, w.ds_key, false, &der);
    wrapped.n = 0;
    put(&wrapped, 0x77, der, n);
    OPENSSL_free(der);
    assert_int_equal(dd_pa_verify(wrapped.p, wrapped.n, dg, 2, NULL, 0, &r), DD_EINVAL);
    assert_non_null(strstr(r.sod.detail, "is not the LDS security object"));
}

/* --- the public reference data --------------------------------------------------------------- */

static unsigned char *
load(const char *set, const char *name, size_t *n)
{
    char path[128];
    snprintf(path, sizeof path, "tests/data/emrtd/%s/%s", set, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s is missing (run the tests from the repository root)", path);
    unsigned char *p = malloc(8192);
    *n = fread(p, 1, 8192, f);
    fclose(f);
    return p;
}

struct refset {
    const char *name;
    time_t valid_day; /* inside the DS certificate's validity */
    int ndg_in_sod;
};

static void
check_reference_set(const struct refset *s)
{
    size_t sn, n1, n14, n15, nt;
    unsigned char *sod = load(s->name, "EF.SOD", &sn), *dg1 = load(s->name, "DG1", &n1),
                  *dg14 = load(s->name, "DG14", &n14), *dg15 = load(s->name, "DG15", &n15),
                  *tampered = load(s->name, "DG1.tampered", &nt);
    struct dd_pa_dg dg[3] = {{1, dg1, n1}, {14, dg14, n14}, {15, dg15, n15}};
    struct dd_pa_trust *t = trust_from("store"); /* not their CSCA: none is published */
    struct dd_pa_report r;
    bool dg15_covered = s->ndg_in_sod == 6;
    size_t ndg = dg15_covered ? 3 : 2;
    assert_int_equal(dd_pa_verify(sod, sn, dg, ndg, t, s->valid_day, &r), DD_EDENIED);
    assert_int_equal(r.sod.result, DD_PA_PASS);
    assert_int_equal(r.ndgs, s->ndg_in_sod);
    assert_int_equal(r.hashes.result, DD_PA_PASS);
    assert_int_equal(r.signature.result, DD_PA_PASS);
    assert_string_equal(r.signature_algorithm, "rsassaPss");
    assert_int_equal(r.chain.result, DD_PA_FAIL);
    assert_string_equal(r.chain.detail, "unable to get local issuer certificate");
    assert_int_equal(r.dates.result, DD_PA_PASS);
    /* Today the DS certificate has long expired. */
    assert_int_equal(dd_pa_verify(sod, sn, dg, ndg, t, 0, &r), DD_EDENIED);
    assert_int_equal(r.dates.result, DD_PA_FAIL);
    /* BSI: DG15 is read but the SOD has no hash for it. */
    if (!dg15_covered) {
        assert_int_equal(dd_pa_verify(sod, sn, dg, 3, t, s->valid_day, &r), DD_EDENIED);
        assert_int_equal(r.hashes.result, DD_PA_FAIL);
        assert_string_equal(r.hashes.detail, "DG15 is not in the SOD");
    }
    /* The tampered DG1: only its hash fails. */
    dg[0].data = tampered;
    assert_int_equal(dd_pa_verify(sod, sn, dg, ndg, t, s->valid_day, &r), DD_EDENIED);
    assert_int_equal(r.hashes.result, DD_PA_FAIL);
    assert_int_equal(r.dgs[0].status, DD_PA_DG_MISMATCH);
    assert_int_equal(r.signature.result, DD_PA_PASS);
    dg[0].data = dg1;
    /* The changed signature and the changed security object: the signature fails. */
    const char *broken[] = {"EF.SOD.badsig", "EF.SOD.badcontent"};
    for (int i = 0; i < 2; i++) {
        size_t bn;
        unsigned char *bad = load(s->name, broken[i], &bn);
        dd_pa_verify(bad, bn, dg, ndg, t, s->valid_day, &r);
        assert_int_equal(r.sod.result, DD_PA_PASS);
        assert_int_equal(r.signature.result, DD_PA_FAIL);
        /* The PSS padding check fails, or the messageDigest no longer matches the content. */
        assert_non_null(
            strstr(r.signature.detail, i == 0 ? "octet invalid" : "content verify error"));
        free(bad);
    }
    dd_pa_trust_free(t);
    free(sod);
    free(dg1);
    free(dg14);
    free(dg15);
    free(tampered);
}

static void
bsi_reference_data_verifies_but_for_its_missing_csca(void **state)
{
    (void)state;
    struct refset s = {"bsi", 1401624000 /* 2014-06-01 */, 5};
    check_reference_set(&s);
}

static void
etsi_reference_data_verifies_but_for_its_missing_csca(void **state)
{
    (void)state;
    struct refset s = {"etsi", 1320148800 /* 2011-11-01 */, 6};
    check_reference_set(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_chain_passes_every_check),
        cmocka_unit_test(an_expired_document_signer_fails_only_the_dates),
        cmocka_unit_test(an_unknown_csca_fails_only_the_chain),
        cmocka_unit_test(a_tampered_data_group_fails_only_its_hash),
        cmocka_unit_test(a_wrong_signature_fails_only_the_signature),
        cmocka_unit_test(a_revoked_document_signer_fails_the_chain),
        cmocka_unit_test(an_icao_master_list_is_a_trust_store),
        cmocka_unit_test(a_csca_link_certificate_is_a_trust_anchor),
        cmocka_unit_test(trust_store_errors_are_reported),
        cmocka_unit_test(malformed_sods_are_refused_with_the_reason),
        cmocka_unit_test(bsi_reference_data_verifies_but_for_its_missing_csca),
        cmocka_unit_test(etsi_reference_data_verifies_but_for_its_missing_csca),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
