-- 0006_idempotency (PostgreSQL): the Idempotency-Key of creations a client may retry
-- (src/core/idempotency/). Keep in step with 0006_idempotency.sqlite.sql.
--
-- One row per caller and key. While the first request runs, the row is a reservation (status 0,
-- owner = a random token of that request); the change it makes stores the reply here in the
-- same transaction, so a row with a status exists exactly when the change does. Rows are kept
-- 24 hours (created_at, UTC, 'YYYY-MM-DDTHH:MM:SS.sssZ') and then purged.

CREATE TABLE idempotency_keys (
    principal    TEXT NOT NULL,                -- who: "officer:12"
    key          TEXT NOT NULL,                -- the header's value: 1–200 printable ASCII
    route        TEXT NOT NULL,                -- "POST /api/v1/people/{id}/deaths"
    request_hash TEXT NOT NULL,                -- SHA-256 (hex) of method, path and body
    owner        TEXT NOT NULL,                -- the request holding the reservation
    status       INTEGER NOT NULL DEFAULT 0,   -- 0 while in flight, then the reply's status
    content_type TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',     -- the reply's Location header, if any
    etag         TEXT NOT NULL DEFAULT '',     -- the reply's ETag header, if any
    created_at   TEXT NOT NULL,                -- reserved (or taken over) at
    completed_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
