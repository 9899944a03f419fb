"""`UserRepository`: profiles and saved travelers in PostgreSQL (users/sql/0300_users.sql).

- A profile is created race-free, and never for a token signed in before its account's
  erasure: creation and erasure of one subject queue on one advisory lock; creation reads the
  subject's tombstone (users/sql/0301_erased_subjects.sql) and lets the caller refuse, and the
  erasure writes the tombstone in its own transaction. Only creation reads tombstones: a read
  of an existing profile costs what it did.
- A change locks its row (`SELECT … FOR UPDATE`), lets the caller decide on what is stored (the
  If-Match check, the merge patch, validation: pure functions), and writes, in one transaction:
  writers of one row queue, none retries, and none loses another's change. Each write bumps
  the row's `version` (the ETag).
- Saved travelers are only ever reached through their owner's subject, so another user's id
  reads as absent. Document numbers are sealed here on the way in and opened on the way out
  (users/crypto.py): no other path writes them.
- PostgreSQL being unreachable surfaces as `ServiceUnavailable` (users/pg.py), nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Protocol

import asyncpg

from kernel.errors import LimitReached
from users.crypto import DocumentCipher
from users.model import ErasedUser, NewTraveler, Profile, ProfileFields, StoredTraveler
from users.pg import Database
from users.rows import (
    COUNT_TRAVELERS,
    DELETE_PROFILE,
    DELETE_TRAVELER,
    DELETE_TRAVELERS,
    INSERT_PROFILE,
    INSERT_TRAVELER,
    LOCK_PROFILE,
    LOCK_SUBJECT_CHANGES,
    LOCK_TRAVELER,
    LOCK_USER,
    MARK_ERASED,
    MARK_ERASED_ONCE,
    SELECT_ERASED_AT,
    SELECT_PROFILE,
    SELECT_TRAVELER,
    SELECT_TRAVELERS,
    UPDATE_PROFILE,
    UPDATE_TRAVELER,
    profile_args,
    profile_from_row,
    subject_digest,
    subject_lock_keys,
    traveler_args,
    traveler_from_row,
)

# Given the stored row, under its lock: the fields to write, or None to leave it as it is.
ProfileChange = Callable[[Profile], ProfileFields | None]
TravelerChange = Callable[[StoredTraveler], NewTraveler | None]
TravelerCheck = Callable[[StoredTraveler], None]
# Given when the subject's account was last erased, before a profile is made for it: raises to
# make none.
ErasureCheck = Callable[[dt.datetime], None]
# Given the erasure's connection and the profile it deletes, in its transaction: what must
# happen if and only if the erasure commits (its confirmation to the profile's address).
Farewell = Callable[[asyncpg.Connection, ProfileFields], Awaitable[None]]


class UserRepository(Protocol):
    """Where profiles and saved travelers live. Every method may raise `ServiceUnavailable`."""

    async def profile(self, subject: str) -> Profile | None: ...

    async def create_profile(
        self, subject: str, fields: ProfileFields, check: ErasureCheck
    ) -> Profile:
        """A new profile with `fields`, or the one a concurrent call created first. When the
        subject's account was erased, `check` runs first on when; what it raises creates
        nothing."""

    async def change_profile(self, subject: str, change: ProfileChange) -> Profile | None:
        """The profile after `change` (None when there is no profile), decided and written
        under the row's lock; what `change` raises writes nothing."""

    async def travelers(self, subject: str) -> list[StoredTraveler]: ...

    async def traveler(self, subject: str, traveler_id: str) -> StoredTraveler | None: ...

    async def add_traveler(
        self, profile: Profile, traveler_id: str, fields: NewTraveler, *, limit: int
    ) -> StoredTraveler:
        """Insert unless the user has `limit` travelers already (`LimitReached`)."""

    async def change_traveler(
        self, subject: str, traveler_id: str, change: TravelerChange
    ) -> StoredTraveler | None:
        """The subject's traveler after `change` (None when the subject has no such traveler),
        decided and written under the row's lock; what `change` raises writes nothing."""

    async def delete_traveler(self, subject: str, traveler_id: str, check: TravelerCheck) -> bool:
        """Whether the subject's traveler was there and is deleted; `check` runs on it under
        the row's lock first, and what it raises deletes nothing."""

    async def erase(self, subject: str, *, farewell: Farewell | None = None) -> ErasedUser:
        """The profile and every saved traveler of `subject` deleted, and its tombstone
        written, in one transaction; idempotent (a retry leaves the tombstone's time).
        `farewell` runs in that transaction with the profile being deleted (none: nothing
        to delete, so a retry confirms nothing twice)."""


