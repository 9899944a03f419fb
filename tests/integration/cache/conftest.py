"""What the fare-cache tests share: a client of the test Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from tests.support.redis_cluster import client_of, redis_or_cluster


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test against one Redis and against a Redis Cluster (tests/support/redis_cluster.py)."""
    return redis_or_cluster(request, redis_url)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = client_of(redis_url)
    yield client
    await client.aclose()
