-- 0033_sso_refresh_keys (PostgreSQL): refresh tokens keyed in the order they are issued
-- (src/sso/tokens.c sso_refresh_key, docs/SSO.md "Implementation notes"). Keep in step with
-- 0033_sso_refresh_keys.sqlite.sql.
--
-- A refresh token's row was stored under the SHA-256 of the token: a random key, so that each
-- rotation wrote into a random page of the key's index and another of the family index. Tokens
-- issued from now on carry the time they were issued, and their key starts with it
-- ("<12 hex digits of milliseconds>.<SHA-256 hex>"), so a rotation writes at the end of the
-- key's index. Keys of earlier tokens (the SHA-256 alone) stay valid.
--
-- The family index and the reference to sso_families go: a family is revoked on its own row,
-- the lookup joins the family by its key, and the hourly purge removes the tokens of families it
-- removed (a token without its family is refused as unknown).
ALTER TABLE sso_refresh_tokens DROP CONSTRAINT IF EXISTS sso_refresh_tokens_family_id_fkey;
DROP INDEX IF EXISTS sso_refresh_family;
ALTER TABLE sso_refresh_tokens RENAME COLUMN token_hash TO token_key;
