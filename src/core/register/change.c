/*
 * change.c — the four writes of every change to a person, in the caller's transaction: the
 * `people` row (version + 1), the history entry, the access-log row of the officer who made it,
 * and the domain event. Either all four are committed or none is. The event carries the
 * person's figures before and after (event_dims.c); a change with no event type of its own that
 * moves the person between figures' cells is emitted as person.changed.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/access_log.h"
#include "core/events.h"
#include "core/register/api.h"
#include "http/req.h"

int
reg_change_write(struct dd_req *req, struct dd_db *db, const struct dd_reg_person *before,
                 const struct dd_person *after, int64_t household_id, const struct dd_reg_change *c,
                 const char *event_type, const char *event_payload, int64_t *new_version)
{
    int rc = dd_reg_person_update(db, req->arena, before, after, household_id, c, new_version);
    if (rc != DD_OK || *new_version == before->version)
        return rc;
    rc = dd_access_log_write(db, req, before->p.id_number, "change", "person",
                             reg_change_purpose(req, c->reason));
    if (rc == DD_OK && event_type == NULL && reg_dims_differ(&before->p, after)) {
        event_type = "person.changed";
        event_payload = dd_arena_printf(req->arena, "{\"id_number\":\"%s\"}", before->p.id_number);
    }
    if (rc == DD_OK && event_type)
        rc = dd_event_emit(db, event_type,
                           dd_arena_printf(req->arena, "person:%s", before->p.id_number),
                           reg_payload_with_dims(req->arena, event_payload, &before->p, after));
    return rc;
}
