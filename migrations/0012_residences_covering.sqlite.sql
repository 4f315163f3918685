-- 0012_residences_covering (SQLite): a person's residence periods read from the index alone.
-- Keep in step with 0012_residences_covering.pg.sql.
--
-- Every read of a person (GET /api/v1/people/{id}) lists their periods running today. With an
-- index on id_number alone, each period costs a second B-tree search, into the table; with the
-- columns the read needs in the index, in `id` order, the periods are one range of one index.

DROP INDEX residences_person;
CREATE INDEX residences_person ON residences (id_number, id, kind, province_code, commune_code,
                                              address, from_date, to_date);
