-- 0026_lgsp_more (PostgreSQL): the gateway's consumers authenticated by a registered client
-- certificate (docs/LGSP.md, "Mutual TLS"). Keep in step with 0026_lgsp_more.sqlite.sql.
--
-- cert_sha256: the SHA-256 of the DER of the certificate a consumer subsystem presents on the
-- gateway's TLS listener, in lower-case hex; '' when it calls only with access tokens. One
-- certificate names one subsystem.

ALTER TABLE lgsp_subsystems ADD COLUMN cert_sha256 TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX lgsp_subsystems_cert ON lgsp_subsystems (cert_sha256) WHERE cert_sha256 <> '';
