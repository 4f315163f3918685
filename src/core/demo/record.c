/*
 * record.c — the demo's trace in the platform's own records: one `register.demo_created` event
 * telling what was made (province, seed, the date it is as of, and the counts of the summary)
 * and one audit row telling who made it, both in the demo's transaction, so that they exist
 * exactly when the demo's people do. The thousands of people it writes get no event each: the
 * demo is one act, as an import is.
 */
#include "base/buf.h"
#include "base/err.h"
#include "core/audit.h"
#include "core/demo/internal.h"
#include "core/events.h"

#include <inttypes.h>
#include <stdio.h>

int
dd_demo_record(struct dd_db *db, const struct dd_demo_world *w, const struct dd_demo_options *o,
               const struct dd_demo_summary *sum)
{
    char storage[1024];
    struct dd_buf b;
    dd_buf_init_fixed(&b, storage, sizeof storage);
    dd_buf_puts(&b, "{\"province\":\"");
    dd_buf_json_escape(&b, w->province);
    dd_buf_printf(&b,
                  "\",\"seed\":%" PRIu64 ",\"as_of\":\"%.10s\",\"people\":%ld,\"dead\":%ld,"
                  "\"households\":%ld,\"temporary\":%ld,\"absent\":%ld,\"moved\":%ld,"
                  "\"history\":%ld,\"residences\":%ld}",
                  o->seed, o->today, sum->people, sum->dead, sum->households, sum->temporary,
                  sum->absent, sum->moved, sum->history, sum->residences);
    char object[16];
    snprintf(object, sizeof object, "province:%.2s", w->province);
    int rc = dd_event_emit(db, "register.demo_created", object, b.data);
    struct dd_audit_entry e = {
        .actor = o->audit_actor ? o->audit_actor : "demo",
        .action = "register.demo",
        .object = object,
        .detail = b.data,
    };
    if (rc == DD_OK)
        rc = dd_audit_append(db, &e);
    return rc;
}
