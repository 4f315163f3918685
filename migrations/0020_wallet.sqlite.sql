-- 0020_wallet (SQLite). Keep in step with 0020_wallet.pg.sql.
-- The e-document wallet (src/core/wallet/, docs/WALLET.md): issuers and their signing keys,
-- credentials issued as SD-JWT VC, presentations a holder shares, certified copies, and the
-- land register (parcels, owners with shares, transfers). Times are UTC milliseconds.
--
-- An issuer is one of the platform's agencies. Its keys are never deleted: a retired key stays
-- published so that documents it signed still verify. A credential's id is its index in its
-- issuer's status list; revoked_at (0 while valid) is the bit the list publishes.

CREATE TABLE wallet_issuers (
    id         TEXT PRIMARY KEY,          -- "so-tnmt-56": part of the issuer URL
    name       TEXT NOT NULL,             -- shown to people: "Sở Tài nguyên và Môi trường"
    created_at INTEGER NOT NULL
);

CREATE TABLE wallet_issuer_keys (
    kid         TEXT PRIMARY KEY,         -- "<issuer>-<created seconds>-<8 hex>"
    issuer      TEXT NOT NULL REFERENCES wallet_issuers (id),
    private_pem TEXT NOT NULL,            -- EC P-256, PKCS#8 PEM
    public_jwk  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX wallet_issuer_keys_issuer ON wallet_issuer_keys (issuer, created_at);

CREATE TABLE wallet_credentials (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT NOT NULL UNIQUE,     -- the document reference: 22 base64url characters
    holder      TEXT NOT NULL,            -- personal ID number
    issuer      TEXT NOT NULL REFERENCES wallet_issuers (id),
    kid         TEXT NOT NULL,
    vct         TEXT NOT NULL,
    title       TEXT NOT NULL,
    claims      TEXT NOT NULL,            -- JSON object, every claim in clear
    sd_jwt      TEXT NOT NULL,            -- the issued SD-JWT with every disclosure
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER NOT NULL DEFAULT 0,
    revoke_reason TEXT NOT NULL DEFAULT '',
    issued_by   TEXT NOT NULL             -- officer username
);
CREATE INDEX wallet_credentials_holder ON wallet_credentials (holder, id);
CREATE INDEX wallet_credentials_revoked ON wallet_credentials (issuer, revoked_at);

CREATE TABLE wallet_presentations (
    id            TEXT PRIMARY KEY,       -- 22 base64url characters, the link's secret
    credential_id INTEGER NOT NULL REFERENCES wallet_credentials (id),
    holder        TEXT NOT NULL,
    claims        TEXT NOT NULL,          -- JSON array of the disclosed claim names
    sd_jwt        TEXT NOT NULL,          -- the SD-JWT with only those disclosures
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX wallet_presentations_holder ON wallet_presentations (holder, created_at);

CREATE TABLE wallet_certifications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id  INTEGER NOT NULL REFERENCES wallet_credentials (id),
    holder         TEXT NOT NULL,
    certifier      TEXT NOT NULL,         -- officer username
    certifier_name TEXT NOT NULL,
    agency         TEXT NOT NULL,
    original_type  TEXT NOT NULL,         -- "birth-certificate", "diploma", …
    copy_sha256    TEXT NOT NULL,         -- 64 hex digits of the certified copy's file
    legal_basis    TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE land_parcels (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    commune       TEXT NOT NULL,          -- 5-digit commune code
    map_sheet     TEXT NOT NULL,          -- tờ bản đồ số
    parcel_number TEXT NOT NULL,          -- thửa đất số
    area_dm2      INTEGER NOT NULL,        -- area in hundredths of m²
    land_use      TEXT NOT NULL,          -- "ODT", "ONT", "LUC", …
    address       TEXT NOT NULL,
    house         TEXT NOT NULL DEFAULT '', -- JSON object of the house on it, or ''
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (commune, map_sheet, parcel_number)
);

CREATE TABLE land_owners (
    parcel_id  INTEGER NOT NULL REFERENCES land_parcels (id),
    id_number  TEXT NOT NULL,
    share_bp   INTEGER NOT NULL,           -- share in 1/10000
    since      INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL DEFAULT 0, -- 0 while current
    PRIMARY KEY (parcel_id, id_number, since)
);
CREATE INDEX land_owners_person ON land_owners (id_number, ended_at);

CREATE TABLE land_transfers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parcel_id   INTEGER NOT NULL REFERENCES land_parcels (id),
    at          INTEGER NOT NULL,
    from_owners TEXT NOT NULL,            -- JSON [{id_number, share_bp}]
    to_owners   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    officer     TEXT NOT NULL
);
CREATE INDEX land_transfers_parcel ON land_transfers (parcel_id, id);
