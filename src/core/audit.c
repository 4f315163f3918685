/*
 * audit.c — appending to and verifying the hash-chained audit log.
 *
 * A row's hash is SHA-256 over a domain tag and then each field as an 8-byte big-endian length
 * followed by its bytes: id (decimal), ts, actor, action, object, detail, request_id, prev_hash.
 * Length prefixes make the encoding unambiguous ("ab"+"c" and "a"+"bc" differ). The first row's
 * prev_hash is 64 zeros.
 *
 * Appending takes the head with `UPDATE audit_head SET seq = seq + 1 … RETURNING seq,
 * last_hash` — on PostgreSQL that locks the row until commit, so appenders queue there and ids
 * come out consecutive; SQLite serialises writers anyway — then inserts the row with id = seq
 * and stores its hash in the head.
 */
#include "core/audit.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/utf8.h"
#include "crypto/hash.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_TAG     "dinhdanh-audit-v1"
#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define VERIFY_PAGE  256

/* The fields of one row as they are hashed. */
struct row {
    int64_t id;
    const char *ts;
    const char *actor;
    const char *action;
    const char *object;
    const char *detail;
    const char *request_id;
    const char *prev_hash;
};

static unsigned char *
put_field(unsigned char *p, const char *s, size_t n)
{
    for (int i = 7; i >= 0; i--)
        *p++ = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(p, s, n);
    return p + n;
}

static void
row_hash(const struct row *r, char out[2 * DD_SHA256_LEN + 1])
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, r->id);
    const char *fields[] = {HASH_TAG,  id,        r->ts,         r->actor,    r->action,
                            r->object, r->detail, r->request_id, r->prev_hash};
    size_t nfields = sizeof fields / sizeof fields[0];
    size_t lens[sizeof fields / sizeof fields[0]];
    size_t total = 0;
    for (size_t i = 0; i < nfields; i++) {
        lens[i] = strlen(fields[i]);
        total += 8 + lens[i];
    }
    unsigned char small[4096];
    unsigned char *buf = total <= sizeof small ? small : dd_xmalloc(total);
    unsigned char *p = buf;
    for (size_t i = 0; i < nfields; i++)
        p = put_field(p, fields[i], lens[i]);
    dd_sha256_hex(buf, total, out);
    if (buf != small)
        free(buf);
}

static bool
text_ok(const char *s, size_t max, bool required)
{
    if (s == NULL)
        return !required;
    size_t n = strlen(s);
    return (n > 0 || !required) && n <= max && dd_utf8_valid(s, n, NULL);
}

/* Details are written by the program: their grammar is checked, without building them. */
static bool
json_ok(const char *s)
{
    return dd_json_text_valid(s, strlen(s));
}

static bool
entry_ok(const struct dd_audit_entry *e)
{
    return text_ok(e->actor, DD_AUDIT_MAX_ACTOR, true) &&
           text_ok(e->action, DD_AUDIT_MAX_ACTION, true) &&
           text_ok(e->object, DD_AUDIT_MAX_OBJECT, false) &&
           text_ok(e->request_id, DD_AUDIT_MAX_REQUEST_ID, false) &&
           text_ok(e->detail, DD_AUDIT_MAX_DETAIL, false) &&
           (e->detail == NULL || json_ok(e->detail));
}

/* Advances the head: the new row's id and the previous row's hash. */
static int
take_head(struct dd_db *db, int64_t *seq, char prev[2 * DD_SHA256_LEN + 1])
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(
        db, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash", &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        *seq = dd_stmt_int64(st, 0);
        const char *h = dd_stmt_text(st, 1);
        rc = dd_strlcpy(prev, h ? h : "", 2 * DD_SHA256_LEN + 1) == DD_OK ? DD_OK : DD_EINTERNAL;
    } else if (rc == DD_DB_DONE) {
        rc = DD_EINTERNAL; /* the head row is missing: the schema was damaged */
    }
    dd_stmt_reset(st);
    return rc;
}

static int
insert_row(struct dd_db *db, const struct row *r, const char *hash)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db,
                           "INSERT INTO audit_log (id, ts, actor, action, object, detail, "
                           "request_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, r->id);
    dd_stmt_bind_text(st, 2, r->ts);
    dd_stmt_bind_text(st, 3, r->actor);
    dd_stmt_bind_text(st, 4, r->action);
    dd_stmt_bind_text(st, 5, r->object);
    dd_stmt_bind_text(st, 6, r->detail);
    dd_stmt_bind_text(st, 7, r->request_id);
    dd_stmt_bind_text(st, 8, r->prev_hash);
    dd_stmt_bind_text(st, 9, hash);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

static int
store_head_hash(struct dd_db *db, const char *hash)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, "UPDATE audit_head SET last_hash = ? WHERE id = 1", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hash);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

int
dd_audit_append(struct dd_db *db, const struct dd_audit_entry *e)
{
    if (!dd_db_in_transaction(db) || !entry_ok(e))
        return DD_EINVAL;
    char prev[2 * DD_SHA256_LEN + 1];
    char ts[32];
    struct row r = {
        .ts = ts,
        .actor = e->actor,
        .action = e->action,
        .object = e->object ? e->object : "",
        .detail = e->detail ? e->detail : "{}",
        .request_id = e->request_id ? e->request_id : "",
        .prev_hash = prev,
    };
    int rc = take_head(db, &r.id, prev);
    if (rc != DD_OK)
        return rc;
    dd_clock_iso8601(dd_clock_now_ms(), ts);
    char hash[2 * DD_SHA256_LEN + 1];
    row_hash(&r, hash);
    rc = insert_row(db, &r, hash);
    if (rc == DD_OK)
        rc = store_head_hash(db, hash);
    return rc;
}

