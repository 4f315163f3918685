/*
 * contain.c — containment from the console: POST /api/v1/soc/incidents/{id}/actions with
 * {"action": "lock-account", "account_id", "reason"}, {"action": "revoke-sessions",
 * "account_id", "reason"} or {"action": "suspend-consumer", "consumer", "reason"}.
 *
 * The account actions call the identity module (core/identity/identity.h). A gateway consumer
 * is suspended by the gateway itself: the SOC emits soc.contain.suspend_consumer (subject
 * "lgsp:<consumer>", payload {consumer, reason, incident, actor}), which the gateway's consumer
 * `lgsp` acts on, and never touches the gateway's tables. Each action, its timeline row and its
 * audit row commit together; 201 with the incident.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/identity/identity.h"
#include "core/soc/internal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_fields[] = {"action", "account_id", "consumer", "reason", NULL};

struct action_in {
    const char *action, *consumer, *reason;
    int64_t account_id;
};

/* A gateway consumer subsystem id: "VN/GOV/…/…", printable ASCII without spaces. */
static bool
consumer_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

static int
action_parse_or_reply(struct dd_req *req, struct action_in *in)
{
    json_t *ext = NULL;
    memset(in, 0, sizeof *in);
    in->action = soc_body_text(req, &ext, "action", true, 32);
    in->reason = soc_body_text(req, &ext, "reason", true, 500);
    bool account = in->action && (strcmp(in->action, "lock-account") == 0 ||
                                  strcmp(in->action, "revoke-sessions") == 0);
    bool consumer = in->action && strcmp(in->action, "suspend-consumer") == 0;
    if (in->action && !account && !consumer)
        ext = dd_problem_add_error(ext, req, "action", "action-invalid",
                                   "action là lock-account, revoke-sessions hoặc "
                                   "suspend-consumer.",
                                   "action is lock-account, revoke-sessions or suspend-consumer.");
    if (account)
        in->account_id = soc_body_id(req, &ext, "account_id", true);
    if (consumer) {
        in->consumer = soc_body_text(req, &ext, "consumer", true, 200);
        if (in->consumer && !consumer_valid(in->consumer)) {
            in->consumer = NULL;
            ext = dd_problem_add_error(ext, req, "consumer", "consumer-invalid",
                                       "Mã hệ thống thành phần của bên khai thác, ví dụ "
                                       "VN/GOV/000.00.00.G22/APP.",
                                       "The consumer subsystem id, e.g. "
                                       "VN/GOV/000.00.00.G22/APP.");
        }
    }
    return soc_body_done_or_reply(req, ext, action_fields);
}

static int
suspend_consumer(struct dd_db *db, const struct action_in *in, int64_t incident, const char *actor)
{
    char subject[220], inc[24];
    snprintf(subject, sizeof subject, "lgsp:%s", in->consumer);
    snprintf(inc, sizeof inc, "%lld", (long long)incident);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "consumer", in->consumer, "reason", in->reason,
                          "incident", inc, "actor", actor);
    char *text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p);
    int rc = dd_event_emit(db, "soc.contain.suspend_consumer", subject, text);
    free(text);
    return rc;
}

int
soc_incident_action(struct dd_req *req)
{
    int64_t id;
    struct action_in in;
    if (soc_path_id_or_reply(req, &id) != 0 || action_parse_or_reply(req, &in) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    const char *actor = soc_actor(req);
    json_t *out;
    int rc = soc_incident_json(db, req->arena, id, false, &out);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    json_decref(out);
    rc = dd_db_begin(db);
    if (rc == DD_OK && strcmp(in.action, "lock-account") == 0)
        rc = dd_identity_contain_lock(db, in.account_id, in.reason, actor);
    else if (rc == DD_OK && strcmp(in.action, "revoke-sessions") == 0)
        rc = dd_identity_contain_revoke(db, in.account_id, actor);
    else if (rc == DD_OK)
        rc = suspend_consumer(db, &in, id, actor);
    json_t *target = in.consumer ? json_pack("{s:s}", "consumer", in.consumer)
                                 : json_pack("{s:I}", "account_id", (json_int_t)in.account_id);
    json_object_set_new(target, "action", json_string(in.action));
    json_object_set_new(target, "reason", json_string(in.reason));
    if (rc == DD_OK)
        rc = soc_timeline_add(db, id, now, actor, "action", in.action, json_deep_copy(target));
    if (rc == DD_OK)
        rc = soc_audit(db, req,
                       dd_arena_printf(req->arena, "soc.contain.%s",
                                       strcmp(in.action, "lock-account") == 0 ? "lock_account"
                                       : strcmp(in.action, "revoke-sessions") == 0
                                           ? "revoke_sessions"
                                           : "suspend_consumer"),
                       id, json_incref(target));
    json_decref(target);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc == DD_ENOTFOUND && in.account_id && dd_db_in_transaction(db)) {
        dd_db_rollback(db);
        json_t *ext = dd_problem_add_error(NULL, req, "account_id", "account-unknown",
                                           "Không có tài khoản này.", "No such account.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       "Tài khoản đã bị vô hiệu hoá hoặc chưa xác nhận.",
                                       "The account is disabled or was never confirmed.", NULL);
    }
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    if (in.account_id)
        dd_identity_forget_account(in.account_id);
    rc = soc_incident_json(db, req->arena, id, true, &out);
    return rc != DD_OK ? soc_fail(req, db, rc) : dd_reply_json(req, 201, out);
}
