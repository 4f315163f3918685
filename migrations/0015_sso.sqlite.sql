-- 0015_sso (SQLite): the OpenID Connect provider (src/sso/, docs/SSO.md) — registered clients
-- and their URIs, authorization codes, pushed authorization requests, pending interactions
-- (login and consent), refresh-token families, remembered consents, used client-assertion jti,
-- revoked access tokens, and which clients took part in a login session (back-channel logout).
-- Keep in step with 0015_sso.pg.sql.
--
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ' (they compare as text); '' means "none".
-- Secrets, codes and tokens are stored only as SHA-256 hex.

CREATE TABLE sso_clients (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id              TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    grant_type             TEXT NOT NULL CHECK (grant_type IN ('authorization_code', 'client_credentials')),
    auth_method            TEXT NOT NULL CHECK (auth_method IN ('client_secret_basic', 'private_key_jwt', 'none')),
    secret_hash            TEXT NOT NULL DEFAULT '',
    jwks                   TEXT NOT NULL DEFAULT '',    -- the client's public keys (private_key_jwt)
    scopes                 TEXT NOT NULL,               -- allowed scopes, space-separated
    pairwise               INTEGER NOT NULL DEFAULT 0,
    backchannel_logout_uri TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_by             TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE TABLE sso_client_uris (
    client_id TEXT NOT NULL REFERENCES sso_clients (client_id),
    kind      TEXT NOT NULL CHECK (kind IN ('redirect', 'post_logout')),
    uri       TEXT NOT NULL,
    PRIMARY KEY (client_id, kind, uri)
);

-- An authorization request waiting for the person (login, step-up, consent).
CREATE TABLE sso_interactions (
    id          TEXT PRIMARY KEY,                 -- SHA-256 of the random id in the URL
    client_id   TEXT NOT NULL,
    account_id  INTEGER NOT NULL,
    request     TEXT NOT NULL,                    -- the authorization request, JSON
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    done_at     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sso_interactions_expires ON sso_interactions (expires_at);

-- Pushed authorization requests (RFC 9126): 60 seconds, used once.
CREATE TABLE sso_par (
    request_hash TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL,
    request      TEXT NOT NULL,                   -- the parameters, JSON
    expires_at   TEXT NOT NULL,
    used_at      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sso_par_expires ON sso_par (expires_at);

-- Authorization codes: 60 seconds, used once; a second use revokes the family it started.
CREATE TABLE sso_codes (
    code_hash      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    account_id     INTEGER NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    nonce          TEXT NOT NULL DEFAULT '',
    code_challenge TEXT NOT NULL,
    acr            TEXT NOT NULL,
    amr            TEXT NOT NULL,                 -- space-separated
    auth_time      INTEGER NOT NULL,              -- seconds since the epoch
    sid            TEXT NOT NULL DEFAULT '',
    family_id      TEXT NOT NULL DEFAULT '',      -- the refresh family it started, once used
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    used_at        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sso_codes_expires ON sso_codes (expires_at);

-- A refresh-token family: every token rotated from one code. Revoked as a whole on reuse.
CREATE TABLE sso_families (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    account_id  INTEGER NOT NULL,
    scope       TEXT NOT NULL,
    acr         TEXT NOT NULL,
    amr         TEXT NOT NULL,
    auth_time   INTEGER NOT NULL,
    sid         TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT NOT NULL DEFAULT '',
    revoked_why TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sso_families_account ON sso_families (account_id, client_id);
CREATE INDEX sso_families_sid ON sso_families (sid);

CREATE TABLE sso_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES sso_families (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NOT NULL DEFAULT ''           -- rotated: its next use revokes the family
);
CREATE INDEX sso_refresh_family ON sso_refresh_tokens (family_id);

-- Remembered consents: which scopes an account released to a client.
CREATE TABLE sso_consents (
    account_id INTEGER NOT NULL,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- jti of client assertions (private_key_jwt), kept until they expire, refused on reuse.
CREATE TABLE sso_assertion_jti (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (client_id, jti)
);

-- Access tokens revoked before their expiry (RFC 7009), by jti.
CREATE TABLE sso_revoked_jti (
    jti        TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

-- Which clients a login session signed in to (sid), for back-channel logout.
CREATE TABLE sso_session_clients (
    sid        TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sid, client_id)
);

-- Back-channel logout deliveries still to make (retried).
CREATE TABLE sso_logout_deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id  TEXT NOT NULL,
    uri        TEXT NOT NULL,
    token      TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    TEXT NOT NULL,
    done_at    TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sso_logout_deliveries_next ON sso_logout_deliveries (done_at, next_at);
