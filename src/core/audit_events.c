/*
 * audit_events.c — an event consumer that writes each event into the audit log, in the
 * delivery transaction, so every event is audited exactly once.
 */
#include "core/audit.h"
#include "base/err.h"
#include "core/events.h"

#include <stdio.h>

_Static_assert(DD_EVENT_MAX_TYPE + sizeof "event." - 1 <= DD_AUDIT_MAX_ACTION, "action fits");
_Static_assert(DD_EVENT_MAX_SUBJECT <= DD_AUDIT_MAX_OBJECT, "subject fits the object");
_Static_assert(DD_EVENT_MAX_PAYLOAD <= DD_AUDIT_MAX_DETAIL, "payload fits the detail");

int
dd_audit_event_consumer(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)arg;
    char action[DD_EVENT_MAX_TYPE + sizeof "event."];
    snprintf(action, sizeof action, "event.%s", ev->type);
    const struct dd_audit_entry e = {
        .actor = "system",
        .action = action,
        .object = ev->subject,
        .detail = ev->payload,
        .request_id = NULL,
    };
    return dd_audit_append(db, &e);
}
