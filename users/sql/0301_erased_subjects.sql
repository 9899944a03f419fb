-- Tombstones of erased accounts (DELETE /v1/me): a token signed in before `erased_at` makes no
-- new profile (users/repository.py `create_profile`), so another session still signed in does
-- not bring the account back. The subject is kept as its SHA-256 (users/rows.py
-- `subject_digest`), never in clear. Kept for good: one small row per erased account, no
-- purge to keep in step with the identity provider's refresh-token lifetime (README "Your data").
CREATE TABLE erased_subjects (
    subject_digest bytea PRIMARY KEY CHECK (octet_length(subject_digest) = 32),
    erased_at      timestamptz NOT NULL
);
