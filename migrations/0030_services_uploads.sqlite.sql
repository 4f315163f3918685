-- 0030_services_uploads (SQLite): scans citizens upload for the documents a non-paperless
-- procedure requires (src/core/services/uploads.c, docs/SERVICES.md "Uploads"). Keep in step with
-- 0030_services_uploads.pg.sql. Times are UTC milliseconds.

-- One upload of one citizen. The bytes are a file under DATA_DIR/uploads/ named by their SHA-256
-- (two uploads of the same bytes share it). dossier_id is 0 until a submission of the owner
-- references it; an upload still unattached a day after created_at is purged with its file
-- (unless another row names the same file).
CREATE TABLE service_uploads (
    id         INTEGER PRIMARY KEY,
    owner_id   TEXT NOT NULL,                       -- the citizen's ID number
    media_type TEXT NOT NULL,                       -- application/pdf, image/jpeg, image/png
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,                       -- hex: the file's name
    created_at INTEGER NOT NULL,
    dossier_id INTEGER NOT NULL DEFAULT 0           -- service_dossiers.id, 0: not attached
);
CREATE INDEX service_uploads_unattached ON service_uploads (dossier_id, created_at);
CREATE INDEX service_uploads_sha256 ON service_uploads (sha256);
