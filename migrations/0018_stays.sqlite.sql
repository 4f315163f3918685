-- 0018_stays (SQLite): accommodation reporting (models 5, 6, 7; src/core/stays/, docs/STAYS.md).
-- Keep in step with 0018_stays.pg.sql.
--
-- An establishment is an organisation (0011) with a stays profile that the commune police
-- approve. A stay is one guest's notification: inserted in one statement at check-in, its room
-- and period kept; corrections and the check-out write stay_history. Times are UTC text
-- (ISO 8601, milliseconds, 'Z'); days (arrival_day, figures) are dates in Vietnam's time (UTC+7).
-- '' means "none".

CREATE TABLE stay_establishments (
    org_id        INTEGER PRIMARY KEY REFERENCES organisations (id),
    type          TEXT NOT NULL CHECK (type IN ('hotel', 'guesthouse', 'motel', 'homestay',
                                                'official-residence', 'hospital', 'coach-operator')),
    stars         INTEGER NOT NULL DEFAULT 0 CHECK (stars BETWEEN 0 AND 5),
    class         TEXT NOT NULL,                 -- the figures' class: 'hotel-3', 'homestay', …
    rooms         INTEGER NOT NULL DEFAULT 0,
    beds          INTEGER NOT NULL DEFAULT 0,    -- capacity for occupancy (guest nights / beds)
    name          TEXT NOT NULL,                 -- copied from the organisation
    address       TEXT NOT NULL,
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    remote        INTEGER NOT NULL DEFAULT 0,    -- a remote commune: foreigners due within 24 h
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    status_reason TEXT NOT NULL DEFAULT '',
    requested_by  TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);
CREATE INDEX stay_establishments_area ON stay_establishments (province_code, commune_code, org_id);

CREATE TABLE stays (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    establishment_id   INTEGER NOT NULL REFERENCES stay_establishments (org_id),
    province_code      TEXT NOT NULL,            -- the establishment's area, for the police lists
    commune_code       TEXT NOT NULL,
    guest_key          TEXT NOT NULL,            -- 'id:<ID number>' or 'pp:<nationality>:<passport>'
    foreign_guest      INTEGER NOT NULL DEFAULT 0,
    id_number          TEXT NOT NULL DEFAULT '', -- personal or old ID number
    passport_number    TEXT NOT NULL DEFAULT '',
    nationality        TEXT NOT NULL,            -- ISO 3166-1 alpha-3; 'VNM' for citizens
    full_name          TEXT NOT NULL DEFAULT '',
    birth_date         TEXT NOT NULL DEFAULT '',
    sex                TEXT NOT NULL DEFAULT '',
    origin_province    TEXT NOT NULL DEFAULT '', -- permanent residence province (register)
    verified           INTEGER NOT NULL DEFAULT 0, -- 1: the ID number is in the register
    source             TEXT NOT NULL CHECK (source IN ('qr', 'chip', 'typed', 'passport')),
    reason             TEXT NOT NULL DEFAULT '',
    room               TEXT NOT NULL DEFAULT '',
    arrived_at         TEXT NOT NULL,
    arrival_day        TEXT NOT NULL,            -- YYYY-MM-DD in Vietnam's time
    expected_departure TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD
    departed_at        TEXT NOT NULL DEFAULT '',
    reported_at        TEXT NOT NULL,
    due_at             TEXT NOT NULL,
    late               INTEGER NOT NULL DEFAULT 0,
    relationship       TEXT NOT NULL DEFAULT '', -- a close relative of the host: one notification …
    relative_until     TEXT NOT NULL DEFAULT '', -- … covers their stays until this day
    patient_name       TEXT NOT NULL DEFAULT '', -- hospitals: whom the companion accompanies
    patient_id_number  TEXT NOT NULL DEFAULT '',
    ward               TEXT NOT NULL DEFAULT '',
    reported_by        TEXT NOT NULL,            -- 'account:34'
    version            INTEGER NOT NULL DEFAULT 1,
    updated_at         TEXT NOT NULL
);
-- A guest is present once per establishment: a second check-in before the check-out fails here.
CREATE UNIQUE INDEX stays_present ON stays (establishment_id, guest_key) WHERE departed_at = '';
-- The police daily list (one commune, one day) and the establishment's own list.
CREATE INDEX stays_commune_day ON stays (commune_code, arrival_day, id);
CREATE INDEX stays_establishment_day ON stays (establishment_id, arrival_day, id);
CREATE INDEX stays_person ON stays (id_number, id) WHERE id_number <> '';
CREATE INDEX stays_passport ON stays (passport_number, id) WHERE passport_number <> '';
CREATE INDEX stays_relatives ON stays (establishment_id, guest_key) WHERE relative_until <> '';

