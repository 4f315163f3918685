-- 0003_register (SQLite): the population register and the officers who work on it. Keep in step
-- with 0003_register.pg.sql.
--
-- `people` is the current state of each person; `person_history` holds every change (who, when,
-- why, on what legal basis) from which that state can be rebuilt. Dates of birth may be partial:
-- 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. Unit codes are stored with their province code, because
-- commune codes do not encode the province.

CREATE TABLE people (
    id_number          TEXT PRIMARY KEY,          -- 12 digits
    full_name          TEXT NOT NULL,             -- NFC, with diacritics
    name_folded        TEXT NOT NULL,             -- lower case, no diacritics, đ → d
    given_folded       TEXT NOT NULL,             -- the given name first: "an nguyen van"
    other_names        TEXT NOT NULL DEFAULT '',
    birth_date         TEXT NOT NULL,
    birth_year         INTEGER NOT NULL,
    sex                TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    ethnicity          TEXT NOT NULL DEFAULT '',
    religion           TEXT NOT NULL DEFAULT '',
    nationality        TEXT NOT NULL DEFAULT 'VN',
    birth_place        TEXT NOT NULL DEFAULT '',  -- place of birth registration
    hometown           TEXT NOT NULL DEFAULT '',
    old_id_number      TEXT NOT NULL DEFAULT '',  -- 9 digits, if any
    photo_ref          TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'alive' CHECK (status IN ('alive', 'dead', 'missing')),
    death_date         TEXT NOT NULL DEFAULT '',
    father_id          TEXT NOT NULL DEFAULT '',
    mother_id          TEXT NOT NULL DEFAULT '',
    spouse_id          TEXT NOT NULL DEFAULT '',
    household_id       INTEGER,
    relation_to_head   TEXT NOT NULL DEFAULT '',
    permanent_province TEXT NOT NULL DEFAULT '',
    permanent_commune  TEXT NOT NULL DEFAULT '',
    permanent_address  TEXT NOT NULL DEFAULT '',
    temporary_province TEXT NOT NULL DEFAULT '',
    temporary_commune  TEXT NOT NULL DEFAULT '',
    temporary_address  TEXT NOT NULL DEFAULT '',
    temporary_until    TEXT NOT NULL DEFAULT '',
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX people_name ON people (name_folded);
CREATE INDEX people_given ON people (given_folded);
CREATE INDEX people_permanent ON people (permanent_province, permanent_commune);
CREATE INDEX people_temporary ON people (temporary_province, temporary_commune);
CREATE INDEX people_household ON people (household_id);

-- Every change to a person, in order. `changes` is a JSON object {field: {"from": …, "to": …}}.
CREATE TABLE person_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,  -- born, imported, corrected, died, moved, absent, household
    changes     TEXT NOT NULL,
    actor       TEXT NOT NULL,  -- "officer:12 (commune-police 22366)" or "import"
    reason      TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    dossier     TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    UNIQUE (id_number, version)
);

CREATE TABLE households (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    number        TEXT NOT NULL UNIQUE,
    head_id       TEXT NOT NULL DEFAULT '',
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    closed_at     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX households_commune ON households (province_code, commune_code);

-- Permanent and temporary residence and temporary absence, with their periods.
CREATE TABLE residences (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number     TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('permanent', 'temporary', 'absence')),
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    from_date     TEXT NOT NULL,
    to_date       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX residences_person ON residences (id_number);

-- Who read or changed a person's data, for that person to see (Decree 13/2023/NĐ-CP).
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number  TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,       -- "officer:12"
    actor_name TEXT NOT NULL,
    role       TEXT NOT NULL,
    agency     TEXT NOT NULL,
    action     TEXT NOT NULL,       -- read, search, change, export
    data       TEXT NOT NULL,       -- which data: "person", "history", "household", …
    purpose    TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX access_log_person ON access_log (id_number, at);

-- Officers, minimal until the identity module brings full accounts: a role and an area (a
-- province code of 2 digits, or a commune as PP-CCCCC).
CREATE TABLE officers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL DEFAULT '',  -- empty: the whole province
    agency        TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Bearer tokens, stored as SHA-256 of the token.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
