/*
 * pa.h — passive authentication of an eMRTD (ICAO 9303 Part 11 §5.1 and Part 12): EF.SOD is a CMS
 * SignedData holding the LDS security object (the hash of each data group); the document signer
 * (DS) certificate inside it signed that object; a country signing CA (CSCA) issued the DS
 * certificate. This module checks each link on its own and reports each result separately:
 * the SOD's form, every data group's hash, the signature, the chain to a CSCA trust store (with
 * CRLs when given), and the certificates' validity dates.
 */
#ifndef DD_CARD_PA_H
#define DD_CARD_PA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A result: passed, failed, or not checked (with `detail` saying why in every case). */
enum dd_pa_result { DD_PA_NOT_CHECKED = 0, DD_PA_PASS, DD_PA_FAIL };

/* A data group file as read from the chip, its outer tag included (DG1 starts 0x61). */
struct dd_pa_dg {
    int number; /* 1..16 */
    const unsigned char *data;
    size_t len;
};

enum dd_pa_dg_status {
    DD_PA_DG_MATCH,       /* read, hashed, equal to the SOD's hash */
    DD_PA_DG_MISMATCH,    /* read, hash differs: the file was changed */
    DD_PA_DG_NOT_READ,    /* in the SOD, no file given (e.g. DG3, which needs EAC) */
    DD_PA_DG_NOT_COVERED, /* a file given that the SOD has no hash for */
};

#define DD_PA_MAX_DG   16
#define DD_PA_MAX_HASH 64
#define DD_PA_TEXT     256
#define DD_PA_MAX_SOD  (64 * 1024)

struct dd_pa_dg_result {
    int number;
    enum dd_pa_dg_status status;
    unsigned char expected[DD_PA_MAX_HASH]; /* from the SOD */
    unsigned char actual[DD_PA_MAX_HASH];   /* of the file, when read */
    size_t hash_len;
};

struct dd_pa_check {
    enum dd_pa_result result;
    char detail[DD_PA_TEXT];
};

struct dd_pa_cert_info {
    bool present;
    char subject[DD_PA_TEXT];
    char issuer[DD_PA_TEXT];
    char serial[80];     /* hex */
    char not_before[24]; /* YYYY-MM-DDTHH:MM:SSZ */
    char not_after[24];
};

struct dd_pa_report {
    struct dd_pa_check sod;       /* EF.SOD parsed: tag, CMS, content type, LDS object */
    struct dd_pa_check hashes;    /* every data group given matches and is covered */
    struct dd_pa_check signature; /* the SignerInfo verifies with the DS certificate */
    struct dd_pa_check chain;     /* DS → CSCA in the trust store (CRLs if any), time ignored */
    struct dd_pa_check dates;     /* DS and CSCA valid at the checking time */
    char hash_algorithm[32];      /* "sha256" */
    char signature_algorithm[48]; /* "RSASSA-PSS", "ecdsa-with-SHA256", … */
    int lds_version;              /* LDSSecurityObject version (0 or 1) */
    struct dd_pa_dg_result dgs[DD_PA_MAX_DG];
    int ndgs;
    struct dd_pa_cert_info ds;
    struct dd_pa_cert_info csca;
    bool crl_checked;
    time_t checked_at;
    bool ok; /* every check passed */
};

/* A CSCA trust store: certificates and CRLs. */
struct dd_pa_trust;

/* Loads CSCA certificates from `path`: a folder (every *.pem, *.crt, *.cer, *.der file in it,
 * PEM or DER, any number of certificates per PEM file), one certificate file, or an ICAO master
 * list (CMS SignedData of a CscaMasterList, DER, also with a .ml name; its own signature is
 * checked against the signer certificate it carries). Returns DD_OK and *out, or DD_EINVAL /
 * DD_EIO with err set; a path with no certificate is DD_ENOTFOUND. */
int dd_pa_trust_load(const char *path, struct dd_pa_trust **out, char *err, size_t errlen);

/* Adds a CRL (PEM or DER file); chains are then checked for revocation of the DS certificate.
 * Returns DD_OK or DD_EINVAL/DD_EIO with err set. */
int dd_pa_trust_add_crl(struct dd_pa_trust *t, const char *path, char *err, size_t errlen);

/* The number of CSCA certificates loaded. */
int dd_pa_trust_count(const struct dd_pa_trust *t);

void dd_pa_trust_free(struct dd_pa_trust *t);

/* Verifies EF.SOD sod[0..n) (with its 0x77 tag, or the bare CMS ContentInfo) against the data
 * groups given and the trust store (NULL: the chain is "not checked" and the report not ok),
 * at time `at` (0: now). Fills *rep completely in every case; returns DD_OK when every check
 * passed, DD_EDENIED when one failed or was not checked, DD_EINVAL when the SOD cannot be
 * parsed (rep->sod says why). */
int dd_pa_verify(const unsigned char *sod, size_t n, const struct dd_pa_dg *dgs, size_t ndgs,
                 const struct dd_pa_trust *trust, time_t at, struct dd_pa_report *rep);

/* "pass", "fail", "not_checked"; and for data groups "match", "mismatch", "not_read",
 * "not_covered". */
const char *dd_pa_result_name(enum dd_pa_result r);
const char *dd_pa_dg_status_name(enum dd_pa_dg_status s);

#endif
