/*
 * settle.c — POST /api/v1/payments/settlements: reconciliation against a gateway's or bank's
 * settlement file.
 *
 * The body is CSV (text/csv) with a header naming its columns: `reference` and `amount` are
 * required, `transaction_id` and `settled_at` are kept in the report when present. ?from and ?to
 * (dates, UTC, both included) are the period the file covers. The report lists every mismatch:
 * settled-unknown (a line whose reference is no intent), amount-difference, settled-not-paid
 * (the intent is not paid here), duplicate-line, and paid-not-settled (an intent paid here in the
 * period that no line settles). A file with a malformed line is refused whole (400, nothing
 * stored); otherwise the report is stored in payment_settlements and returned (201).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "core/units/csv.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LINES 100000

struct line {
    const char *reference, *transaction_id, *settled_at;
    int64_t amount;
    long at; /* line number in the file */
};

struct columns {
    int reference, amount, transaction_id, settled_at;
};

static bool
day_valid(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = s ? strptime(s, "%Y-%m-%d", &tm) : NULL;
    return end && *end == '\0' && strlen(s) == 10;
}

static int
header_or_error(struct dd_units_csv *r, struct columns *c, json_t **ext, struct dd_req *req)
{
    *c = (struct columns){-1, -1, -1, -1};
    if (dd_units_csv_next(r) != 1) {
        *ext = dd_problem_add_error(*ext, req, "body", "csv-header", "Thiếu dòng tiêu đề CSV.",
                                    "The CSV header line is missing.");
        return DD_EINVAL;
    }
    for (int i = 0; i < r->nfields; i++) {
        const char *h = dd_units_csv_field(r, i);
        int *slot = strcmp(h, "reference") == 0        ? &c->reference
                    : strcmp(h, "amount") == 0         ? &c->amount
                    : strcmp(h, "transaction_id") == 0 ? &c->transaction_id
                    : strcmp(h, "settled_at") == 0     ? &c->settled_at
                                                       : NULL;
        if (slot)
            *slot = i;
    }
    if (c->reference < 0 || c->amount < 0) {
        *ext = dd_problem_add_error(*ext, req, "body", "csv-header",
                                    "Tiêu đề CSV phải có cột reference và amount.",
                                    "The CSV header must name the columns reference and amount.");
        return DD_EINVAL;
    }
    return DD_OK;
}

static const char *
field_or_null(struct dd_req *req, struct dd_units_csv *r, int col)
{
    return col < 0 ? NULL : dd_arena_strdup(req->arena, dd_units_csv_field(r, col));
}

/* Reads every line, or fills *ext with the problems found. */
static int
read_lines(struct dd_req *req, struct line **out, int *count, json_t **ext)
{
    struct dd_units_csv r;
    dd_units_csv_init(&r, req->body.data ? req->body.data : "", req->body.len);
    struct columns c;
    int rc = header_or_error(&r, &c, ext, req);
    struct line *lines = dd_arena_alloc(req->arena, sizeof *lines * 64);
    int n = 0, cap = 64;
    while (rc == DD_OK && (rc = dd_units_csv_next(&r)) == 1) {
        rc = DD_OK;
        if (r.nfields == 1 && dd_units_csv_field(&r, 0)[0] == '\0')
            continue;
        if (n == MAX_LINES) {
            rc = DD_ETOOBIG;
            break;
        }
        if (n == cap) {
            struct line *bigger = dd_arena_alloc(req->arena, sizeof *lines * (size_t)cap * 2);
            memcpy(bigger, lines, sizeof *lines * (size_t)n);
            lines = bigger;
            cap *= 2;
        }
        struct line *l = &lines[n++];
        l->at = (long)r.record_line;
        l->reference = field_or_null(req, &r, c.reference);
        l->transaction_id = field_or_null(req, &r, c.transaction_id);
        l->settled_at = field_or_null(req, &r, c.settled_at);
        if (dd_parse_int64(dd_units_csv_field(&r, c.amount), 1, DD_PAY_MAX_AMOUNT, &l->amount) !=
                DD_OK ||
            l->reference[0] == '\0') {
            const char *field = dd_arena_printf(req->arena, "line %ld", l->at);
            *ext =
                dd_problem_add_error(*ext, req, field, "line-invalid",
                                     "Dòng cần reference và amount (số nguyên VND từ 1).",
                                     "A line needs a reference and an amount (whole VND from 1).");
        }
    }
    if (rc < 0 && *ext == NULL)
        *ext = dd_problem_add_error(NULL, req, "body", "csv-invalid",
                                    rc == DD_ETOOBIG ? "Tệp quá lớn hoặc dòng quá dài." : r.err,
                                    rc == DD_ETOOBIG ? "The file or a line is too large." : r.err);
    dd_units_csv_free(&r);
    *out = lines;
    *count = n;
    return *ext ? DD_EINVAL : DD_OK;
}

