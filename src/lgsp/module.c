/*
 * module.c — the gateway's start and stop: the signing key and log writer, the forwarder's I/O
 * thread, and its counters in /metrics. Its routes and event consumer are in admin.c.
 */
#include "base/config.h"
#include "base/err.h"
#include "core/soc/soc.h"
#include "http/metrics.h"
#include "lgsp/internal.h"
#include "lgsp/lgsp.h"
#include "store/store.h"

#include <stdio.h>
#include <unistd.h>

int
dd_lgsp_start(const struct dd_config *cfg, char *err, size_t errlen)
{
    char key[600];
    snprintf(key, sizeof key, "%s/lgsp-signing.key", cfg->data_dir);
    bool made = access(key, F_OK) != 0;
    int rc = lgsp_log_start(cfg->data_dir, err, errlen);
    if (rc != DD_OK)
        return rc;
    if (made) /* a new log signing key: a security event (core/soc) */
        dd_soc_change_event_tx(dd_db_pool_get(), "keys.created", "lgsp-log-key", "system",
                               json_pack("{s:s}", "kind", "lgsp-log-signing"));
    if (lgsp_forward_start() != 0) {
        snprintf(err, errlen, "the gateway's forwarder cannot start");
        lgsp_log_stop();
        return DD_EIO;
    }
    dd_metrics_set_extra(lgsp_stats_render);
    return DD_OK;
}

void
dd_lgsp_stop(void)
{
    lgsp_forward_stop();
    lgsp_log_stop();
}
