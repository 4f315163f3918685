-- 0011_organisations (SQLite): establishments (hotels, guesthouses, hospitals, coach operators,
-- pawnshops, schools, security-service businesses…) and the staff who act for them with accounts
-- of kind 'staff' (src/core/identity/org_*.c, docs/IDENTITY.md "Organisations"). Keep in step
-- with 0011_organisations.pg.sql.
--
-- The kinds are the list in src/core/identity/org_rules.c; codes are stored with their province
-- code. Times are UTC text; '' means "none". Rows are never deleted: an organisation is
-- suspended and reinstated, a staff member's membership is ended (ended_at), and the account
-- stays, disabled, for the history.

CREATE TABLE organisations (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT NOT NULL,                 -- hotel, guesthouse, hospital, …
    name                TEXT NOT NULL,                 -- NFC, as on the business registration
    registration_number TEXT NOT NULL DEFAULT '',      -- enterprise / tax code: 10 digits, or 10-3 for a branch
    licence_number      TEXT NOT NULL DEFAULT '',      -- the licence its kind needs (org_rules.c), when recorded
    licence_issuer      TEXT NOT NULL DEFAULT '',
    licence_issued_on   TEXT NOT NULL DEFAULT '',      -- YYYY-MM-DD
    licence_expires_on  TEXT NOT NULL DEFAULT '',      -- YYYY-MM-DD; '' : no end
    address             TEXT NOT NULL,                 -- the address line within the commune
    province_code       TEXT NOT NULL,
    commune_code        TEXT NOT NULL,
    phone               TEXT NOT NULL DEFAULT '',      -- E.164
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    status_reason       TEXT NOT NULL DEFAULT '',
    status_by           TEXT NOT NULL DEFAULT '',      -- who suspended or reinstated it: 'officer:12'
    status_at           TEXT NOT NULL DEFAULT '',
    created_by          TEXT NOT NULL,                 -- 'officer:12', 'operator:ana'
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX organisations_registration ON organisations (registration_number)
    WHERE registration_number <> '';
CREATE INDEX organisations_area ON organisations (province_code, commune_code, id);

-- Who acts for an organisation. An account belongs to one organisation for good: someone who
-- moves to another establishment gets another account.
CREATE TABLE org_staff (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    account_id INTEGER NOT NULL UNIQUE REFERENCES accounts (id),
    role       TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'clerk')),
    added_by   TEXT NOT NULL,                          -- 'operator:ana', 'officer:12', 'account:34'
    added_at   TEXT NOT NULL,
    ended_at   TEXT NOT NULL DEFAULT '',
    ended_by   TEXT NOT NULL DEFAULT '',
    end_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX org_staff_org ON org_staff (org_id, id);
