"""`UserRepository`: profiles and saved travelers in PostgreSQL (users/sql/0300_users.sql).

- Every change is guarded on the row's `version` (`UPDATE … WHERE version = $n`): a guard that
  fails wrote nothing and returns None; the caller re-reads and decides (412, or retry).
- A profile is created race-free: `INSERT … ON CONFLICT (subject) DO NOTHING`, then a read.
- Saved travelers are only ever reached through their owner's subject, so another user's id
  reads as absent. Document numbers are sealed here on the way in and opened on the way out
  (users/crypto.py): no other path writes them.
- PostgreSQL being unreachable surfaces as `ServiceUnavailable` (users/pg.py), nothing else.
"""

from __future__ import annotations

from typing import Protocol

from kernel.errors import LimitReached, ServiceUnavailable
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
    LOCK_SUBJECT,
    LOCK_USER,
    SELECT_PROFILE,
    SELECT_TRAVELER,
    SELECT_TRAVELERS,
    UPDATE_PROFILE,
    UPDATE_TRAVELER,
    profile_args,
    profile_from_row,
    traveler_args,
    traveler_from_row,
)


class UserRepository(Protocol):
    """Where profiles and saved travelers live. Every method may raise `ServiceUnavailable`."""

    async def profile(self, subject: str) -> Profile | None: ...

    async def create_profile(self, subject: str, fields: ProfileFields) -> Profile:
        """A new profile with `fields`, or the one a concurrent call created first."""

    async def update_profile(self, profile: Profile, fields: ProfileFields) -> Profile | None:
        """`fields` written if `profile.version` is still current, else None."""

    async def travelers(self, subject: str) -> list[StoredTraveler]: ...

    async def traveler(self, subject: str, traveler_id: str) -> StoredTraveler | None: ...

    async def add_traveler(
        self, profile: Profile, traveler_id: str, fields: NewTraveler, *, limit: int
    ) -> StoredTraveler:
        """Insert unless the user has `limit` travelers already (`LimitReached`)."""

    async def update_traveler(
        self, subject: str, traveler_id: str, version: int, fields: NewTraveler
    ) -> StoredTraveler | None:
        """`fields` written if `version` is still current, else None."""

    async def delete_traveler(self, subject: str, traveler_id: str, version: int | None) -> bool:
        """Whether it was deleted (the version matched, when one is given)."""

    async def erase(self, subject: str) -> ErasedUser:
        """The profile and every saved traveler of `subject` deleted; idempotent."""


class PgUserRepository:
    """`UserRepository` on asyncpg."""

    def __init__(self, db: Database, cipher: DocumentCipher) -> None:
        self._db = db
        self._cipher = cipher

    async def profile(self, subject: str) -> Profile | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(SELECT_PROFILE, subject, timeout=self._db.timeout_s)
        return None if row is None else profile_from_row(row)

    async def create_profile(self, subject: str, fields: ProfileFields) -> Profile:
        timeout = self._db.timeout_s
        async with self._db.connection() as conn:
            # Twice at most: the row a concurrent first call inserted may be erased before it
            # is read, and then this call's insert goes through.
            for _ in range(2):
                row = await conn.fetchrow(
                    INSERT_PROFILE, subject, *profile_args(fields), timeout=timeout
                )
                if row is None:  # a concurrent first call won: its row
                    row = await conn.fetchrow(SELECT_PROFILE, subject, timeout=timeout)
                if row is not None:
                    return profile_from_row(row)
        raise ServiceUnavailable("the profile was erased while it was being created; retry")

    async def update_profile(self, profile: Profile, fields: ProfileFields) -> Profile | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                UPDATE_PROFILE,
                profile.id,
                profile.version,
                *profile_args(fields),
                timeout=self._db.timeout_s,
            )
        return None if row is None else profile_from_row(row)

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

    async def update_traveler(
        self, subject: str, traveler_id: str, version: int, fields: NewTraveler
    ) -> StoredTraveler | None:
        args = traveler_args(traveler_id, fields, self._cipher)
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                UPDATE_TRAVELER, subject, traveler_id, version, *args, timeout=self._db.timeout_s
            )
        return None if row is None else traveler_from_row(row, self._cipher)

    async def delete_traveler(self, subject: str, traveler_id: str, version: int | None) -> bool:
        async with self._db.connection() as conn:
            deleted = await conn.fetchval(
                DELETE_TRAVELER, subject, traveler_id, version, timeout=self._db.timeout_s
            )
        return deleted is not None

    async def erase(self, subject: str) -> ErasedUser:
        timeout = self._db.timeout_s
        async with self._db.transaction() as conn:
            user_id = await conn.fetchval(LOCK_SUBJECT, subject, timeout=timeout)
            if user_id is None:
                return ErasedUser(profile=False, travelers=0)
            status = await conn.execute(DELETE_TRAVELERS, user_id, timeout=timeout)
            await conn.execute(DELETE_PROFILE, user_id, timeout=timeout)
        return ErasedUser(profile=True, travelers=int(status.split()[-1]))
