/*
 * land.c — land users and house owners (model 25), recorded by land-office officers:
 *   POST /api/v1/land/parcels                      a parcel, its house if any, its owners
 *   GET  /api/v1/land/parcels?owner=… | ?commune=&map_sheet=&parcel_number=
 *   GET  /api/v1/land/parcels/{id}                 with current owners and transfer history
 *   POST /api/v1/land/parcels/{id}/transfers       new owners replace the current ones
 *   POST /api/v1/land/parcels/{id}/certificates    land-use right certificates into every
 *                                                  current owner's wallet
 *   GET  /api/v1/me/land/parcels                   the citizen's own parcels
 * Shares are in basis points (1/10000) and the owners of a parcel always add up to 10000. Area
 * is in m² with at most two decimals, stored in hundredths.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/events.h"
#include "core/register/register.h"
#include "core/units/units.h"
#include "core/idempotency/idempotency.h"
#include "core/purpose.h"
#include "core/wallet/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_OWNERS   20
#define VCT_LAND     "urn:dinhdanh:vct:land-use-right"
#define PARCEL_LIMIT 200

struct owner {
    const char *id_number;
    int64_t share_bp;
};

/* Reads "owners": 1-20 distinct people whose shares add to 10000. Returns the count. */
static int
read_owners(struct wform *f, struct owner *o)
{
    json_t *v = f->body ? json_object_get(f->body, "owners") : NULL;
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    int64_t sum = 0;
    bool ok = n >= 1 && n <= MAX_OWNERS;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *e = json_array_get(v, i);
        o[i].id_number = json_string_value(json_object_get(e, "id_number"));
        json_t *s = json_object_get(e, "share_bp");
        ok = o[i].id_number && dd_reg_id_number_shape(o[i].id_number) && json_is_integer(s) &&
             json_integer_value(s) >= 1 && json_integer_value(s) <= 10000;
        o[i].share_bp = ok ? json_integer_value(s) : 0;
        sum += o[i].share_bp;
        for (size_t j = 0; ok && j < i; j++)
            ok = strcmp(o[i].id_number, o[j].id_number) != 0;
    }
    if (f->body && (!ok || sum != 10000)) {
        wform_error(f, "owners", "owners-invalid",
                    "owners là 1–20 người khác nhau {id_number, share_bp}, tổng phần là 10000.",
                    "owners is 1-20 distinct people {id_number, share_bp} whose shares add up "
                    "to 10000.");
        return 0;
    }
    return (int)n;
}

static json_t *
owners_json(const struct owner *o, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:I}", "id_number", o[i].id_number, "share_bp",
                                           (json_int_t)o[i].share_bp));
    return a;
}

static int
insert_owners(struct dd_db *db, int64_t parcel, const struct owner *o, int n, int64_t now)
{
    for (int i = 0; i < n; i++) {
        struct dd_stmt *st;
        int rc = dd_db_prepare(db,
                               "INSERT INTO land_owners (parcel_id, id_number, share_bp, since) "
                               "VALUES (?, ?, ?, ?)",
                               &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_int64(st, 1, parcel);
        dd_stmt_bind_text(st, 2, o[i].id_number);
        dd_stmt_bind_int64(st, 3, o[i].share_bp);
        dd_stmt_bind_int64(st, 4, now);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
        if (rc < 0)
            return rc;
    }
    return DD_OK;
}

struct parcel_in {
    const char *commune, *map_sheet, *parcel_number, *land_use, *address;
    int64_t area;
    json_t *house;
    struct owner owners[MAX_OWNERS];
    int n_owners;
};

static bool
land_use_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return false;
    return n >= 2 && n <= 10;
}

