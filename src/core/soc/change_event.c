/*
 * change_event.c — configuration and key changes as security events: a signing key made or
 * rotated (single sign-on, a wallet issuer, the gateway's log), the detection rules reloaded or
 * refused. Modules that write their change to the database emit the event in the change's own
 * transaction; changes kept in files (keys on disk, the rules file) emit it right after, in a
 * transaction of their own. The SOC reads them as config.* and keys.* (normalise.c).
 */
#include "base/err.h"
#include "base/log.h"
#include "core/events.h"
#include "core/soc/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>

int
dd_soc_change_event(struct dd_db *db, const char *type, const char *subject, const char *actor,
                    json_t *detail)
{
    json_t *p = json_is_object(detail) ? detail : json_object();
    if (p != detail)
        json_decref(detail);
    json_object_set_new(p, "actor", json_string(actor ? actor : ""));
    char *text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p);
    int rc = text ? dd_event_emit(db, type, subject, text) : DD_EINTERNAL;
    free(text);
    return rc;
}

int
dd_soc_change_event_tx(struct dd_db *db, const char *type, const char *subject, const char *actor,
                       json_t *detail)
{
    int rc = db ? dd_db_begin(db) : DD_EUNAVAIL;
    if (rc != DD_OK) {
        json_decref(detail);
    } else {
        rc = dd_soc_change_event(db, type, subject, actor, detail);
        rc = rc == DD_OK ? dd_db_commit(db) : rc;
        if (rc != DD_OK && dd_db_in_transaction(db))
            dd_db_rollback(db);
    }
    if (rc != DD_OK)
        dd_log(DD_LOG_WARN, "soc.change_not_recorded", "%s of %s not recorded as an event (%d)",
               type, subject ? subject : "-", rc);
    return rc;
}

void
dd_soc_reload_event(struct dd_db *db, const char *actor, int rc, const char *err)
{
    struct soc_ruleset *rs = rc == DD_OK ? soc_rules_get() : NULL;
    json_t *detail = rs ? json_pack("{s:s, s:I, s:s}", "what", "soc-rules", "rules",
                                    (json_int_t)rs->count, "loaded_at", rs->loaded_at)
                        : json_pack("{s:s, s:s}", "what", "soc-rules", "reason", err ? err : "");
    soc_rules_put(rs);
    dd_soc_change_event_tx(db, rc == DD_OK ? "config.changed" : "config.refused", "soc-rules",
                           actor, detail);
}
