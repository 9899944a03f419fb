"""Builds the user service from what the composition root owns (a pool, settings values)."""

from __future__ import annotations

import asyncpg

from kernel.checks import known_airports
from users.crypto import DocumentCipher
from users.pg import Database
from users.repository import PgUserRepository
from users.service import UserService


def user_service(
    pool: asyncpg.Pool,
    *,
    db_timeout_s: float,
    document_key: str,
    max_travelers: int,
) -> UserService:
    """`DocumentKeyError` (naming the setting, never the key) for a malformed `document_key`."""
    # While the app starts, not under the first patch's row lock (airportsdata: ~50 ms).
    known_airports()
    cipher = DocumentCipher.from_setting(document_key)
    repository = PgUserRepository(Database(pool, timeout_s=db_timeout_s), cipher)
    return UserService(repository, max_travelers=max_travelers)
