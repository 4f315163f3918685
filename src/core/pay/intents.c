/*
 * intents.c — payment intents in the database: creation, reads, state moves with their
 * transition rows and events, expiry (pay.h).
 */
#include "core/pay/pay.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/events.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define PAY_COLUMNS                                                                                \
    "id, reference, purpose, description, amount, payer_id_number, payer_name, module, "           \
    "object_type, object_id, state, method, gateway_txn, COALESCE(receipt_code, ''), created_by, " \
    "created_at, updated_at, expires_at, paid_at, version"

static const char *const purposes[] = {"fee",    "fine",  "hospital", "ticket",
                                       "school", "other", NULL};

bool
dd_pay_purpose_valid(const char *purpose)
{
    for (size_t i = 0; purpose && purposes[i]; i++)
        if (strcmp(purpose, purposes[i]) == 0)
            return true;
    return false;
}

/* The allowed moves, one row per from-state. */
static const struct {
    const char *from;
    const char *to[5];
} moves[] = {
    {"created", {"pending", "paid", "expired", "failed", NULL}},
    {"pending", {"paid", "failed", "expired", NULL}},
    {"failed", {"pending", "paid", "expired", NULL}},
    {"paid", {"refunded", NULL}},
};

bool
dd_pay_can_move(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        if (strcmp(moves[i].from, from) != 0)
            continue;
        for (size_t k = 0; moves[i].to[k]; k++)
            if (strcmp(moves[i].to[k], to) == 0)
                return true;
    }
    return false;
}

/* n random characters of 0-9 A-Z (no I, O: they read as 1, 0). */
static void
random_code(char *out, size_t n)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[dd_random_uniform(sizeof alphabet - 1)];
    out[n] = '\0';
}

static void
random_hex(char *out, size_t bytes)
{
    unsigned char r[32];
    dd_random_bytes(r, bytes);
    dd_hex_encode(r, bytes, out);
}

static bool
text_ok(const char *s, size_t max)
{
    return s && s[0] && strlen(s) <= max && !dd_str_has_control(s);
}

static int
check_new(const struct dd_pay_new *n)
{
    if (!dd_pay_purpose_valid(n->purpose) || !text_ok(n->description, 200) ||
        !text_ok(n->payer_id_number, 12) || !text_ok(n->module, 32) ||
        !text_ok(n->object_type, 32) || !text_ok(n->object_id, 64) || !text_ok(n->created_by, 64))
        return DD_EINVAL;
    if (n->amount < 1 || n->amount > DD_PAY_MAX_AMOUNT)
        return DD_EINVAL;
    if (n->ttl_seconds < 0 || n->ttl_seconds > DD_PAY_MAX_TTL)
        return DD_EINVAL;
    return DD_OK;
}

static const char *
iso(struct dd_arena *a, int64_t ms)
{
    char t[32];
    dd_clock_iso8601(ms, t);
    return dd_arena_strdup(a, t);
}

static int
step_done(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc < 0 ? rc : DD_EINTERNAL;
}

static int
insert_transition(struct dd_db *db, const char *id, const char *from, const char *to,
                  const char *at, const char *actor, const char *reason, const char *detail)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO payment_transitions (payment_id, from_state, to_state, at, "
                           "actor, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id);
    dd_stmt_bind_text(st, 2, from);
    dd_stmt_bind_text(st, 3, to);
    dd_stmt_bind_text(st, 4, at);
    dd_stmt_bind_text(st, 5, actor);
    dd_stmt_bind_text(st, 6, reason ? reason : "");
    dd_stmt_bind_text(st, 7, detail ? detail : "{}");
    return step_done(st);
}

