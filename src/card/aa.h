/*
 * aa.h — active authentication (ICAO 9303 Part 11 §6.1): the chip signs 8 random bytes from the
 * terminal with the private key whose public key is in DG15 (covered by EF.SOD, so by passive
 * authentication), which a copied chip cannot do. RSA signatures use ISO/IEC 9796-2 digital
 * signature scheme 1 with partial message recovery (trailer 0xBC for SHA-1, or 0x..CC naming
 * the hash); ECDSA signatures are plain r || s (BSI TR-03111) with the hash DG14's
 * ActiveAuthenticationInfo names (SHA-256 when DG14 names none).
 */
#ifndef DD_CARD_AA_H
#define DD_CARD_AA_H

#include "card/emrtd.h"
#include "card/pa.h"

#include <stddef.h>

struct dd_aa_result {
    enum dd_pa_result result; /* pass, fail, or not_checked (no DG15, or a key type not handled) */
    char algorithm[32];       /* "rsa-iso9796-2-sha1", "ecdsa-sha256", … */
    char detail[DD_PA_TEXT];
};

/* Checks the chip's answer sig[0..sn) to INTERNAL AUTHENTICATE of challenge[0..8) against the
 * public key in DG15 dg15[0..n) (0x6F around a SubjectPublicKeyInfo); dg14 (may be NULL) names
 * the ECDSA hash. Fills *r; returns DD_OK when the signature verifies, DD_EDENIED when it does
 * not, DD_EINVAL when DG15 or the signature is malformed (r says why). */
int dd_aa_verify(const unsigned char *dg15, size_t n, const unsigned char *dg14, size_t n14,
                 const unsigned char challenge[8], const unsigned char *sig, size_t sn,
                 struct dd_aa_result *r);

/* Runs active authentication on a session after BAC: a random challenge, INTERNAL AUTHENTICATE,
 * dd_aa_verify. Returns as dd_aa_verify, or DD_EUNAVAIL when the card was lost; a chip that
 * refuses the command fails. */
int dd_emrtd_active_auth(struct dd_emrtd *e, const unsigned char *dg15, size_t n,
                         const unsigned char *dg14, size_t n14, struct dd_aa_result *r);

#endif