int
dd_audit_record(struct dd_db *db, const struct dd_audit_entry *e)
{
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    rc = dd_audit_append(db, e);
    if (rc != DD_OK) {
        dd_db_rollback(db);
        return rc;
    }
    return dd_db_commit(db);
}

/* --- verification --- */

struct walk {
    struct dd_audit_report *r;
    int64_t next_id; /* the id the next row must have */
    char prev[2 * DD_SHA256_LEN + 1];
};

static int found(struct dd_audit_report *r, enum dd_audit_fault fault, int64_t id, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

static int
found(struct dd_audit_report *r, enum dd_audit_fault fault, int64_t id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->ok = false;
    r->fault = fault;
    r->bad_id = id;
    return DD_ECHECKSUM;
}

static const char *
col(struct dd_stmt *st, int i)
{
    const char *s = dd_stmt_text(st, i);
    return s ? s : "";
}

/* Checks the current row of `st`; DD_OK or DD_ECHECKSUM with the report filled. */
static int
check_row(struct walk *w, struct dd_stmt *st)
{
    struct row r = {
        .id = dd_stmt_int64(st, 0),
        .ts = col(st, 1),
        .actor = col(st, 2),
        .action = col(st, 3),
        .object = col(st, 4),
        .detail = col(st, 5),
        .request_id = col(st, 6),
        .prev_hash = col(st, 7),
    };
    const char *stored = col(st, 8);
    if (r.id != w->next_id)
        return found(w->r, DD_AUDIT_GAP, w->next_id,
                     "rows %" PRId64 " to %" PRId64 " are missing: row %" PRId64
                     " follows row %" PRId64,
                     w->next_id, r.id - 1, r.id, w->next_id - 1);
    char hash[2 * DD_SHA256_LEN + 1];
    row_hash(&r, hash);
    if (strcmp(hash, stored) != 0)
        return found(w->r, DD_AUDIT_ALTERED, r.id,
                     "row %" PRId64 " was altered: its content does not match its hash", r.id);
    if (strcmp(r.prev_hash, w->prev) != 0)
        return found(w->r, DD_AUDIT_LINK, r.id,
                     "row %" PRId64 " does not follow row %" PRId64
                     ": its prev_hash is not that row's hash (rows were replaced or inserted)",
                     r.id, r.id - 1);
    dd_strlcpy(w->prev, stored, sizeof w->prev);
    w->next_id++;
    w->r->rows++;
    return DD_OK;
}

/* Checks rows after w->next_id - 1, a page at a time; *more says whether the page was full. */
static int
check_page(struct dd_db *db, struct walk *w, bool *more)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db,
                           "SELECT id, ts, actor, action, object, detail, request_id, prev_hash, "
                           "hash FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, w->next_id - 1);
    dd_stmt_bind_int64(st, 2, VERIFY_PAGE);
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        n++;
        rc = check_row(w, st);
        if (rc != DD_OK)
            break;
    }
    dd_stmt_reset(st);
    *more = n == VERIFY_PAGE;
    return rc == DD_DB_DONE ? DD_OK : rc;
}

static int
read_head(struct dd_db *db, int64_t *seq, char hash[2 * DD_SHA256_LEN + 1], bool *exists)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, "SELECT seq, last_hash FROM audit_head WHERE id = 1", &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    *exists = rc == DD_DB_ROW;
    if (*exists) {
        *seq = dd_stmt_int64(st, 0);
        dd_strlcpy(hash, col(st, 1), 2 * DD_SHA256_LEN + 1);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
walk_log(struct dd_db *db, struct dd_audit_report *r)
{
    int64_t head_seq = 0;
    char head_hash[2 * DD_SHA256_LEN + 1] = "";
    bool exists = false;
    int rc = read_head(db, &head_seq, head_hash, &exists);
    if (rc != DD_OK)
        return rc;
    if (!exists)
        return found(r, DD_AUDIT_HEAD, 0, "the audit_head row is missing");
    struct walk w = {.r = r, .next_id = 1, .prev = GENESIS_HASH};
    bool more = true;
    while (more && rc == DD_OK)
        rc = check_page(db, &w, &more);
    if (rc != DD_OK)
        return rc;
    int64_t last = w.next_id - 1;
    if (head_seq > last)
        return found(r, DD_AUDIT_HEAD, last + 1,
                     "the log ends at row %" PRId64 " but its head counts %" PRId64
                     " rows: rows at the end were deleted",
                     last, head_seq);
    if (head_seq < last)
        return found(r, DD_AUDIT_HEAD, head_seq + 1,
                     "rows after %" PRId64 " were added without the head, or the head was "
                     "altered",
                     head_seq);
    if (strcmp(head_hash, w.prev) != 0)
        return found(r, DD_AUDIT_HEAD, last ? last : 1,
                     "the head's hash differs from the hash of the last row (%" PRId64
                     "): the head was altered",
                     last);
    r->ok = true;
    return DD_OK;
}

int
dd_audit_verify(struct dd_db *db, struct dd_audit_report *r)
{
    memset(r, 0, sizeof *r);
    bool own_tx = !dd_db_in_transaction(db);
    int rc = own_tx ? dd_db_begin_read(db) : DD_OK;
    if (rc == DD_OK)
        rc = walk_log(db, r);
    if (own_tx && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK && rc != DD_ECHECKSUM)
        snprintf(r->reason, sizeof r->reason, "the audit log could not be read: %s",
                 dd_db_errmsg(db));
    return rc;
}
