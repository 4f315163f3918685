/*
 * events.c — the outbox: emitting events, delivering them to consumers, reporting positions.
 *
 * A consumer's cursor is the id of the last event it processed, and it reads `id > cursor` in id
 * order. That is only safe if an event can never become visible after an event with a higher id,
 * or the cursor would pass it by. On SQLite writers are serialised by the database lock, so ids
 * commit in order. On PostgreSQL two transactions could take ids 7 and 8 and commit 8 first, so
 * dd_event_emit first locks the audit head row (SELECT … FOR UPDATE on audit_head, the row
 * dd_audit_append takes) and only then takes its id: the lock is held until commit, so emitting
 * transactions commit one after the other, in id order, and PostgreSQL makes a commit visible
 * before it releases the transaction's locks. Sharing the audit head rather than keeping a lock
 * of its own means a transaction that both audits and emits, in either order, holds a single
 * lock, so the two cannot deadlock. The price is that emitting and auditing transactions commit
 * one at a time, which the audit chain requires anyway. Ids lost to rolled-back transactions
 * leave gaps that stay gaps.
 *
 * Delivery runs events in batches, one transaction each: lock the consumer's cursor row (an
 * UPDATE that returns the position), then for each event read it and call the consumer in a
 * savepoint, move the cursor past the last one done, commit. A consumer that fails on an event
 * undoes only that event's writes; the events before it commit, and it comes again next time.
 */
#include "core/events.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/utf8.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool
name_ok(const char *s, size_t max)
{
    if (s == NULL || *s == '\0' || strlen(s) > max)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool
payload_ok(const char *s)
{
    if (s == NULL)
        return false;
    size_t n = strlen(s);
    if (n > DD_EVENT_MAX_PAYLOAD)
        return false;
    /* The payloads are texts the program wrote: a check of their grammar (and of their UTF-8,
     * which PostgreSQL requires) is enough, without building a tree on the commit's path. */
    return dd_utf8_valid(s, n, NULL) && dd_json_text_valid(s, n);
}

/* Runs a statement that returns no rows, binding text parameters in order. */
static int
run_texts(struct dd_db *db, const char *sql, const char *const *params, int nparams)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, sql, &st);
    for (int i = 0; i < nparams && rc == DD_OK; i++)
        rc = dd_stmt_bind_text(st, i + 1, params[i]);
    if (rc == DD_OK)
        rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE || rc == DD_DB_ROW ? DD_OK : rc;
}

int
dd_event_emit(struct dd_db *db, const char *type, const char *subject, const char *payload_json)
{
    if (subject == NULL)
        subject = "";
    if (!dd_db_in_transaction(db) || !name_ok(type, DD_EVENT_MAX_TYPE) ||
        strlen(subject) > DD_EVENT_MAX_SUBJECT || !dd_utf8_valid(subject, strlen(subject), NULL) ||
        !payload_ok(payload_json))
        return DD_EINVAL;
    int rc = DD_OK;
    if (dd_db_kind(db) == DD_DB_POSTGRES)
        rc = run_texts(db, "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE", NULL, 0);
    if (rc != DD_OK)
        return rc;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    const char *params[] = {now, type, subject, payload_json};
    return run_texts(db,
                     "INSERT INTO events (created_at, type, subject, payload) VALUES (?, ?, ?, ?)",
                     params, 4);
}

/* The consumer's position without locking, to skip the write transaction when idle. */
static int
peek_pending(struct dd_db *db, const char *consumer, bool *pending)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db,
                           "SELECT 1 FROM events WHERE id > COALESCE((SELECT position FROM "
                           "event_cursors WHERE consumer = ?), 0) LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, consumer);
    rc = dd_stmt_step(st);
    *pending = rc == DD_DB_ROW;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Locks the consumer's cursor row for this transaction and reads it, creating it at 0. */
