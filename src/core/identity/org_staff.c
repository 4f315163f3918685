/*
 * org_staff.c — an organisation's staff: a member's account (kind staff) and membership
 * (`org_staff`) made together, loaded, listed and ended. Ending a membership disables the
 * account and ends its sessions: the person can no longer act for the organisation, and the
 * rows stay for the history.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/org_internal.h"
#include "store/store.h"

#include <string.h>

/* DD_EEXIST if `login` is an account's login or an officer's username. */
static int
login_free(struct dd_db *db, const char *login)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT 1 FROM accounts WHERE login = ? UNION ALL SELECT 1 FROM "
                           "officers WHERE username = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, login);
    dd_stmt_bind_text(st, 2, login);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_EEXIST : DD_OK;
}

static int
insert_account(struct dd_db *db, const struct dd_org_staff_new *s, const char *hash,
               const char *now, int64_t *account_id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO accounts (kind, login, id_number, display_name, phone, "
                           "email, level, status, password_hash, created_at, updated_at) VALUES "
                           "('staff', ?, ?, ?, ?, ?, 1, 'active', ?, ?, ?) RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    const char *v[] = {s->username, s->id_number, s->display_name, s->phone, s->email, hash,
                       now,         now};
    for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
        dd_stmt_bind_text(st, i + 1, v[i] ? v[i] : "");
    rc = dd_stmt_step(st);
    *account_id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc == DD_ECONFLICT)
        return DD_EEXIST;
    return rc < 0 ? rc : DD_OK;
}

int
org_staff_insert(struct dd_db *db, const struct dd_org_staff_new *s, const char *hash,
                 const char *actor, int64_t now_ms, int64_t *account_id)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    int rc = login_free(db, s->username);
    if (rc == DD_OK)
        rc = insert_account(db, s, hash, now, account_id);
    if (rc != DD_OK)
        return rc;
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "INSERT INTO org_staff (org_id, account_id, role, added_by, added_at) "
                       "VALUES (?, ?, ?, ?, ?)",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, s->org_id);
    dd_stmt_bind_int64(st, 2, *account_id);
    dd_stmt_bind_text(st, 3, s->role);
    dd_stmt_bind_text(st, 4, actor);
    dd_stmt_bind_text(st, 5, now);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = id_event(db, "account.created", *account_id,
                  json_pack("{s:I, s:s, s:i, s:s, s:I}", "account_id", (json_int_t)*account_id,
                            "kind", "staff", "level", 1, "by", actor, "organisation_id",
                            (json_int_t)s->org_id));
    if (rc != DD_OK)
        return rc;
    return org_event(db, "organisation.staff_added", s->org_id,
                     json_pack("{s:I, s:I, s:s, s:s}", "organisation_id", (json_int_t)s->org_id,
                               "account_id", (json_int_t)*account_id, "role", s->role, "by",
                               actor));
}

#define MEMBER_COLUMNS                                                                             \
    "m.id, m.org_id, m.account_id, a.login, a.display_name, m.role, a.phone, a.email, a.status, "  \
    "CASE WHEN a.password_hash <> '' THEN 1 ELSE 0 END, CASE WHEN a.totp_secret <> '' THEN 1 "     \
    "ELSE 0 END, m.added_by, m.added_at, m.ended_at, m.ended_by, m.end_reason FROM org_staff m "   \
    "JOIN accounts a ON a.id = m.account_id "

static const char *
text(struct dd_arena *a, struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return dd_arena_strdup(a, s ? s : "");
}

static void
read_member(struct dd_arena *a, struct dd_stmt *st, struct org_member *m)
{
    m->id = dd_stmt_int64(st, 0);
    m->org_id = dd_stmt_int64(st, 1);
    m->account_id = dd_stmt_int64(st, 2);
    m->login = text(a, st, 3);
    m->display_name = text(a, st, 4);
    m->role = text(a, st, 5);
    m->phone = text(a, st, 6);
    m->email = text(a, st, 7);
    m->account_status = text(a, st, 8);
    m->has_password = dd_stmt_int64(st, 9) != 0;
    m->second_factor = dd_stmt_int64(st, 10) != 0;
    m->added_by = text(a, st, 11);
    m->added_at = text(a, st, 12);
    m->ended_at = text(a, st, 13);
    m->ended_by = text(a, st, 14);
    m->end_reason = text(a, st, 15);
}

int
org_member_load(struct dd_db *db, struct dd_arena *a, int64_t org_id, int64_t account_id,
                const char *login, struct org_member *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           login ? "SELECT " MEMBER_COLUMNS "WHERE m.org_id = ? AND a.login = ?"
                                 : "SELECT " MEMBER_COLUMNS "WHERE m.org_id = ? AND a.id = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, org_id);
    if (login)
        dd_stmt_bind_text(st, 2, login);
    else
        dd_stmt_bind_int64(st, 2, account_id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        read_member(a, st, out);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

int
org_staff_end(struct dd_db *db, const struct org_member *m, const char *reason, const char *actor,
              int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE org_staff SET ended_at = ?, ended_by = ?, end_reason = ? WHERE "
                           "id = ? AND ended_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, actor);
    dd_stmt_bind_text(st, 3, reason ? reason : "");
    dd_stmt_bind_int64(st, 4, m->id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = id_account_set_status(db, m->account_id, "disabled", "membership ended", now_ms);
    if (rc == DD_OK)
        rc = id_sessions_end_all(db, m->account_id, "staff-ended", now_ms);
    if (rc != DD_OK)
        return rc;
    return org_event(db, "organisation.staff_ended", m->org_id,
                     json_pack("{s:I, s:I, s:s, s:s}", "organisation_id", (json_int_t)m->org_id,
                               "account_id", (json_int_t)m->account_id, "role", m->role, "by",
                               actor));
}

static json_t *
string_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *
org_member_json(const struct org_member *m)
{
    json_t *j = json_object();
    json_object_set_new(j, "account_id", json_integer(m->account_id));
    json_object_set_new(j, "organisation_id", json_integer(m->org_id));
    json_object_set_new(j, "username", json_string(m->login));
    json_object_set_new(j, "display_name", json_string(m->display_name));
    json_object_set_new(j, "role", json_string(m->role));
    json_object_set_new(j, "phone", string_or_null(m->phone));
    json_object_set_new(j, "email", string_or_null(m->email));
    json_object_set_new(j, "account_status", json_string(m->account_status));
    json_object_set_new(j, "has_password", json_boolean(m->has_password));
    json_object_set_new(j, "second_factor", json_boolean(m->second_factor));
    json_object_set_new(j, "added_by", json_string(m->added_by));
    json_object_set_new(j, "added_at", json_string(m->added_at));
    json_object_set_new(j, "ended_at", string_or_null(m->ended_at));
    json_object_set_new(j, "ended_by", string_or_null(m->ended_by));
    json_object_set_new(j, "end_reason", string_or_null(m->end_reason));
    return j;
}

int
org_staff_page(struct dd_db *db, struct dd_arena *a, int64_t org_id, int limit, int64_t cursor,
               json_t *items, int64_t *next)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " MEMBER_COLUMNS "WHERE m.org_id = ? AND m.id > ? ORDER BY "
                           "m.id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, org_id);
    dd_stmt_bind_int64(st, 2, cursor);
    dd_stmt_bind_int64(st, 3, limit + 1);
    int n = 0;
    int64_t last = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        struct org_member m;
        read_member(a, st, &m);
        if (++n > limit)
            break;
        json_array_append_new(items, org_member_json(&m));
        last = m.id;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    *next = n > limit ? last : 0;
    return DD_OK;
}
