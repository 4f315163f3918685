/*
 * data_export.c — GET /api/v1/me/data-export: a copy of everything the platform holds about the
 * caller (Decree 13/2023/NĐ-CP, the data subject's right to a copy), as one JSON object.
 *
 * The register record with its household and every residence period and history entry, the
 * consents and correction requests, the login account with its sessions and authentication
 * history (never a secret), then the access log of the last five years. Everything but
 * the access log is read first and is small; the access log is written page by page while the
 * reply is sent (stream.c), so the reply takes bounded memory however long the log is. The
 * person's own reads are not logged, so taking the copy leaves no row in the access log.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "core/consent/api.h"
#include "core/consent/consent.h"
#include "core/consent/corrections.h"
#include "core/register/history.h"
#include "core/register/register.h"
#include "http/principal.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define PAGE           500
#define MAX_HEAD_BYTES (16 * 1024 * 1024)

/* The register record: every field, its version and times; null when there is none. */
static json_t *
person_json(const struct dd_reg_person *rp)
{
    json_t *o = json_object();
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        json_object_set_new(o, dd_person_fields[i].name, json_string(dd_person_get(&rp->p, i)));
    json_object_set_new(o, "version", json_integer(rp->version));
    json_object_set_new(o, "created_at", json_string(rp->created_at));
    json_object_set_new(o, "updated_at", json_string(rp->updated_at));
    return o;
}

/* Steps st and appends one object per row, its members named by `names` (one per column): a
 * name starting with '*' holds JSON text, '#' an integer, '?' a boolean. Resets st. */
static int
rows_read(struct dd_stmt *st, const char *const *names, int ncol, json_t *out)
{
    int rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        json_t *o = json_object();
        for (int c = 0; c < ncol; c++) {
            const char *v = dd_stmt_text(st, c);
            json_t *j = NULL;
            if (names[c][0] == '*')
                j = json_loads(v ? v : "null", JSON_DECODE_ANY, NULL);
            else if (names[c][0] == '#')
                j = json_integer(dd_stmt_int64(st, c));
            else if (names[c][0] == '?')
                j = json_boolean(dd_stmt_int64(st, c) != 0);
            bool typed = names[c][0] == '*' || names[c][0] == '#' || names[c][0] == '?';
            json_object_set_new(o, names[c] + typed, j ? j : json_string(v ? v : ""));
        }
        json_array_append_new(out, o);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Runs a query with one text parameter and appends one object per row (rows_read). */
static int
rows_json(struct dd_db *db, const char *sql, const char *arg, const char *const *names, int ncol,
          json_t *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, arg);
    return rows_read(st, names, ncol, out);
}

/* rows_json with an integer parameter. */
static int
rows_json_id(struct dd_db *db, const char *sql, int64_t arg, const char *const *names, int ncol,
             json_t *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, arg);
    return rows_read(st, names, ncol, out);
}

/* The person's history: version 1 kept by a bulk load first, if that is where it is
 * (core/register/history.h), then the rows of person_history. */
static int
history_json(struct dd_db *db, struct dd_arena *a, const struct dd_reg_person *rp, const char *me,
             json_t *out)
{
    struct dd_reg_history_entry first;
    int rc = rp ? dd_reg_history_imported(db, a, rp, &first) : DD_ENOTFOUND;
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    if (rc == DD_OK) {
        json_t *changes = json_loads(first.changes, 0, NULL);
        json_array_append_new(
            out, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "version", (json_int_t)1,
                           "kind", first.kind, "at", first.at, "actor", first.actor, "changes",
                           changes ? changes : json_object(), "reason", first.reason, "legal_basis",
                           first.legal_basis, "dossier", first.dossier));
    }
    static const char *const names[] = {"#version", "kind",   "at",          "actor",
                                        "*changes", "reason", "legal_basis", "dossier"};
    return rows_json(db,
                     "SELECT version, kind, at, actor, changes, reason, legal_basis, dossier FROM "
                     "person_history WHERE id_number = ? ORDER BY version",
                     me, names, 8, out);
}

static int
residences_json(struct dd_db *db, const char *me, json_t *out)
{
    static const char *const names[] = {"kind", "province", "commune", "address",
                                        "from", "until",    "reason"};
    return rows_json(db,
                     "SELECT kind, province_code, commune_code, address, from_date, to_date, "
                     "reason FROM residences WHERE id_number = ? ORDER BY id",
                     me, names, 7, out);
}

/* The household: number, place, head, and each member's name and relation (other members' ID
 * numbers and details are theirs, not the caller's). */
static int
household_json(struct dd_db *db, const struct dd_reg_person *rp, json_t **out)
{
    *out = json_null();
    if (rp->household_id == 0)
        return DD_OK;
    json_t *members = json_array();
    *out = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o}", "number", rp->p.household_number,
                     "province", rp->household_province, "commune", rp->household_commune,
                     "address", rp->household_address, "is_head",
                     strcmp(rp->household_head, rp->p.id_number) == 0, "relation_to_head",
                     rp->p.relation_to_head, "members", members);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT full_name, relation_to_head FROM people WHERE household_id = ? "
                           "ORDER BY id_number",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, rp->household_id);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(members, json_pack("{s:s, s:s}", "full_name", dd_stmt_text(st, 0),
                                                 "relation_to_head", dd_stmt_text(st, 1)));
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
consents_json(struct dd_db *db, struct dd_req *req, const char *me, json_t *out)
{
    struct dd_consent *list = dd_arena_alloc(req->arena, PAGE * sizeof *list);
    int64_t before = 0, now = dd_clock_now_ms();
    for (bool more = true; more;) {
        int n;
        int rc = dd_consent_list(db, req->arena, me, before, PAGE, list, &n, &more);
        if (rc != DD_OK)
            return rc;
        for (int i = 0; i < n; i++)
            json_array_append_new(out, cs_consent_json(&list[i], now));
        before = n ? list[n - 1].id : 0;
    }
    return DD_OK;
}

