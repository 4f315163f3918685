-- 0009_identity (SQLite): electronic identities — accounts at level 1 and 2, one-time codes,
-- recovery codes, sessions, login throttling and the authentication history (src/core/identity/,
-- docs/IDENTITY.md). Keep in step with 0009_identity.pg.sql.
--
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ' (they compare as text); '' means "none". Codes,
-- session tokens and recovery codes are stored only as hashes.

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind              TEXT NOT NULL CHECK (kind IN ('citizen', 'officer', 'staff')),
    login             TEXT NOT NULL UNIQUE,         -- ID number, 'P:KOR:M12345678', or a username
    id_number         TEXT NOT NULL DEFAULT '',     -- the person in the register; '' if none
    nationality       TEXT NOT NULL DEFAULT '',     -- foreigners: the passport's country (ISO alpha-3)
    passport_number   TEXT NOT NULL DEFAULT '',
    display_name      TEXT NOT NULL,
    birth_date        TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',     -- E.164
    email             TEXT NOT NULL DEFAULT '',
    level             INTEGER NOT NULL DEFAULT 1 CHECK (level IN (1, 2)),
    status            TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'active', 'locked', 'suspended', 'disabled')),
    status_reason     TEXT NOT NULL DEFAULT '',
    password_hash     TEXT NOT NULL DEFAULT '',     -- '' : cannot log in (a child's account)
    totp_secret       TEXT NOT NULL DEFAULT '',     -- base32; '' : no second factor
    totp_pending      TEXT NOT NULL DEFAULT '',     -- a secret being enrolled, not yet confirmed
    totp_last_step    INTEGER NOT NULL DEFAULT -1,  -- the last accepted time step (replay)
    failed_logins     INTEGER NOT NULL DEFAULT 0,   -- consecutive failures
    locked_until      TEXT NOT NULL DEFAULT '',     -- lockout after too many failures
    guardian_id       INTEGER REFERENCES accounts (id),
    portrait_ref      TEXT NOT NULL DEFAULT '',
    level2_by         TEXT NOT NULL DEFAULT '',     -- 'officer:12'
    level2_at         TEXT NOT NULL DEFAULT '',
    level2_card_check TEXT NOT NULL DEFAULT '' CHECK (level2_card_check IN ('', 'manual', 'chip')),
    level2_face_check TEXT NOT NULL DEFAULT '' CHECK (level2_face_check IN ('', 'manual', 'biometric')),
    level2_note       TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX accounts_citizen_person ON accounts (id_number)
    WHERE kind = 'citizen' AND id_number <> '';
CREATE INDEX accounts_guardian ON accounts (guardian_id);

ALTER TABLE officers ADD COLUMN account_id INTEGER REFERENCES accounts (id);
CREATE UNIQUE INDEX officers_account ON officers (account_id);

-- One-time codes sent by e-mail or SMS: 10 minutes, 5 attempts, used once.
CREATE TABLE one_time_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('registration', 'password-reset')),
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX one_time_codes_account ON one_time_codes (account_id, purpose);
CREATE INDEX one_time_codes_expires ON one_time_codes (expires_at);

-- Recovery codes for a lost second factor: each used once.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

-- Sessions of the web UI (cookie) and of API clients (bearer dds_…): the same rows.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,              -- SHA-256 of the token
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    csrf_token   TEXT NOT NULL,
    purpose      TEXT NOT NULL DEFAULT 'full' CHECK (purpose IN ('full', 'enrolment')),
    service      TEXT NOT NULL,                     -- web, api
    method       TEXT NOT NULL,                     -- password, totp, recovery
    level        INTEGER NOT NULL,
    network      TEXT NOT NULL DEFAULT '',          -- the client's /24 (IPv4) or /48 (IPv6)
    user_agent   TEXT NOT NULL DEFAULT '',          -- a summary: "Firefox on Linux"
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    idle_until   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ended_at     TEXT NOT NULL DEFAULT '',
    end_reason   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id, ended_at);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins per typed login ('login:' + SHA-256) and per network ('net:' + network).
CREATE TABLE auth_throttle (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    blocked_until   TEXT NOT NULL DEFAULT ''
);

-- Every authentication attempt, kept 5 years, shown to the person ("e-identity usage history").
CREATE TABLE auth_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts (id),    -- NULL when the login matched no account
    login_hash TEXT NOT NULL DEFAULT '',            -- SHA-256 of the typed login, when no account
    service    TEXT NOT NULL,                       -- web, api, later the SSO clients
    method     TEXT NOT NULL,                       -- password, totp, recovery, otc
    level      INTEGER NOT NULL DEFAULT 0,
    success    INTEGER NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    network    TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    session_id INTEGER
);
CREATE INDEX auth_history_account ON auth_history (account_id, id);
CREATE INDEX auth_history_at ON auth_history (at);
