/*
 * actions.c — the work on a dossier, one transaction per action:
 *   POST /api/v1/dossiers/{code}/actions        an officer: accept, ask-more, refuse, advance,
 *                                               approve (body {"action", "note"})
 *   POST /api/v1/me/dossiers/{code}/ratings     the applicant rates a finished dossier (1-5)
 *
 * The states: awaiting-payment → submitted (paid, payments.c) → received (accept: the
 * workflow's first step is done) → processing (advance, one step at a time) → approved (approve,
 * at the last step) ; submitted → more-info (ask-more) → submitted (supplement: supplements.c) ;
 * submitted,
 * received or processing → refused (refuse). Asking for more and refusing need a reason. The
 * officer must hold the role of the current step (admins may act on any) and see the dossier's
 * area; a bundle itself is not acted on, its parts are (a part refused refuses its bundle, the
 * last part approved approves it: effects.c). Each action is logged and tells the
 * applicant (the dossier.changed event, which the inbox turns into a message).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/idempotency/idempotency.h"
#include "core/services/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static int
rule(struct dd_req *req, struct dd_db *db, const char *vi, const char *en)
{
    if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED, vi, en, NULL);
    return -1;
}

static bool
is(const struct svc_dossier *d, const char *status)
{
    return strcmp(d->status, status) == 0;
}

/* Reads {"action", "note"}; the note is required for ask-more and refuse. */
static int
action_parse_or_reply(struct dd_req *req, const char **action, const char **note)
{
    static const char *const actions[] = {"accept",  "ask-more", "refuse",
                                          "advance", "approve",  NULL};
    json_t *ext = NULL;
    const json_t *b = json_is_object(req->json) ? req->json : NULL;
    *action = json_string_value(json_object_get(b, "action"));
    *note = json_string_value(json_object_get(b, "note"));
    bool known = false;
    for (int i = 0; *action && actions[i]; i++)
        known = known || strcmp(*action, actions[i]) == 0;
    if (!known)
        ext = dd_problem_add_error(ext, req, "action", "invalid",
                                   "action là accept, ask-more, refuse, advance hoặc approve.",
                                   "action is accept, ask-more, refuse, advance or approve.");
    if (json_object_get(b, "note") &&
        (*note == NULL || strlen(*note) > 1000 || dd_str_has_control(*note)))
        ext = dd_problem_add_error(ext, req, "note", "invalid", "Ghi chú không hợp lệ.",
                                   "Invalid note.");
    else if (known && (*note == NULL || (*note)[0] == '\0') &&
             (strcmp(*action, "ask-more") == 0 || strcmp(*action, "refuse") == 0))
        ext = dd_problem_add_error(ext, req, "note", "required",
                                   "Cần nêu lý do hoặc điều cần bổ sung.",
                                   "Give the reason or what is missing.");
    if (ext == NULL)
        return 0;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return -1;
}

static int
officer_dossier_or_reply(struct dd_req *req, struct dd_db *db, struct svc_dossier *d,
                         const struct svc_procedure **p)
{
    if (svc_officer_dossier_or_reply(req, db, d) != 0)
        return -1;
    *p = svc_procedure_find(d->procedure_code);
    if (*p == NULL || (*p)->nparts > 0)
        return rule(req, NULL, "Hồ sơ liên thông được xử lý qua từng phần của nó.",
                    "A bundle is processed through its parts.");
    const char *role = (*p)->steps[d->step < (*p)->nsteps ? d->step : (*p)->nsteps - 1].role;
    if (strcmp(req->who->role, "admin") != 0 && strcmp(req->who->role, role) != 0) {
        dd_reply_problem_detail(req, DD_PROBLEM_FORBIDDEN,
                                "Bước này do cán bộ có vai trò khác xử lý.",
                                "Another role handles this step.", NULL);
        return -1;
    }
    return 0;
}

/* Moves d for `action` in memory; -1 with a reply when the state does not allow it. */
static int
apply_action(struct dd_req *req, struct svc_dossier *d, const struct svc_procedure *p,
             const char *action, const char *note)
{
    bool open = is(d, "submitted") || is(d, "received") || is(d, "processing");
    if (strcmp(action, "accept") == 0 && is(d, "submitted")) {
        d->status = "received";
        d->step = p->nsteps > 1 ? 1 : 0;
    } else if (strcmp(action, "ask-more") == 0 && is(d, "submitted")) {
        d->status = "more-info";
        d->reason = note;
    } else if (strcmp(action, "refuse") == 0 && open) {
        d->status = "refused";
        d->reason = note;
    } else if (strcmp(action, "advance") == 0 && (is(d, "received") || is(d, "processing")) &&
               d->step < p->nsteps - 1) {
        d->status = "processing";
        d->step++;
    } else if (strcmp(action, "approve") == 0 && (is(d, "received") || is(d, "processing")) &&
               d->step == p->nsteps - 1) {
        d->status = "approved";
    } else {
        return rule(req, NULL,
                    dd_arena_printf(req->arena, "Không thể %s hồ sơ ở trạng thái %s, bước %d.",
                                    action, d->status, d->step),
                    dd_arena_printf(req->arena, "Cannot %s a dossier in status %s at step %d.",
                                    action, d->status, d->step));
    }
    return 0;
}

