-- 0031_people_insight_key (PostgreSQL): nothing to change. Keep in step with
-- 0031_people_insight_key.sqlite.sql.
--
-- On SQLite the rebuild of the dashboards reads each living person's cell as one stored text
-- (people.insight_key), since SQLite decodes the columns of an index one by one. PostgreSQL
-- computes the same cells with its own aggregate over the index people_insight of 0023
-- (src/core/insight/rebuild.c), so the table stays as it is.
SELECT 1;
