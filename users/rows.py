"""The repository's SQL and its row mapping (tables of users/sql/0300_users.sql)."""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
import msgspec

from kernel.pg import advisory_lock_keys
from users.crypto import DocumentCipher
from users.errors import DocumentUnreadable
from users.model import (
    LoyaltyAccount,
    NewTraveler,
    Preferences,
    Profile,
    ProfileFields,
    SavedTraveler,
    StoredTraveler,
    TravelDocument,
)

_encoder = msgspec.json.Encoder()
_preferences = msgspec.json.Decoder(Preferences)
_accounts = msgspec.json.Decoder(tuple[LoyaltyAccount, ...])

SELECT_PROFILE = "SELECT * FROM users WHERE subject = $1"
# Two first calls at once: the loser's insert waits for the winner's commit and does nothing;
# the caller then reads the winner's row (a new statement, so it sees it).
INSERT_PROFILE = """
INSERT INTO users (subject, email, given_name, family_name, phone_number, preferences)
VALUES ($1, $2, $3, $4, $5, $6::jsonb)
ON CONFLICT (subject) DO NOTHING
RETURNING *"""
# A change reads its row FOR UPDATE, decides, and writes in one transaction: concurrent writers
# of one profile (or traveler) queue instead of retrying, and an If-Match is judged against
# the version that will be replaced.
LOCK_PROFILE = "SELECT * FROM users WHERE subject = $1 FOR UPDATE"
UPDATE_PROFILE = """
UPDATE users SET email = $2, given_name = $3, family_name = $4, phone_number = $5,
                 preferences = $6::jsonb, version = version + 1, updated_at = now()
WHERE id = $1
RETURNING *"""

_OWNED = "FROM saved_travelers t JOIN users u ON u.id = t.user_id WHERE u.subject = $1"
SELECT_TRAVELERS = f"SELECT t.* {_OWNED} ORDER BY t.created_at, t.id"
SELECT_TRAVELER = f"SELECT t.* {_OWNED} AND t.id = $2"
LOCK_TRAVELER = f"SELECT t.* {_OWNED} AND t.id = $2 FOR UPDATE OF t"
# Inserts of one user queue on its row, so the count and the insert cannot interleave.
LOCK_USER = "SELECT id FROM users WHERE id = $1 FOR UPDATE"
COUNT_TRAVELERS = "SELECT count(*) FROM saved_travelers WHERE user_id = $1"
INSERT_TRAVELER = """
INSERT INTO saved_travelers (id, user_id, given_name, family_name, born_on, gender,
                             loyalty_accounts, document_type, document_number,
                             document_issuing_country, document_expires_on)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)
RETURNING *"""
UPDATE_TRAVELER = """
UPDATE saved_travelers
SET given_name = $2, family_name = $3, born_on = $4, gender = $5, loyalty_accounts = $6::jsonb,
    document_type = $7, document_number = $8, document_issuing_country = $9,
    document_expires_on = $10, version = version + 1, updated_at = now()
WHERE id = $1
RETURNING *"""
DELETE_TRAVELER = "DELETE FROM saved_travelers WHERE id = $1"
DELETE_TRAVELERS = "DELETE FROM saved_travelers WHERE user_id = $1"
DELETE_PROFILE = "DELETE FROM users WHERE id = $1"

# Tombstones (users/sql/0301_erased_subjects.sql). An erasure with a profile to delete moves
# `erased_at` to now (never back); one with nothing to delete (a retry, or a traveler who never
# had a profile) writes it only when there is none, so a retry does not refuse the sign-ins
# made since the erasure it repeats.
SELECT_ERASED_AT = "SELECT erased_at FROM erased_subjects WHERE subject_digest = $1"
MARK_ERASED = """
INSERT INTO erased_subjects (subject_digest, erased_at) VALUES ($1, now())
ON CONFLICT (subject_digest)
DO UPDATE SET erased_at = greatest(erased_subjects.erased_at, excluded.erased_at)"""
MARK_ERASED_ONCE = """
INSERT INTO erased_subjects (subject_digest, erased_at) VALUES ($1, now())
ON CONFLICT (subject_digest) DO NOTHING"""
# A profile's creation and its subject's erasure queue on a transaction-scoped advisory lock
# on (this constant, CRC-32 of the subject): no creation reads "not erased" while an erasure
# is being committed. A hash collision only makes two travelers wait for each other. "USER".
SUBJECT_LOCK_SPACE = 0x55534552
LOCK_SUBJECT_CHANGES = "SELECT pg_advisory_xact_lock($1, $2)"


def subject_lock_keys(subject: str) -> tuple[int, int]:
    """The two int4 keys of the subject's lock: the space, and CRC-32 as a signed int4."""
    return advisory_lock_keys(SUBJECT_LOCK_SPACE, subject)


def subject_digest(subject: str) -> bytes:
    """What a tombstone keeps of the subject: its SHA-256. Unkeyed: no subject key exists
    (users/crypto.py seals documents only), and the orders kept after an erasure hold the
    subject in clear anyway; the digest only keeps a list of erased accounts unreadable."""
    return hashlib.sha256(subject.encode()).digest()


def profile_args(fields: ProfileFields) -> tuple[Any, ...]:
    """email, given_name, family_name, phone_number, preferences (JSON)."""
    return (
        fields.email,
        fields.given_name,
        fields.family_name,
        fields.phone_number,
        _encoder.encode(fields.preferences).decode(),
    )


def profile_from_row(row: asyncpg.Record) -> Profile:
    return Profile(
        id=row["id"],
        subject=row["subject"],
        fields=ProfileFields(
            given_name=row["given_name"],
            family_name=row["family_name"],
            email=row["email"],
            phone_number=row["phone_number"],
            preferences=_preferences.decode(row["preferences"]),
        ),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def traveler_args(traveler_id: str, fields: NewTraveler, cipher: DocumentCipher) -> tuple[Any, ...]:
    """given_name … document_expires_on, the number sealed with the row id as associated data."""
    doc = fields.document
    return (
        fields.given_name,
        fields.family_name,
        fields.born_on,
        fields.gender,
        _encoder.encode(fields.loyalty_accounts).decode(),
        None if doc is None else doc.type,
        None if doc is None else cipher.seal(doc.number, traveler_id),
        None if doc is None else doc.issuing_country,
        None if doc is None else doc.expires_on,
    )


def traveler_from_row(row: asyncpg.Record, cipher: DocumentCipher) -> StoredTraveler:
    document = None
    if row["document_type"] is not None:
        document = TravelDocument(
            type=row["document_type"],
            number=_open(cipher, row["document_number"], row["id"]),
            issuing_country=row["document_issuing_country"],
            expires_on=row["document_expires_on"],
        )
    traveler = SavedTraveler(
        id=row["id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        born_on=row["born_on"],
        gender=row["gender"],
        loyalty_accounts=_accounts.decode(row["loyalty_accounts"]),
        document=document,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
    return StoredTraveler(traveler, row["version"])


def _open(cipher: DocumentCipher, sealed: str, traveler_id: str) -> str:
    try:
        return cipher.open(sealed, traveler_id)
    except DocumentUnreadable as exc:
        raise DocumentUnreadable(f"saved traveler {traveler_id}: {exc}") from exc
