-- 0021_services (SQLite): online public services (models 1, 2, 3; src/core/services/,
-- docs/SERVICES.md). Keep in step with 0021_services.pg.sql.
--
-- The procedures themselves are data files (data/procedures/), not rows. A dossier is one
-- submission of one procedure by one applicant; an inter-agency bundle is a dossier whose parts
-- are dossiers (bundle_id names the bundle; 0 for none). Times are UTC milliseconds; due_day is
-- the legal deadline, a date in Vietnam. Every change of a dossier is a service_dossier_log row.

CREATE TABLE service_dossiers (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,           -- "HS261129-7KQ2MX": what the citizen is told
    procedure_code TEXT NOT NULL,                  -- "1.004222"
    bundle_id      INTEGER NOT NULL DEFAULT 0,     -- the bundle this dossier is a part of
    applicant_id   TEXT NOT NULL,                  -- personal ID number
    applicant_name TEXT NOT NULL,
    province       TEXT NOT NULL,                  -- the office's area
    commune        TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('online', 'kiosk')),
    status         TEXT NOT NULL CHECK (status IN ('awaiting-payment', 'submitted', 'received',
                                                   'more-info', 'processing', 'approved',
                                                   'refused')),
    step           INTEGER NOT NULL DEFAULT 0,     -- index in the procedure's workflow
    form           TEXT NOT NULL,                  -- JSON object: the filled form
    documents      TEXT NOT NULL DEFAULT '[]',     -- JSON array of referenced documents
    fee            INTEGER NOT NULL DEFAULT 0,     -- VND, after the online discount
    payment_id     TEXT NOT NULL DEFAULT '',
    submitted_at   INTEGER NOT NULL,
    due_day        TEXT NOT NULL DEFAULT '',       -- '' while awaiting payment
    decided_at     INTEGER NOT NULL DEFAULT 0,
    on_time        INTEGER NOT NULL DEFAULT -1,    -- -1 undecided, 0 late, 1 on time
    reason         TEXT NOT NULL DEFAULT '',       -- why refused, or what more is asked
    result_doc     TEXT NOT NULL DEFAULT '',       -- the wallet document issued
    rating         INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    rating_comment TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX service_dossiers_applicant ON service_dossiers (applicant_id, id);
CREATE INDEX service_dossiers_status ON service_dossiers (status, due_day);
CREATE INDEX service_dossiers_procedure ON service_dossiers (procedure_code, status);
CREATE INDEX service_dossiers_bundle ON service_dossiers (bundle_id);
CREATE INDEX service_dossiers_payment ON service_dossiers (payment_id);

CREATE TABLE service_dossier_log (
    id         INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES service_dossiers (id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,                      -- "citizen:…", "officer:12", "system"
    action     TEXT NOT NULL,                      -- submit, paid, accept, ask-more, supplement,
                                                   -- refuse, advance, approve, rate
    status     TEXT NOT NULL,                      -- the status after the action
    step       INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_dossier_log_dossier ON service_dossier_log (dossier_id, id);
