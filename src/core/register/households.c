/*
 * households.c — households: GET /api/v1/households/{number} (the household and its members),
 * POST /api/v1/households/{number}/splits (some members leave to form a new household under a
 * new head) and POST /api/v1/households/merges (one household joins another and closes).
 *
 * A household belongs to the area of its commune. Each member affected by a split or a merge
 * gets a history entry of kind "household" (household number, relation to the head, and the
 * permanent residence when the new household is elsewhere), an access-log row for the officer,
 * and the whole change is one `household.changed` event, all in one transaction with the reply
 * stored under the request's Idempotency-Key. The helpers other household changes share
 * (household_heads.c) are here too.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/events.h"
#include "core/idempotency/idempotency.h"
#include "core/purpose.h"
#include "core/register/api.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define MAX_MEMBERS 500 /* listed in one reply */

static const char *const split_fields[] = {
    "new_number", "head_id", "members",     "province", "commune",
    "address",    "reason",  "legal_basis", "dossier",  NULL,
};

static const char *const merge_fields[] = {
    "from", "into", "members", "reason", "legal_basis", "dossier", NULL,
};

/* --- reading --- */

static int
household_not_found(struct dd_req *req)
{
    return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND,
                                   "Không có hộ mang số này trong địa bàn của bạn.",
                                   "No household with this number in your area.", NULL);
}

int
reg_household_or_reply(struct dd_req *req, struct dd_db *db, const char *number, bool closed_ok,
                       struct dd_reg_household *out)
{
    int rc = number && strlen(number) <= 32 ? dd_reg_household_find(db, req->arena, number, out)
                                            : DD_ENOTFOUND;
    if (rc == DD_OK && (!reg_area_holds(req->who, out->province, out->commune) ||
                        (!closed_ok && out->closed_at[0] != '\0')))
        rc = DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        household_not_found(req);
    else if (rc != DD_OK)
        reg_fail(req, db, rc);
    return rc;
}

/* Writes the household and its members; their ID numbers go into ids (up to MAX_MEMBERS). */
static int
write_household(struct reg_jw *w, struct dd_db *db, struct dd_arena *a,
                const struct dd_reg_household *h, const char **ids, int *n)
{
    reg_jw_str(w, "number", h->number);
    reg_jw_str(w, "head_id", h->head_id);
    reg_jw_str(w, "province", h->province);
    reg_jw_str(w, "commune", h->commune);
    reg_jw_str(w, "address", h->address);
    reg_jw_str(w, "created_at", h->created_at);
    reg_jw_str_or_null(w, "closed_at", h->closed_at);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id_number, full_name, birth_date, sex, status, relation_to_head "
                           "FROM people WHERE household_id = ? ORDER BY id_number LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, h->id);
    dd_stmt_bind_int64(st, 2, MAX_MEMBERS);
    *n = 0;
    reg_jw_open(w, "members", '[');
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *id = dd_stmt_text(st, 0);
        reg_jw_open(w, NULL, '{');
        reg_jw_str(w, "id_number", id);
        reg_jw_str(w, "full_name", dd_stmt_text(st, 1));
        reg_jw_str(w, "birth_date", dd_stmt_text(st, 2));
        reg_jw_str(w, "sex", dd_stmt_text(st, 3));
        reg_jw_str(w, "status", dd_stmt_text(st, 4));
        reg_jw_str(w, "relation_to_head", dd_stmt_text(st, 5));
        reg_jw_raw(w, "head", strcmp(id, h->head_id) == 0 ? "true" : "false");
        reg_jw_close(w, '}');
        ids[(*n)++] = dd_arena_strdup(a, id);
    }
    reg_jw_close(w, ']');
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Builds the reply showing a household after a change (no access-log rows for it). */
static int
household_written(struct dd_req *req, struct dd_db *db, const char *number, unsigned status,
                  struct dd_idem_reply *out)
{
    struct dd_reg_household h;
    int rc = dd_reg_household_find(db, req->arena, number, &h);
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    reg_jw_open(&w, NULL, '{');
    const char **ids = dd_arena_alloc(req->arena, sizeof(char *) * MAX_MEMBERS);
    int n = 0;
    if (rc == DD_OK)
        rc = write_household(&w, db, req->arena, &h, ids, &n);
    if (rc != DD_OK)
        return rc;
    reg_jw_close(&w, '}');
    return reg_written_json(&w, status, out);
}

int
reg_household_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem,
                           const char *number, unsigned status, const char *location)
{
    struct dd_idem_reply r;
    int rc = household_written(req, db, number, status, &r);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    r.location = location;
    return reg_commit_reply(req, db, idem, &r);
}

