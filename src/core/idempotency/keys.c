/*
 * keys.c — the rows of idempotency_keys: reserving a key, storing the reply with the change,
 * releasing a reservation that changed nothing, purging keys past their 24 hours. The design,
 * and why it cannot leave a change without its reply, is in idempotency.h.
 *
 * A reservation is one short write transaction. On SQLite writers are serialised, so two
 * requests with one key cannot both insert it; on PostgreSQL the second INSERT waits for the
 * first and then meets the primary key, which is heard as "in flight". Taking over an abandoned
 * reservation, completing and releasing are UPDATE/DELETE statements conditioned on the owner
 * token, so a request that lost its reservation can change nothing.
 */
#include "core/idempotency/idempotency.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "crypto/hash.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURGE_EVERY_MS (10LL * 60 * 1000)

/* When a reservation last purged expired keys (process-wide). */
static _Atomic int64_t last_purge_ms;

struct found {
    bool exists;
    const char *route, *request_hash, *owner, *created_at;
    unsigned status;
    struct dd_idem_reply reply;
};

bool
dd_idem_key_valid(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > DD_IDEM_MAX_KEY)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
            return false;
    return true;
}

void
dd_idem_fingerprint(const char *method, const char *path, const void *body, size_t len,
                    char out[DD_IDEM_HASH_LEN + 1])
{
    size_t m = strlen(method), p = strlen(path);
    char *text = dd_xmalloc(m + p + len + 2);
    memcpy(text, method, m);
    text[m] = '\n';
    memcpy(text + m + 1, path, p);
    text[m + 1 + p] = '\n';
    if (len > 0)
        memcpy(text + m + p + 2, body, len);
    dd_sha256_hex(text, m + p + 2 + len, out);
    free(text);
}

void
dd_idem_init(struct dd_idem *k, const char *principal, const char *key, const char *route,
             const char *request_hash)
{
    static const char hex[] = "0123456789abcdef";
    memset(k, 0, sizeof *k);
    k->principal = principal;
    k->key = key;
    k->route = route;
    snprintf(k->request_hash, sizeof k->request_hash, "%s", request_hash);
    unsigned char raw[DD_IDEM_OWNER_LEN / 2];
    dd_random_bytes(raw, sizeof raw);
    for (size_t i = 0; i < sizeof raw; i++) {
        k->owner[2 * i] = hex[raw[i] >> 4];
        k->owner[2 * i + 1] = hex[raw[i] & 15];
    }
    k->owner[DD_IDEM_OWNER_LEN] = '\0';
}

static const char *
copy_column(struct dd_arena *a, struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return dd_arena_strdup(a, s ? s : "");
}

static int
lookup(struct dd_db *db, struct dd_arena *a, const struct dd_idem *k, struct found *f)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT route, request_hash, owner, status, content_type, body, "
                           "location, etag, created_at FROM idempotency_keys "
                           "WHERE principal = ? AND key = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->principal);
    dd_stmt_bind_text(st, 2, k->key);
    rc = dd_stmt_step(st);
    memset(f, 0, sizeof *f);
    if (rc == DD_DB_ROW) {
        f->exists = true;
        f->route = copy_column(a, st, 0);
        f->request_hash = copy_column(a, st, 1);
        f->owner = copy_column(a, st, 2);
        f->status = (unsigned)dd_stmt_int64(st, 3);
        f->reply.status = f->status;
        f->reply.content_type = copy_column(a, st, 4);
        f->reply.body = copy_column(a, st, 5);
        f->reply.len = strlen(f->reply.body);
        f->reply.location = copy_column(a, st, 6);
        f->reply.etag = copy_column(a, st, 7);
        f->created_at = copy_column(a, st, 8);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Runs a prepared INSERT/UPDATE/DELETE; *changed (may be NULL) counts the rows it touched. */
static int
run(struct dd_stmt *st, int64_t *changed)
{
    int rc = dd_stmt_step(st);
    if (changed)
        *changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
delete_key(struct dd_db *db, const struct dd_idem *k)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "DELETE FROM idempotency_keys WHERE principal = ? AND key = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->principal);
    dd_stmt_bind_text(st, 2, k->key);
    return run(st, NULL);
}

static int
insert_key(struct dd_db *db, const struct dd_idem *k, const char *now)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO idempotency_keys (principal, key, route, request_hash, "
                           "owner, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->principal);
    dd_stmt_bind_text(st, 2, k->key);
    dd_stmt_bind_text(st, 3, k->route);
    dd_stmt_bind_text(st, 4, k->request_hash);
    dd_stmt_bind_text(st, 5, k->owner);
    dd_stmt_bind_text(st, 6, now);
    return run(st, NULL);
}

/* Takes an abandoned reservation over; *taken is false if another request was quicker. */
static int
take_over(struct dd_db *db, const struct dd_idem *k, const char *old_owner, const char *now,
          bool *taken)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE idempotency_keys SET owner = ?, created_at = ? WHERE "
                           "principal = ? AND key = ? AND owner = ? AND status = 0",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->owner);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, k->principal);
    dd_stmt_bind_text(st, 4, k->key);
    dd_stmt_bind_text(st, 5, old_owner);
    int64_t changed;
    rc = run(st, &changed);
    *taken = changed == 1;
    return rc;
}

