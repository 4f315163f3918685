/*
 * store.c — people, their history, households and residence periods in the database.
 *
 * A person is read with one statement (the row joined with its household; for a reply, with
 * their residence periods as JSON built by the database in the same statement) and written with one
 * INSERT or one UPDATE whose text never changes (every column is set), so the per-connection
 * statement cache serves every kind of change. The UPDATE carries the version read before: a
 * concurrent change makes it touch no row, which the caller hears as DD_ECONFLICT.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/register/history.h"
#include "core/register/register.h"
#include "store/store.h"

#include <string.h>

#define HOUSEHOLD_FIELD 17 /* household_number: stored as people.household_id */

_Static_assert(HOUSEHOLD_FIELD < DD_PERSON_NFIELDS, "household_number is a person field");

#define SELECT_PERSON_COLUMNS                                                                      \
    "SELECT p.id_number, p.full_name, p.other_names, p.birth_date, p.sex, p.ethnicity, "           \
    "p.religion, p.nationality, p.birth_place, p.hometown, p.old_id_number, p.photo_ref, "         \
    "p.status, p.death_date, p.father_id, p.mother_id, p.spouse_id, h.number, "                    \
    "p.relation_to_head, p.permanent_province, p.permanent_commune, p.permanent_address, "         \
    "p.temporary_province, p.temporary_commune, p.temporary_address, p.temporary_until, "          \
    "p.version, p.household_id, p.created_at, p.updated_at, h.head_id, h.province_code, "          \
    "h.commune_code, h.address, p.residences"
#define FROM_PERSON                                                                                \
    " FROM people p LEFT JOIN households h ON h.id = p.household_id WHERE p.id_number = ?"

static const char select_person[] = SELECT_PERSON_COLUMNS FROM_PERSON;

static const char insert_person[] =
    "INSERT INTO people (id_number, full_name, other_names, birth_date, sex, ethnicity, "
    "religion, nationality, birth_place, hometown, old_id_number, photo_ref, status, death_date, "
    "father_id, mother_id, spouse_id, household_id, relation_to_head, permanent_province, "
    "permanent_commune, permanent_address, temporary_province, temporary_commune, "
    "temporary_address, temporary_until, name_folded, given_folded, birth_year, version, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";

static const char update_person[] =
    "UPDATE people SET full_name = ?, other_names = ?, birth_date = ?, sex = ?, ethnicity = ?, "
    "religion = ?, nationality = ?, birth_place = ?, hometown = ?, old_id_number = ?, "
    "photo_ref = ?, status = ?, death_date = ?, father_id = ?, mother_id = ?, spouse_id = ?, "
    "household_id = ?, relation_to_head = ?, permanent_province = ?, permanent_commune = ?, "
    "permanent_address = ?, temporary_province = ?, temporary_commune = ?, "
    "temporary_address = ?, temporary_until = ?, name_folded = ?, given_folded = ?, "
    "birth_year = ?, version = version + 1, updated_at = ? WHERE id_number = ? AND version = ?";

static const char insert_history[] =
    "INSERT INTO person_history (id_number, version, kind, changes, actor, reason, legal_basis, "
    "dossier, request_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char *
text_or_empty(const char *s)
{
    return s ? s : "";
}

static const char *
column(struct dd_arena *a, struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return s ? dd_arena_strdup(a, s) : "";
}

/* Fills *out from a row of SELECT_PERSON_COLUMNS. */
static void
person_from_row(struct dd_arena *a, struct dd_stmt *st, struct dd_reg_person *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        dd_person_set(&out->p, i, column(a, st, i));
    out->version = dd_stmt_int64(st, 26);
    out->household_id = dd_stmt_int64(st, 27);
    out->created_at = column(a, st, 28);
    out->updated_at = column(a, st, 29);
    out->household_head = column(a, st, 30);
    out->household_province = column(a, st, 31);
    out->household_commune = column(a, st, 32);
    out->household_address = column(a, st, 33);
    out->residences = column(a, st, 34);
}

