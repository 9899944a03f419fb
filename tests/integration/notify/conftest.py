"""Events and notifications against real PostgreSQL, Redis and the sim servers over sockets.

Each test gets its own schema (with every migration applied), its own stream name and its own
dedup key prefix, so tests share the servers and nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as redis

from tests.support.database import migrated_pool
from tests.support.notify import NotifySim, running_notify_sim
from tests.support.redis_cluster import client_of


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool whose tables (all migrations applied) live in the test's own schema."""
    async with migrated_pool(database_url, prefix="test", max_size=10) as pool:
        yield pool


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = client_of(redis_url, socket_timeout=3.0)
    yield client
    await client.aclose()


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


@pytest.fixture
async def sim() -> AsyncIterator[NotifySim]:
    async with running_notify_sim() as handle:
        yield handle
