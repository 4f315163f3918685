/*
 * reply.c — the end of a change: its reply is built inside the change's transaction and stored
 * with it under the request's Idempotency-Key (core/idempotency/), then the transaction commits
 * and the reply is sent. A retry with the same key gets the same reply, and nothing twice.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/consent/api.h"
#include "core/idempotency/idempotency.h"
#include "http/req.h"

#include <string.h>

int
cs_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem, unsigned status,
                json_t *body, const char *location)
{
    return dd_idem_commit_json(req, db, idem, status, body, location, cs_fail);
}
