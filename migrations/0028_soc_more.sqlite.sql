-- 0028_soc_more (SQLite): what the SOC's later rules compare (src/core/soc/, docs/SOC.md).
-- Keep in step with 0028_soc_more.pg.sql.
--
-- actor_group is the actor's role and area ("province-police@56", "commune-police@56/22366") for
-- the rules that compare an officer with their peers; device is a login's device fingerprint
-- (16 hex digits of a SHA-256 of the User-Agent and the dd_device cookie) for "a new device";
-- pw_tag is 4 hex digits of a keyed hash of a refused password (the key is random per server
-- process and never stored), only to count how many different passwords a network tried:
-- spraying (one password, many accounts) against stuffing (a different password per account).
ALTER TABLE soc_events ADD COLUMN actor_group TEXT NOT NULL DEFAULT '';
ALTER TABLE soc_events ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE soc_events ADD COLUMN pw_tag TEXT NOT NULL DEFAULT '';
CREATE INDEX soc_events_group ON soc_events (type, actor_group, at);