static int
lock_cursor(struct dd_db *db, const char *consumer, int64_t *position)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        struct dd_stmt *st = NULL;
        int rc = dd_db_prepare(db,
                               "UPDATE event_cursors SET position = position WHERE consumer = ? "
                               "RETURNING position",
                               &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_text(st, 1, consumer);
        rc = dd_stmt_step(st);
        if (rc == DD_DB_ROW)
            *position = dd_stmt_int64(st, 0);
        dd_stmt_reset(st);
        if (rc == DD_DB_ROW)
            return DD_OK;
        if (rc < 0)
            return rc;
        char now[32];
        dd_clock_iso8601(dd_clock_now_ms(), now);
        const char *params[] = {consumer, now};
        rc = run_texts(db,
                       "INSERT INTO event_cursors (consumer, position, updated_at) VALUES (?, 0, "
                       "?) ON CONFLICT (consumer) DO NOTHING",
                       params, 2);
        if (rc != DD_OK)
            return rc;
    }
    return DD_EINTERNAL;
}

/* Reads the first event after `position` into `ev`, its strings copied into `buf`. */
static int
next_event(struct dd_db *db, int64_t position, struct dd_buf *buf, struct dd_event *ev, bool *found)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db,
                           "SELECT id, created_at, type, subject, payload FROM events WHERE id > "
                           "? ORDER BY id LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, position);
    rc = dd_stmt_step(st);
    *found = rc == DD_DB_ROW;
    if (*found) {
        size_t off[4];
        buf->len = 0;
        for (int i = 0; i < 4 && rc == DD_DB_ROW; i++) {
            const char *s = dd_stmt_text(st, i + 1);
            off[i] = buf->len;
            if (dd_buf_append(buf, s ? s : "", s ? strlen(s) + 1 : 1) != DD_OK)
                rc = DD_ETOOBIG;
        }
        if (rc == DD_DB_ROW) {
            ev->id = dd_stmt_int64(st, 0);
            ev->created_at = buf->data + off[0];
            ev->type = buf->data + off[1];
            ev->subject = buf->data + off[2];
            ev->payload = buf->data + off[3];
        }
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
move_cursor(struct dd_db *db, const char *consumer, int64_t position)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(
        db, "UPDATE event_cursors SET position = ?, updated_at = ? WHERE consumer = ?", &st);
    if (rc != DD_OK)
        return rc;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    dd_stmt_bind_int64(st, 1, position);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, consumer);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

/* Events delivered in one transaction at most: a commit waits for the disk, and delivering each
 * event in a transaction of its own would bound every consumer by the disk's flush rate. */
#define BATCH_MAX 200

/* One event inside the batch's transaction, in a savepoint: a consumer that fails undoes its
 * own writes for that event only. */
static int
deliver_in_savepoint(struct dd_db *db, dd_event_fn fn, void *arg, const struct dd_event *ev)
{
    int rc = dd_db_run(db, "SAVEPOINT dd_event");
    if (rc != DD_OK)
        return rc;
    int out = fn(db, ev, arg);
    if (!dd_db_in_transaction(db))
        return DD_EINTERNAL; /* the consumer ended the delivery transaction itself */
    if (out != DD_OK && (rc = dd_db_run(db, "ROLLBACK TO SAVEPOINT dd_event")) != DD_OK)
        return rc;
    rc = dd_db_run(db, "RELEASE SAVEPOINT dd_event");
    return out != DD_OK ? out : rc;
}

/* The scope of one consumer's batch: a transaction of its own, or a savepoint inside the round's
 * transaction when several consumers share it (dd_events_consume_many). */
static int
batch_open(struct dd_db *db, bool nested)
{
    return nested ? dd_db_run(db, "SAVEPOINT dd_consumer") : dd_db_begin(db);
}

static int
batch_keep(struct dd_db *db, bool nested)
{
    return nested ? dd_db_run(db, "RELEASE SAVEPOINT dd_consumer") : dd_db_commit(db);
}

static void
batch_drop(struct dd_db *db, bool nested)
{
    if (!dd_db_in_transaction(db))
        return;
    if (!nested) {
        dd_db_rollback(db);
    } else if (dd_db_run(db, "ROLLBACK TO SAVEPOINT dd_consumer") == DD_OK) {
        dd_db_run(db, "RELEASE SAVEPOINT dd_consumer");
    }
}

