-- 0027_insight_more (PostgreSQL): leaders' dashboards, the figures added to 0023 (docs/INSIGHT.md).
-- Keep in step with 0027_insight_more.sqlite.sql.
--
-- The length of stay from the check-outs, the communes' areas for the population density, and
-- a rebuild on the next event: from now on the `insight` consumer alone keeps the daily tourism
-- figures (stay_fig_arrivals, stay_fig_nights, 0018) with the monthly ones, and the rebuild
-- computes them from the stays.

-- Stays that ended (checked out) by month of departure, commune, establishment class, the
-- guest's nationality and the number of guest nights counted (0 for a guest who left the day
-- they came; at most 366).
CREATE TABLE insight_stay_lengths (
    province_code TEXT NOT NULL,
    month         TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    class         TEXT NOT NULL,
    nationality   TEXT NOT NULL,
    nights        BIGINT NOT NULL,
    stays         BIGINT NOT NULL,
    PRIMARY KEY (province_code, month, commune_code, class, nationality, nights)
);

-- A commune's area in km², loaded by `dinhdanh insight areas FILE` from a published source
-- (named in `source`); the density is shown only for communes that have one.
CREATE TABLE insight_commune_areas (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    area_km2      DOUBLE PRECISION NOT NULL CHECK (area_km2 > 0),
    source        TEXT NOT NULL,
    PRIMARY KEY (province_code, commune_code)
);

-- The dashboards read a province's months: these indexes hold every column those reads need, so
-- the rows are never fetched from the tables themselves.
DROP INDEX insight_tourism_month;
CREATE INDEX insight_tourism_month ON insight_tourism (province_code, month, commune_code, class,
    arrivals, guest_nights);
DROP INDEX insight_arrivals_month;
CREATE INDEX insight_arrivals_month ON insight_arrivals (province_code, dimension, month, value,
    commune_code, arrivals);
CREATE INDEX insight_order_month ON insight_order (province_code, month, commune_code, late_stays,
    watch_hits);

-- The population read without its table rows or a sort: the whole province by sex and year of
-- birth (the age pyramid), and by commune (people by commune, the working age, the exports).
CREATE INDEX insight_population_sex ON insight_population (province_code, sex, birth_year,
    commune_code, people);
CREATE INDEX insight_population_commune ON insight_population (province_code, commune_code, sex,
    birth_year, people);

UPDATE insight_state SET rebuilt_at = '' WHERE id = 1;
