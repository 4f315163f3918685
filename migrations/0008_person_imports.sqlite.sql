-- 0008_person_imports (SQLite): the first version of people loaded in bulk (`dinhdanh import
-- people`) is kept once per load instead of once per person. Keep in step with
-- 0008_person_imports.pg.sql.
--
-- A load writes one `person_imports` row (the history kind, actor, reason and time of version 1
-- of every person it stores) and sets `people.import_id` on each row it stores, without a
-- `person_history` row. While such a person's version is 1, their version-1 history entry is
-- that import row with the person's own values ({field: {"from": null, "to": value}} for each
-- non-empty field): the row has not changed since it was loaded. The first change to the person
-- writes that entry into person_history, in the change's transaction, before version 2
-- (dd_reg_person_update), so folding the history gives the row at every version.
CREATE TABLE person_imports (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind   TEXT NOT NULL,             -- the history kind of version 1: imported
    actor  TEXT NOT NULL,             -- "import"
    reason TEXT NOT NULL DEFAULT '',  -- the source: the file's name
    at     TEXT NOT NULL,
    people INTEGER NOT NULL DEFAULT 0 -- people stored by the load
);
ALTER TABLE people ADD COLUMN import_id INTEGER; -- person_imports.id; NULL: version 1 is in person_history

-- The place indexes, narrowed to what reads use. people_permanent serves the export of a
-- commune (`export people --commune`, with or without --province): the commune code alone,
-- the province checked on the rows it finds. people_temporary keeps only the people who have a
-- temporary residence; a query uses it when it says `temporary_commune <> ''`. (The area checks
-- of search join the household, so their OR uses neither.) Both cost a bulk load far less to
-- build than the two-column indexes, whose long runs of equal provinces slow every sort.
DROP INDEX people_permanent;
DROP INDEX people_temporary;
CREATE INDEX people_permanent ON people (permanent_commune);
CREATE INDEX people_temporary ON people (temporary_commune) WHERE temporary_commune <> '';