static int
by_reference(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
add(json_t *list, const char *kind, const struct line *l, const struct dd_payment *p)
{
    json_t *m = json_pack("{s:s}", "kind", kind);
    if (l) {
        json_object_set_new(m, "line", json_integer(l->at));
        json_object_set_new(m, "reference", json_string(l->reference));
        json_object_set_new(m, "settled_amount", json_integer(l->amount));
        if (l->transaction_id && l->transaction_id[0])
            json_object_set_new(m, "transaction_id", json_string(l->transaction_id));
    }
    if (p) {
        json_object_set_new(m, "reference", json_string(p->reference));
        json_object_set_new(m, "payment_id", json_string(p->id));
        json_object_set_new(m, "amount", json_integer(p->amount));
        json_object_set_new(m, "state", json_string(p->state));
        if (p->paid_at[0])
            json_object_set_new(m, "paid_at", json_string(p->paid_at));
    }
    json_array_append_new(list, m);
}

/* Compares each line with its intent; the settled references, sorted, go to refs. */
static int
match_lines(struct dd_req *req, struct dd_db *db, const struct line *lines, int n,
            json_t *mismatches, const char **refs, int *matched)
{
    *matched = 0;
    for (int i = 0; i < n; i++)
        refs[i] = lines[i].reference;
    qsort(refs, (size_t)n, sizeof *refs, by_reference);
    for (int i = 0; i < n; i++) {
        const struct line *l = &lines[i];
        int seen = 0;
        for (int k = 0; k < i && seen == 0; k++)
            seen = strcmp(lines[k].reference, l->reference) == 0;
        if (seen) {
            add(mismatches, "duplicate-line", l, NULL);
            continue;
        }
        struct dd_payment p;
        int rc = dd_pay_get_by_reference(db, req->arena, l->reference, &p);
        if (rc == DD_ENOTFOUND) {
            add(mismatches, "settled-unknown", l, NULL);
            continue;
        }
        if (rc != DD_OK)
            return rc;
        if (p.amount != l->amount)
            add(mismatches, "amount-difference", l, &p);
        else if (strcmp(p.state, "paid") != 0 && strcmp(p.state, "refunded") != 0)
            add(mismatches, "settled-not-paid", l, &p);
        else
            (*matched)++;
    }
    return DD_OK;
}

static int
paid_not_settled(struct dd_req *req, struct dd_db *db, const char *from, const char *to,
                 const char **refs, int n, json_t *mismatches)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id FROM payments WHERE state IN ('paid', 'refunded') AND "
                           "paid_at >= ? AND paid_at < ? ORDER BY paid_at LIMIT 100000",
                           &st);
    if (rc != DD_OK)
        return rc;
    char end[32];
    int64_t to_ms = 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    strptime(to, "%Y-%m-%d", &tm);
    to_ms = ((int64_t)timegm(&tm) + 86400) * 1000;
    dd_clock_iso8601(to_ms, end);
    dd_stmt_bind_text(st, 1, from);
    dd_stmt_bind_text(st, 2, end);
    const char **ids = dd_arena_alloc(req->arena, sizeof *ids * 1024);
    int nids = 0, cap = 1024;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (nids == cap) {
            const char **bigger = dd_arena_alloc(req->arena, sizeof *ids * (size_t)cap * 2);
            memcpy(bigger, ids, sizeof *ids * (size_t)nids);
            ids = bigger;
            cap *= 2;
        }
        ids[nids++] = dd_arena_strdup(req->arena, dd_stmt_text(st, 0));
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < nids; i++) {
        struct dd_payment p;
        rc = dd_pay_get(db, req->arena, ids[i], &p);
        if (rc != DD_OK)
            return rc;
        const char *key = p.reference;
        if (bsearch(&key, refs, (size_t)n, sizeof *refs, by_reference) == NULL)
            add(mismatches, "paid-not-settled", NULL, &p);
    }
    return DD_OK;
}

