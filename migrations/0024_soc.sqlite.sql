-- 0024_soc (SQLite): the security operations centre (src/core/soc/, docs/SOC.md). Keep in step
-- with 0024_soc.pg.sql.
--
-- soc_events is the uniform security-event table the `soc` consumer fills from the outbox: one
-- row per security-relevant event (time, module, actor, subject, source network, outcome, an
-- amount the rules may add up, and the details). Rules (data/soc-rules.json) count rows of one
-- type in a window; an alert is one rule's hits on one key, grouped while it is open; incidents
-- gather alerts and carry the handling, with every step in soc_timeline.
--
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ'; '' means "none".

CREATE TABLE soc_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   INTEGER NOT NULL UNIQUE,   -- the outbox event: delivered twice, stored once
    at         TEXT NOT NULL,
    type       TEXT NOT NULL,             -- the outbox type: "auth.failed"
    module     TEXT NOT NULL,             -- "identity", "register", "lgsp", …
    actor      TEXT NOT NULL,             -- who did it: "account:7", "officer:3", "lgsp:VN/GOV/…"
    subject    TEXT NOT NULL,             -- what it was done to: "account:7", "login:<sha256>"
    source     TEXT NOT NULL,             -- the network it came from ("203.0.113.0/24"), or ''
    outcome    TEXT NOT NULL,             -- success, failure or info
    amount     INTEGER NOT NULL DEFAULT 1,-- what a rule adds up (1, or a batch's count)
    details    TEXT NOT NULL              -- the event's payload (JSON)
);
CREATE INDEX soc_events_type_at ON soc_events (type, at);
CREATE INDEX soc_events_source ON soc_events (type, source, at);
CREATE INDEX soc_events_actor ON soc_events (type, actor, at);
CREATE INDEX soc_events_subject ON soc_events (type, subject, at);
CREATE INDEX soc_events_at ON soc_events (at);

CREATE TABLE soc_alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id     TEXT NOT NULL,
    group_key   TEXT NOT NULL,            -- the rule's key value: a network, an officer, …
    severity    TEXT NOT NULL,            -- low, medium, high, critical
    status      TEXT NOT NULL,            -- open, acknowledged, closed
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    hits        INTEGER NOT NULL,         -- times the rule fired on this key while open
    value       INTEGER NOT NULL,         -- the rule's measure at the last hit
    evidence    TEXT NOT NULL,            -- JSON array of the last events (soc_events ids)
    incident_id INTEGER                   -- soc_incidents.id once raised to an incident
);
CREATE UNIQUE INDEX soc_alerts_one_open ON soc_alerts (rule_id, group_key) WHERE status <> 'closed';
CREATE INDEX soc_alerts_queue ON soc_alerts (status, id);

CREATE TABLE soc_incidents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    severity     TEXT NOT NULL,
    status       TEXT NOT NULL,           -- open, contained, resolved, closed
    assignee     TEXT NOT NULL,           -- an officer's username, or ''
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    breach       INTEGER NOT NULL DEFAULT 0,  -- 1: a personal-data breach
    breach_at    TEXT NOT NULL DEFAULT '',    -- when it was found: the 72-hour clock starts
    notify_by    TEXT NOT NULL DEFAULT '',    -- breach_at + 72 hours
    breach_facts TEXT NOT NULL DEFAULT '{}'   -- JSON: categories, subjects, measures, …
);

CREATE TABLE soc_timeline (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES soc_incidents (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,            -- created, note, status, assignee, action, breach, alert
    text        TEXT NOT NULL,
    data        TEXT NOT NULL             -- JSON
);
CREATE INDEX soc_timeline_incident ON soc_timeline (incident_id, id);
