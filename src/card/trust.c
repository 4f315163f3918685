/*
 * trust.c — the CSCA trust store of passive authentication: certificates from a folder, a file
 * or an ICAO master list (whose own signature is checked), and CRLs, in one X509_STORE.
 */
#include "base/err.h"
#include "base/str.h"
#include "card/pa.h"
#include "card/tlv.h"
#include "card/trust_store.h"

#include <dirent.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define OID_CSCA_MASTER_LIST "2.23.136.1.1.2"
#define MAX_FILE             (8 * 1024 * 1024)

struct dd_pa_trust {
    X509_STORE *store;
    int ncerts;
    int ncrls;
};

X509_STORE *
dd_pa_trust_store(const struct dd_pa_trust *t)
{
    return t->store;
}

int
dd_pa_trust_crls(const struct dd_pa_trust *t)
{
    return t->ncrls;
}

void
dd_card_ssl_error(char *out, size_t cap, const char *fallback)
{
    unsigned long first = ERR_peek_error(), last = ERR_peek_last_error();
    const char *a = last ? ERR_reason_error_string(last) : NULL;
    const char *b = first ? ERR_reason_error_string(first) : NULL;
    if (a && b && first != last)
        snprintf(out, cap, "%s (%s)", a, b);
    else
        dd_strlcpy(out, a ? a : b ? b : fallback, cap);
    ERR_clear_error();
}

static int
read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return DD_EIO;
    unsigned char *buf = OPENSSL_malloc(MAX_FILE);
    if (!buf)
        OPENSSL_die("out of memory", __FILE__, __LINE__);
    size_t n = fread(buf, 1, MAX_FILE, f);
    int over = fgetc(f) != EOF;
    int bad = ferror(f);
    fclose(f);
    if (bad || over) {
        OPENSSL_free(buf);
        return bad ? DD_EIO : DD_ETOOBIG;
    }
    *data = buf;
    *len = n;
    return DD_OK;
}

/* Adds every certificate of a PEM or DER buffer; returns how many. */
static int
add_certs(X509_STORE *store, const unsigned char *p, size_t n)
{
    int count = 0;
    BIO *b = BIO_new_mem_buf(p, (int)n);
    X509 *x;
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(store, x))
            count++;
        X509_free(x);
    }
    BIO_free(b);
    ERR_clear_error();
    if (count == 0) {
        const unsigned char *q = p;
        x = d2i_X509(NULL, &q, (long)n);
        if (x && X509_STORE_add_cert(store, x))
            count++;
        X509_free(x);
        ERR_clear_error();
    }
    return count;
}

/* An ICAO master list: CMS SignedData, content CscaMasterList ::= SEQUENCE { version INTEGER,
 * certList SET OF Certificate }. Returns the number of certificates added, or a DD_E… code. */
static int
add_master_list(X509_STORE *store, const unsigned char *p, size_t n, char *err, size_t errlen)
{
    const unsigned char *q = p;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &q, (long)n);
    if (!cms) {
        ERR_clear_error();
        return DD_ENOTFOUND;
    }
    char oid[64] = "";
    const ASN1_OBJECT *type = CMS_get0_eContentType(cms);
    if (type)
        OBJ_obj2txt(oid, sizeof oid, type, 1);
    if (strcmp(oid, OID_CSCA_MASTER_LIST) != 0) {
        CMS_ContentInfo_free(cms);
        ERR_clear_error();
        return DD_ENOTFOUND;
    }
    BIO *out = BIO_new(BIO_s_mem());
    int count = 0;
    if (!CMS_verify(cms, NULL, NULL, NULL, out, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY)) {
        char why[160];
        dd_card_ssl_error(why, sizeof why, "signature does not verify");
        snprintf(err, errlen, "master list signature: %s", why);
        count = DD_EINVAL;
        goto done;
    }
    const unsigned char *c;
    long cn = BIO_get_mem_data(out, (char **)&c);
    struct dd_tlv seq, version, set_of, cert;
    if (dd_tlv_read(c, (size_t)cn, &seq) != DD_OK || seq.tag != 0x30 ||
        dd_tlv_read(seq.value, seq.len, &version) != DD_OK || version.tag != 0x02 ||
        dd_tlv_read(version.value + version.len, seq.len - version.size, &set_of) != DD_OK ||
        set_of.tag != 0x31) {
        snprintf(err, errlen, "master list: the content is not a CscaMasterList");
        count = DD_EINVAL;
        goto done;
    }
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, set_of.value, set_of.len);
    int r;
    while ((r = dd_tlv_next(&it, &cert)) == 1) {
        const unsigned char *start = cert.value - (cert.size - cert.len);
        X509 *x = d2i_X509(NULL, &start, (long)cert.size);
        if (x && X509_STORE_add_cert(store, x))
            count++;
        X509_free(x);
    }
    if (r < 0) {
        snprintf(err, errlen, "master list: malformed certificate list");
        count = DD_EINVAL;
    }
