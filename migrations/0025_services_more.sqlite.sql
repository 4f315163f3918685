-- 0025_services_more (SQLite): registered kiosks and their chip sessions, and the offices' queue
-- tickets (src/core/services/, docs/SERVICES.md "Kiosks" and "Queue tickets"). Keep in step with
-- 0025_services_more.pg.sql. Times are UTC milliseconds.

-- A kiosk is a device of one office (commune). Its credential is shown once when it is
-- registered; only its SHA-256 is kept. A revoked kiosk (revoked_at > 0) is refused.
CREATE TABLE service_kiosks (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    province    TEXT NOT NULL,
    commune     TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,               -- hex SHA-256 of the secret
    created_by  TEXT NOT NULL,                      -- "officer:12"
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER NOT NULL DEFAULT 0,
    revoked_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_kiosks_area ON service_kiosks (province, commune, id);

-- A citizen identified at a kiosk by the chip of their card: short-lived, bound to that kiosk.
CREATE TABLE service_kiosk_sessions (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,                -- hex SHA-256 of the session token
    kiosk_id   INTEGER NOT NULL REFERENCES service_kiosks (id),
    id_number  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX service_kiosk_sessions_kiosk ON service_kiosk_sessions (kiosk_id, id);

-- The last number given by each office each day (Vietnam's date): taken and raised in the
-- transaction that inserts the ticket, so numbers have no gaps.
CREATE TABLE service_ticket_counters (
    commune TEXT NOT NULL,
    day     TEXT NOT NULL,                          -- YYYY-MM-DD in Vietnam
    last    INTEGER NOT NULL,
    PRIMARY KEY (commune, day)
);

CREATE TABLE service_tickets (
    id             INTEGER PRIMARY KEY,
    province       TEXT NOT NULL,
    commune        TEXT NOT NULL,
    day            TEXT NOT NULL,
    number         INTEGER NOT NULL,
    procedure_code TEXT NOT NULL DEFAULT '',
    kiosk_id       INTEGER NOT NULL,
    status         TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'called')),
    created_at     INTEGER NOT NULL,
    called_at      INTEGER NOT NULL DEFAULT 0,
    called_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (commune, day, number)
);
CREATE INDEX service_tickets_queue ON service_tickets (commune, status, id);
CREATE INDEX service_tickets_area ON service_tickets (province, created_at);