/* GET /api/v1/households/{number} — the household with its members; a "read" row in each
 * member's access log. 400 without X-Purpose; 404 outside the caller's area. */
int
reg_households_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_household h;
    if (reg_household_or_reply(req, db, dd_req_param(req, "number"), true, &h) != DD_OK)
        return DD_DONE;
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    reg_jw_open(&w, NULL, '{');
    const char **ids = dd_arena_alloc(req->arena, sizeof(char *) * MAX_MEMBERS);
    int n = 0;
    int rc = write_household(&w, db, req->arena, &h, ids, &n);
    if (rc == DD_OK)
        rc = dd_reg_access_reads(db, req, ids, n, "read", "household", purpose);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    reg_jw_close(&w, '}');
    return reg_jw_reply(req, 200, &w);
}

/* --- changing --- */

int
reg_members_read(struct reg_form *f, struct reg_member **out, bool required)
{
    json_t *list = f->body ? json_object_get(f->body, "members") : NULL;
    size_t n = json_array_size(list);
    *out = NULL;
    if (!required && (list == NULL || json_is_null(list)))
        return 0;
    if (!json_is_array(list) || n == 0 || n > REG_MAX_MOVED_MEMBERS) {
        reg_form_error(f, "members", "members-invalid",
                       "members là danh sách 1–100 người {id_number, relation_to_head}.",
                       "members is a list of 1–100 people {id_number, relation_to_head}.");
        return 0;
    }
    struct reg_member *m = dd_arena_zalloc(f->req->arena, sizeof *m * n);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(list, i);
        json_t *id = json_object_get(item, "id_number");
        json_t *rel = json_object_get(item, "relation_to_head");
        const char *field = dd_arena_printf(f->req->arena, "members[%zu]", i);
        if (!json_is_object(item) || json_object_size(item) != 2 || !json_is_string(id) ||
            json_string_length(id) != 12 || !json_is_string(rel) || json_string_length(rel) == 0 ||
            json_string_length(rel) > 200) {
            reg_form_error(f, field, "member-invalid",
                           "Mỗi người cần id_number (12 chữ số) và relation_to_head.",
                           "Each person needs id_number (12 digits) and relation_to_head.");
            continue;
        }
        m[i].id_number = json_string_value(id);
        m[i].relation = json_string_value(rel);
        for (size_t j = 0; j < i; j++)
            if (m[j].id_number && strcmp(m[j].id_number, m[i].id_number) == 0)
                reg_form_error(f, field, "member-repeated", "Người này đã có trong danh sách.",
                               "This person is already in the list.");
    }
    *out = m;
    return (int)n;
}

static json_t *
members_array(const struct reg_member *m, int n)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, json_string(m[i].id_number));
    return list;
}

int
reg_household_changed(struct dd_req *req, struct dd_db *db, const char *number, json_t *v)
{
    int rc =
        dd_event_emit(db, "household.changed", dd_arena_printf(req->arena, "household:%s", number),
                      dd_json_dump(req->arena, v));
    json_decref(v);
    return rc;
}

/* Moves one member into household `to`: household, relation, and permanent residence at the
 * household's place when it is elsewhere. Fails with DD_ECONFLICT if the member is no longer
 * in household `from_id`. */
static int
member_move(struct dd_req *req, struct dd_db *db, const struct reg_member *m, int64_t from_id,
            const struct dd_reg_household *to, struct dd_reg_change *c, const char *today)
{
    struct dd_reg_person before;
    int rc = dd_reg_person_load(db, req->arena, m->id_number, &before);
    if (rc != DD_OK || before.household_id != from_id)
        return rc == DD_OK || rc == DD_ENOTFOUND ? DD_ECONFLICT : rc;
    struct dd_person after = before.p;
    after.household_number = to->number;
    after.relation_to_head = m->relation;
    bool moves = strcmp(after.permanent_province, to->province) != 0 ||
                 strcmp(after.permanent_commune, to->commune) != 0 ||
                 strcmp(after.permanent_address, to->address) != 0;
    if (moves) {
        after.permanent_province = to->province;
        after.permanent_commune = to->commune;
        after.permanent_address = to->address;
    }
    int64_t version;
    rc = reg_change_write(req, db, &before, &after, to->id, c, NULL, NULL, &version);
    if (rc == DD_OK && moves)
        rc = dd_reg_residence_open(db, m->id_number, "permanent", to->province, to->commune,
                                   to->address, today, NULL, c->reason);
    return rc;
}

