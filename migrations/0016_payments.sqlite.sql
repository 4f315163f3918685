-- 0016_payments (SQLite): payment intents, their transitions, gateway and bank notifications,
-- settlement imports (src/core/pay/, docs/PAYMENTS.md). Keep in step with 0016_payments.pg.sql.
--
-- A payment is owned by the module that asked for it (module, object_type, object_id) and paid
-- by a person (payer_id_number). Its state moves created → pending → paid, or to failed,
-- expired or refunded; each move is a row of payment_transitions written in the same
-- transaction, with the event that tells the owning module. Amounts are whole VND. Times are
-- UTC 'YYYY-MM-DDTHH:MM:SS.sssZ'.

CREATE TABLE payments (
    id              TEXT PRIMARY KEY,              -- "pay_" and 20 hex digits
    reference       TEXT NOT NULL UNIQUE,          -- "DD" and 10 letters or digits: QR, transfers, gateways
    purpose         TEXT NOT NULL,                 -- fee, fine, hospital, ticket, school, other
    description     TEXT NOT NULL,
    amount          INTEGER NOT NULL,              -- VND
    payer_id_number TEXT NOT NULL,
    payer_name      TEXT NOT NULL DEFAULT '',
    module          TEXT NOT NULL,                 -- the owning module: "traffic"
    object_type     TEXT NOT NULL,                 -- what it pays for: "fine"
    object_id       TEXT NOT NULL,
    state           TEXT NOT NULL,                 -- created, pending, paid, failed, expired, refunded
    method          TEXT NOT NULL DEFAULT '',      -- vnpay, vietqr, bank-transfer, cash
    gateway_txn     TEXT NOT NULL DEFAULT '',      -- the gateway's or bank's transaction number
    receipt_code    TEXT UNIQUE,                   -- set when paid: the receipt's verification code
    created_by      TEXT NOT NULL,                 -- "officer:12"
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    paid_at         TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX payments_payer ON payments (payer_id_number, created_at);
CREATE INDEX payments_object ON payments (module, object_type, object_id);
CREATE INDEX payments_state ON payments (state, expires_at);

CREATE TABLE payment_transitions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    from_state TEXT NOT NULL,                      -- '' for the creation
    to_state   TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,                      -- "officer:12", "vnpay", "bank", "system"
    reason     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}'          -- JSON: the gateway's codes, amounts…
);
CREATE INDEX payment_transitions_payment ON payment_transitions (payment_id, id);

-- Every notification a gateway or a bank sent, matched or not, once per (source, external_id):
-- a repeated one is recognised and changes nothing.
CREATE TABLE payment_notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,                     -- vnpay, bank
    external_id TEXT NOT NULL,                     -- the gateway's or bank's transaction number
    payment_id  TEXT NOT NULL DEFAULT '',          -- '' when no payment matched
    amount      INTEGER NOT NULL,
    outcome     TEXT NOT NULL,                     -- paid, failed, amount-mismatch, unmatched, expired, already-paid
    received_at TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',          -- what was received (parameters or JSON)
    UNIQUE (source, external_id)
);

-- A settlement file imported from a gateway or bank, with its reconciliation report.
CREATE TABLE payment_settlements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    source      TEXT NOT NULL,                     -- the name given to the file
    lines       INTEGER NOT NULL,
    mismatches  INTEGER NOT NULL,
    report      TEXT NOT NULL                      -- JSON, as returned by the import
);