int
dd_pay_create(struct dd_db *db, struct dd_arena *a, const struct dd_pay_new *n, int64_t now_ms,
              struct dd_payment *out)
{
    if (check_new(n) != DD_OK)
        return DD_EINVAL;
    char id[4 + 20 + 1] = "pay_", ref[DD_PAY_REFERENCE_LEN + 1] = "DD";
    random_hex(id + 4, 10);
    random_code(ref + 2, DD_PAY_REFERENCE_LEN - 2);
    int64_t ttl = n->ttl_seconds ? n->ttl_seconds : DD_PAY_DEFAULT_TTL;
    *out = (struct dd_payment){
        .id = dd_arena_strdup(a, id),
        .reference = dd_arena_strdup(a, ref),
        .purpose = n->purpose,
        .description = n->description,
        .amount = n->amount,
        .payer_id_number = n->payer_id_number,
        .payer_name = n->payer_name ? n->payer_name : "",
        .module = n->module,
        .object_type = n->object_type,
        .object_id = n->object_id,
        .state = "created",
        .method = "",
        .gateway_txn = "",
        .receipt_code = "",
        .created_by = n->created_by,
        .created_at = iso(a, now_ms),
        .expires_at = iso(a, now_ms + ttl * 1000),
        .paid_at = "",
        .version = 1,
    };
    out->updated_at = out->created_at;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO payments (id, reference, purpose, description, amount, "
                           "payer_id_number, payer_name, module, object_type, object_id, state, "
                           "created_by, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, 'created', ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, out->id);
    dd_stmt_bind_text(st, 2, out->reference);
    dd_stmt_bind_text(st, 3, out->purpose);
    dd_stmt_bind_text(st, 4, out->description);
    dd_stmt_bind_int64(st, 5, out->amount);
    dd_stmt_bind_text(st, 6, out->payer_id_number);
    dd_stmt_bind_text(st, 7, out->payer_name);
    dd_stmt_bind_text(st, 8, out->module);
    dd_stmt_bind_text(st, 9, out->object_type);
    dd_stmt_bind_text(st, 10, out->object_id);
    dd_stmt_bind_text(st, 11, out->created_by);
    dd_stmt_bind_text(st, 12, out->created_at);
    dd_stmt_bind_text(st, 13, out->updated_at);
    dd_stmt_bind_text(st, 14, out->expires_at);
    rc = step_done(st);
    if (rc == DD_OK)
        rc = insert_transition(db, out->id, "", "created", out->created_at, out->created_by, NULL,
                               NULL);
    return rc;
}

static const char *
col(struct dd_arena *a, struct dd_stmt *st, int i)
{
    const char *t = dd_stmt_text(st, i);
    return dd_arena_strdup(a, t ? t : "");
}

static int
get_by(struct dd_db *db, struct dd_arena *a, const char *sql, const char *key, struct dd_payment *p)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, key);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        *p = (struct dd_payment){
            .id = col(a, st, 0),
            .reference = col(a, st, 1),
            .purpose = col(a, st, 2),
            .description = col(a, st, 3),
            .amount = dd_stmt_int64(st, 4),
            .payer_id_number = col(a, st, 5),
            .payer_name = col(a, st, 6),
            .module = col(a, st, 7),
            .object_type = col(a, st, 8),
            .object_id = col(a, st, 9),
            .state = col(a, st, 10),
            .method = col(a, st, 11),
            .gateway_txn = col(a, st, 12),
            .receipt_code = col(a, st, 13),
            .created_by = col(a, st, 14),
            .created_at = col(a, st, 15),
            .updated_at = col(a, st, 16),
            .expires_at = col(a, st, 17),
            .paid_at = col(a, st, 18),
            .version = dd_stmt_int64(st, 19),
        };
    }
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

int
dd_pay_get(struct dd_db *db, struct dd_arena *a, const char *id, struct dd_payment *out)
{
    return get_by(db, a, "SELECT " PAY_COLUMNS " FROM payments WHERE id = ?", id, out);
}

int
dd_pay_get_by_reference(struct dd_db *db, struct dd_arena *a, const char *reference,
                        struct dd_payment *out)
{
    return get_by(db, a, "SELECT " PAY_COLUMNS " FROM payments WHERE reference = ?", reference,
                  out);
}

int
dd_pay_get_by_receipt(struct dd_db *db, struct dd_arena *a, const char *code,
                      struct dd_payment *out)
{
    return get_by(db, a, "SELECT " PAY_COLUMNS " FROM payments WHERE receipt_code = ?", code, out);
}

static int
emit_event(struct dd_db *db, struct dd_arena *a, const struct dd_payment *p)
{
    if (strcmp(p->state, "pending") == 0)
        return DD_OK;
    char type[32], subject[64];
    snprintf(type, sizeof type, "payment.%s", p->state);
    snprintf(subject, sizeof subject, "payment:%s", p->id);
    json_t *j = dd_pay_json(p);
    const char *text = dd_json_dump(a, j);
    json_decref(j);
    return dd_event_emit(db, type, subject, text);
}

int
dd_pay_move(struct dd_db *db, struct dd_arena *a, struct dd_payment *p, const struct dd_pay_move *m)
{
    if (!dd_pay_can_move(p->state, m->to))
        return DD_EINVAL;
    const char *from = p->state;
    struct dd_payment next = *p;
    next.state = m->to;
    next.updated_at = iso(a, m->now_ms);
    next.version = p->version + 1;
    if (m->method)
        next.method = m->method;
    if (m->gateway_txn)
        next.gateway_txn = m->gateway_txn;
    if (strcmp(m->to, "paid") == 0) {
        char code[33];
        random_hex(code, 16);
        next.receipt_code = dd_arena_strdup(a, code);
        next.paid_at = next.updated_at;
    }
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE payments SET state = ?, method = ?, gateway_txn = ?, "
                           "receipt_code = CASE WHEN ? = '' THEN receipt_code ELSE ? END, "
                           "paid_at = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, next.state);
    dd_stmt_bind_text(st, 2, next.method);
    dd_stmt_bind_text(st, 3, next.gateway_txn);
    dd_stmt_bind_text(st, 4, next.receipt_code);
    dd_stmt_bind_text(st, 5, next.receipt_code);
    dd_stmt_bind_text(st, 6, next.paid_at);
    dd_stmt_bind_text(st, 7, next.updated_at);
    dd_stmt_bind_int64(st, 8, next.version);
    dd_stmt_bind_text(st, 9, p->id);
    dd_stmt_bind_int64(st, 10, p->version);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (changed != 1)
        return DD_ECONFLICT;
    rc = insert_transition(db, p->id, from, m->to, next.updated_at, m->actor, m->reason,
                           m->detail_json);
    if (rc == DD_OK)
        rc = emit_event(db, a, &next);
    if (rc == DD_OK)
        *p = next;
    return rc;
}

