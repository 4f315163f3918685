-- 0012_residences_covering (PostgreSQL): a person's residence periods read from the index alone
-- (an index-only scan). Keep in step with 0012_residences_covering.sqlite.sql, which says why.

DROP INDEX residences_person;
CREATE INDEX residences_person ON residences (id_number, id)
    INCLUDE (kind, province_code, commune_code, address, from_date, to_date);
