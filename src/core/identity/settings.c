/*
 * settings.c — the identity module's settings, taken once at start from the server's
 * configuration: the unit of the login delays, the allowance of failures per network, whether
 * cookies are Secure, and the issuer name authenticator apps show.
 */
#include "base/config.h"
#include "base/str.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "crypto/password.h"

struct id_settings id_settings = {
    .delay_unit_ms = 1000,
    .network_free = 50,
    .tls = false,
    .totp_issuer = "dinhdanh",
};

void
dd_identity_configure(const struct dd_config *cfg)
{
    id_settings.delay_unit_ms = cfg->login_delay_ms;
    id_settings.network_free = cfg->login_network_failures;
    id_settings.tls = cfg->tls;
    dd_strlcpy(id_settings.totp_issuer, cfg->totp_issuer[0] ? cfg->totp_issuer : "dinhdanh",
               sizeof id_settings.totp_issuer);
    /* The first unknown login would otherwise pay for making the dummy hash. */
    dd_password_verify_dummy("warm-up");
}
