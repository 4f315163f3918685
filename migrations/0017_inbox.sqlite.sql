-- 0017_inbox (SQLite): the citizen's notifications inbox (src/core/inbox/, docs/WEB.md). The
-- inbox module writes one row per domain event that concerns a person (a consent given or
-- withdrawn, a correction request filed or decided); the portal lists them and marks them read.
-- Keep in step with 0017_inbox.pg.sql.
--
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ'; '' means "none".

CREATE TABLE inbox_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number  TEXT NOT NULL,            -- the person the message is for
    kind       TEXT NOT NULL,            -- "consent.withdrawn", "correction.accepted", …
    data       TEXT NOT NULL,            -- the event's payload (JSON), for the page to phrase
    event_id   INTEGER NOT NULL UNIQUE,  -- the event it came from: delivered twice, stored once
    created_at TEXT NOT NULL,
    read_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inbox_messages_person ON inbox_messages (id_number, id);
