/*
 * people_moves.c — residence: POST /api/v1/people/{id}/moves registers a new permanent or
 * temporary residence (Luật Cư trú 2020), POST /api/v1/people/{id}/absences declares a temporary
 * absence.
 *
 * A move ends the running period of its kind and opens a new one. Moving the permanent residence
 * also moves the person's household membership: they join the household named in the body (which
 * must be at the new place), found a new one as its head, or leave theirs. A head may not leave a
 * household that still has members (split it first); a household left empty is closed. A move may
 * be registered by the officers of the person's area or of the destination, since registering a
 * newcomer is the destination's work. Both take an Idempotency-Key.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/idempotency/idempotency.h"
#include "core/register/api.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_ADDRESS_BYTES 300

static const char *const move_fields[] = {
    "kind",
    "province",
    "commune",
    "address",
    "from",
    "until",
    "household_number",
    "new_household_number",
    "relation_to_head",
    "reason",
    "legal_basis",
    "dossier",
    NULL,
};

static const char *const absence_fields[] = {
    "province", "commune", "address", "from", "until", "reason", "legal_basis", "dossier", NULL,
};

struct move {
    const char *kind;
    const char *province, *commune, *address;
    const char *from, *until;
    const char *household_number, *relation;
    struct dd_reg_household household; /* id 0: none named */
    const char *new_household;         /* a household to found, the person its head */
    struct dd_reg_change change;
};

static void
read_period(struct reg_form *f, struct move *m, bool place_required)
{
    reg_form_place(f, "province", "commune", place_required, &m->province, &m->commune);
    m->address = reg_form_string(f, "address", place_required, MAX_ADDRESS_BYTES);
    m->from = reg_form_date(f, "from", true, false);
    m->until = reg_form_date(f, "until", false, true);
    if (m->from && m->until && strcmp(m->until, m->from) <= 0)
        reg_form_error(f, "until", "date-order", "Ngày kết thúc phải sau ngày bắt đầu.",
                       "The end must come after the start.");
    reg_form_change(f, &m->change);
}

static void
read_household(struct reg_form *f, struct dd_db *db, struct move *m)
{
    m->household.id = 0;
    m->household_number = reg_form_string(f, "household_number", false, 32);
    m->new_household = reg_form_string(f, "new_household_number", false, 32);
    m->relation = reg_form_string(f, "relation_to_head", false, 200);
    bool permanent = m->kind && strcmp(m->kind, "permanent") == 0;
    if (m->new_household && (!permanent || m->household_number || m->relation))
        reg_form_error(f, "new_household_number", "new-household-alone",
                       "Lập hộ mới chỉ khi chuyển thường trú, không kèm số hộ hay quan hệ.",
                       "A new household goes with a permanent move only, without a household "
                       "number or relation.");
    else if (m->new_household && !reg_household_number_ok(m->new_household))
        reg_form_error(f, "new_household_number", "household-number-invalid",
                       "Số hộ gồm 1–32 chữ, số, '-', '.', '/'.",
                       "A household number is 1–32 letters, digits, '-', '.', '/'.");
    if (m->household_number == NULL) {
        if (m->relation)
            reg_form_error(f, "relation_to_head", "household-missing",
                           "Quan hệ với chủ hộ cần số hộ.",
                           "A relation to the head needs a household number.");
        return;
    }
    if (!permanent) {
        reg_form_error(f, "household_number", "household-permanent-only",
                       "Chỉ chuyển thường trú mới nhập hộ.",
                       "Only a permanent move joins a household.");
        return;
    }
    if (m->relation == NULL)
        reg_form_error(f, "relation_to_head", "required", "Cần quan hệ với chủ hộ khi nhập vào hộ.",
                       "A relation to the head is needed to join a household.");
    int rc = dd_reg_household_find(db, f->req->arena, m->household_number, &m->household);
    if (rc != DD_OK || m->household.closed_at[0] != '\0') {
        m->household.id = 0;
        reg_form_error(f, "household_number", "household-unknown",
                       "Không có hộ đang hoạt động mang số này.",
                       "There is no open household with this number.");
    } else if (m->province && m->commune &&
               (strcmp(m->household.province, m->province) != 0 ||
                strcmp(m->household.commune, m->commune) != 0)) {
        reg_form_error(f, "household_number", "household-elsewhere",
                       "Hộ này không ở nơi chuyển đến.",
                       "This household is not at the new place of residence.");
    }
}

