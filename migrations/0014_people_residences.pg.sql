-- 0014_people_residences (PostgreSQL): the person's running residence periods in the people row.
-- Keep in step with 0014_people_residences.sqlite.sql, which says why. The JSON is built by
-- hand, not with json_build_object, so that it has the same compact form as the writers'
-- (src/core/register/residence_periods.c).
ALTER TABLE people ADD COLUMN residences TEXT NOT NULL DEFAULT '[]';

UPDATE people p SET residences = r.periods
FROM (
    SELECT id_number,
           '[' || string_agg('{"kind":' || to_json(kind)::text
                             || ',"province":' || to_json(province_code)::text
                             || ',"commune":' || to_json(commune_code)::text
                             || ',"address":' || to_json(address)::text
                             || ',"from":' || to_json(from_date)::text
                             || ',"until":' || COALESCE(to_json(NULLIF(to_date, ''))::text, 'null')
                             || '}', ',' ORDER BY id) || ']' AS periods
    FROM residences
    WHERE to_date = '' OR to_date >= to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')
    GROUP BY id_number
) r
WHERE p.id_number = r.id_number;
