-- 0007_access_log_by_person (SQLite): the access log found by person through an index that is
-- built in batches, so that recording a read stays an append however long the log grows. Keep
-- in step with 0007_access_log_by_person.pg.sql.
--
-- Reads are recorded by the thousand per second, each for a different person. With an index by
-- person on `access_log` itself, every row lands on its own page of that index and every commit
-- (one per few milliseconds) rewrites hundreds of scattered pages. Instead `access_log` has no
-- index by person: a new row is an append. The server's access-log writer adds the rows past
-- `access_log_indexed.upto` to `access_log_by_person` in one sorted batch, then moves `upto`.
-- The index starts with the day (days since 1970-01-01 in Vietnam's time, UTC+7), and the writer
-- indexes every ten minutes: the batch lands in the index's last day, where many rows share each
-- page written. A person's rows: probe `access_log_by_person` by days (`day IN (…) AND
-- id_number = ?`), joined to `access_log` by id, plus the rows past `upto` (the log's tail).

DROP INDEX access_log_person;
ALTER TABLE access_log ADD COLUMN day INTEGER NOT NULL DEFAULT 0;
UPDATE access_log SET day = CAST(julianday(at, '+7 hours') - 2440587.5 AS INTEGER);

CREATE TABLE access_log_by_person (
    day       INTEGER NOT NULL,
    id_number TEXT NOT NULL,
    id        INTEGER NOT NULL,  -- access_log.id
    PRIMARY KEY (day, id_number, id)
) WITHOUT ROWID;

-- One row: every access_log row with id <= upto is in access_log_by_person.
CREATE TABLE access_log_indexed (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    upto INTEGER NOT NULL
);

INSERT INTO access_log_by_person (day, id_number, id)
SELECT day, id_number, id FROM access_log ORDER BY day, id_number, id;
INSERT INTO access_log_indexed (one, upto) SELECT 1, COALESCE(MAX(id), 0) FROM access_log;
