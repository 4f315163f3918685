/*
 * household_heads.c — POST /api/v1/households/{number}/head-changes: another member becomes the
 * head of the household (Luật Cư trú 2020, art. 10 and 26: the household agrees on a new head,
 * for instance when the head has died or is declared missing).
 *
 * The new head must be a member and alive. Relations to the head are statements about the new
 * head, so the register does not guess them: the new head's becomes "Chủ hộ", the former head's
 * is the body's `former_head_relation` (required while the former head is a member), each member
 * listed in `members` takes the relation given there, and every other member keeps theirs. Each
 * person whose relation changes gets a history entry of kind "household" and an access-log row;
 * the household's head, those entries and one `household.changed` event
 * ({action: "head-change", household, former_head, new_head, members}) are one transaction, with
 * the reply stored under the request's Idempotency-Key.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/idempotency/idempotency.h"
#include "core/register/api.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_RELATION_BYTES 200

static const char *const head_fields[] = {
    "new_head", "former_head_relation", "members", "reason", "legal_basis", "dossier", NULL,
};

struct head_change {
    struct dd_reg_household h;
    const char *new_head;
    const char *former_head;     /* "" when the household has no head among its members */
    const char *former_relation; /* the former head's relation to the new head */
    struct reg_member *members;  /* the other members whose relation is restated */
    int n;
    struct dd_reg_change change;
};

/* Whether person `id` is a member of household `h`, in *member; their status in *status. */
static int
membership(struct dd_db *db, struct dd_arena *a, const struct dd_reg_household *h, const char *id,
           bool *member, const char **status)
{
    struct dd_reg_person p;
    int rc = dd_reg_person_load(db, a, id, &p);
    *member = rc == DD_OK && p.household_id == h->id;
    *status = rc == DD_OK ? p.p.status : "";
    return rc == DD_ENOTFOUND ? DD_OK : rc;
}

/* The checks on who is named, added to the form's errors. */
static void
check_people(struct reg_form *f, struct dd_db *db, struct head_change *hc)
{
    bool member;
    const char *status;
    int rc = membership(db, f->req->arena, &hc->h, hc->h.head_id, &member, &status);
    hc->former_head = rc == DD_OK && hc->h.head_id[0] && member ? hc->h.head_id : "";
    if (rc == DD_OK)
        rc = membership(db, f->req->arena, &hc->h, hc->new_head, &member, &status);
    if (rc != DD_OK) {
        f->db = db;
        f->failure = rc;
        return;
    }
    if (strcmp(hc->new_head, hc->h.head_id) == 0)
        reg_form_error(f, "new_head", "same-head", "Người này đã là chủ hộ.",
                       "This person is already the head.");
    else if (!member)
        reg_form_error(f, "new_head", "not-a-member", "Người này không thuộc hộ.",
                       "This person is not in the household.");
    if (hc->former_head[0] && hc->former_relation == NULL)
        reg_form_error(f, "former_head_relation", "required",
                       "Cần quan hệ của chủ hộ cũ với chủ hộ mới.",
                       "The former head's relation to the new head is needed.");
    else if (!hc->former_head[0] && hc->former_relation)
        reg_form_error(f, "former_head_relation", "former-head-none",
                       "Hộ không có chủ hộ cũ là thành viên.",
                       "The household has no former head among its members.");
    for (int i = 0; i < hc->n; i++) {
        const char *id = hc->members[i].id_number;
        if (id && (strcmp(id, hc->new_head) == 0 || strcmp(id, hc->former_head) == 0))
            reg_form_error(f, dd_arena_printf(f->req->arena, "members[%d]", i), "member-is-head",
                           "Quan hệ của chủ hộ mới và cũ nêu ở new_head và "
                           "former_head_relation.",
                           "The relations of the new and former heads go in new_head and "
                           "former_head_relation.");
    }
    reg_members_check(f, db, &hc->h, hc->members, hc->n);
}

static int
parse_or_reply(struct dd_req *req, struct dd_db *db, struct head_change *hc)
{
    struct reg_form f;
    reg_form_init(&f, req, head_fields);
    hc->new_head = reg_form_string(&f, "new_head", true, 12);
    hc->former_relation = reg_form_string(&f, "former_head_relation", false, MAX_RELATION_BYTES);
    reg_form_change(&f, &hc->change);
    hc->n = reg_members_read(&f, &hc->members, false);
    if (f.ext == NULL)
        check_people(&f, db, hc);
    return reg_form_done_or_reply(&f);
}

