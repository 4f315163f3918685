/*
 * org_store.c — the `organisations` rows: inserting a checked one, loading, pages of them kept
 * to an officer's area, the change of status (suspended, active) with its event, and the
 * organisation as JSON. Events have the subject "organisation:ID".
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/events.h"
#include "core/identity/org_internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG_COLUMNS                                                                                \
    "id, kind, name, registration_number, licence_number, licence_issuer, licence_issued_on, "     \
    "licence_expires_on, address, province_code, commune_code, phone, status, status_reason, "     \
    "status_by, status_at, created_by, created_at, updated_at FROM organisations "

int
org_event(struct dd_db *db, const char *type, int64_t id, json_t *payload)
{
    char subject[40];
    snprintf(subject, sizeof subject, "organisation:%lld", (long long)id);
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (text == NULL)
        return DD_EINTERNAL;
    int rc = dd_event_emit(db, type, subject, text);
    free(text);
    return rc;
}

int
org_insert(struct dd_db *db, const struct dd_org_new *o, const char *actor, int64_t now_ms,
           int64_t *id)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO organisations (kind, name, registration_number, "
                           "licence_number, licence_issuer, licence_issued_on, licence_expires_on, "
                           "address, province_code, commune_code, phone, created_by, created_at, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    const char *v[] = {o->kind,
                       o->name,
                       o->registration_number,
                       o->licence_number,
                       o->licence_issuer,
                       o->licence_issued_on,
                       o->licence_expires_on,
                       o->address,
                       o->province,
                       o->commune,
                       o->phone,
                       actor,
                       now,
                       now};
    for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
        dd_stmt_bind_text(st, i + 1, v[i] ? v[i] : "");
    rc = dd_stmt_step(st);
    *id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    if (rc == DD_ECONFLICT)
        return DD_EEXIST;
    if (rc < 0)
        return rc;
    return org_event(db, "organisation.created", *id,
                     json_pack("{s:I, s:s, s:s, s:s, s:s}", "organisation_id", (json_int_t)*id,
                               "kind", o->kind, "province", o->province, "commune", o->commune,
                               "by", actor));
}

static const char *
text(struct dd_arena *a, struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return dd_arena_strdup(a, s ? s : "");
}

static void
read_row(struct dd_arena *a, struct dd_stmt *st, struct org *o)
{
    int c = 0;
    o->id = dd_stmt_int64(st, c++);
    const char **f[] = {&o->kind,
                        &o->name,
                        &o->registration_number,
                        &o->licence_number,
                        &o->licence_issuer,
                        &o->licence_issued_on,
                        &o->licence_expires_on,
                        &o->address,
                        &o->province,
                        &o->commune,
                        &o->phone,
                        &o->status,
                        &o->status_reason,
                        &o->status_by,
                        &o->status_at,
                        &o->created_by,
                        &o->created_at,
                        &o->updated_at};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = text(a, st, c++);
}

int
org_load(struct dd_db *db, struct dd_arena *a, int64_t id, struct org *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT " ORG_COLUMNS "WHERE id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        read_row(a, st, out);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

static json_t *
string_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *
org_json(const struct org *o)
{
    const struct dd_org_kind *k = dd_org_kind(o->kind);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(o->id));
    json_object_set_new(j, "kind", json_string(o->kind));
    json_object_set_new(j, "kind_name", string_or_null(k ? k->name_vi : NULL));
    json_object_set_new(j, "name", json_string(o->name));
    json_object_set_new(j, "registration_number", string_or_null(o->registration_number));
    json_object_set_new(j, "licence_kind", string_or_null(k ? k->licence : NULL));
    json_object_set_new(j, "licence_number", string_or_null(o->licence_number));
    json_object_set_new(j, "licence_issuer", string_or_null(o->licence_issuer));
    json_object_set_new(j, "licence_issued_on", string_or_null(o->licence_issued_on));
    json_object_set_new(j, "licence_expires_on", string_or_null(o->licence_expires_on));
    json_object_set_new(j, "address", json_string(o->address));
    json_object_set_new(j, "province", json_string(o->province));
    json_object_set_new(j, "commune", json_string(o->commune));
    json_object_set_new(j, "phone", string_or_null(o->phone));
    json_object_set_new(j, "status", json_string(o->status));
    json_object_set_new(j, "status_reason", string_or_null(o->status_reason));
    json_object_set_new(j, "status_by", string_or_null(o->status_by));
    json_object_set_new(j, "status_at", string_or_null(o->status_at));
    json_object_set_new(j, "created_by", json_string(o->created_by));
    json_object_set_new(j, "created_at", json_string(o->created_at));
    json_object_set_new(j, "updated_at", json_string(o->updated_at));
    return j;
}

int
org_set_status(struct dd_db *db, const struct org *o, const char *status, const char *reason,
               const char *actor, int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE organisations SET status = ?, status_reason = ?, status_by = ?, "
                           "status_at = ?, updated_at = ? WHERE id = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, status);
    dd_stmt_bind_text(st, 2, reason ? reason : "");
    dd_stmt_bind_text(st, 3, actor);
    dd_stmt_bind_text(st, 4, now);
    dd_stmt_bind_text(st, 5, now);
    dd_stmt_bind_int64(st, 6, o->id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    bool suspended = strcmp(status, "suspended") == 0;
    return org_event(db, suspended ? "organisation.suspended" : "organisation.reinstated", o->id,
                     json_pack("{s:I, s:s, s:s, s:s}", "organisation_id", (json_int_t)o->id,
                               "status", status, "reason", reason ? reason : "", "by", actor));
}

int
org_forget_staff_sessions(struct dd_db *db, int64_t org_id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT account_id FROM org_staff WHERE org_id = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, org_id);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        id_session_cache_forget_account(dd_stmt_int64(st, 0));
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
org_page(struct dd_db *db, struct dd_arena *a, const struct org_query *q, json_t *items,
         int64_t *next)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " ORG_COLUMNS "WHERE province_code = ? AND (? = '' OR "
                           "commune_code = ?) AND (? = '' OR kind = ?) AND (? = '' OR status = ?) "
                           "AND id > ? ORDER BY id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    const char *v[] = {q->commune, q->commune, q->kind, q->kind, q->status, q->status};
    dd_stmt_bind_text(st, 1, q->province);
    for (int i = 0; i < 6; i++)
        dd_stmt_bind_text(st, i + 2, v[i] ? v[i] : "");
    dd_stmt_bind_int64(st, 8, q->cursor);
    dd_stmt_bind_int64(st, 9, q->limit + 1);
    int n = 0;
    int64_t last = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        struct org o;
        read_row(a, st, &o);
        if (++n > q->limit)
            break;
        json_array_append_new(items, org_json(&o));
        last = o.id;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    *next = n > q->limit ? last : 0;
    return DD_OK;
}
