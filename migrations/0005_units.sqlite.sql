-- 0005_units (SQLite): Vietnam's administrative units with the period each was in force, and the
-- official conversion from the three-level units (province, district, commune) to the two-level
-- ones in force since 1 July 2025. Keep in step with 0005_units.pg.sql.
--
-- Dates are TEXT 'YYYY-MM-DD'. valid_from NULL: in force since before the records begin;
-- valid_to NULL: still in force. Commune codes are unique only together with the province code
-- (new communes reuse old codes), so every reference carries both. The rows come from the files
-- in data/admin-units/ (src/core/units/), loaded in one transaction; loading again adds nothing.

CREATE TABLE units (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('province', 'district', 'commune')),
    code          TEXT NOT NULL,  -- 2 digits (province), 3 (district), 5 (commune)
    province_code TEXT NOT NULL,  -- a province's own code for a province
    district_code TEXT,           -- communes before 1 July 2025 only
    name          TEXT NOT NULL,  -- official, with its level: "Phường Nha Trang"
    level         TEXT NOT NULL,  -- Tỉnh, Thành phố, Quận, Huyện, Thị xã, Phường, Xã, Thị trấn, Đặc khu
    name_en       TEXT,
    valid_from    TEXT,
    valid_to      TEXT
);
-- One unit per kind, province, code and start; also lists a province's units in code order.
CREATE UNIQUE INDEX units_key ON units (kind, province_code, code, COALESCE(valid_from, ''));
-- A code looked up without its province.
CREATE INDEX units_code ON units (code, kind);

-- One row per old unit (or part of one) that went into a new commune, as published. Names are
-- those of the units table (the conversion file's spelling where the unit is known only there).
-- old_commune_code is NULL where a whole district without communes, or an area, went in.
CREATE TABLE unit_conversions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    effective         TEXT NOT NULL,  -- the day the new units came into force
    new_province_code TEXT NOT NULL,
    new_province_name TEXT NOT NULL,
    new_commune_code  TEXT NOT NULL,
    new_commune_name  TEXT NOT NULL,
    old_province_code TEXT NOT NULL,
    old_province_name TEXT NOT NULL,
    old_district_code TEXT NOT NULL,
    old_district_name TEXT NOT NULL,
    old_commune_code  TEXT,
    old_commune_name  TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL,  -- "Nhập toàn bộ", "Nhập một phần", "Giữ nguyên", …
    whole             INTEGER NOT NULL CHECK (whole IN (0, 1))  -- 1: all of the old unit went in
);
CREATE UNIQUE INDEX unit_conversions_key ON unit_conversions
    (new_province_code, new_commune_code, old_province_code, old_district_code,
     COALESCE(old_commune_code, ''), effective);
CREATE INDEX unit_conversions_old ON unit_conversions (old_province_code, old_commune_code);
CREATE INDEX unit_conversions_district ON unit_conversions (old_district_code);
