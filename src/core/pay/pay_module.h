/*
 * pay_module.h — the payments module as the server sees it: its route table and its settings.
 * Other modules use pay.h (intents) and vietqr.h; this header is for cmd/.
 */
#ifndef DD_CORE_PAY_PAY_MODULE_H
#define DD_CORE_PAY_PAY_MODULE_H

#include "http/route.h"

struct dd_config;

extern const struct dd_module dd_module_payments;

/* Takes the pay-* settings (and the public base URL: issuer, or http(s)://listen). Call once at
 * start, before serving. */
void dd_pay_configure(const struct dd_config *cfg);

#endif
