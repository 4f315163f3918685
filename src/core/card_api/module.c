/*
 * module.c — the `card` module: its routes and its CSCA trust store.
 *
 * Officers with the scope register:read call the routes, with a purpose (X-Purpose), as they
 * read a person from the register. The trust store is loaded once when the server starts
 * (setting card-csca) and only read afterwards, so the handlers share it without a lock.
 */
#include "base/config.h"
#include "base/err.h"
#include "card/pa.h"
#include "core/card_api/card_api.h"
#include "core/card_api/internal.h"

#include <stdio.h>

#define QR_BODY (16 * 1024)

static struct dd_pa_trust *trust;

static const struct dd_route card_routes[] = {
    DD_ROUTE_BODY("POST", "/api/v1/card/qr", card_qr_post, DD_AUTH_OFFICER, "register:read",
                  DD_BODY_JSON, QR_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/card/chip", card_chip_post, DD_AUTH_OFFICER, "register:read",
                  DD_BODY_JSON, CARD_MAX_BODY, NULL),
    DD_ROUTES_END,
};

const struct dd_module dd_module_card = {
    .name = "card",
    .routes = card_routes,
    .on_event = NULL,
};

int
dd_card_api_configure(const struct dd_config *cfg, char *err, size_t errlen)
{
    dd_card_api_shutdown();
    if (cfg->card_csca[0] == '\0')
        return DD_OK;
    char why[256] = "";
    int rc = dd_pa_trust_load(cfg->card_csca, &trust, why, sizeof why);
    if (rc != DD_OK) {
        trust = NULL;
        snprintf(err, errlen, "card-csca %s: %s", cfg->card_csca,
                 why[0] ? why : "no CSCA certificate found");
    }
    return rc;
}

void
dd_card_api_shutdown(void)
{
    dd_pa_trust_free(trust);
    trust = NULL;
}

const struct dd_pa_trust *
card_trust(void)
{
    return trust;
}