void
reg_members_check(struct reg_form *f, struct dd_db *db, const struct dd_reg_household *h,
                  const struct reg_member *m, int n)
{
    for (int i = 0; i < n; i++) {
        struct dd_reg_person p;
        if (m[i].id_number == NULL)
            continue;
        int rc = dd_reg_person_load(db, f->req->arena, m[i].id_number, &p);
        if (rc != DD_OK || p.household_id != h->id)
            reg_form_error(f, dd_arena_printf(f->req->arena, "members[%d]", i), "not-a-member",
                           "Người này không thuộc hộ.", "This person is not in the household.");
    }
}

struct split {
    struct dd_reg_household old, fresh;
    const char *head_id;
    struct reg_member *members;
    int n;
    struct dd_reg_change change;
};

static int
split_parse_or_reply(struct dd_req *req, struct dd_db *db, struct split *s)
{
    struct reg_form f;
    reg_form_init(&f, req, split_fields);
    s->fresh.number = reg_form_string(&f, "new_number", true, 32);
    if (s->fresh.number && !reg_household_number_ok(s->fresh.number))
        reg_form_error(&f, "new_number", "household-number-invalid",
                       "Số hộ gồm 1–32 chữ, số, '-', '.', '/'.",
                       "A household number is 1–32 letters, digits, '-', '.', '/'.");
    s->head_id = reg_form_string(&f, "head_id", true, 12);
    const char *province, *commune;
    reg_form_place(&f, "province", "commune", false, &province, &commune);
    const char *address = reg_form_string(&f, "address", false, 300);
    s->fresh.province = province ? province : s->old.province;
    s->fresh.commune = commune ? commune : s->old.commune;
    s->fresh.address = address ? address : s->old.address;
    s->fresh.head_id = s->head_id;
    reg_form_change(&f, &s->change);
    s->n = reg_members_read(&f, &s->members, true);
    bool head_listed = false;
    for (int i = 0; i < s->n; i++) {
        if (s->members[i].id_number && s->head_id &&
            strcmp(s->members[i].id_number, s->head_id) == 0) {
            head_listed = true;
            s->members[i].relation = REG_HEAD_RELATION;
        }
    }
    if (s->head_id && s->n > 0 && !head_listed)
        reg_form_error(&f, "head_id", "head-not-member",
                       "Chủ hộ mới phải là một trong những người tách hộ.",
                       "The new head must be one of the members who leave.");
    if (province && commune)
        reg_form_unit(&f, db, "commune", province, commune, NULL);
    if (f.ext == NULL)
        reg_members_check(&f, db, &s->old, s->members, s->n);
    return reg_form_done_or_reply(&f);
}

/* The rules a split must keep: the head stays, and the new household lies in the caller's
 * area. Replies and returns -1 otherwise. */
static int
split_allowed_or_reply(struct dd_req *req, const struct split *s)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->members[i].id_number, s->old.head_id) == 0) {
            dd_reply_problem_detail(
                req, DD_PROBLEM_RULE_VIOLATED, "Chủ hộ ở lại hộ cũ; người tách đi lập hộ mới.",
                "The head stays; those who leave form the new household.", NULL);
            return -1;
        }
    if (reg_area_holds(req->who, s->fresh.province, s->fresh.commune))
        return 0;
    dd_reply_problem_detail(req, DD_PROBLEM_FORBIDDEN, "Hộ mới phải ở trong địa bàn của bạn.",
                            "The new household must be in your area.", NULL);
    return -1;
}

/* Writes the split in a transaction left open for its reply. */
static int
split_write(struct dd_req *req, struct dd_db *db, struct split *s)
{
    char today[32];
    dd_clock_iso8601(dd_clock_now_ms(), today);
    today[10] = '\0';
    s->change.kind = "household";
    s->change.actor = dd_reg_actor(req->arena, req->who);
    s->change.request_id = req->request_id;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_reg_household_create(db, s->fresh.number, s->head_id, s->fresh.province,
                                     s->fresh.commune, s->fresh.address, &s->fresh.id);
    for (int i = 0; rc == DD_OK && i < s->n; i++)
        rc = member_move(req, db, &s->members[i], s->old.id, &s->fresh, &s->change, today);
    if (rc == DD_OK)
        rc = reg_household_changed(req, db, s->old.number,
                                   json_pack("{s:s, s:s, s:s, s:o}", "action", "split", "household",
                                             s->old.number, "new_household", s->fresh.number,
                                             "members", members_array(s->members, s->n)));
    return rc;
}

