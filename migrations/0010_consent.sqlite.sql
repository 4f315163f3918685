-- 0010_consent (SQLite): a citizen's consents to share data with a service, and their requests
-- to correct the register (src/core/consent/, docs/CONSENT.md). Keep in step with
-- 0010_consent.pg.sql.
--
-- A consent names a person, a service (its id and the name shown to the person), the data items
-- shared, a purpose and a period of Vietnamese calendar dates (valid_from to valid_until, both
-- included, at most 5 years). Withdrawing one fills withdrawn_at (UTC): rows are never deleted,
-- so the person's history of consents stays whole. `consent_items` repeats the person and the
-- service beside each item so that "does consent hold" is one probe of its primary key.

CREATE TABLE consents (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number         TEXT NOT NULL,             -- the person who consents
    account_id        INTEGER NOT NULL DEFAULT 0, -- the account that granted it, when known
    service           TEXT NOT NULL,             -- a service or client id: "lgsp:bhxh"
    service_name      TEXT NOT NULL,             -- shown to the person
    items             TEXT NOT NULL,             -- JSON array of item names, as granted
    purpose           TEXT NOT NULL,
    valid_from        TEXT NOT NULL,             -- YYYY-MM-DD, Vietnam's calendar
    valid_until       TEXT NOT NULL,             -- YYYY-MM-DD, included
    granted_at        TEXT NOT NULL,             -- UTC
    withdrawn_at      TEXT NOT NULL DEFAULT '',  -- UTC; '' while not withdrawn
    withdrawal_reason TEXT NOT NULL DEFAULT '',
    request_id        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consents_person ON consents (id_number, id);

CREATE TABLE consent_items (
    id_number  TEXT NOT NULL,
    service    TEXT NOT NULL,
    item       TEXT NOT NULL,
    consent_id INTEGER NOT NULL REFERENCES consents (id),
    PRIMARY KEY (id_number, service, item, consent_id)
);

-- A person's request to correct a field of their register record: a task for an officer of the
-- commune it is assigned to (where the person lives). Accepting it records the decision only;
-- the officer then corrects the record (PATCH /api/v1/people/{id}, dossier
-- "correction-request:ID").
CREATE TABLE correction_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number      TEXT NOT NULL,
    account_id     INTEGER NOT NULL DEFAULT 0,
    field          TEXT NOT NULL,             -- a field of the person: "full_name", …
    current_value  TEXT NOT NULL,             -- what the register held when it was asked
    proposed_value TEXT NOT NULL,
    reason         TEXT NOT NULL,
    evidence_ref   TEXT NOT NULL DEFAULT '',
    province_code  TEXT NOT NULL,             -- the area it is assigned to
    commune_code   TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'accepted', 'rejected')),
    created_at     TEXT NOT NULL,
    decided_at     TEXT NOT NULL DEFAULT '',
    officer        TEXT NOT NULL DEFAULT '',  -- "officer:12" who decided
    officer_name   TEXT NOT NULL DEFAULT '',
    decision_note  TEXT NOT NULL DEFAULT '',
    request_id     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX correction_requests_province ON correction_requests (province_code, status, id);
CREATE INDEX correction_requests_commune
    ON correction_requests (province_code, commune_code, status, id);
CREATE INDEX correction_requests_person ON correction_requests (id_number, id);