/* Whether a consumer taking `types` (NULL: all) is given an event of type `type`. */
static bool
wanted(const char *const *types, const char *type)
{
    if (types == NULL)
        return true;
    for (; *types; types++)
        if (strncmp(type, *types, strlen(*types)) == 0)
            return true;
    return false;
}

/* The consumer's batch dropped: its writes undone, and what it gathered forgotten. */
static void
batch_abandon(struct dd_db *db, bool nested, const struct dd_event_consumer *c)
{
    batch_drop(db, nested);
    if (c->batch_end)
        c->batch_end(db, c->arg, false);
}

/* Delivers up to `max` events to consumer `c` with the cursor's advance in one batch (see
 * batch_open); stops at the first failure, keeping the events before it. *delivered counts the
 * events kept, those passed over as not among c's types included. */
static int
deliver_batch(struct dd_db *db, bool nested, const struct dd_event_consumer *c, struct dd_buf *buf,
              size_t max, size_t *delivered)
{
    *delivered = 0;
    int rc = batch_open(db, nested);
    if (rc != DD_OK)
        return rc;
    int64_t position = 0;
    rc = lock_cursor(db, c->name, &position);
    size_t done = 0;
    int failed = DD_OK;
    while (rc == DD_OK && failed == DD_OK && done < max) {
        struct dd_event ev;
        bool found = false;
        rc = next_event(db, position, buf, &ev, &found);
        if (rc != DD_OK || !found)
            break;
        failed = wanted(c->types, ev.type) ? deliver_in_savepoint(db, c->fn, c->arg, &ev) : DD_OK;
        if (failed == DD_OK) {
            position = ev.id;
            done++;
        }
    }
    if (failed == DD_EINTERNAL || !dd_db_in_transaction(db))
        rc = DD_EINTERNAL;
    if (rc == DD_OK && done > 0 && c->batch_end)
        rc = c->batch_end(db, c->arg, true);
    if (rc == DD_OK && !dd_db_in_transaction(db))
        rc = DD_EINTERNAL;
    if (rc == DD_OK && done > 0)
        rc = move_cursor(db, c->name, position);
    if (rc != DD_OK || done == 0) {
        batch_abandon(db, nested, c);
        return rc != DD_OK ? rc : failed;
    }
    rc = batch_keep(db, nested);
    if (rc == DD_OK)
        *delivered = done;
    return rc != DD_OK ? rc : failed;
}

int
dd_events_consume(struct dd_db *db, const char *consumer, dd_event_fn fn, void *arg, size_t max,
                  size_t *processed)
{
    *processed = 0;
    if (!name_ok(consumer, DD_EVENT_MAX_CONSUMER) || fn == NULL || dd_db_in_transaction(db))
        return DD_EINVAL;
    bool pending = false;
    int rc = peek_pending(db, consumer, &pending);
    if (rc != DD_OK || !pending)
        return rc;
    /* A consumer's batch need not wait for the disk: its writes and its cursor commit together,
     * so a power cut that loses a batch loses its cursor's move too, and the batch comes again.
     * Not flushing keeps the write lock short for the writers whose answers wait for the disk. */
    rc = dd_db_sync_commits(db, false);
    if (rc != DD_OK)
        return rc;
    const struct dd_event_consumer c = {.name = consumer, .fn = fn, .arg = arg};
    struct dd_buf buf;
    dd_buf_init(&buf, NULL, DD_EVENT_MAX_PAYLOAD + DD_EVENT_MAX_SUBJECT + 256);
    for (;;) {
        size_t want = BATCH_MAX, delivered = 0;
        if (max != 0 && max - *processed < want)
            want = max - *processed;
        if (want == 0)
            break;
        rc = deliver_batch(db, false, &c, &buf, want, &delivered);
        *processed += delivered;
        if (rc != DD_OK || delivered < want)
            break;
    }
    dd_buf_release(&buf);
    int back = dd_db_sync_commits(db, true);
    return rc != DD_OK ? rc : back;
}

