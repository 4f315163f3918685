/*
 * inbox.h — the citizen's notifications inbox: short messages about what happened to their data
 * and consents, kept in inbox_messages (migration 0017) and shown by the portal.
 *
 * A message holds a kind ("consent.granted", "consent.withdrawn", "correction.requested",
 * "correction.accepted", "correction.rejected", "dossier.changed") and the JSON data of the event
 * it came from; the page phrases it in the reader's language, so the stored text never needs
 * translating. The module `inbox` writes them as an event consumer (one message per event, stored
 * once even when an event is delivered twice) and serves GET /api/v1/me/notifications and POST
 * /api/v1/me/notifications/{id}/read.
 */
#ifndef DD_CORE_INBOX_INBOX_H
#define DD_CORE_INBOX_INBOX_H

#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_event;
struct dd_module;

extern const struct dd_module dd_module_inbox;

struct dd_inbox_message {
    int64_t id;
    const char *kind;
    const char *data; /* JSON text */
    const char *created_at;
    const char *read_at; /* "" while unread */
};

/* Stores the message that event `ev` means for a person, if any, inside the caller's
 * transaction; an event already stored (same id) or about no person adds nothing. DD_OK or a
 * DD_E… code of the database. */
int dd_inbox_from_event(struct dd_db *db, const struct dd_event *ev);

/* Up to `limit` messages of `id_number` older than id `before` (0: from the newest), newest
 * first, unread only when `unread_only`; strings in arena `a`. *more says whether there are
 * older ones. */
int dd_inbox_list(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t before,
                  bool unread_only, int limit, struct dd_inbox_message *out, int *n, bool *more);

/* Counts the unread messages of `id_number` into *count. */
int dd_inbox_unread(struct dd_db *db, const char *id_number, int64_t *count);

/* Marks message `id` of `id_number` read at `now` (ISO 8601; kept if already read) and fills
 * *out. DD_ENOTFOUND when it is not theirs. */
int dd_inbox_mark_read(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t id,
                       const char *now, struct dd_inbox_message *out);

#endif
