-- 0007_access_log_recent (SQLite): the access log in two parts, so that recording a read stays
-- cheap however long the log grows. Keep in step with 0007_access_log_recent.pg.sql.
--
-- Reads are recorded by the thousand per second, each for a different person. In one table
-- indexed by person, every row lands on its own page of that index, and every commit (one per
-- few milliseconds) rewrites hundreds of scattered pages. Instead new rows are appended to
-- `access_log_recent`, which has no index by person: an append touches the last page only. The
-- server's access-log writer moves them now and then, tens of thousands at a time, into
-- `access_log_kept`, whose index by person starts with the day: the rows moved land in the
-- index's last days, a region small enough that many of them share each page written, however
-- many years the log holds. A person's rows are found day by day (one index probe per day, from
-- the newest). The view `access_log` is both parts together; readers use it. The ids come from
-- one sequence (AUTOINCREMENT), so they stay unique and in time order across the two parts.

ALTER TABLE access_log RENAME TO access_log_before_0007;
DROP INDEX access_log_person;

CREATE TABLE access_log_recent (
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

CREATE TABLE access_log_kept (
    id         INTEGER PRIMARY KEY,  -- the id the row had in access_log_recent
    day        INTEGER NOT NULL,     -- days since 1970-01-01 (UTC) of `at`
    id_number  TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    role       TEXT NOT NULL,
    agency     TEXT NOT NULL,
    action     TEXT NOT NULL,
    data       TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX access_log_kept_person ON access_log_kept (day, id_number, id);

INSERT INTO access_log_kept (id, day, id_number, at, actor, actor_name, role, agency, action,
                             data, purpose, request_id)
SELECT id, CAST(julianday(substr(at, 1, 10)) - 2440587.5 AS INTEGER), id_number, at, actor,
       actor_name, role, agency, action, data, purpose, request_id
FROM access_log_before_0007 ORDER BY id;
-- The sequence goes on after the rows moved.
INSERT INTO sqlite_sequence (name, seq)
SELECT 'access_log_recent', COALESCE(MAX(id), 0) FROM access_log_before_0007;
DROP TABLE access_log_before_0007;

CREATE VIEW access_log AS
SELECT id, id_number, at, actor, actor_name, role, agency, action, data, purpose, request_id
FROM access_log_kept
UNION ALL
SELECT id, id_number, at, actor, actor_name, role, agency, action, data, purpose, request_id
FROM access_log_recent;
