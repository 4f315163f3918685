/*
 * modules.c — the one list of every module of the platform. cmd/ is the only place that knows
 * them all; a new module is one line here.
 */
#include "cmd/cmd.h"
#include "core/security_reports.h"
#include "http/system.h"

const struct dd_module *const dd_modules[] = {
    &dd_module_system,
    &dd_module_security,
    NULL,
};

size_t
dd_modules_count(void)
{
    size_t n = 0;
    while (dd_modules[n])
        n++;
    return n;
}
