/*
 * corrections.c — storing correction requests and their decisions (see corrections.h). An
 * officer's list is one range of an index: (province, status, id) for a province-wide officer,
 * (province, commune, status, id) for a commune's.
 */
#include "core/consent/corrections.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/register/register.h"
#include "store/store.h"

#include <string.h>

const char *const dd_correction_fields[] = {
    "full_name",   "other_names",      "birth_date", "sex",           "ethnicity", "religion",
    "nationality", "birth_place",      "hometown",   "old_id_number", "father_id", "mother_id",
    "spouse_id",   "relation_to_head", NULL,
};

bool
dd_correction_field_allowed(const char *field)
{
    for (int i = 0; field && dd_correction_fields[i]; i++)
        if (strcmp(dd_correction_fields[i], field) == 0)
            return true;
    return false;
}

bool
dd_correction_area(const struct dd_reg_person *rp, const char **province, const char **commune)
{
    const struct dd_person *p = &rp->p;
    const char *pairs[][2] = {
        {p->permanent_province, p->permanent_commune},
        {p->temporary_province, p->temporary_commune},
        {rp->household_province, rp->household_commune},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (dd_str_all_digits(pairs[i][0], 2) && dd_str_all_digits(pairs[i][1], 5)) {
            *province = pairs[i][0];
            *commune = pairs[i][1];
            return true;
        }
    return false;
}

static bool
has_issue(const struct dd_person_check *c, const struct dd_person_issue *is)
{
    for (int i = 0; i < c->count; i++)
        if (!c->issues[i].warning && strcmp(c->issues[i].field, is->field) == 0 &&
            strcmp(c->issues[i].code, is->code) == 0)
            return true;
    return false;
}

int
dd_correction_value_check(const struct dd_reg_person *rp, const char *field, const char *value,
                          struct dd_person_check *out)
{
    struct dd_person_check before, after;
    dd_person_check(&rp->p, &before);
    struct dd_person changed = rp->p;
    int i = dd_person_field_index(field);
    if (i >= 0)
        dd_person_set(&changed, i, value);
    dd_person_check(&changed, &after);
    memset(out, 0, sizeof *out);
    for (int k = 0; k < after.count; k++)
        if (!after.issues[k].warning && !has_issue(&before, &after.issues[k])) {
            out->issues[out->count++] = after.issues[k];
            out->errors++;
        }
    return out->errors;
}

static bool
text_ok(const char *s, size_t max, bool empty_ok)
{
    size_t n = s ? strlen(s) : 0;
    return s != NULL && n <= max && (empty_ok || n > 0);
}

int
dd_correction_create(struct dd_db *db, const struct dd_correction_new *c, int64_t now_ms,
                     int64_t *id)
{
    if (!dd_correction_field_allowed(c->field) || !dd_str_all_digits(c->id_number, 12) ||
        !text_ok(c->proposed_value, DD_CORRECTION_MAX_VALUE, true) ||
        !text_ok(c->reason, DD_CORRECTION_MAX_REASON, false) ||
        (c->evidence_ref && strlen(c->evidence_ref) > DD_CORRECTION_MAX_EVIDENCE) ||
        !dd_str_all_digits(c->province, 2) || !dd_str_all_digits(c->commune, 5) ||
        !dd_db_in_transaction(db))
        return DD_EINVAL;
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO correction_requests (id_number, account_id, field, "
                           "current_value, proposed_value, reason, evidence_ref, province_code, "
                           "commune_code, created_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?) RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, c->id_number);
    dd_stmt_bind_int64(st, 2, c->account_id);
    dd_stmt_bind_text(st, 3, c->field);
    dd_stmt_bind_text(st, 4, c->current_value ? c->current_value : "");
    dd_stmt_bind_text(st, 5, c->proposed_value);
    dd_stmt_bind_text(st, 6, c->reason);
    dd_stmt_bind_text(st, 7, c->evidence_ref ? c->evidence_ref : "");
    dd_stmt_bind_text(st, 8, c->province);
    dd_stmt_bind_text(st, 9, c->commune);
    dd_stmt_bind_text(st, 10, now);
    dd_stmt_bind_text(st, 11, c->request_id ? c->request_id : "");
    rc = dd_stmt_step(st);
    *id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    char payload[256];
    struct dd_buf b;
    dd_buf_init_fixed(&b, payload, sizeof payload);
    dd_buf_printf(&b,
                  "{\"correction_request_id\":%lld,\"id_number\":\"%s\",\"field\":\"%s\","
                  "\"province\":\"%s\",\"commune\":\"%s\"}",
                  (long long)*id, c->id_number, c->field, c->province, c->commune);
    char subject[32];
    struct dd_buf s;
    dd_buf_init_fixed(&s, subject, sizeof subject);
    dd_buf_printf(&s, "person:%s", c->id_number);
    return dd_event_emit(db, "correction.requested", subject, payload);
}

#define CORRECTION_COLUMNS                                                                         \
    "id, id_number, field, current_value, proposed_value, reason, evidence_ref, province_code, "   \
    "commune_code, status, created_at, decided_at, officer, officer_name, decision_note"

static void
read_correction(struct dd_stmt *st, struct dd_arena *a, struct dd_correction *c)
{
    c->id = dd_stmt_int64(st, 0);
    const char **fields[] = {
        &c->id_number,    &c->field,    &c->current_value, &c->proposed_value, &c->reason,
        &c->evidence_ref, &c->province, &c->commune,       &c->status,         &c->created_at,
        &c->decided_at,   &c->officer,  &c->officer_name,  &c->decision_note};
    for (int i = 0; i < 14; i++) {
        const char *s = dd_stmt_text(st, i + 1);
        *fields[i] = dd_arena_strdup(a, s ? s : "");
    }
}

int
dd_correction_get(struct dd_db *db, struct dd_arena *a, int64_t id, struct dd_correction *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT " CORRECTION_COLUMNS " FROM correction_requests WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        read_correction(st, a, out);
    dd_stmt_reset(st);
    return rc < 0 ? rc : rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

/* Steps a prepared list statement, reading up to limit rows and whether one more follows. */
static int
read_list(struct dd_stmt *st, struct dd_arena *a, int limit, struct dd_correction *out, int *n,
          bool *more)
{
    int rc;
    *n = 0;
    *more = false;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (*n == limit) {
            *more = true;
            break;
        }
        read_correction(st, a, &out[(*n)++]);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_correction_list_area(struct dd_db *db, struct dd_arena *a, const char *province,
                        const char *commune, const char *status, int64_t after_id, int limit,
                        struct dd_correction *out, int *n, bool *more)
{
    bool whole = commune == NULL || commune[0] == '\0';
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           whole ? "SELECT " CORRECTION_COLUMNS " FROM correction_requests WHERE "
                                   "province_code = ? AND status = ? AND id > ? ORDER BY id "
                                   "LIMIT ?"
                                 : "SELECT " CORRECTION_COLUMNS " FROM correction_requests WHERE "
                                   "province_code = ? AND commune_code = ? AND status = ? AND "
                                   "id > ? ORDER BY id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    int p = 1;
    dd_stmt_bind_text(st, p++, province);
    if (!whole)
        dd_stmt_bind_text(st, p++, commune);
    dd_stmt_bind_text(st, p++, status);
    dd_stmt_bind_int64(st, p++, after_id);
    dd_stmt_bind_int64(st, p, (int64_t)limit + 1);
    return read_list(st, a, limit, out, n, more);
}

int
dd_correction_list_person(struct dd_db *db, struct dd_arena *a, const char *id_number,
                          int64_t before_id, int limit, struct dd_correction *out, int *n,
                          bool *more)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " CORRECTION_COLUMNS " FROM correction_requests WHERE "
                           "id_number = ? AND id < ? ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
    dd_stmt_bind_int64(st, 3, (int64_t)limit + 1);
    return read_list(st, a, limit, out, n, more);
}

int
dd_correction_decide(struct dd_db *db, int64_t id, bool accept, const char *note,
                     const char *officer, const char *officer_name, int64_t now_ms)
{
    if (!dd_db_in_transaction(db) || note == NULL || strlen(note) > DD_CORRECTION_MAX_REASON)
        return DD_EINVAL;
    struct dd_arena *a = dd_arena_new(0);
    struct dd_correction c;
    int rc = dd_correction_get(db, a, id, &c);
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st = NULL;
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE correction_requests SET status = ?, decided_at = ?, officer = "
                           "?, officer_name = ?, decision_note = ? WHERE id = ? AND status = "
                           "'open'",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, accept ? "accepted" : "rejected");
        dd_stmt_bind_text(st, 2, now);
        dd_stmt_bind_text(st, 3, officer ? officer : "");
        dd_stmt_bind_text(st, 4, officer_name ? officer_name : "");
        dd_stmt_bind_text(st, 5, note);
        dd_stmt_bind_int64(st, 6, id);
        rc = dd_stmt_step(st);
        int64_t changed = dd_stmt_changes(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : changed == 1 ? DD_OK : DD_ECONFLICT;
    }
    if (rc == DD_OK)
        rc = dd_event_emit(db, "correction.decided", dd_arena_printf(a, "person:%s", c.id_number),
                           dd_arena_printf(a,
                                           "{\"correction_request_id\":%lld,\"id_number\":\"%s\","
                                           "\"decision\":\"%s\"}",
                                           (long long)id, c.id_number,
                                           accept ? "accepted" : "rejected"));
    dd_arena_free(a);
    return rc;
}