done:
    ERR_clear_error();
    BIO_free(out);
    CMS_ContentInfo_free(cms);
    return count;
}

static bool
cert_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".pem") == 0 || strcasecmp(dot, ".crt") == 0 ||
                   strcasecmp(dot, ".cer") == 0 || strcasecmp(dot, ".der") == 0 ||
                   strcasecmp(dot, ".ml") == 0);
}

static int
add_file(X509_STORE *store, const char *path, char *err, size_t errlen)
{
    unsigned char *data;
    size_t n;
    int rc = read_file(path, &data, &n);
    if (rc != DD_OK) {
        snprintf(err, errlen, "%s: %s", path, rc == DD_ETOOBIG ? "over 8 MiB" : "cannot be read");
        return rc;
    }
    int count = add_master_list(store, data, n, err, errlen);
    if (count == DD_ENOTFOUND)
        count = add_certs(store, data, n);
    OPENSSL_free(data);
    return count;
}

int
dd_pa_trust_load(const char *path, struct dd_pa_trust **out, char *err, size_t errlen)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: not found", path);
        return DD_EIO;
    }
    struct dd_pa_trust *t = OPENSSL_zalloc(sizeof *t);
    if (!t || !(t->store = X509_STORE_new()))
        OPENSSL_die("out of memory", __FILE__, __LINE__);
    int rc = DD_OK;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && rc == DD_OK && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || !cert_name(e->d_name))
                continue;
            char file[4096];
            if ((size_t)snprintf(file, sizeof file, "%s/%s", path, e->d_name) >= sizeof file)
                continue;
            int c = add_file(t->store, file, err, errlen);
            if (c < 0)
                rc = c;
            else
                t->ncerts += c;
        }
        if (d)
            closedir(d);
    } else {
        int c = add_file(t->store, path, err, errlen);
        if (c < 0)
            rc = c;
        else
            t->ncerts = c;
    }
    if (rc == DD_OK && t->ncerts == 0) {
        snprintf(err, errlen, "%s: no certificate found", path);
        rc = DD_ENOTFOUND;
    }
    if (rc != DD_OK) {
        dd_pa_trust_free(t);
        return rc;
    }
    *out = t;
    return DD_OK;
}

int
dd_pa_trust_add_crl(struct dd_pa_trust *t, const char *path, char *err, size_t errlen)
{
    unsigned char *data;
    size_t n;
    int rc = read_file(path, &data, &n);
    if (rc != DD_OK) {
        snprintf(err, errlen, "%s: cannot be read", path);
        return rc;
    }
    BIO *b = BIO_new_mem_buf(data, (int)n);
    X509_CRL *crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
    BIO_free(b);
    if (!crl) {
        const unsigned char *q = data;
        crl = d2i_X509_CRL(NULL, &q, (long)n);
    }
    OPENSSL_free(data);
    ERR_clear_error();
    if (!crl || !X509_STORE_add_crl(t->store, crl)) {
        X509_CRL_free(crl);
        snprintf(err, errlen, "%s: not a CRL", path);
        return DD_EINVAL;
    }
    X509_CRL_free(crl);
    t->ncrls++;
    return DD_OK;
}

int
dd_pa_trust_count(const struct dd_pa_trust *t)
{
    return t ? t->ncerts : 0;
}

void
dd_pa_trust_free(struct dd_pa_trust *t)
{
    if (!t)
        return;
    X509_STORE_free(t->store);
    OPENSSL_free(t);
}
