-- 0027_insight_more (SQLite): leaders' dashboards, the figures added to 0023 (docs/INSIGHT.md).
-- Keep in step with 0027_insight_more.pg.sql.
--
-- The length of stay from the check-outs, the communes' areas for the population density, and
-- a rebuild on the next event: from now on the `insight` consumer alone keeps the daily tourism
-- figures (stay_fig_arrivals, stay_fig_nights, 0018) with the monthly ones, and the rebuild
-- computes them from the stays.

-- Stays that ended (checked out) by commune, month of departure, establishment class, the
-- guest's nationality and the number of guest nights counted (0 for a guest who left the day
-- they came; at most 366).
CREATE TABLE insight_stay_lengths (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    month         TEXT NOT NULL,
    class         TEXT NOT NULL,
    nationality   TEXT NOT NULL,
    nights        INTEGER NOT NULL,
    stays         INTEGER NOT NULL,
    PRIMARY KEY (province_code, commune_code, month, class, nationality, nights)
);
CREATE INDEX insight_stay_lengths_month ON insight_stay_lengths (province_code, month);

-- A commune's area in km², loaded by `dinhdanh insight areas FILE` from a published source
-- (named in `source`); the density is shown only for communes that have one.
CREATE TABLE insight_commune_areas (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    area_km2      REAL NOT NULL CHECK (area_km2 > 0),
    source        TEXT NOT NULL,
    PRIMARY KEY (province_code, commune_code)
);

-- Public order by province and month, for the dashboards' month ranges (as the other tables).
CREATE INDEX insight_order_month ON insight_order (province_code, month);

UPDATE insight_state SET rebuilt_at = '' WHERE id = 1;
