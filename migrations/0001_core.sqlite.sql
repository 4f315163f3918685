-- 0001_core (SQLite): the tables every module relies on. The audit log and its head row, the
-- outbox of domain events and each consumer's cursor, and the store of Content-Security-Policy
-- violation reports. Times are TEXT in ISO 8601 UTC ("2025-07-01T16:05:00.123Z") so that both
-- backends store and sort them alike. Keep in step with 0001_core.pg.sql.

-- The hash-chained audit log (src/core/audit.c). id is the head's sequence number: 1, 2, 3, …
-- hash = SHA-256 over every other column; prev_hash is the previous row's hash.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    ts         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    request_id TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

-- Rows are only ever appended; changing one needs the triggers dropped first, and the chain
-- shows it anyway.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- One row: the number and hash of the last audit row. Appenders take it first, which orders
-- them; it also tells the verifier how long the log should be.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The transactional outbox (src/core/events.c). AUTOINCREMENT: an id is never reused, even
-- after the newest rows are deleted, so a consumer's cursor never skips a new event.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    type       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    payload    TEXT NOT NULL
);

-- Where each consumer is: the id of the last event it processed.
CREATE TABLE event_cursors (
    consumer   TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- Reports that browsers send when the Content-Security-Policy blocks something.
CREATE TABLE security_reports (
    id                 INTEGER PRIMARY KEY,
    received_at        TEXT NOT NULL,
    document_uri       TEXT NOT NULL,
    violated_directive TEXT NOT NULL,
    blocked_uri        TEXT NOT NULL,
    raw                TEXT NOT NULL,
    request_id         TEXT NOT NULL
);

CREATE INDEX security_reports_received_at ON security_reports (received_at);
