/*
 * store.c — inbox_messages: writing a message for an event, listing a person's messages newest
 * first with an id cursor, counting the unread ones and marking one read.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "core/events.h"
#include "core/inbox/inbox.h"
#include "store/store.h"

#include <jansson.h>
#include <string.h>

/* The kind of message an event means, or NULL for an event the inbox ignores. */
static const char *
kind_of(const struct dd_event *ev, json_t *payload)
{
    const char *change = json_string_value(json_object_get(payload, "change"));
    const char *decision = json_string_value(json_object_get(payload, "decision"));
    if (strcmp(ev->type, "consent.changed") == 0 && change) {
        if (strcmp(change, "granted") == 0)
            return "consent.granted";
        if (strcmp(change, "withdrawn") == 0)
            return "consent.withdrawn";
    }
    if (strcmp(ev->type, "correction.requested") == 0)
        return "correction.requested";
    if (strcmp(ev->type, "dossier.changed") == 0)
        return "dossier.changed";
    if (strcmp(ev->type, "correction.decided") == 0 && decision) {
        if (strcmp(decision, "accepted") == 0)
            return "correction.accepted";
        if (strcmp(decision, "rejected") == 0)
            return "correction.rejected";
    }
    return NULL;
}

int
dd_inbox_from_event(struct dd_db *db, const struct dd_event *ev)
{
    if (ev->subject == NULL || strncmp(ev->subject, "person:", 7) != 0)
        return DD_OK;
    const char *id_number = ev->subject + 7;
    json_t *payload = json_loads(ev->payload ? ev->payload : "", 0, NULL);
    const char *kind = payload ? kind_of(ev, payload) : NULL;
    json_decref(payload);
    if (kind == NULL || strlen(id_number) != 12)
        return DD_OK;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO inbox_messages (id_number, kind, data, event_id, "
                           "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_text(st, 2, kind);
    dd_stmt_bind_text(st, 3, ev->payload);
    dd_stmt_bind_int64(st, 4, ev->id);
    dd_stmt_bind_text(st, 5, ev->created_at);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static void
read_row(struct dd_stmt *st, struct dd_arena *a, struct dd_inbox_message *m)
{
    m->id = dd_stmt_int64(st, 0);
    m->kind = dd_arena_strdup(a, dd_stmt_text(st, 1));
    m->data = dd_arena_strdup(a, dd_stmt_text(st, 2));
    m->created_at = dd_arena_strdup(a, dd_stmt_text(st, 3));
    m->read_at = dd_arena_strdup(a, dd_stmt_text(st, 4));
}

int
dd_inbox_list(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t before,
              bool unread_only, int limit, struct dd_inbox_message *out, int *n, bool *more)
{
    *n = 0;
    *more = false;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           unread_only
                               ? "SELECT id, kind, data, created_at, read_at FROM inbox_messages "
                                 "WHERE id_number = ? AND id < ? AND read_at = '' ORDER BY id "
                                 "DESC LIMIT ?"
                               : "SELECT id, kind, data, created_at, read_at FROM inbox_messages "
                                 "WHERE id_number = ? AND id < ? ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_int64(st, 2, before > 0 ? before : INT64_MAX);
    dd_stmt_bind_int64(st, 3, limit + 1);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (*n == limit) {
            *more = true;
            continue;
        }
        read_row(st, a, &out[(*n)++]);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_inbox_unread(struct dd_db *db, const char *id_number, int64_t *count)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT COUNT(*) FROM inbox_messages WHERE id_number = ? AND read_at = ''", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    rc = dd_stmt_step(st);
    *count = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_inbox_mark_read(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t id,
                   const char *now, struct dd_inbox_message *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE inbox_messages SET read_at = ? WHERE id = ? AND id_number = ? "
                           "AND read_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_int64(st, 2, id);
    dd_stmt_bind_text(st, 3, id_number);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = dd_db_prepare(db,
                       "SELECT id, kind, data, created_at, read_at FROM inbox_messages WHERE id "
                       "= ? AND id_number = ?",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    dd_stmt_bind_text(st, 2, id_number);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        read_row(st, a, out);
    dd_stmt_reset(st);
    return rc < 0 ? rc : rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}
