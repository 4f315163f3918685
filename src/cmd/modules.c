/*
 * modules.c — the one list of every module of the platform. cmd/ is the only place that knows
 * them all; a new module is one line here.
 */
#include "cmd/cmd.h"
#include "core/card_api/card_api.h"
#include "core/consent/consent.h"
#include "core/identity/identity.h"
#include "core/inbox/inbox.h"
#include "core/insight/insight.h"
#include "core/identity/orgs.h"
#include "core/pay/pay_module.h"
#include "core/register/register.h"
#include "core/security_reports.h"
#include "core/services/services.h"
#include "core/soc/soc.h"
#include "core/stays/stays.h"
#include "core/units/api.h"
#include "core/wallet/wallet.h"
#include "http/system.h"
#include "lgsp/lgsp.h"
#include "sso/sso.h"

/* One module a line. */
// clang-format off
const struct dd_module *const dd_modules[] = {
    &dd_module_system,
    &dd_module_security,
    &dd_module_register,
    &dd_module_units,
    &dd_module_consent,
    &dd_module_identity,
    &dd_module_organisations,
    &dd_module_sso,
    &dd_module_card,
    &dd_module_inbox,
    &dd_module_stays,
    &dd_module_payments,
    &dd_module_wallet,
    &dd_module_services,
    &dd_module_lgsp,
    &dd_module_insight,
    &dd_module_soc,
    NULL,
};
// clang-format on

size_t
dd_modules_count(void)
{
    size_t n = 0;
    while (dd_modules[n])
        n++;
    return n;
}

const char *const *
dd_event_consumers(void)
{
    static const char *names[sizeof dd_modules / sizeof dd_modules[0] + 1];
    if (names[0] == NULL) {
        size_t n = 0;
        names[n++] = "audit";
        for (size_t i = 0; dd_modules[i]; i++)
            if (dd_modules[i]->on_event)
                names[n++] = dd_modules[i]->name;
    }
    return names;
}