static int
store_report(struct dd_req *req, struct dd_db *db, const char *source, int lines, json_t *report)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO payment_settlements (imported_at, imported_by, source, "
                           "lines, mismatches, report) VALUES (?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, pay_actor(req));
    dd_stmt_bind_text(st, 3, source);
    dd_stmt_bind_int64(st, 4, lines);
    dd_stmt_bind_int64(st, 5, (int64_t)json_array_size(json_object_get(report, "mismatches")));
    dd_stmt_bind_text(st, 6, dd_json_dump(req->arena, report));
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc < 0 ? rc : DD_EINTERNAL;
}

static int
period_or_reply(struct dd_req *req, const char **from, const char **to, const char **source)
{
    *from = dd_req_query(req, "from");
    *to = dd_req_query(req, "to");
    *source = dd_req_query(req, "source");
    json_t *ext = NULL;
    if (!day_valid(*from))
        ext = dd_problem_add_error(ext, req, "from", "date-invalid", "Một ngày YYYY-MM-DD.",
                                   "A date YYYY-MM-DD.");
    if (!day_valid(*to))
        ext = dd_problem_add_error(ext, req, "to", "date-invalid", "Một ngày YYYY-MM-DD.",
                                   "A date YYYY-MM-DD.");
    if (ext == NULL && strcmp(*from, *to) > 0)
        ext = dd_problem_add_error(ext, req, "to", "period-invalid",
                                   "Ngày kết thúc trước ngày bắt đầu.",
                                   "The end is before the start.");
    if (*source == NULL || (*source)[0] == '\0' || strlen(*source) > 64 ||
        dd_str_has_control(*source))
        *source = "settlement";
    if (ext == NULL)
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

/* POST /api/v1/payments/settlements?from=&to=[&source=] — see the top of the file. */
int
pay_settlement(struct dd_req *req)
{
    const char *from, *to, *source;
    if (period_or_reply(req, &from, &to, &source) != DD_OK)
        return DD_DONE;
    struct line *lines;
    int n;
    json_t *ext = NULL;
    if (read_lines(req, &lines, &n, &ext) != DD_OK)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *mismatches = json_array();
    const char **refs = dd_arena_alloc(req->arena, sizeof *refs * (size_t)(n > 0 ? n : 1));
    int matched = 0;
    int rc = match_lines(req, db, lines, n, mismatches, refs, &matched);
    if (rc == DD_OK)
        rc = paid_not_settled(req, db, from, to, refs, n, mismatches);
    json_t *report = json_pack("{s:s, s:s, s:s, s:i, s:i, s:o}", "source", source, "from", from,
                               "to", to, "lines", n, "matched", matched, "mismatches", mismatches);
    if (rc == DD_OK)
        rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = store_report(req, db, source, n, report);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        json_decref(report);
        return pay_fail(req, db, rc);
    }
    return dd_reply_json(req, 201, report);
}
