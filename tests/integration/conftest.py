"""What the integration tests of several packages share: a Redis client and an event stream of
each test's own, and an empty schema for a migration's tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as redis

from tests.support.database import bare_pool_of
from tests.support.redis_cluster import client_of


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = client_of(redis_url, socket_timeout=3.0)
    yield client
    await client.aclose()


@pytest.fixture
async def bare_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool over a fresh, empty schema: a migration's tests migrate it up to where they start."""
    async with bare_pool_of(database_url) as pool:
        yield pool


@pytest.fixture
async def stream(redis_client: redis.Redis) -> AsyncIterator[str]:
    """A stream name no other test uses; it, its dead letters, its dedup keys (prefixed with
    it) and the relay's markers are deleted afterwards."""
    name = f"test:{uuid.uuid4().hex}:events"
    yield name
    keys = [key async for key in redis_client.scan_iter(match=f"{name}*", count=1000)]
    # The relay's published markers, hash-tagged with the stream's name (booking/relay.py).
    keys += [key async for key in redis_client.scan_iter(match=f"{{{name}}}*", count=1000)]
    if keys:
        await redis_client.delete(*keys)
