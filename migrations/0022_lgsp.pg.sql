-- 0022_lgsp (PostgreSQL): the data-sharing gateway, LGSP (model 18; src/lgsp/, docs/LGSP.md).
-- Keep in step with 0022_lgsp.sqlite.sql.
--
-- Members (agencies) have subsystems `VN/GOV/<member>/<subsystem>`; a subsystem calls the gateway
-- as one single sign-on client (client credentials) and may provide services
-- `<subsystem-id>/<service-code>`. Rights are deny by default: a row per consumer subsystem ×
-- service × operation ('*' or an HTTP method), granted with a reason and an end, revoked with a
-- reason. Every exchange is a row of lgsp_log, hash-chained (prev_hash → hash) and covered by a
-- signed batch (lgsp_log_batches); lgsp_log_head holds the last sequence number and hash so that
-- rows dropped at the end are seen too. Times are UTC text (ISO 8601 with milliseconds and 'Z').

CREATE TABLE lgsp_members (
    code       TEXT PRIMARY KEY,               -- 'SYTE-KH': A-Z 0-9 -, up to 32
    name       TEXT NOT NULL,
    org_id     BIGINT,                        -- the organisation (0011), when it is one
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE lgsp_subsystems (
    id             TEXT PRIMARY KEY,           -- 'VN/GOV/<member>/<subsystem>'
    member_code    TEXT NOT NULL REFERENCES lgsp_members (code),
    code           TEXT NOT NULL,
    client_id      TEXT NOT NULL DEFAULT '',   -- the SSO client it calls the gateway as
    suspended      BIGINT NOT NULL DEFAULT 0,
    suspend_reason TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX lgsp_subsystems_client ON lgsp_subsystems (client_id) WHERE client_id <> '';

CREATE TABLE lgsp_services (
    id               TEXT PRIMARY KEY,         -- '<subsystem-id>/<service-code>'
    subsystem_id     TEXT NOT NULL REFERENCES lgsp_subsystems (id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    upstream_url     TEXT NOT NULL,            -- base URL; the rest of the path is appended
    upstream_auth    TEXT NOT NULL DEFAULT '', -- Authorization sent to the provider ('' none); never listed
    openapi          TEXT NOT NULL DEFAULT '', -- the provider's OpenAPI description (JSON text)
    data_returned    TEXT NOT NULL DEFAULT '',
    legal_basis      TEXT NOT NULL,
    consent_item     TEXT NOT NULL DEFAULT '', -- '' no consent needed; else a consent item
    person_field     TEXT NOT NULL DEFAULT '', -- JSON member naming the person in an answer
    keep_bodies_days BIGINT NOT NULL DEFAULT 0,
    timeout_ms       BIGINT NOT NULL DEFAULT 5000,
    quota_per_day    BIGINT NOT NULL DEFAULT 0, -- per consumer; 0: none
    rate_per_second  BIGINT NOT NULL DEFAULT 0, -- per consumer; 0: none
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE TABLE lgsp_rights (
    id            BIGSERIAL PRIMARY KEY,
    consumer_id   TEXT NOT NULL REFERENCES lgsp_subsystems (id),
    service_id    TEXT NOT NULL REFERENCES lgsp_services (id),
    operation     TEXT NOT NULL DEFAULT '*',
    reason        TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    granted_by    TEXT NOT NULL,
    granted_at    TEXT NOT NULL,
    revoked_at    TEXT NOT NULL DEFAULT '',
    revoked_by    TEXT NOT NULL DEFAULT '',
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lgsp_rights_pair ON lgsp_rights (consumer_id, service_id);

CREATE TABLE lgsp_log (
    seq           BIGINT PRIMARY KEY,         -- 1, 2, … without gaps
    at            TEXT NOT NULL,
    consumer_id   TEXT NOT NULL,               -- '' when the caller was not known
    service_id    TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    status        BIGINT NOT NULL,
    outcome       TEXT NOT NULL,               -- 'ok', 'upstream-error', 'timeout', or a refusal
    duration_us   BIGINT NOT NULL,
    request_hash  TEXT NOT NULL,
    response_hash TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX lgsp_log_consumer ON lgsp_log (consumer_id, seq);
CREATE INDEX lgsp_log_service ON lgsp_log (service_id, seq);

CREATE TABLE lgsp_log_batches (
    id         BIGSERIAL PRIMARY KEY,
    first_seq  BIGINT NOT NULL,
    last_seq   BIGINT NOT NULL,
    last_hash  TEXT NOT NULL,
    signed_at  TEXT NOT NULL,
    public_key TEXT NOT NULL,                  -- Ed25519, hex
    signature  TEXT NOT NULL                   -- over 'lgsp-batch|first|last|last_hash', hex
);

CREATE TABLE lgsp_log_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO lgsp_log_head (id, last_seq, last_hash) VALUES (1, 0, '');

CREATE TABLE lgsp_bodies (
    seq           BIGINT PRIMARY KEY,
    request_body  TEXT NOT NULL,
    response_body TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX lgsp_bodies_expiry ON lgsp_bodies (expires_at);
