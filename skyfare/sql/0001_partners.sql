-- Metasearch partners and their API keys. Only a SHA-256 of each key is stored (see
-- skyfare/partners.py for why a fast hash is right for 192-bit random keys); `key_prefix` (the
-- first 12 characters, "sk_live_" + 4) identifies a key in listings and logs.
CREATE TABLE partners (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    key_prefix  text NOT NULL,
    key_hash    bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
    rate_per_s  double precision NOT NULL CHECK (rate_per_s > 0),
    burst       integer NOT NULL CHECK (burst >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
