-- 0031_people_insight_key (SQLite): each living person's dashboard cell as one text, for the
-- rebuild of the leaders' dashboards (docs/INSIGHT.md, "Rebuild"). Keep in step with
-- 0031_people_insight_key.pg.sql, which has nothing to do.
--
-- The rebuild reads every living person's province, commune, year of birth, sex, ethnicity,
-- religion and temporary province and commune. Read from the index of 0023 as eight columns,
-- SQLite decoded each one apart: four times as long as reading the same values as one text.
-- `insight_key` is that text: the eight joined by the byte 31 (the unit separator, which the
-- register never stores: it refuses control characters), NULL for the dead. The column is
-- virtual: SQLite computes it from the row whenever it is written, read or indexed, so nothing
-- stores it twice and no write can leave it stale; its index, which replaces 0023's
-- people_insight, holds it, and the rebuild reads it from there without touching the table. The
-- codes are digits, all above the separator, so the index orders the people as (province,
-- commune, ...) does. src/core/insight/rebuild_people.c splits the text at the separators.
--
-- The separator is the literal x'1f', not char(31): a function call in a generated column lets
-- every multi-row insert into the table fail half-way, so SQLite kept a statement journal for
-- each of the import's inserts (1.5 GB written for a million people). The concatenations still
-- cost the import about a microsecond a person (4-5% of it).

ALTER TABLE people ADD COLUMN insight_key TEXT GENERATED ALWAYS AS (CASE WHEN status = 'dead'
    THEN NULL ELSE permanent_province || x'1f' || permanent_commune || x'1f' ||
    birth_year || x'1f' || sex || x'1f' || ethnicity || x'1f' || religion || x'1f' ||
    temporary_province || x'1f' || temporary_commune END) VIRTUAL;

DROP INDEX people_insight;
CREATE INDEX people_insight ON people (insight_key);
