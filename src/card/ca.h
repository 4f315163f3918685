/*
 * ca.h — chip authentication (ICAO 9303 Part 11 §6.2, BSI TR-03110 version 1): DG14 holds the
 * chip's static Diffie-Hellman public key (covered by EF.SOD, so by passive authentication); the
 * terminal sends an ephemeral public key on the same domain parameters, both sides compute the
 * shared secret, and secure messaging restarts with keys derived from it. Only a chip holding
 * the private key of DG14 can answer the next command correctly, which a copied chip cannot.
 * ECDH keys (named or explicit curves) with 3DES (MSE:Set KAT) or AES (MSE:Set AT and General
 * Authenticate) secure messaging.
 */
#ifndef DD_CARD_CA_H
#define DD_CARD_CA_H

#include "card/emrtd.h"
#include "card/pa.h"

#include <stddef.h>

struct dd_ca_result {
    enum dd_pa_result result; /* pass, fail, or not_checked (no DG14, or no ECDH key in it) */
    char protocol[48];        /* "ecdh-aes-cbc-cmac-128", "ecdh-3des-cbc-cbc", … */
    char detail[DD_PA_TEXT];
};

/* Runs chip authentication on a session with secure messaging, then proves it by reading EF.COM
 * again under the new keys and comparing it with com[0..com_len) read before. Fills *r; returns
 * DD_OK (pass), DD_EDENIED (the chip's answer under the new keys does not check out: it does
 * not hold the private key; the session is then unusable), DD_ENOTFOUND (DG14 offers no
 * ECDH chip authentication: not_checked), DD_EINVAL (DG14 malformed), DD_EUNAVAIL (card lost). */
int dd_emrtd_chip_auth(struct dd_emrtd *e, const unsigned char *dg14, size_t n,
                       const unsigned char *com, size_t com_len, struct dd_ca_result *r);

#endif
