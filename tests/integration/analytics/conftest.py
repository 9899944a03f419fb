"""A Redis client and stream names of each test's own (deleted afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from tests.support.redis_cluster import client_of, redis_or_cluster


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test against one Redis and against a Redis Cluster (tests/support/redis_cluster.py):
    the usage and order streams live in different slots there."""
    return redis_or_cluster(request, redis_url)


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = client_of(redis_url, socket_timeout=3.0)
    yield client
    await client.aclose()


@pytest.fixture
async def stream(redis_client: redis.Redis) -> AsyncIterator[str]:
    name = f"test:{uuid.uuid4().hex}:usage"
    yield name
    keys = [key async for key in redis_client.scan_iter(match=f"{name}*", count=1000)]
    if keys:
        await redis_client.delete(*keys)