static int
parcel_parse_or_reply(struct dd_req *req, struct parcel_in *p)
{
    struct wform f;
    wform_init(&f, req);
    memset(p, 0, sizeof *p);
    p->commune = wform_str(&f, "commune", true, 5);
    p->map_sheet = wform_str(&f, "map_sheet", true, 20);
    p->parcel_number = wform_str(&f, "parcel_number", true, 20);
    p->land_use = wform_str(&f, "land_use", true, 10);
    p->address = wform_str(&f, "address", true, 300);
    if (p->commune && !dd_str_all_digits(p->commune, 5))
        wform_error(&f, "commune", "commune-invalid", "Mã xã/phường gồm 5 chữ số.",
                    "A commune code is 5 digits.");
    if (p->land_use && !land_use_ok(p->land_use))
        wform_error(&f, "land_use", "land-use-invalid",
                    "Mục đích sử dụng là mã 2–10 chữ in hoa (ODT, ONT, LUC…).",
                    "Land use is a code of 2-10 capital letters (ODT, ONT, LUC…).");
    json_t *area = f.body ? json_object_get(f.body, "area_m2") : NULL;
    double x = json_is_number(area) ? json_number_value(area) : -1;
    p->area = x > 0 && x <= 1e9 ? (int64_t)(x * 100 + 0.5) : 0;
    double off = x * 100 - (double)p->area;
    if (f.body && (x <= 0 || x > 1e9 || off > 1e-6 || off < -1e-6))
        wform_error(&f, "area_m2", "area-invalid",
                    "Diện tích (m²) là số dương, tối đa hai chữ số thập phân.",
                    "The area (m²) is a positive number with at most two decimals.");
    p->house = f.body ? json_object_get(f.body, "house") : NULL;
    if (p->house && (!json_is_object(p->house) || json_object_size(p->house) > 10))
        wform_error(&f, "house", "house-invalid",
                    "house là một đối tượng (floor_area_m2, floors, kind).",
                    "house is an object (floor_area_m2, floors, kind).");
    p->n_owners = read_owners(&f, p->owners);
    return wform_done_or_reply(&f);
}

static int
land_parcels_create_run(struct dd_req *req, struct dd_idem *idem)
{
    struct parcel_in p;
    if (parcel_parse_or_reply(req, &p) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    /* A commune of the officer's province, in force today. */
    int found = dd_units_commune_exists(db, req->who->province, p.commune, NULL);
    if (found < 0)
        return wallet_fail(req, db, found);
    if (found == 0) {
        json_t *ext = dd_problem_add_error(
            NULL, req, "commune", "commune-unknown",
            "Không có xã/phường này trong tỉnh (đơn vị hành chính hiện hành).",
            "No such commune in the province (administrative units in force).");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    int64_t now = dd_clock_now_ms(), id = 0;
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO land_parcels (commune, map_sheet, parcel_number, area_dm2, "
                           "land_use, address, house, created_by, created_at) VALUES (?, ?, ?, ?, "
                           "?, ?, ?, ?, ?) RETURNING id",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, p.commune);
        dd_stmt_bind_text(st, 2, p.map_sheet);
        dd_stmt_bind_text(st, 3, p.parcel_number);
        dd_stmt_bind_int64(st, 4, p.area);
        dd_stmt_bind_text(st, 5, p.land_use);
        dd_stmt_bind_text(st, 6, p.address);
        dd_stmt_bind_text(st, 7, p.house ? dd_json_dump(req->arena, p.house) : "");
        dd_stmt_bind_text(st, 8, req->who->name);
        dd_stmt_bind_int64(st, 9, now);
        rc = dd_stmt_step(st);
        id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
        dd_stmt_reset(st);
        rc = rc == DD_DB_ROW ? DD_OK : rc < 0 ? rc : DD_EDB;
    }
    if (rc == DD_OK)
        rc = insert_owners(db, id, p.owners, p.n_owners, now);
    if (rc == DD_OK)
        rc = dd_event_emit(db, "land.parcel.recorded",
                           dd_arena_printf(req->arena, "%lld", (long long)id), "{}");
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_idem_commit_json(req, db, idem, 201,
                               json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)id,
                                         "commune", p.commune, "map_sheet", p.map_sheet,
                                         "parcel_number", p.parcel_number, "owners",
                                         owners_json(p.owners, p.n_owners)),
                               NULL, wallet_fail);
}

int
land_parcels_create(struct dd_req *req)
{
    return dd_idem_run(req, land_parcels_create_run);
}

/* ---- reading ---- */

#define PARCEL_COLUMNS                                                                             \
    "SELECT p.id, p.commune, p.map_sheet, p.parcel_number, p.area_dm2, p.land_use, p.address, "    \
    "p.house FROM land_parcels p "