int
dd_reg_person_load(struct dd_db *db, struct dd_arena *a, const char *id_number,
                   struct dd_reg_person *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, select_person, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        person_from_row(a, st, out);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

int
dd_reg_person_brief(struct dd_db *db, struct dd_arena *a, const char *id_number,
                    struct dd_reg_person_brief *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT full_name, birth_date, sex, status, permanent_province FROM "
                           "people WHERE id_number = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        out->full_name = column(a, st, 0);
        out->birth_date = column(a, st, 1);
        out->sex = column(a, st, 2);
        out->status = column(a, st, 3);
        out->permanent_province = column(a, st, 4);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

static void
bind_household(struct dd_stmt *st, int idx, int64_t household_id)
{
    if (household_id > 0)
        dd_stmt_bind_int64(st, idx, household_id);
    else
        dd_stmt_bind_null(st, idx);
}

/* Binds fields from..25 from parameter `idx` on; returns the next parameter. */
static int
bind_fields(struct dd_stmt *st, int idx, const struct dd_person *p, int from, int64_t household_id)
{
    for (int i = from; i < DD_PERSON_NFIELDS; i++, idx++) {
        if (i == HOUSEHOLD_FIELD)
            bind_household(st, idx, household_id);
        else
            dd_stmt_bind_text(st, idx, dd_person_get(p, i));
    }
    return idx;
}

/* Binds name_folded, given_folded and birth_year from `idx` on; returns the next parameter. */
static int
bind_keys(struct dd_stmt *st, int idx, struct dd_arena *a, const struct dd_person *p)
{
    const char *name, *given;
    dd_person_name_keys(a, p->full_name, &name, &given);
    int year = dd_partial_date_year(p->birth_date);
    dd_stmt_bind_text(st, idx, name);
    dd_stmt_bind_text(st, idx + 1, given);
    dd_stmt_bind_int64(st, idx + 2, year > 0 ? year : 0);
    return idx + 3;
}

/* Runs a statement that returns nothing; 0 or a negative code. Resets it. */
static int
run(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
history_append(struct dd_db *db, const char *id_number, int64_t version,
               const struct dd_reg_change *c, const char *changes, const char *now)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, insert_history, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_int64(st, 2, version);
    dd_stmt_bind_text(st, 3, c->kind);
    dd_stmt_bind_text(st, 4, changes);
    dd_stmt_bind_text(st, 5, text_or_empty(c->actor));
    dd_stmt_bind_text(st, 6, text_or_empty(c->reason));
    dd_stmt_bind_text(st, 7, text_or_empty(c->legal_basis));
    dd_stmt_bind_text(st, 8, text_or_empty(c->dossier));
    dd_stmt_bind_text(st, 9, text_or_empty(c->request_id));
    dd_stmt_bind_text(st, 10, now);
    return run(st);
}

/* Adds the members of c->extra_json to `changes`. */
static int
add_extra(json_t *changes, const struct dd_reg_change *c)
{
    if (c->extra_json == NULL)
        return DD_OK;
    json_error_t jerr;
    json_t *extra = json_loads(c->extra_json, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(extra)) {
        json_decref(extra);
        return DD_EINVAL;
    }
    json_object_update(changes, extra);
    json_decref(extra);
    return DD_OK;
}

static void
today(char out[32])
{
    dd_clock_iso8601(dd_clock_now_ms(), out);
    out[10] = '\0';
}

int
dd_reg_person_insert(struct dd_db *db, struct dd_arena *a, const struct dd_person *p,
                     int64_t household_id, const char *since, const struct dd_reg_change *c)
{
    char now[32], day[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    today(day);
    if (since == NULL || since[0] == '\0')
        since = day;
    json_t *changes = json_object();
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        const char *v = dd_person_get(p, i);
        if (v[0] != '\0')
            json_object_set_new(changes, dd_person_fields[i].name,
                                json_pack("{s:n, s:s}", "from", "to", v));
    }
    int rc = add_extra(changes, c);
    const char *changes_text = dd_json_dump(a, changes);
    json_decref(changes);
    if (rc != DD_OK)
        return rc;

    struct dd_stmt *st;
    rc = dd_db_prepare(db, insert_person, &st);
    if (rc != DD_OK)
        return rc;
    int idx = bind_fields(st, 1, p, 0, household_id);
    idx = bind_keys(st, idx, a, p);
    dd_stmt_bind_text(st, idx, now);
    dd_stmt_bind_text(st, idx + 1, now);
    rc = run(st);
    if (rc == DD_ECONFLICT)
        return DD_EEXIST;
    if (rc == DD_OK)
        rc = history_append(db, p->id_number, 1, c, changes_text, now);
    if (rc == DD_OK && p->permanent_commune && p->permanent_commune[0])
        rc = dd_reg_residence_open(db, p->id_number, "permanent", p->permanent_province,
                                   p->permanent_commune, p->permanent_address, since, NULL,
                                   c->reason);
    if (rc == DD_OK && p->temporary_commune && p->temporary_commune[0])
        rc = dd_reg_residence_open(db, p->id_number, "temporary", p->temporary_province,
                                   p->temporary_commune, p->temporary_address, since,
                                   p->temporary_until, c->reason);
    return rc;
}

int
dd_reg_person_update(struct dd_db *db, struct dd_arena *a, const struct dd_reg_person *before,
                     const struct dd_person *after, int64_t household_id,
                     const struct dd_reg_change *c, int64_t *new_version)
{
    *new_version = before->version;
    json_t *changes = json_object();
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        const char *from = dd_person_get(&before->p, i), *to = dd_person_get(after, i);
        if (strcmp(from, to) != 0)
            json_object_set_new(changes, dd_person_fields[i].name,
                                json_pack("{s:s, s:s}", "from", from, "to", to));
    }
    int rc = add_extra(changes, c);
    bool nothing = json_object_size(changes) == 0;
    const char *changes_text = dd_json_dump(a, changes);
    json_decref(changes);
    if (rc != DD_OK || nothing)
        return rc;

    rc = dd_reg_history_keep_imported(db, a, before); /* version 1 of a bulk load (history.h) */
    if (rc != DD_OK)
        return rc;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    rc = dd_db_prepare(db, update_person, &st);
    if (rc != DD_OK)
        return rc;
    int idx = bind_fields(st, 1, after, 1, household_id);
    idx = bind_keys(st, idx, a, after);
    dd_stmt_bind_text(st, idx, now);
    dd_stmt_bind_text(st, idx + 1, before->p.id_number);
    dd_stmt_bind_int64(st, idx + 2, before->version);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (changed != 1)
        return DD_ECONFLICT;
    *new_version = before->version + 1;
    return history_append(db, before->p.id_number, *new_version, c, changes_text, now);
}

int
dd_reg_person_rebuild(struct dd_db *db, struct dd_arena *a, const char *id_number,
                      struct dd_person *out, int64_t *version)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT version, changes FROM person_history WHERE id_number = ? ORDER BY version",
        &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    memset(out, 0, sizeof *out);
    dd_person_fill_empty(out);
    *version = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        *version = dd_stmt_int64(st, 0);
        rc = dd_person_fold(a, out, dd_stmt_text(st, 1) ? dd_stmt_text(st, 1) : "");
        if (rc != DD_OK)
            break;
    }
    dd_stmt_reset(st);
    if (rc < 0 || *version > 0)
        return rc < 0 ? rc : DD_OK;
    /* No row: version 1 may be kept by a bulk load (history.h). */
    struct dd_reg_person rp;
    struct dd_reg_history_entry first;
    rc = dd_reg_person_load(db, a, id_number, &rp);
    if (rc == DD_OK)
        rc = dd_reg_history_imported(db, a, &rp, &first);
    if (rc == DD_OK)
        rc = dd_person_fold(a, out, first.changes);
    if (rc == DD_OK)
        *version = 1;
    return rc;
}

