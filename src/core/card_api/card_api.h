/*
 * card_api.h — the `card` module: the HTTP API that kiosks and counters call with what they read
 * from a chip ID card (the QR text, or EF.SOD and the data groups from the chip), to get the
 * card checked and matched against the population register.
 */
#ifndef DD_CORE_CARD_API_CARD_API_H
#define DD_CORE_CARD_API_CARD_API_H

#include "http/route.h"

#include <stdbool.h>
#include <stddef.h>

struct dd_config;
struct dd_req;
struct dd_mrz;
struct dd_pa_report;

extern const struct dd_module dd_module_card;

/* Loads the CSCA trust store named by the setting card-csca (a folder of certificates or an
 * ICAO master list); with the setting empty there is none, and chain checks say so. Call once
 * before serving. Returns DD_OK, or the loader's error with err set. */
int dd_card_api_configure(const struct dd_config *cfg, char *err, size_t errlen);

/* What passive authentication found in a chip's files (all in the request's arena). */
struct dd_card_chip {
    struct dd_pa_report *report; /* every check's result; report->ok when all passed */
    struct dd_mrz *mrz;          /* DG1's MRZ, parsed when have_mrz */
    bool have_mrz;
    bool failed; /* the hashes, the signature or the chain failed: a clone or a tampered card */
};

/* Reads a chip body of req->json — {"sod": base64, "dg": {"1": base64, …}} — and runs passive
 * authentication against the server's trust store. A failed check (out->failed) has already
 * emitted the security event card.verification_failed naming `actor` (the place: "officer:12",
 * "kiosk:3"). Returns 0 with *out filled, or -1 after replying: 400 validation-failed for a bad
 * body, 422 card-sod-invalid for an EF.SOD that does not parse, 5xx for the store. */
int dd_card_chip_check_or_reply(struct dd_req *req, const char *actor, struct dd_card_chip *out);

/* Frees the trust store loaded by dd_card_api_configure. */
void dd_card_api_shutdown(void);

#endif
