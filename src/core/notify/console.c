/* console.c — the console adapter: a notice becomes one log line, for development. */
#include "base/err.h"
#include "base/log.h"
#include "core/notify/adapters.h"

int
dd_notify_console(const struct dd_notice *n)
{
    char masked[260];
    dd_log_mask(n->recipient, masked, sizeof masked);
    dd_log(DD_LOG_INFO, "notify.console", "%s to %s%s%s: %s%s%s",
           n->channel == DD_NOTIFY_SMS ? "sms" : "email", masked, n->purpose ? " for " : "",
           n->purpose ? n->purpose : "", n->channel == DD_NOTIFY_EMAIL ? n->subject : "",
           n->channel == DD_NOTIFY_EMAIL ? " — " : "", n->body);
    return DD_OK;
}
