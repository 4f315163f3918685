/*
 * card_api.h — the `card` module: the HTTP API that kiosks and counters call with what they read
 * from a chip ID card (the QR text, or EF.SOD and the data groups from the chip), to get the
 * card checked and matched against the population register.
 */
#ifndef DD_CORE_CARD_API_CARD_API_H
#define DD_CORE_CARD_API_CARD_API_H

#include "http/route.h"

#include <stddef.h>

struct dd_config;

extern const struct dd_module dd_module_card;

/* Loads the CSCA trust store named by the setting card-csca (a folder of certificates or an
 * ICAO master list); with the setting empty there is none, and chain checks say so. Call once
 * before serving. Returns DD_OK, or the loader's error with err set. */
int dd_card_api_configure(const struct dd_config *cfg, char *err, size_t errlen);

/* Frees the trust store loaded by dd_card_api_configure. */
void dd_card_api_shutdown(void);

#endif