static int
move_parse_or_reply(struct dd_req *req, struct dd_db *db, struct move *m)
{
    struct reg_form f;
    reg_form_init(&f, req, move_fields);
    m->kind = reg_form_string(&f, "kind", true, 16);
    bool permanent = m->kind && strcmp(m->kind, "permanent") == 0;
    if (m->kind && !permanent && strcmp(m->kind, "temporary") != 0)
        reg_form_error(&f, "kind", "kind-invalid", "kind là permanent hoặc temporary.",
                       "kind is permanent or temporary.");
    read_period(&f, m, true);
    if (permanent && m->until)
        reg_form_error(&f, "until", "until-temporary-only", "Chỉ tạm trú mới có thời hạn.",
                       "Only a temporary residence has an end.");
    read_household(&f, db, m);
    if (m->province && m->commune && m->from)
        reg_form_unit(&f, db, "commune", m->province, m->commune, m->from);
    return reg_form_done_or_reply(&f);
}

static int
living_or_reply(struct dd_req *req, const struct dd_reg_person *p)
{
    if (strcmp(p->p.status, "dead") != 0)
        return 0;
    dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED, "Người đã mất không đăng ký cư trú.",
                            "A dead person's residence is not registered.", NULL);
    return -1;
}

/* Loads the person for a move: visible to the caller, or moving into the caller's area. */
static int
mover_or_reply(struct dd_req *req, struct dd_db *db, const struct move *m,
               struct dd_reg_person *out)
{
    const char *id = dd_req_param(req, "id");
    int rc = dd_reg_person_load(db, req->arena, id, out);
    if (rc == DD_OK && !dd_reg_area_sees(req->who, out) &&
        !reg_area_holds(req->who, m->province, m->commune))
        rc = DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        reg_person_not_found(req);
    else if (rc != DD_OK)
        reg_fail(req, db, rc);
    return rc;
}

static int64_t
count_members(struct dd_db *db, int64_t household_id, int *rc)
{
    struct dd_stmt *st;
    *rc = dd_db_prepare(db, "SELECT COUNT(*) FROM people WHERE household_id = ?", &st);
    if (*rc != DD_OK)
        return 0;
    dd_stmt_bind_int64(st, 1, household_id);
    int step = dd_stmt_step(st);
    int64_t n = step == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    *rc = step < 0 ? step : DD_OK;
    return n;
}

int
reg_leave_household(struct dd_db *db, const struct dd_reg_person *p, int64_t joining,
                    const char *on)
{
    if (p->household_id == 0 || p->household_id == joining)
        return DD_OK;
    int rc;
    int64_t members = count_members(db, p->household_id, &rc);
    if (rc != DD_OK)
        return rc;
    if (members <= 1)
        return dd_reg_household_close(db, p->household_id, on);
    if (strcmp(p->household_head, p->p.id_number) == 0)
        return DD_EDENIED;
    return DD_OK;
}

static const char *
moved_payload(struct dd_req *req, const struct dd_reg_person *p, const struct move *m,
              const char *kind)
{
    bool permanent = strcmp(kind, "temporary") != 0; /* an absence leaves the permanent place */
    const char *old_province = permanent ? p->p.permanent_province : p->p.temporary_province;
    const char *old_commune = permanent ? p->p.permanent_commune : p->p.temporary_commune;
    json_t *v = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:I}", "id_number",
                          p->p.id_number, "kind", kind, "from", "province", old_province, "commune",
                          old_commune, "to", "province", m->province ? m->province : "", "commune",
                          m->commune ? m->commune : "", "since", m->from, "until",
                          m->until ? m->until : "", "version", (json_int_t)(p->version + 1));
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

static void
apply_move(const struct dd_reg_person *before, const struct move *m, struct dd_person *after,
           int64_t *household_id)
{
    *after = before->p;
    *household_id = before->household_id;
    if (strcmp(m->kind, "temporary") == 0) {
        after->temporary_province = m->province;
        after->temporary_commune = m->commune;
        after->temporary_address = m->address;
        after->temporary_until = m->until ? m->until : "";
        return;
    }
    after->permanent_province = m->province;
    after->permanent_commune = m->commune;
    after->permanent_address = m->address;
    if (m->household.id > 0) {
        *household_id = m->household.id;
        after->household_number = m->household.number;
        after->relation_to_head = m->relation ? m->relation : REG_HEAD_RELATION;
    } else {
        *household_id = 0;
        after->household_number = "";
        after->relation_to_head = "";
    }
}

