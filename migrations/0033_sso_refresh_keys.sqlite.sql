-- 0033_sso_refresh_keys (SQLite): refresh tokens keyed in the order they are issued
-- (src/sso/tokens.c sso_refresh_key, docs/SSO.md "Implementation notes"). Keep in step with
-- 0033_sso_refresh_keys.pg.sql.
--
-- A refresh token's row was stored under the SHA-256 of the token: a random key, so that each
-- rotation wrote into a random page of the key's b-tree and another of the family index. Tokens
-- issued from now on carry the time they were issued, and their key starts with it
-- ("<12 hex digits of milliseconds>.<SHA-256 hex>"), so a rotation writes at the end of one
-- b-tree. Keys of earlier tokens (the SHA-256 alone) stay valid.
--
-- The family index and the reference to sso_families go: a family is revoked on its own row,
-- the lookup joins the family by its key, and the hourly purge removes the tokens of families it
-- removed (a token without its family is refused as unknown).
CREATE TABLE sso_refresh_tokens_keyed (
    token_key  TEXT PRIMARY KEY,                  -- see above
    family_id  TEXT NOT NULL,                     -- sso_families.id
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NOT NULL DEFAULT ''           -- rotated: its next use revokes the family
) WITHOUT ROWID;
INSERT INTO sso_refresh_tokens_keyed (token_key, family_id, created_at, expires_at, used_at)
    SELECT token_hash, family_id, created_at, expires_at, used_at FROM sso_refresh_tokens;
DROP TABLE sso_refresh_tokens;
ALTER TABLE sso_refresh_tokens_keyed RENAME TO sso_refresh_tokens;