int
dd_reg_household_find(struct dd_db *db, struct dd_arena *a, const char *number,
                      struct dd_reg_household *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, number, head_id, province_code, commune_code, address, "
                           "created_at, closed_at FROM households WHERE number = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, number);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        out->id = dd_stmt_int64(st, 0);
        out->number = column(a, st, 1);
        out->head_id = column(a, st, 2);
        out->province = column(a, st, 3);
        out->commune = column(a, st, 4);
        out->address = column(a, st, 5);
        out->created_at = column(a, st, 6);
        out->closed_at = column(a, st, 7);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

int
dd_reg_household_create(struct dd_db *db, const char *number, const char *head_id,
                        const char *province, const char *commune, const char *address, int64_t *id)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO households (number, head_id, province_code, commune_code, "
                           "address, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, number);
    dd_stmt_bind_text(st, 2, text_or_empty(head_id));
    dd_stmt_bind_text(st, 3, province);
    dd_stmt_bind_text(st, 4, commune);
    dd_stmt_bind_text(st, 5, text_or_empty(address));
    dd_stmt_bind_text(st, 6, now);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW && id)
        *id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    if (rc == DD_ECONFLICT)
        return DD_EEXIST;
    return rc < 0 ? rc : DD_OK;
}

int
dd_reg_household_close(struct dd_db *db, int64_t id, const char *on)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "UPDATE households SET closed_at = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, on);
    dd_stmt_bind_int64(st, 2, id);
    return run(st);
}

/* Ends at `on` the periods of `kind` still running then; people.residences is not touched. */
static int
end_running(struct dd_db *db, const char *id_number, const char *kind, const char *on)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE residences SET to_date = ? WHERE id_number = ? AND kind = ? "
                           "AND (to_date = '' OR to_date > ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, on);
    dd_stmt_bind_text(st, 2, id_number);
    dd_stmt_bind_text(st, 3, kind);
    dd_stmt_bind_text(st, 4, on);
    return run(st);
}

int
dd_reg_residence_close(struct dd_db *db, const char *id_number, const char *kind, const char *on)
{
    int rc = end_running(db, id_number, kind, on);
    return rc == DD_OK ? dd_reg_residences_refresh(db, id_number) : rc;
}

int
dd_reg_residence_open(struct dd_db *db, const char *id_number, const char *kind,
                      const char *province, const char *commune, const char *address,
                      const char *from, const char *until, const char *reason)
{
    int rc = end_running(db, id_number, kind, from);
    if (rc != DD_OK)
        return rc;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "INSERT INTO residences (id_number, kind, province_code, commune_code, "
                       "address, from_date, to_date, reason, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_text(st, 2, kind);
    dd_stmt_bind_text(st, 3, text_or_empty(province));
    dd_stmt_bind_text(st, 4, text_or_empty(commune));
    dd_stmt_bind_text(st, 5, text_or_empty(address));
    dd_stmt_bind_text(st, 6, from);
    dd_stmt_bind_text(st, 7, text_or_empty(until));
    dd_stmt_bind_text(st, 8, text_or_empty(reason));
    dd_stmt_bind_text(st, 9, now);
    rc = run(st);
    return rc == DD_OK ? dd_reg_residences_refresh(db, id_number) : rc;
}