static int
corrections_json(struct dd_db *db, struct dd_req *req, const char *me, json_t *out)
{
    struct dd_correction *list = dd_arena_alloc(req->arena, PAGE * sizeof *list);
    int64_t before = 0;
    for (bool more = true; more;) {
        int n;
        int rc = dd_correction_list_person(db, req->arena, me, before, PAGE, list, &n, &more);
        if (rc != DD_OK)
            return rc;
        for (int i = 0; i < n; i++)
            json_array_append_new(out, cs_correction_json(&list[i]));
        before = n ? list[n - 1].id : 0;
    }
    return DD_OK;
}

/* The login account (core/identity, migrations/0009_identity.*.sql) without its secrets: no
 * password hash, second-factor secret, codes or session tokens, only whether a second factor is
 * set. */
static int
account_json(struct dd_db *db, int64_t account_id, json_t *o)
{
    static const char *const account[] = {"#id",
                                          "kind",
                                          "login",
                                          "id_number",
                                          "nationality",
                                          "passport_number",
                                          "display_name",
                                          "birth_date",
                                          "phone",
                                          "email",
                                          "#level",
                                          "status",
                                          "status_reason",
                                          "?second_factor",
                                          "portrait_ref",
                                          "level2_by",
                                          "level2_at",
                                          "level2_card_check",
                                          "level2_face_check",
                                          "created_at",
                                          "updated_at"};
    static const char *const sessions[] = {"#id",        "service",    "method",     "#level",
                                           "network",    "user_agent", "created_at", "last_seen_at",
                                           "expires_at", "ended_at",   "end_reason"};
    static const char *const history[] = {"at",       "service", "method",  "#level",
                                          "?success", "reason",  "network", "user_agent"};
    json_t *list = json_array(), *s = json_array(), *h = json_array();
    int rc = rows_json_id(db,
                          "SELECT id, kind, login, id_number, nationality, passport_number, "
                          "display_name, birth_date, phone, email, level, status, status_reason, "
                          "CASE WHEN totp_secret <> '' THEN 1 ELSE 0 END, portrait_ref, "
                          "level2_by, level2_at, level2_card_check, level2_face_check, "
                          "created_at, updated_at FROM accounts WHERE id = ?",
                          account_id, account, 21, list);
    if (rc == DD_OK)
        rc = rows_json_id(db,
                          "SELECT id, service, method, level, network, user_agent, created_at, "
                          "last_seen_at, expires_at, ended_at, end_reason FROM sessions WHERE "
                          "account_id = ? ORDER BY id",
                          account_id, sessions, 11, s);
    if (rc == DD_OK)
        rc = rows_json_id(db,
                          "SELECT at, service, method, level, success, reason, network, "
                          "user_agent FROM auth_history WHERE account_id = ? ORDER BY id",
                          account_id, history, 8, h);
    json_t *first = json_array_get(list, 0);
    json_object_set(o, "account", first ? first : json_null());
    json_object_set_new(o, "sessions", s);
    json_object_set_new(o, "auth_history", h);
    json_decref(list);
    return rc;
}

/* Everything but the access log, in one object. */
static int
head_json(struct dd_db *db, struct dd_req *req, const char *me, json_t *o)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    json_object_set_new(o, "generated_at", json_string(now));
    json_object_set_new(o, "id_number", json_string(me));
    struct dd_reg_person rp;
    int rc = dd_reg_person_load(db, req->arena, me, &rp);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return rc;
    bool found = rc == DD_OK;
    json_t *history = json_array(), *residences = json_array(), *household = json_null();
    json_object_set_new(o, "person", found ? person_json(&rp) : json_null());
    rc = found ? household_json(db, &rp, &household) : DD_OK;
    json_object_set_new(o, "household", household);
    json_object_set_new(o, "residences", residences);
    json_object_set_new(o, "history", history);
    json_t *consents = json_array(), *corrections = json_array();
    json_object_set_new(o, "consents", consents);
    json_object_set_new(o, "correction_requests", corrections);
    if (rc == DD_OK)
        rc = residences_json(db, me, residences);
    if (rc == DD_OK)
        rc = history_json(db, req->arena, found ? &rp : NULL, me, history);
    if (rc == DD_OK)
        rc = consents_json(db, req, me, consents);
    if (rc == DD_OK)
        rc = corrections_json(db, req, me, corrections);
    if (rc == DD_OK)
        rc = account_json(db, req->who->account_id, o);
    return rc;
}

/* GET /api/v1/me/data-export — 200 with the copy (Content-Disposition: attachment). */
int
cs_me_data_export(struct dd_req *req)
{
    const char *me = cs_me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *o = dd_json_keep(req->arena, json_object());
    int rc = dd_db_begin_read(db);
    if (rc == DD_OK)
        rc = head_json(db, req, me, o);
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    char *text = dd_json_dump(req->arena, o);
    size_t len = strlen(text);
    if (len > MAX_HEAD_BYTES)
        return cs_fail(req, db, DD_EINTERNAL);
    /* "{…}" becomes "{…,"access_log":[" and the rows follow. */
    text[len - 1] = '\0';
    const char *prefix = dd_arena_printf(req->arena, "%s,\"access_log\":[", text);
    return cs_stream_access_log(req, me, CS_STREAM_JSON_TAIL, prefix, "data-export.json");
}