/* Writes the move in a transaction left open for its reply. */
static int
move_write(struct dd_req *req, struct dd_db *db, const struct dd_reg_person *before, struct move *m)
{
    m->change.kind = "moved";
    m->change.actor = dd_reg_actor(req->arena, req->who);
    m->change.request_id = req->request_id;
    bool permanent = strcmp(m->kind, "permanent") == 0;
    int rc = dd_db_begin(db);
    if (rc == DD_OK && m->new_household) {
        rc = dd_reg_household_create(db, m->new_household, before->p.id_number, m->province,
                                     m->commune, m->address, &m->household.id);
        m->household.number = m->new_household;
    }
    struct dd_person after;
    int64_t household_id, version;
    apply_move(before, m, &after, &household_id);
    if (rc == DD_OK && permanent)
        rc = reg_leave_household(db, before, household_id, m->from);
    if (rc == DD_OK)
        rc = reg_change_write(req, db, before, &after, household_id, &m->change, "residence.moved",
                              moved_payload(req, before, m, m->kind), &version);
    if (rc == DD_OK)
        rc = dd_reg_residence_open(db, before->p.id_number, m->kind, m->province, m->commune,
                                   m->address, m->from, m->until, m->change.reason);
    return rc;
}

/* The move under the request's Idempotency-Key (idem NULL without one). */
static int
move_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct move *m = dd_arena_zalloc(req->arena, sizeof *m);
    if (move_parse_or_reply(req, db, m) != 0)
        return DD_DONE;
    struct dd_reg_person before;
    if (mover_or_reply(req, db, m, &before) != DD_OK)
        return DD_DONE;
    if (reg_if_match_or_reply(req, before.version, false) != DD_OK ||
        living_or_reply(req, &before) != 0)
        return DD_DONE;
    int rc = move_write(req, db, &before, m);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        json_t *ext =
            dd_problem_add_error(NULL, req, "new_household_number", "household-number-taken",
                                 "Số hộ này đã được dùng.", "This household number is taken.");
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, ext);
    }
    if (rc == DD_EDENIED) {
        dd_db_rollback(db);
        return dd_reply_problem_detail(
            req, DD_PROBLEM_RULE_VIOLATED,
            "Chủ hộ không thể chuyển đi khi hộ còn thành viên; hãy tách hộ trước.",
            "The head cannot move out while the household has members; split it first.", NULL);
    }
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_commit_reply(req, db, idem, before.p.id_number, 201, NULL, NULL);
}

/* POST /api/v1/people/{id}/moves — 201 with the person; 400 listing every problem; 404 when
 * neither the person nor the destination is in the caller's area; 412 on a stale If-Match;
 * 422 for a dead person, or a head leaving members behind. */
int
reg_moves_create(struct dd_req *req)
{
    return dd_idem_run(req, move_create);
}

static int
absence_parse_or_reply(struct dd_req *req, struct move *m)
{
    struct reg_form f;
    reg_form_init(&f, req, absence_fields);
    read_period(&f, m, false);
    return reg_form_done_or_reply(&f);
}

/* The history entry of an absence: {"absence": {"from": null, "to": {…}}}. */
static const char *
absence_json(struct dd_req *req, const struct move *m)
{
    json_t *to =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "province", m->province ? m->province : "",
                  "commune", m->commune ? m->commune : "", "address", m->address ? m->address : "",
                  "from", m->from, "until", m->until ? m->until : "");
    json_t *v = json_pack("{s:{s:n, s:o}}", "absence", "from", "to", to);
    const char *text = dd_json_dump(req->arena, v);
    json_decref(v);
    return text;
}

/* The absence under the request's Idempotency-Key (idem NULL without one). */
static int
absence_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person before;
    if (reg_person_or_reply(req, db, dd_req_param(req, "id"), &before) != DD_OK)
        return DD_DONE;
    if (reg_if_match_or_reply(req, before.version, false) != DD_OK ||
        living_or_reply(req, &before) != 0)
        return DD_DONE;
    struct move *m = dd_arena_zalloc(req->arena, sizeof *m);
    if (absence_parse_or_reply(req, m) != 0)
        return DD_DONE;
    m->change = (struct dd_reg_change){
        .kind = "absent",
        .actor = dd_reg_actor(req->arena, req->who),
        .reason = m->change.reason,
        .legal_basis = m->change.legal_basis,
        .dossier = m->change.dossier,
        .request_id = req->request_id,
        .extra_json = absence_json(req, m),
    };
    int64_t version;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = reg_change_write(req, db, &before, &before.p, before.household_id, &m->change,
                              "residence.moved", moved_payload(req, &before, m, "absence"),
                              &version);
    if (rc == DD_OK)
        rc = dd_reg_residence_open(db, before.p.id_number, "absence", m->province, m->commune,
                                   m->address, m->from, m->until, m->change.reason);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_person_commit_reply(req, db, idem, before.p.id_number, 201, NULL, NULL);
}

/* POST /api/v1/people/{id}/absences — 201 with the person (the absence among their periods);
 * 400 listing every problem; 404 outside the caller's area; 422 for a dead person. */
int
reg_absences_create(struct dd_req *req)
{
    return dd_idem_run(req, absence_create);
}
