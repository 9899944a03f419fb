-- Profiles: one row per identity-provider subject (the token's `sub`). The fields a query may
-- need are columns; the preferences are a JSONB document that can grow without a migration.
-- `version` counts changes: it is the ETag, and every UPDATE is guarded on it.
CREATE TABLE users (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject      text NOT NULL UNIQUE,
    email        text,
    given_name   text,
    family_name  text,
    phone_number text,
    preferences  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(preferences) = 'object'),
    version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
-- Support and privacy requests find a user by email, in any case.
CREATE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;

-- Companions a user books for. The document number is sealed (AES-GCM, users/crypto.py) with
-- the row's id as associated data: `document_number` holds `<key id>.<base64>`, never the number.
CREATE TABLE saved_travelers (
    id                       text PRIMARY KEY CHECK (id ~ '^trv_[0-9a-f]{24}$'),
    user_id                  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    given_name               text NOT NULL,
    family_name              text NOT NULL,
    born_on                  date NOT NULL,
    gender                   text NOT NULL CHECK (gender IN ('m', 'f', 'x')),
    loyalty_accounts         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(loyalty_accounts) = 'array'),
    document_type            text CHECK (document_type IN ('passport', 'id_card')),
    document_number          text,
    document_issuing_country char(2),
    document_expires_on      date,
    version                  integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    -- A document is all four fields or none.
    CHECK ((document_type IS NULL) = (document_number IS NULL)
       AND (document_type IS NULL) = (document_issuing_country IS NULL)
       AND (document_type IS NULL) = (document_expires_on IS NULL))
);
CREATE INDEX saved_travelers_user ON saved_travelers (user_id, created_at, id);
