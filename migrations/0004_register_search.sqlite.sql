-- 0004_register_search (SQLite): name search pages through `people` in (key, id_number) order,
-- so each search key is indexed with the ID number after it: a page is one index range scan
-- that stops at the page's end, however many people share a name. Keep in step with
-- 0004_register_search.pg.sql.

DROP INDEX people_name;
DROP INDEX people_given;
CREATE INDEX people_name ON people (name_folded, id_number);
CREATE INDEX people_given ON people (given_folded, id_number);