static json_t *
parcel_row_json(struct dd_stmt *st)
{
    json_t *house = dd_stmt_text(st, 7)[0] ? json_loads(dd_stmt_text(st, 7), 0, NULL) : NULL;
    return json_pack("{s:I, s:s, s:s, s:s, s:f, s:s, s:s, s:o}", "id",
                     (json_int_t)dd_stmt_int64(st, 0), "commune", dd_stmt_text(st, 1), "map_sheet",
                     dd_stmt_text(st, 2), "parcel_number", dd_stmt_text(st, 3), "area_m2",
                     (double)dd_stmt_int64(st, 4) / 100.0, "land_use", dd_stmt_text(st, 5),
                     "address", dd_stmt_text(st, 6), "house", house ? house : json_null());
}

/* Adds "owners" (current) and, when `history`, "transfers" to parcel object o. */
static int
parcel_details(struct dd_db *db, json_t *o, bool history)
{
    int64_t id = json_integer_value(json_object_get(o, "id"));
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id_number, share_bp, since FROM land_owners WHERE parcel_id = ? "
                           "AND ended_at = 0 ORDER BY share_bp DESC, id_number",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    json_t *owners = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(owners,
                              json_pack("{s:s, s:I, s:I}", "id_number", dd_stmt_text(st, 0),
                                        "share_bp", (json_int_t)dd_stmt_int64(st, 1), "since",
                                        (json_int_t)(dd_stmt_int64(st, 2) / 1000)));
    dd_stmt_reset(st);
    json_object_set_new(o, "owners", owners);
    if (rc < 0 || !history)
        return rc < 0 ? rc : DD_OK;
    rc = dd_db_prepare(db,
                       "SELECT at, from_owners, to_owners, reason, legal_basis, officer FROM "
                       "land_transfers WHERE parcel_id = ? ORDER BY id",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    json_t *transfers = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(transfers,
                              json_pack("{s:I, s:o, s:o, s:s, s:s, s:s}", "at",
                                        (json_int_t)(dd_stmt_int64(st, 0) / 1000), "from",
                                        json_loads(dd_stmt_text(st, 1), 0, NULL), "to",
                                        json_loads(dd_stmt_text(st, 2), 0, NULL), "reason",
                                        dd_stmt_text(st, 3), "legal_basis", dd_stmt_text(st, 4),
                                        "officer", dd_stmt_text(st, 5)));
    dd_stmt_reset(st);
    json_object_set_new(o, "transfers", transfers);
    return rc < 0 ? rc : DD_OK;
}

#define READ_DATA "land-parcel" /* what the access log says was read */

/* An officer's read of parcels is a read of their present owners' data: one access-log row per
 * owner, with the officer's stated purpose (none for the citizen's own parcels). */
static int
log_owner_reads(struct dd_db *db, struct dd_req *req, json_t *parcels, const char *purpose)
{
    if (purpose == NULL)
        return DD_OK;
    const char *ids[MAX_OWNERS * 8];
    int n = 0;
    size_t i, j;
    json_t *p, *o;
    json_array_foreach(parcels, i, p)
    {
        json_array_foreach(json_object_get(p, "owners"), j, o)
        {
            const char *id = json_string_value(json_object_get(o, "id_number"));
            if (id && n < (int)(sizeof ids / sizeof ids[0]))
                ids[n++] = id;
            if (n == (int)(sizeof ids / sizeof ids[0])) {
                int rc = dd_reg_access_reads(db, req, ids, n, "read", READ_DATA, purpose);
                if (rc != DD_OK)
                    return rc;
                n = 0;
            }
        }
    }
    return n ? dd_reg_access_reads(db, req, ids, n, "read", READ_DATA, purpose) : DD_OK;
}

/* Runs a parcel query (bound by `bind`) and replies with the list, owners and history; an
 * officer's read (purpose not NULL) is written to the owners' access logs first. */
static int
reply_parcels(struct dd_req *req, struct dd_db *db, const char *sql, const char *const *args,
              int nargs, const char *purpose)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    for (int i = 0; i < nargs; i++)
        dd_stmt_bind_text(st, i + 1, args[i]);
    json_t *items = dd_json_keep(req->arena, json_array());
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(items, parcel_row_json(st));
    dd_stmt_reset(st);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        if (rc >= 0)
            rc = parcel_details(db, o, true);
    }
    if (rc >= 0)
        rc = log_owner_reads(db, req, items, purpose);
    if (rc < 0)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 200, json_pack("{s:O, s:n}", "items", items, "next_cursor"));
}

