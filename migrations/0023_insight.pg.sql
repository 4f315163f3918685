-- 0023_insight (PostgreSQL): leaders' dashboards (models 27-30; src/core/insight/, docs/INSIGHT.md).
-- Keep in step with 0023_insight.sqlite.sql.
--
-- The labour department's record of a person (employment status, sector, industrial park), kept
-- beside the register's people row and written only by the labour import; and the aggregate
-- tables of the dashboards, kept by the `insight` event consumer and rebuilt from scratch by
-- `dinhdanh insight rebuild`. Months are 'YYYY-MM'; codes carry their province as elsewhere.

CREATE TABLE people_labour (
    id_number         TEXT PRIMARY KEY,
    province_code     TEXT NOT NULL,
    commune_code      TEXT NOT NULL,   -- where the labour department places the worker
    employment_status TEXT NOT NULL CHECK (employment_status IN ('employed', 'unemployed', 'inactive')),
    sector            TEXT NOT NULL DEFAULT '' CHECK (sector IN ('', 'agriculture', 'industry', 'services')),
    industrial_park   TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

-- What a rebuild counts of each person, read from this index alone (one pass, in its order, no
-- sort) instead of the wide people rows.
CREATE INDEX people_insight ON people (permanent_province, permanent_commune, birth_year, sex,
    ethnicity, religion, temporary_province, temporary_commune, status);

-- Living people by permanent commune, year of birth and sex.
CREATE TABLE insight_population (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    birth_year    BIGINT NOT NULL,
    sex           TEXT NOT NULL,
    people        BIGINT NOT NULL,
    PRIMARY KEY (province_code, commune_code, birth_year, sex)
);

-- Living people by commune and one more dimension: 'ethnicity', 'religion', or 'origin' (the
-- permanent province of people temporarily resident in the commune).
CREATE TABLE insight_composition (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    dimension     TEXT NOT NULL,
    value         TEXT NOT NULL,
    people        BIGINT NOT NULL,
    PRIMARY KEY (province_code, commune_code, dimension, value)
);

-- Births, deaths and permanent moves in and out, by commune and month.
CREATE TABLE insight_flows (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    month         TEXT NOT NULL,
    births        BIGINT NOT NULL DEFAULT 0,
    deaths        BIGINT NOT NULL DEFAULT 0,
    moves_in      BIGINT NOT NULL DEFAULT 0,
    moves_out     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (province_code, commune_code, month)
);
CREATE INDEX insight_flows_month ON insight_flows (province_code, month);

-- Permanent moves between two places, by month.
CREATE TABLE insight_moves (
    month         TEXT NOT NULL,
    from_province TEXT NOT NULL,
    from_commune  TEXT NOT NULL,
    to_province   TEXT NOT NULL,
    to_commune    TEXT NOT NULL,
    moves         BIGINT NOT NULL,
    PRIMARY KEY (month, from_commune, to_commune, from_province, to_province)
);

-- Labour: people by the commune the labour department gives, status, sector and park.
CREATE TABLE insight_labour (
    province_code     TEXT NOT NULL,
    commune_code      TEXT NOT NULL,
    employment_status TEXT NOT NULL,
    sector            TEXT NOT NULL,
    industrial_park   TEXT NOT NULL,
    people            BIGINT NOT NULL,
    PRIMARY KEY (province_code, commune_code, employment_status, sector, industrial_park)
);

-- Tourism: arrivals and guest nights by commune, establishment class and month.
CREATE TABLE insight_tourism (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    class         TEXT NOT NULL,
    month         TEXT NOT NULL,
    arrivals      BIGINT NOT NULL DEFAULT 0,
    guest_nights  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (province_code, commune_code, class, month)
);
CREATE INDEX insight_tourism_month ON insight_tourism (province_code, month);

-- Arrivals by commune, month and 'nationality' or 'origin' (province of origin).
CREATE TABLE insight_arrivals (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    month         TEXT NOT NULL,
    dimension     TEXT NOT NULL,
    value         TEXT NOT NULL,
    arrivals      BIGINT NOT NULL,
    PRIMARY KEY (province_code, commune_code, month, dimension, value)
);
CREATE INDEX insight_arrivals_month ON insight_arrivals (province_code, month);

-- Public order: late stay notifications and watch-list hits by commune and month of arrival.
CREATE TABLE insight_order (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    month         TEXT NOT NULL,
    late_stays    BIGINT NOT NULL DEFAULT 0,
    watch_hits    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (province_code, commune_code, month)
);

-- The last rebuild: events up to `watermark` are in the tables already, and the consumer skips
-- them.
CREATE TABLE insight_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    watermark  BIGINT NOT NULL,
    rebuilt_at TEXT NOT NULL
);
INSERT INTO insight_state (id, watermark, rebuilt_at) VALUES (1, 0, '');