bool
dd_pay_due_to_expire(const struct dd_payment *p, int64_t now_ms)
{
    if (!dd_pay_can_move(p->state, "expired"))
        return false;
    char now[32];
    dd_clock_iso8601(now_ms, now);
    return strcmp(p->expires_at, now) <= 0;
}

/* The ids of up to `max` intents past expiry, into ids (arena strings). */
static int
due_ids(struct dd_db *db, struct dd_arena *a, int64_t now_ms, int max, const char **ids, int *n)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc =
        dd_db_prepare(db,
                      "SELECT id FROM payments WHERE state IN ('created', 'pending', 'failed') "
                      "AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                      &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_int64(st, 2, max);
    *n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && *n < max)
        ids[(*n)++] = col(a, st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_pay_expire_due(struct dd_db *db, int64_t now_ms, int max, int *count)
{
    *count = 0;
    struct dd_arena *a = dd_arena_new(4096);
    const char **ids = dd_arena_alloc(a, sizeof *ids * (size_t)(max > 0 ? max : 1));
    int n = 0;
    int rc = due_ids(db, a, now_ms, max, ids, &n);
    for (int i = 0; rc == DD_OK && i < n; i++) {
        struct dd_payment p;
        rc = dd_db_begin(db);
        if (rc != DD_OK)
            break;
        rc = dd_pay_get(db, a, ids[i], &p);
        bool due = rc == DD_OK && dd_pay_due_to_expire(&p, now_ms);
        if (due) {
            struct dd_pay_move m = {.to = "expired",
                                    .actor = "system",
                                    .reason = "the payment window closed",
                                    .now_ms = now_ms};
            rc = dd_pay_move(db, a, &p, &m);
        }
        if (rc == DD_OK || rc == DD_ENOTFOUND)
            rc = dd_db_commit(db);
        else
            dd_db_rollback(db);
        if (rc == DD_OK && due)
            (*count)++;
    }
    dd_arena_free(a);
    return rc;
}

json_t *
dd_pay_json(const struct dd_payment *p)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:I}",
        "id", p->id, "reference", p->reference, "purpose", p->purpose, "description",
        p->description, "amount", (json_int_t)p->amount, "currency", "VND", "payer_id_number",
        p->payer_id_number, "object", "module", p->module, "type", p->object_type, "id",
        p->object_id, "state", p->state, "method", p->method, "created_at", p->created_at,
        "updated_at", p->updated_at, "expires_at", p->expires_at, "version",
        (json_int_t)p->version);
    if (p->payer_name[0])
        json_object_set_new(o, "payer_name", json_string(p->payer_name));
    if (p->gateway_txn[0])
        json_object_set_new(o, "gateway_txn", json_string(p->gateway_txn));
    if (p->paid_at[0])
        json_object_set_new(o, "paid_at", json_string(p->paid_at));
    if (p->receipt_code[0])
        json_object_set_new(o, "receipt_code", json_string(p->receipt_code));
    return o;
}

json_t *
dd_pay_transitions_json(struct dd_db *db, const char *id)
{
    struct dd_stmt *st;
    if (dd_db_prepare(db,
                      "SELECT from_state, to_state, at, actor, reason, detail FROM "
                      "payment_transitions WHERE payment_id = ? ORDER BY id",
                      &st) != DD_OK)
        return NULL;
    dd_stmt_bind_text(st, 1, id);
    json_t *list = json_array();
    int rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *detail = dd_stmt_text(st, 5);
        json_t *d = json_loads(detail ? detail : "{}", 0, NULL);
        json_array_append_new(list,
                              json_pack("{s:s?, s:s, s:s, s:s, s:s, s:o}", "from",
                                        dd_stmt_text(st, 0), "to", dd_stmt_text(st, 1), "at",
                                        dd_stmt_text(st, 2), "actor", dd_stmt_text(st, 3), "reason",
                                        dd_stmt_text(st, 4), "detail", d ? d : json_object()));
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}
