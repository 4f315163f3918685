-- 0014_people_residences (SQLite): the person's running residence periods in the people row.
-- Keep in step with 0014_people_residences.pg.sql.
--
-- Reading a person (GET /api/v1/people/{id}) is the register's hottest path. Its running
-- residence periods came from a second B-tree (the covering index of 0012), which cost about a
-- fifth of each read on a province-sized register. people.residences now holds them as the JSON
-- array the API shows (src/core/register/residence_periods.c writes it with every residence
-- change, in the same transaction), so a read is one row. The residences table stays the record
-- of every period; its index goes back to (id_number, id), which the writers need, and the
-- import no longer writes every period twice.
ALTER TABLE people ADD COLUMN residences TEXT NOT NULL DEFAULT '[]';

UPDATE people SET residences = COALESCE((
    SELECT '[' || group_concat(period, ',') || ']' FROM (
        SELECT json_object('kind', kind, 'province', province_code, 'commune', commune_code,
                           'address', address, 'from', from_date,
                           'until', NULLIF(to_date, '')) AS period
        FROM residences r
        WHERE r.id_number = people.id_number AND (r.to_date = '' OR r.to_date >= date('now'))
        ORDER BY r.id)), '[]')
WHERE id_number IN (SELECT id_number FROM residences);

DROP INDEX residences_person;
CREATE INDEX residences_person ON residences (id_number, id);