static int
purge_before(struct dd_db *db, const char *cutoff, int64_t *removed)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "DELETE FROM idempotency_keys WHERE created_at < ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, cutoff);
    return run(st, removed);
}

/* Purges expired keys if no reservation of this process did in the last PURGE_EVERY_MS. */
static int
maybe_purge(struct dd_db *db, int64_t now_ms, const char *cutoff)
{
    int64_t last = atomic_load(&last_purge_ms);
    if (now_ms - last < PURGE_EVERY_MS && now_ms >= last)
        return DD_OK;
    if (!atomic_compare_exchange_strong(&last_purge_ms, &last, now_ms))
        return DD_OK;
    return purge_before(db, cutoff, NULL);
}

/* The decision on a key, inside the reservation's transaction. */
static int
decide(struct dd_db *db, struct dd_arena *a, const struct dd_idem *k, int64_t now_ms,
       enum dd_idem_state *state, struct dd_idem_reply *stored)
{
    char now[32], expired[32], abandoned[32];
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(now_ms - DD_IDEM_TTL_MS, expired);
    dd_clock_iso8601(now_ms - DD_IDEM_LEASE_MS, abandoned);
    int rc = maybe_purge(db, now_ms, expired);
    struct found f;
    if (rc == DD_OK)
        rc = lookup(db, a, k, &f);
    if (rc == DD_OK && f.exists && strcmp(f.created_at, expired) < 0) {
        rc = delete_key(db, k);
        f.exists = false;
    }
    if (rc != DD_OK)
        return rc;
    if (!f.exists) {
        rc = insert_key(db, k, now); /* DD_ECONFLICT: another request inserted it first */
        *state = rc == DD_ECONFLICT ? DD_IDEM_IN_FLIGHT : DD_IDEM_RESERVED;
        return rc;
    }
    if (strcmp(f.request_hash, k->request_hash) != 0 || strcmp(f.route, k->route) != 0) {
        *state = DD_IDEM_REUSED;
        return DD_OK;
    }
    if (f.status > 0) {
        *state = DD_IDEM_REPLAY;
        *stored = f.reply;
        return DD_OK;
    }
    *state = DD_IDEM_IN_FLIGHT;
    if (strcmp(f.created_at, abandoned) >= 0)
        return DD_OK;
    bool taken;
    rc = take_over(db, k, f.owner, now, &taken);
    if (rc == DD_OK && taken)
        *state = DD_IDEM_RESERVED;
    return rc;
}

int
dd_idem_reserve(struct dd_db *db, struct dd_arena *a, const struct dd_idem *k, int64_t now_ms,
                enum dd_idem_state *state, struct dd_idem_reply *stored)
{
    memset(stored, 0, sizeof *stored);
    *state = DD_IDEM_IN_FLIGHT;
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    rc = decide(db, a, k, now_ms, state, stored);
    if (rc == DD_ECONFLICT) {
        /* The key was inserted by a request running at the same time (on PostgreSQL the refused
         * INSERT has failed the transaction): nothing of this one is kept. */
        dd_db_rollback(db);
        *state = DD_IDEM_IN_FLIGHT;
        return DD_OK;
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK && dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}

int
dd_idem_complete(struct dd_db *db, const struct dd_idem *k, const struct dd_idem_reply *r,
                 int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?, "
                           "location = ?, etag = ?, completed_at = ? WHERE principal = ? AND "
                           "key = ? AND owner = ? AND status = 0",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, r->status);
    dd_stmt_bind_text(st, 2, r->content_type ? r->content_type : "");
    dd_stmt_bind_text(st, 3, r->body ? r->body : "");
    dd_stmt_bind_text(st, 4, r->location ? r->location : "");
    dd_stmt_bind_text(st, 5, r->etag ? r->etag : "");
    dd_stmt_bind_text(st, 6, now);
    dd_stmt_bind_text(st, 7, k->principal);
    dd_stmt_bind_text(st, 8, k->key);
    dd_stmt_bind_text(st, 9, k->owner);
    int64_t changed;
    rc = run(st, &changed);
    if (rc == DD_OK && changed != 1)
        rc = DD_ECONFLICT;
    return rc;
}

int
dd_idem_release(struct dd_db *db, const struct dd_idem *k)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "DELETE FROM idempotency_keys WHERE principal = ? AND key = ? AND "
                           "owner = ? AND status = 0",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, k->principal);
    dd_stmt_bind_text(st, 2, k->key);
    dd_stmt_bind_text(st, 3, k->owner);
    return run(st, NULL);
}

int
dd_idem_purge(struct dd_db *db, int64_t now_ms, int64_t *removed)
{
    char cutoff[32];
    dd_clock_iso8601(now_ms - DD_IDEM_TTL_MS, cutoff);
    int64_t n = 0;
    int rc = purge_before(db, cutoff, &n);
    if (removed)
        *removed = n;
    return rc;
}