/* The new head must be alive: 422 head-not-alive otherwise. */
static int
alive_or_reply(struct dd_req *req, struct dd_db *db, const struct head_change *hc)
{
    bool member;
    const char *status;
    int rc = membership(db, req->arena, &hc->h, hc->new_head, &member, &status);
    if (rc == DD_OK && strcmp(status, "alive") == 0)
        return 0;
    if (rc != DD_OK)
        reg_fail(req, db, rc);
    else
        reg_problem_reply(req, REG_PROBLEM_HEAD_NOT_ALIVE);
    return -1;
}

static int
set_head(struct dd_db *db, const struct head_change *hc)
{
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(db, "UPDATE households SET head_id = ? WHERE id = ? AND head_id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hc->new_head);
    dd_stmt_bind_int64(st, 2, hc->h.id);
    dd_stmt_bind_text(st, 3, hc->h.head_id);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return changed == 1 ? DD_OK : DD_ECONFLICT;
}

/* Sets a member's relation to the head; their ID number goes into `changed` when it changed.
 * DD_ECONFLICT if they left the household meanwhile, or (`must_live`) are no longer alive. */
static int
set_relation(struct dd_req *req, struct dd_db *db, struct head_change *hc, const char *id,
             const char *relation, bool must_live, json_t *changed)
{
    struct dd_reg_person before;
    int rc = dd_reg_person_load(db, req->arena, id, &before);
    if (rc == DD_ENOTFOUND || (rc == DD_OK && before.household_id != hc->h.id) ||
        (rc == DD_OK && must_live && strcmp(before.p.status, "alive") != 0))
        return DD_ECONFLICT;
    if (rc != DD_OK)
        return rc;
    struct dd_person after = before.p;
    after.relation_to_head = relation;
    int64_t version;
    rc = reg_change_write(req, db, &before, &after, before.household_id, &hc->change, NULL, NULL,
                          &version);
    if (rc == DD_OK && version != before.version)
        json_array_append_new(changed, json_string(id));
    return rc;
}

/* Writes the change in a transaction left open for its reply. */
static int
head_write(struct dd_req *req, struct dd_db *db, struct head_change *hc)
{
    hc->change.kind = "household";
    hc->change.actor = dd_reg_actor(req->arena, req->who);
    hc->change.request_id = req->request_id;
    json_t *changed = json_array();
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = set_head(db, hc);
    if (rc == DD_OK)
        rc = set_relation(req, db, hc, hc->new_head, REG_HEAD_RELATION, true, changed);
    if (rc == DD_OK && hc->former_head[0])
        rc = set_relation(req, db, hc, hc->former_head, hc->former_relation, false, changed);
    for (int i = 0; rc == DD_OK && i < hc->n; i++)
        rc = set_relation(req, db, hc, hc->members[i].id_number, hc->members[i].relation, false,
                          changed);
    if (rc == DD_OK)
        rc =
            reg_household_changed(req, db, hc->h.number,
                                  json_pack("{s:s, s:s, s:s, s:s, s:O}", "action", "head-change",
                                            "household", hc->h.number, "former_head", hc->h.head_id,
                                            "new_head", hc->new_head, "members", changed));
    json_decref(changed);
    return rc;
}

static int
head_change_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct head_change *hc = dd_arena_zalloc(req->arena, sizeof *hc);
    if (reg_household_or_reply(req, db, dd_req_param(req, "number"), false, &hc->h) != DD_OK)
        return DD_DONE;
    if (parse_or_reply(req, db, hc) != 0 || alive_or_reply(req, db, hc) != 0)
        return DD_DONE;
    int rc = head_write(req, db, hc);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_household_commit_reply(req, db, idem, hc->h.number, 200, NULL);
}

/* POST /api/v1/households/{number}/head-changes — 200 with the household under its new head;
 * 400 listing every problem; 404 outside the caller's area (or a closed household); 409 if the
 * household or a member changed meanwhile; 422 head-not-alive. */
int
reg_head_changes_create(struct dd_req *req)
{
    return dd_idem_run(req, head_change_create);
}