int
land_parcels_list(struct dd_req *req)
{
    const char *owner = dd_req_query(req, "owner");
    const char *commune = dd_req_query(req, "commune"), *sheet = dd_req_query(req, "map_sheet"),
               *number = dd_req_query(req, "parcel_number");
    bool by_owner = owner && dd_reg_id_number_shape(owner);
    bool by_parcel = commune && sheet && number && dd_str_all_digits(commune, 5);
    if (!by_owner && !by_parcel) {
        json_t *ext = dd_problem_add_error(
            NULL, req, "owner", "query-invalid",
            "Tra cứu theo owner=<số định danh> hoặc theo commune, map_sheet và parcel_number.",
            "Query by owner=<ID number>, or by commune, map_sheet and parcel_number.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    if (by_owner) {
        const char *args[] = {owner};
        return reply_parcels(req, db,
                             PARCEL_COLUMNS "WHERE p.id IN (SELECT parcel_id FROM land_owners "
                                            "WHERE id_number = ? AND ended_at = 0) ORDER BY p.id "
                                            "LIMIT 200",
                             args, 1, purpose);
    }
    const char *args[] = {commune, sheet, number};
    return reply_parcels(req, db,
                         PARCEL_COLUMNS "WHERE p.commune = ? AND p.map_sheet = ? AND "
                                        "p.parcel_number = ?",
                         args, 3, purpose);
}

int
land_me_parcels_list(struct dd_req *req)
{
    const char *me = wallet_me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *args[] = {me};
    return reply_parcels(req, db,
                         PARCEL_COLUMNS "WHERE p.id IN (SELECT parcel_id FROM land_owners WHERE "
                                        "id_number = ? AND ended_at = 0) ORDER BY p.id LIMIT 200",
                         args, 1, NULL);
}

/* Parcel {id} with owners and transfers, tied to the arena; or a 404 reply and NULL. */
static json_t *
parcel_or_reply(struct dd_req *req, struct dd_db *db)
{
    int64_t id;
    if (dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) != DD_OK) {
        wallet_fail(req, db, DD_ENOTFOUND);
        return NULL;
    }
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, PARCEL_COLUMNS "WHERE p.id = ?", &st);
    if (rc != DD_OK) {
        wallet_fail(req, db, rc);
        return NULL;
    }
    dd_stmt_bind_int64(st, 1, id);
    rc = dd_stmt_step(st);
    json_t *o = rc == DD_DB_ROW ? dd_json_keep(req->arena, parcel_row_json(st)) : NULL;
    dd_stmt_reset(st);
    if (o && (rc = parcel_details(db, o, true)) != DD_OK)
        o = NULL;
    if (o == NULL)
        wallet_fail(req, db, rc < 0 ? rc : DD_ENOTFOUND);
    return o;
}

int
land_parcels_get(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *o = parcel_or_reply(req, db);
    if (o == NULL)
        return DD_DONE;
    json_t *one = dd_json_keep(req->arena, json_pack("[O]", o));
    int rc = log_owner_reads(db, req, one, purpose);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 200, json_incref(o));
}

