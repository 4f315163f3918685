/*
 * children.c — POST /api/v1/accounts/children: an account for a child under 14, attached to a
 * parent's or guardian's level-2 account (guardian_id). The child must be in the population
 * register with the name and date of birth given (the same 422 register-mismatch as a
 * registration for any mismatch). A level-2 citizen attaches their own child: the register must
 * list them as the child's father or mother (else 403 not-a-parent); a police officer attaches a
 * child to the guardian's account named by guardian_id (a legal guardian the register does not
 * link, after checking the papers), which must be an active level-2 citizen's.
 *
 * A child's account has no password and cannot log in: the guardian acts for the child. At 14
 * the child registers (registration.c), which takes the account over.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/access_log.h"
#include "core/identity/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *const child_fields[] = {"id_number",   "full_name",    "birth_date",
                                           "guardian_id", "portrait_ref", NULL};

struct child {
    const char *id_number;
    const char *full_name;
    const char *birth_date;
    const char *portrait_ref;
    int64_t guardian_id;
};

static bool
by_officer(const struct dd_req *req)
{
    return req->who->kind == DD_PRINCIPAL_OFFICER;
}

static int
child_parse_or_reply(struct dd_req *req, struct child *c)
{
    struct id_form f;
    id_form_init(&f, req, child_fields);
    c->id_number = id_form_id_number(&f, "id_number", true);
    c->full_name = id_form_string(&f, "full_name", true, 100);
    c->birth_date = id_form_date(&f, "birth_date", true, true);
    c->portrait_ref = id_form_string(&f, "portrait_ref", false, 200);
    c->guardian_id = id_form_int(&f, "guardian_id", by_officer(req), 1, INT64_MAX, 0);
    if (!by_officer(req) && c->guardian_id)
        id_form_error(&f, "guardian_id", "officer-only",
                      "Chỉ cán bộ công an chỉ định người giám hộ; cha mẹ gắn tài khoản của chính "
                      "mình.",
                      "Only a police officer names the guardian; a parent attaches to their own "
                      "account.");
    return id_form_done_or_reply(&f);
}

/* The guardian's account id, checked as the caller allows; -1 after a reply. */
static int
guardian_or_reply(struct dd_req *req, struct dd_db *db, const struct child *c,
                  const struct id_person *person, int64_t *guardian)
{
    if (!by_officer(req)) {
        const char *me = req->who->id_number;
        if (me[0] == '\0' ||
            (strcmp(person->father_id, me) != 0 && strcmp(person->mother_id, me) != 0)) {
            id_problem_reply(req, ID_PROBLEM_NOT_A_PARENT, NULL);
            return -1;
        }
        *guardian = req->who->account_id;
        return 0;
    }
    struct id_account g;
    int rc = id_account_by_id(db, req->arena, c->guardian_id, &g);
    if (rc != DD_OK && rc != DD_ENOTFOUND) {
        id_fail(req, db, rc);
        return -1;
    }
    if (rc == DD_ENOTFOUND || strcmp(g.kind, "citizen") != 0 || strcmp(g.status, "active") != 0 ||
        g.level < 2) {
        json_t *ext = dd_problem_add_error(NULL, req, "guardian_id", "guardian-not-level-2",
                                           "Người giám hộ phải có tài khoản công dân mức độ 2 "
                                           "đang hoạt động.",
                                           "The guardian must have an active level-2 citizen's "
                                           "account.");
        dd_reply_problem(req, DD_PROBLEM_RULE_VIOLATED, ext);
        return -1;
    }
    *guardian = g.id;
    return 0;
}

static int
insert_child(struct dd_db *db, const struct child *c, const struct id_person *person,
             int64_t guardian, int64_t now_ms, int64_t *id)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO accounts (kind, login, id_number, display_name, "
                           "birth_date, level, status, guardian_id, portrait_ref, created_at, "
                           "updated_at) VALUES ('citizen', ?, ?, ?, ?, 1, 'active', ?, ?, ?, ?) "
                           "RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, c->id_number);
    dd_stmt_bind_text(st, 2, c->id_number);
    dd_stmt_bind_text(st, 3, person->full_name);
    dd_stmt_bind_text(st, 4, person->birth_date);
    dd_stmt_bind_int64(st, 5, guardian);
    dd_stmt_bind_text(st, 6, c->portrait_ref ? c->portrait_ref : "");
    dd_stmt_bind_text(st, 7, now);
    dd_stmt_bind_text(st, 8, now);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc == DD_ECONFLICT ? DD_EEXIST : rc < 0 ? rc : DD_OK;
}

/* POST /api/v1/accounts/children — 201 with the child's account; 400; 403 not-a-parent; 409
 * account-exists; 422 register-mismatch, child-not-under-14, or a guardian not at level 2. */
int
id_children_create(struct dd_req *req)
{
    struct child c;
    if (child_parse_or_reply(req, &c) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct id_person person;
    int rc = id_person_match(db, req->arena, c.id_number, c.full_name, c.birth_date, &person);
    if (rc == DD_ENOTFOUND)
        return id_problem_reply(req, ID_PROBLEM_REGISTER_MISMATCH, NULL);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    int64_t now_ms = dd_clock_now_ms();
    char today[11];
    id_today(now_ms, today);
    if (id_age_years(person.birth_date, today) >= ID_CHILD_AGE)
        return id_problem_reply(req, ID_PROBLEM_CHILD_NOT_UNDER_14, NULL);
    int64_t guardian, id = 0;
    if (guardian_or_reply(req, db, &c, &person, &guardian) != 0)
        return DD_DONE;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = insert_child(db, &c, &person, guardian, now_ms, &id);
    if (rc == DD_OK && by_officer(req))
        rc = dd_access_log_write(db, req, c.id_number, "change", "e-identity",
                                 "Gắn tài khoản định danh điện tử của trẻ em với người giám hộ");
    if (rc == DD_OK)
        rc = id_event(db, "account.created", id,
                      json_pack("{s:I, s:s, s:i, s:I, s:b}", "account_id", (json_int_t)id, "kind",
                                "citizen", "level", 1, "guardian_id", (json_int_t)guardian,
                                "foreigner", 0));
    struct id_account acc;
    if (rc == DD_OK)
        rc = id_account_by_id(db, req->arena, id, &acc);
    if (rc == DD_EEXIST) {
        dd_db_rollback(db);
        return id_problem_reply(req, ID_PROBLEM_ACCOUNT_EXISTS, NULL);
    }
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    return dd_reply_json(req, 201, json_pack("{s:o}", "account", id_account_json(&acc)));
}
