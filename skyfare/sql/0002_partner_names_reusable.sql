-- A revoked partner's name may be given to a new key (revoke, then create again under the same
-- name): only the names of partners whose key is live are unique. The revoked rows stay, for
-- the record of who had which key prefix when.
ALTER TABLE partners DROP CONSTRAINT partners_name_key;
CREATE UNIQUE INDEX partners_live_name ON partners (name) WHERE revoked_at IS NULL;