static void
decide(struct svc_dossier *d, int64_t now)
{
    d->decided_at = now;
    int64_t due = svc_day_parse(d->due_day);
    d->on_time = due >= 0 && svc_today(now) <= due ? 1 : 0;
}

/* A part refused refuses its bundle with the same reason (the bundle cannot complete). */
static int
refuse_bundle(struct dd_req *req, struct dd_db *db, const struct svc_dossier *part, int64_t now)
{
    struct svc_dossier b;
    int rc = svc_dossier_load(db, req->arena, NULL, part->bundle_id, &b);
    if (rc != DD_OK || is(&b, "refused") || is(&b, "approved"))
        return rc;
    b.status = "refused";
    b.reason = part->reason;
    decide(&b, now);
    rc = svc_dossier_update(db, &b, now);
    if (rc == DD_OK)
        rc = svc_dossier_log(db, req->arena, &b, svc_actor(req), "refuse",
                             dd_arena_printf(req->arena, "%s: %s", part->code, part->reason), now);
    return rc;
}

static int
action_run(struct dd_req *req, struct dd_idem *idem)
{
    const char *action, *note;
    if (action_parse_or_reply(req, &action, &note) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_dossier d;
    const struct svc_procedure *p;
    if (officer_dossier_or_reply(req, db, &d, &p) != 0 ||
        apply_action(req, &d, p, action, note) != 0)
        return DD_DONE;
    int64_t now = dd_clock_now_ms();
    if (is(&d, "approved") || is(&d, "refused"))
        decide(&d, now);
    int rc = dd_db_begin(db);
    if (rc == DD_OK && is(&d, "approved")) {
        rc = svc_approve_effects(req, db, &d, now);
        if (rc == -1)
            return DD_DONE;
    }
    if (rc == DD_OK && is(&d, "refused") && d.bundle_id)
        rc = refuse_bundle(req, db, &d, now);
    if (rc == DD_OK)
        rc = svc_dossier_update(db, &d, now);
    if (rc == DD_OK)
        rc = svc_dossier_log(db, req->arena, &d, svc_actor(req), action, note, now);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return dd_idem_commit_json(req, db, idem, 200, svc_dossier_json(db, req->arena, &d, true, now),
                               NULL, svc_fail);
}

int
svc_actions_create(struct dd_req *req)
{
    return dd_idem_run(req, action_run);
}

/* POST /api/v1/me/dossiers/{code}/ratings — {"score": 1-5, "comment"}: once, on an approved or
 * refused dossier. */
int
svc_me_ratings_create(struct dd_req *req)
{
    const json_t *b = json_is_object(req->json) ? req->json : NULL;
    const json_t *score = json_object_get(b, "score");
    const char *comment = json_string_value(json_object_get(b, "comment"));
    json_t *ext = NULL;
    if (!json_is_integer(score) || json_integer_value(score) < 1 || json_integer_value(score) > 5)
        ext = dd_problem_add_error(ext, req, "score", "invalid", "Điểm từ 1 đến 5.",
                                   "A score from 1 to 5.");
    if (json_object_get(b, "comment") &&
        (comment == NULL || strlen(comment) > 1000 || dd_str_has_control(comment)))
        ext = dd_problem_add_error(ext, req, "comment", "invalid", "Nhận xét không hợp lệ.",
                                   "Invalid comment.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_dossier d;
    if (svc_own_dossier_or_reply(req, db, &d) != 0)
        return DD_DONE;
    if (!is(&d, "approved") && !is(&d, "refused"))
        return rule(req, NULL, "Chỉ đánh giá hồ sơ đã có kết quả.",
                    "Only a decided dossier can be rated."),
               DD_DONE;
    if (d.rating)
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, "Hồ sơ này đã được đánh giá.",
                                       "This dossier is already rated.", NULL);
    int64_t now = dd_clock_now_ms();
    d.rating = (int)json_integer_value(score);
    d.rating_comment = comment ? comment : "";
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = svc_dossier_update(db, &d, now);
    if (rc == DD_OK)
        rc = svc_dossier_log(db, req->arena, &d, svc_actor(req), "rate", NULL, now);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return dd_reply_json(req, 201, svc_dossier_json(db, req->arena, &d, false, now));
}