class PgUserRepository:
    """`UserRepository` on asyncpg."""

    def __init__(self, db: Database, cipher: DocumentCipher) -> None:
        self._db = db
        self._cipher = cipher

    async def profile(self, subject: str) -> Profile | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(SELECT_PROFILE, subject, timeout=self._db.timeout_s)
        return None if row is None else profile_from_row(row)

    async def create_profile(
        self, subject: str, fields: ProfileFields, check: ErasureCheck
    ) -> Profile:
        timeout = self._db.timeout_s
        async with self._db.transaction() as conn:
            await conn.execute(LOCK_SUBJECT_CHANGES, *subject_lock_keys(subject), timeout=timeout)
            row = await conn.fetchrow(SELECT_PROFILE, subject, timeout=timeout)
            if row is None:  # this call is the first, and no erasure runs meanwhile
                digest = subject_digest(subject)
                erased_at = await conn.fetchval(SELECT_ERASED_AT, digest, timeout=timeout)
                if erased_at is not None:
                    check(erased_at)
                row = await conn.fetchrow(
                    INSERT_PROFILE, subject, *profile_args(fields), timeout=timeout
                )
        assert row is not None  # the subject's lock keeps other creations and erasures out
        return profile_from_row(row)

    async def change_profile(self, subject: str, change: ProfileChange) -> Profile | None:
        timeout = self._db.timeout_s
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(LOCK_PROFILE, subject, timeout=timeout)
            if row is None:
                return None
            profile = profile_from_row(row)
            fields = change(profile)
            if fields is None:
                return profile
            args = profile_args(fields)
            row = await conn.fetchrow(UPDATE_PROFILE, profile.id, *args, timeout=timeout)
        assert row is not None  # the row is locked
        return profile_from_row(row)

    async def travelers(self, subject: str) -> list[StoredTraveler]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(SELECT_TRAVELERS, subject, timeout=self._db.timeout_s)
        return [traveler_from_row(row, self._cipher) for row in rows]

    async def traveler(self, subject: str, traveler_id: str) -> StoredTraveler | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                SELECT_TRAVELER, subject, traveler_id, timeout=self._db.timeout_s
            )
        return None if row is None else traveler_from_row(row, self._cipher)

    async def add_traveler(
        self, profile: Profile, traveler_id: str, fields: NewTraveler, *, limit: int
    ) -> StoredTraveler:
        timeout = self._db.timeout_s
        args = traveler_args(traveler_id, fields, self._cipher)
        async with self._db.transaction() as conn:
            await conn.execute(LOCK_USER, profile.id, timeout=timeout)
            current = await conn.fetchval(COUNT_TRAVELERS, profile.id, timeout=timeout)
            if current >= limit:
                raise LimitReached(
                    f"you have {current} saved travelers, the most one account may keep; "
                    "delete one to add another",
                    limit="saved_travelers",
                    maximum=limit,
                    current=current,
                )
            row = await conn.fetchrow(
                INSERT_TRAVELER, traveler_id, profile.id, *args, timeout=timeout
            )
        assert row is not None
        return traveler_from_row(row, self._cipher)

    async def change_traveler(
        self, subject: str, traveler_id: str, change: TravelerChange
    ) -> StoredTraveler | None:
        timeout = self._db.timeout_s
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(LOCK_TRAVELER, subject, traveler_id, timeout=timeout)
            if row is None:
                return None
            stored = traveler_from_row(row, self._cipher)
            fields = change(stored)
            if fields is None:
                return stored
            args = traveler_args(traveler_id, fields, self._cipher)
            row = await conn.fetchrow(UPDATE_TRAVELER, traveler_id, *args, timeout=timeout)
        assert row is not None  # the row is locked
        return traveler_from_row(row, self._cipher)

    async def delete_traveler(self, subject: str, traveler_id: str, check: TravelerCheck) -> bool:
        timeout = self._db.timeout_s
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(LOCK_TRAVELER, subject, traveler_id, timeout=timeout)
            if row is None:
                return False
            check(traveler_from_row(row, self._cipher))
            await conn.execute(DELETE_TRAVELER, traveler_id, timeout=timeout)
        return True

    async def erase(self, subject: str, *, farewell: Farewell | None = None) -> ErasedUser:
        timeout = self._db.timeout_s
        digest = subject_digest(subject)
        async with self._db.transaction() as conn:
            await conn.execute(LOCK_SUBJECT_CHANGES, *subject_lock_keys(subject), timeout=timeout)
            row = await conn.fetchrow(LOCK_PROFILE, subject, timeout=timeout)
            if row is None:
                await conn.execute(MARK_ERASED_ONCE, digest, timeout=timeout)
                return ErasedUser(profile=False, travelers=0)
            profile = profile_from_row(row)
            status = await conn.execute(DELETE_TRAVELERS, profile.id, timeout=timeout)
            await conn.execute(DELETE_PROFILE, profile.id, timeout=timeout)
            await conn.execute(MARK_ERASED, digest, timeout=timeout)
            if farewell is not None:
                await farewell(conn, profile.fields)
        return ErasedUser(profile=True, travelers=int(status.split()[-1]))