-- Corrections and check-outs: {field: {"from", "to"}} per change, so the first report can be
-- read back from the row and its history.
CREATE TABLE stay_history (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    stay_id INTEGER NOT NULL REFERENCES stays (id),
    version INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('corrected', 'checked-out')),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    reason  TEXT NOT NULL DEFAULT '',
    changes TEXT NOT NULL
);
CREATE INDEX stay_history_stay ON stay_history (stay_id, version);

-- The province police's watch list: a guest key whose check-in raises an alert.
CREATE TABLE stay_watchlist (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guest_key     TEXT NOT NULL,
    full_name     TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL,
    province_code TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    removed_by    TEXT NOT NULL DEFAULT '',
    removed_at    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX stay_watchlist_active ON stay_watchlist (guest_key) WHERE removed_at = '';

CREATE TABLE stay_alerts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    stay_id          INTEGER NOT NULL REFERENCES stays (id),
    watch_id         INTEGER NOT NULL REFERENCES stay_watchlist (id),
    establishment_id INTEGER NOT NULL,
    province_code    TEXT NOT NULL,
    commune_code     TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    notified_at      TEXT NOT NULL DEFAULT '',
    notified_count   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stay_alerts_area ON stay_alerts (province_code, commune_code, id);

-- Where a commune's police get alerts (e-mail or phone), kept by the province police.
CREATE TABLE stay_police_contacts (
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (commune_code, recipient)
);

-- Coaches: a trip and its manifest, frozen at departure.
CREATE TABLE stay_trips (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    operator_id   INTEGER NOT NULL REFERENCES stay_establishments (org_id),
    plate         TEXT NOT NULL,
    route         TEXT NOT NULL,
    departs_at    TEXT NOT NULL,
    departure_day TEXT NOT NULL,                -- YYYY-MM-DD in Vietnam's time
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    departed_at   TEXT NOT NULL DEFAULT '',     -- set when frozen by the operator
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX stay_trips_area ON stay_trips (commune_code, departure_day, id);
CREATE INDEX stay_trips_operator ON stay_trips (operator_id, id);

CREATE TABLE stay_trip_passengers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    trip_id         INTEGER NOT NULL REFERENCES stay_trips (id),
    guest_key       TEXT NOT NULL,
    id_number       TEXT NOT NULL DEFAULT '',
    passport_number TEXT NOT NULL DEFAULT '',
    nationality     TEXT NOT NULL,
    full_name       TEXT NOT NULL DEFAULT '',
    birth_date      TEXT NOT NULL DEFAULT '',
    sex             TEXT NOT NULL DEFAULT '',
    verified        INTEGER NOT NULL DEFAULT 0,
    source          TEXT NOT NULL,
    seat            TEXT NOT NULL DEFAULT '',
    boarded_at      TEXT NOT NULL,
    added_by        TEXT NOT NULL
);
CREATE UNIQUE INDEX stay_trip_passengers_guest ON stay_trip_passengers (trip_id, guest_key);

-- Tourism figures per day (Vietnam's time), kept current by the stays module's event consumer.
CREATE TABLE stay_fig_arrivals (
    day             TEXT NOT NULL,
    province_code   TEXT NOT NULL,
    commune_code    TEXT NOT NULL,
    class           TEXT NOT NULL,
    nationality     TEXT NOT NULL,
    origin_province TEXT NOT NULL,
    arrivals        INTEGER NOT NULL,
    PRIMARY KEY (day, commune_code, class, nationality, origin_province)
);
CREATE TABLE stay_fig_nights (
    day           TEXT NOT NULL,
    province_code TEXT NOT NULL,
    commune_code  TEXT NOT NULL,
    class         TEXT NOT NULL,
    guest_nights  INTEGER NOT NULL,
    PRIMARY KEY (day, commune_code, class)
);