/* The split under the request's Idempotency-Key (idem NULL without one). */
static int
split_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct split *s = dd_arena_zalloc(req->arena, sizeof *s);
    if (reg_household_or_reply(req, db, dd_req_param(req, "number"), false, &s->old) != DD_OK)
        return DD_DONE;
    if (split_parse_or_reply(req, db, s) != 0 || split_allowed_or_reply(req, s) != 0)
        return DD_DONE;
    int rc = split_write(req, db, s);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        json_t *ext =
            dd_problem_add_error(NULL, req, "new_number", "household-number-taken",
                                 "Số hộ này đã được dùng.", "This household number is taken.");
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, ext);
    }
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_household_commit_reply(
        req, db, idem, s->fresh.number, 201,
        dd_arena_printf(req->arena, "/api/v1/households/%s", s->fresh.number));
}

/* POST /api/v1/households/{number}/splits — 201 with the new household; 400 listing every
 * problem; 404 outside the caller's area; 409 if the new number is taken or a member changed
 * meanwhile; 422 if the head would leave. */
int
reg_splits_create(struct dd_req *req)
{
    return dd_idem_run(req, split_create);
}

struct merge {
    struct dd_reg_household from, into;
    struct reg_member *members;
    int n;
    struct dd_reg_change change;
};

/* Every member of `from` must be named once with their relation to the new head. */
static void
check_covers(struct reg_form *f, struct dd_db *db, const struct merge *m)
{
    struct dd_stmt *st;
    if (dd_db_prepare(db, "SELECT id_number FROM people WHERE household_id = ?", &st) != DD_OK)
        return;
    dd_stmt_bind_int64(st, 1, m->from.id);
    while (dd_stmt_step(st) == DD_DB_ROW) {
        const char *id = dd_stmt_text(st, 0);
        bool named = false;
        for (int i = 0; i < m->n && !named; i++)
            named = m->members[i].id_number && strcmp(m->members[i].id_number, id) == 0;
        if (!named)
            reg_form_error(
                f, "members", "member-missing",
                dd_arena_printf(f->req->arena, "Thiếu quan hệ với chủ hộ mới của %s.", id),
                dd_arena_printf(f->req->arena, "The relation to the new head of %s is missing.",
                                id));
    }
    dd_stmt_reset(st);
}

static int
merge_parse_or_reply(struct dd_req *req, struct dd_db *db, struct merge *m)
{
    struct reg_form f;
    reg_form_init(&f, req, merge_fields);
    const char *from = reg_form_string(&f, "from", true, 32);
    const char *into = reg_form_string(&f, "into", true, 32);
    reg_form_change(&f, &m->change);
    m->n = reg_members_read(&f, &m->members, true);
    if (reg_form_done_or_reply(&f) != 0)
        return -1;
    if (strcmp(from, into) == 0) {
        reg_form_error(&f, "into", "same-household", "Không thể nhập một hộ vào chính nó.",
                       "A household cannot be merged into itself.");
        return reg_form_done_or_reply(&f);
    }
    if (reg_household_or_reply(req, db, from, false, &m->from) != DD_OK ||
        reg_household_or_reply(req, db, into, false, &m->into) != DD_OK)
        return -1;
    reg_members_check(&f, db, &m->from, m->members, m->n);
    check_covers(&f, db, m);
    return reg_form_done_or_reply(&f);
}

/* Writes the merge in a transaction left open for its reply. */
static int
merge_write(struct dd_req *req, struct dd_db *db, struct merge *m)
{
    char today[32];
    dd_clock_iso8601(dd_clock_now_ms(), today);
    today[10] = '\0';
    m->change.kind = "household";
    m->change.actor = dd_reg_actor(req->arena, req->who);
    m->change.request_id = req->request_id;
    int rc = dd_db_begin(db);
    for (int i = 0; rc == DD_OK && i < m->n; i++)
        rc = member_move(req, db, &m->members[i], m->from.id, &m->into, &m->change, today);
    if (rc == DD_OK)
        rc = dd_reg_household_close(db, m->from.id, today);
    if (rc == DD_OK)
        rc = reg_household_changed(req, db, m->from.number,
                                   json_pack("{s:s, s:s, s:s, s:o}", "action", "merge", "household",
                                             m->from.number, "into", m->into.number, "members",
                                             members_array(m->members, m->n)));
    return rc;
}

/* The merge under the request's Idempotency-Key (idem NULL without one). */
static int
merge_create(struct dd_req *req, struct dd_idem *idem)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct merge *m = dd_arena_zalloc(req->arena, sizeof *m);
    if (merge_parse_or_reply(req, db, m) != 0)
        return DD_DONE;
    int rc = merge_write(req, db, m);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    return reg_household_commit_reply(req, db, idem, m->into.number, 200, NULL);
}

/* POST /api/v1/households/merges — 200 with the household merged into; 400 listing every
 * problem; 404 when either household is outside the caller's area; 409 if a member changed
 * meanwhile. */
int
reg_merges_create(struct dd_req *req)
{
    return dd_idem_run(req, merge_create);
}