static int
land_transfers_create_run(struct dd_req *req, struct dd_idem *idem)
{
    struct wform f;
    wform_init(&f, req);
    struct owner to[MAX_OWNERS];
    int n = read_owners(&f, to);
    const char *reason = wform_str(&f, "reason", true, 300);
    const char *basis = wform_str(&f, "legal_basis", true, 300);
    if (wform_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    json_t *o = parcel_or_reply(req, db);
    if (o == NULL)
        return DD_DONE; /* rolled back by the reply */
    int64_t id = json_integer_value(json_object_get(o, "id")), now = dd_clock_now_ms();
    json_t *from = json_object_get(o, "owners");
    size_t i;
    json_t *e;
    json_array_foreach(from, i, e) json_object_del(e, "since");
    struct dd_stmt *st;
    rc = dd_db_prepare(
        db, "UPDATE land_owners SET ended_at = ? WHERE parcel_id = ? AND ended_at = 0", &st);
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, now);
        dd_stmt_bind_int64(st, 2, id);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    if (rc >= 0)
        rc = insert_owners(db, id, to, n, now);
    json_t *to_json = dd_json_keep(req->arena, owners_json(to, n));
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO land_transfers (parcel_id, at, from_owners, to_owners, "
                           "reason, legal_basis, officer) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, id);
        dd_stmt_bind_int64(st, 2, now);
        dd_stmt_bind_text(st, 3, dd_json_dump(req->arena, from));
        dd_stmt_bind_text(st, 4, dd_json_dump(req->arena, to_json));
        dd_stmt_bind_text(st, 5, reason);
        dd_stmt_bind_text(st, 6, basis);
        dd_stmt_bind_text(st, 7, req->who->name);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    if (rc >= 0)
        rc = dd_event_emit(db, "land.parcel.transferred",
                           dd_arena_printf(req->arena, "%lld", (long long)id), "{}");
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_idem_commit_json(req, db, idem, 201,
                               json_pack("{s:I, s:O, s:O, s:s, s:s}", "parcel", (json_int_t)id,
                                         "from", from, "to", to_json, "reason", reason,
                                         "legal_basis", basis),
                               NULL, wallet_fail);
}

int
land_transfers_create(struct dd_req *req)
{
    return dd_idem_run(req, land_transfers_create_run);
}

static int
land_certificates_create_run(struct dd_req *req, struct dd_idem *idem)
{
    struct wform f;
    wform_init(&f, req);
    const char *issuer = wform_str(&f, "issuer", true, WALLET_ISSUER_ID_MAX);
    if (wform_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    json_t *o = parcel_or_reply(req, db);
    if (o == NULL)
        return DD_DONE;
    int64_t now = dd_clock_now_ms();
    json_t *owners = json_object_get(o, "owners"), *items = dd_json_keep(req->arena, json_array());
    size_t i;
    json_t *e;
    json_array_foreach(owners, i, e)
    {
        if (rc != DD_OK)
            break;
        json_t *claims = dd_json_keep(
            req->arena,
            json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:O, s:O, s:I}", "commune",
                      json_string_value(json_object_get(o, "commune")), "map_sheet",
                      json_string_value(json_object_get(o, "map_sheet")), "parcel_number",
                      json_string_value(json_object_get(o, "parcel_number")), "area_m2",
                      json_object_get(o, "area_m2"), "land_use",
                      json_string_value(json_object_get(o, "land_use")), "address",
                      json_string_value(json_object_get(o, "address")), "house",
                      json_object_get(o, "house"), "owners", owners, "share_bp",
                      json_integer_value(json_object_get(e, "share_bp"))));
        struct dd_wallet_issue_in in = {
            .issuer = issuer,
            .holder = json_string_value(json_object_get(e, "id_number")),
            .vct = VCT_LAND,
            .title = "Giấy chứng nhận quyền sử dụng đất",
            .claims = claims,
            .expires_at_ms = now + 70LL * 366 * 86400 * 1000,
            .issued_by = req->who->name,
        };
        struct dd_wallet_issued out;
        rc = dd_wallet_issue(db, req->arena, &in, now, &out);
        if (rc == DD_OK)
            json_array_append_new(items, wallet_issued_json(req->arena, &in, &out, now));
    }
    if (rc == DD_ENOTFOUND) {
        dd_db_rollback(db);
        json_t *ext = dd_problem_add_error(NULL, req, "issuer", "issuer-unknown",
                                           "Không có cơ quan cấp này.", "No such issuer.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_idem_commit_json(req, db, idem, 201, json_pack("{s:O}", "items", items), NULL,
                               wallet_fail);
}

int
land_certificates_create(struct dd_req *req)
{
    return dd_idem_run(req, land_certificates_create_run);
}
