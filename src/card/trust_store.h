/*
 * trust_store.h — what passive authentication (pa.c) reads from a CSCA trust store (trust.c),
 * and the OpenSSL error text both use; inside src/card/ only, so pa.h stays free of OpenSSL
 * types.
 */
#ifndef DD_CARD_TRUST_STORE_H
#define DD_CARD_TRUST_STORE_H

#include <openssl/x509_vfy.h>

struct dd_pa_trust;

/* The store of CSCA certificates and CRLs; owned by t. */
X509_STORE *dd_pa_trust_store(const struct dd_pa_trust *t);

/* The number of CRLs added: when positive, chains are checked for revocation. */
int dd_pa_trust_crls(const struct dd_pa_trust *t);

/* OpenSSL's reasons as text: the last error, and the first (the cause) when they differ, e.g.
 * "verification failure (last octet invalid)"; `fallback` without any. Clears the error queue. */
void dd_card_ssl_error(char *out, size_t cap, const char *fallback);

#endif
