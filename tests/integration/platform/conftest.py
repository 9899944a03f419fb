"""Platform tests against real PostgreSQL and Redis: each test gets its own schema / key prefix."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as redis

from tests.support.redis_cluster import client_of


@pytest.fixture
async def schema(database_url: str) -> AsyncIterator[str]:
    """A fresh, empty schema, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"CREATE SCHEMA {name}")
        yield name
        await conn.execute(f"DROP SCHEMA {name} CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def pool(database_url: str, schema: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool whose tables live in the test's own schema."""
    async with asyncpg.create_pool(
        database_url, min_size=0, max_size=10, server_settings={"search_path": schema}
    ) as pool:
        yield pool


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = client_of(redis_url, socket_timeout=1.0)
    yield client
    await client.aclose()


@pytest.fixture
def key_prefix() -> str:
    """A Redis key prefix no other test uses."""
    return f"test:{uuid.uuid4().hex}:ratelimit:"
