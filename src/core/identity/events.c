/*
 * events.c — the identity module's domain events (core/events.h): auth.succeeded,
 * auth.failed, account.created, account.locked, account.unlocked, account.suspended,
 * account.reinstated, account.level_changed. Their subject is "account:ID"; payloads carry
 * no secret and no typed login, only what the security operations centre and the dashboards
 * count by.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/events.h"
#include "core/identity/internal.h"

#include <stdio.h>
#include <stdlib.h>

int
id_event(struct dd_db *db, const char *type, int64_t account_id, json_t *payload)
{
    char subject[40] = "";
    if (account_id > 0)
        snprintf(subject, sizeof subject, "account:%lld", (long long)account_id);
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (text == NULL)
        return DD_EINTERNAL;
    int rc = dd_event_emit(db, type, subject[0] ? subject : NULL, text);
    free(text);
    return rc;
}
