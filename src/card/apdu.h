/*
 * apdu.h — the transport a chip reader talks through: send one command APDU, get the response
 * APDU. PC/SC readers, a software card in the tests and a remote reader all fit behind it; the
 * ICAO reader (BAC/PACE, secure messaging from sm.h, reading files) is written against this
 * interface only. Declared here so the parts that need no reader (MRZ, QR, passive
 * authentication, the SM primitives) and the reader share one shape.
 */
#ifndef DD_CARD_APDU_H
#define DD_CARD_APDU_H

#include <stddef.h>

struct dd_apdu_transport {
    /* Sends apdu[0..n) and writes the response (data and SW1 SW2) to resp[0..cap), setting
     * *resp_len. Returns DD_OK; DD_EUNAVAIL when the card was removed or the reader failed;
     * DD_ETOOBIG when cap is too small. Never blocks longer than the transport's own timeout. */
    int (*transmit)(void *ctx, const unsigned char *apdu, size_t n, unsigned char *resp, size_t cap,
                    size_t *resp_len);
    /* The largest command and response data the reader allows (256 for short APDUs only,
     * up to 65536 with extended length). */
    size_t max_command, max_response;
    void *ctx;
};

#endif
