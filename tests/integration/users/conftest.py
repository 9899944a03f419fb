"""The user service against real PostgreSQL: each test migrates its own schema (dropped after)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.database import migrated_pool
from users.crypto import DocumentCipher
from users.pg import Database
from users.repository import PgUserRepository
from users.service import UserService

KEY = base64.b64encode(b"k" * 32).decode()


@pytest.fixture
async def users_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, prefix="users", max_size=30) as pool:
        yield pool


@pytest.fixture
def cipher() -> DocumentCipher:
    return DocumentCipher.from_setting(KEY)


@pytest.fixture
def repository(users_pool: asyncpg.Pool, cipher: DocumentCipher) -> PgUserRepository:
    return PgUserRepository(Database(users_pool, timeout_s=30.0), cipher)


@pytest.fixture
def service(repository: PgUserRepository) -> UserService:
    return UserService(repository, max_travelers=3)