int
dd_events_consume_many(struct dd_db *db, struct dd_event_consumer *cs, size_t n, size_t max_each)
{
    if (dd_db_in_transaction(db))
        return DD_EINVAL;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        struct dd_event_consumer *c = &cs[i];
        c->processed = 0;
        c->rc = name_ok(c->name, DD_EVENT_MAX_CONSUMER) && c->fn ? DD_OK : DD_EINVAL;
        c->pending = false;
        if (c->rc == DD_OK)
            c->rc = peek_pending(db, c->name, &c->pending);
        any = any || c->pending;
    }
    if (!any)
        return DD_OK;
    int rc = dd_db_sync_commits(db, false); /* as dd_events_consume: the batch comes again */
    if (rc == DD_OK)
        rc = dd_db_begin(db);
    if (rc != DD_OK) {
        dd_db_sync_commits(db, true);
        return rc;
    }
    struct dd_buf buf;
    dd_buf_init(&buf, NULL, DD_EVENT_MAX_PAYLOAD + DD_EVENT_MAX_SUBJECT + 256);
    size_t want = max_each == 0 || max_each > BATCH_MAX ? BATCH_MAX : max_each;
    for (size_t i = 0; i < n && dd_db_in_transaction(db); i++) {
        struct dd_event_consumer *c = &cs[i];
        if (c->rc == DD_OK && c->pending)
            c->rc = deliver_batch(db, true, c, &buf, want, &c->processed);
    }
    dd_buf_release(&buf);
    rc = dd_db_in_transaction(db) ? dd_db_commit(db) : DD_EINTERNAL;
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        for (size_t i = 0; i < n; i++)
            cs[i].processed = 0;
    }
    int back = dd_db_sync_commits(db, true);
    return rc != DD_OK ? rc : back;
}

/* Adds the consumers of `known` that have no cursor yet, with every event pending. */
static int
add_unstarted(struct dd_db *db, const char *const *known, struct dd_consumer_status **out,
              size_t *count)
{
    int64_t total = -1;
    for (; known && *known; known++) {
        bool seen = false;
        for (size_t i = 0; i < *count && !seen; i++)
            seen = strcmp((*out)[i].consumer, *known) == 0;
        if (seen)
            continue;
        if (total < 0) {
            struct dd_stmt *st = NULL;
            int rc = dd_db_prepare(db, "SELECT count(*) FROM events", &st);
            if (rc != DD_OK)
                return rc;
            rc = dd_stmt_step(st);
            total = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
            dd_stmt_reset(st);
            if (rc < 0)
                return rc;
        }
        *out = dd_xrealloc(*out, (*count + 1) * sizeof **out);
        struct dd_consumer_status *s = &(*out)[(*count)++];
        memset(s, 0, sizeof *s);
        dd_strlcpy(s->consumer, *known, sizeof s->consumer);
        s->pending = total;
    }
    return DD_OK;
}

int
dd_events_status(struct dd_db *db, const char *const *known, struct dd_consumer_status **out,
                 size_t *count, int64_t *last_id)
{
    *out = NULL;
    *count = 0;
    *last_id = 0;
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, "SELECT COALESCE(MAX(id), 0) FROM events", &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *last_id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = dd_db_prepare(db,
                       "SELECT c.consumer, c.position, c.updated_at, (SELECT count(*) FROM events "
                       "e WHERE e.id > c.position) FROM event_cursors c ORDER BY c.consumer",
                       &st);
    if (rc != DD_OK)
        return rc;
    size_t cap = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 8;
            *out = dd_xrealloc(*out, cap * sizeof **out);
        }
        struct dd_consumer_status *s = &(*out)[(*count)++];
        const char *name = dd_stmt_text(st, 0);
        const char *at = dd_stmt_text(st, 2);
        dd_strlcpy(s->consumer, name ? name : "", sizeof s->consumer);
        s->position = dd_stmt_int64(st, 1);
        dd_strlcpy(s->updated_at, at ? at : "", sizeof s->updated_at);
        s->pending = dd_stmt_int64(st, 3);
    }
    dd_stmt_reset(st);
    if (rc == DD_DB_DONE)
        rc = add_unstarted(db, known, out, count);
    if (rc != DD_OK && rc != DD_DB_DONE) {
        free(*out);
        *out = NULL;
        *count = 0;
        return rc;
    }
    return DD_OK;
}
