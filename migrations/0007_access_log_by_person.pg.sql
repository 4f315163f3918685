-- 0007_access_log_by_person (PostgreSQL): the access log found by person and day. Keep in step
-- with 0007_access_log_by_person.sqlite.sql, which explains why SQLite builds its index by person
-- in batches. PostgreSQL keeps index pages in shared buffers and writes each dirty page once per
-- checkpoint, however many rows landed on it, so here the index is an ordinary one on
-- `access_log`; `access_log_by_person` and `access_log_indexed` are views with the columns the
-- SQLite tables have, so that readers use one query on both backends (past `upto` there is
-- nothing to scan).

DROP INDEX access_log_person;
ALTER TABLE access_log ADD COLUMN day INTEGER NOT NULL DEFAULT 0;
UPDATE access_log SET day = (at::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - DATE '1970-01-01';
CREATE INDEX access_log_day_person ON access_log (day, id_number, id);

CREATE VIEW access_log_by_person AS SELECT day, id_number, id FROM access_log;
CREATE VIEW access_log_indexed AS SELECT 1 AS one, COALESCE(MAX(id), 0) AS upto FROM access_log;
