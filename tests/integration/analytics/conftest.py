"""Each test against one Redis and against a Redis Cluster; its Redis client and stream are
tests/integration/conftest.py's."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from tests.support.redis_cluster import redis_or_cluster


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test against one Redis and against a Redis Cluster (tests/support/redis_cluster.py):
    the usage and order streams live in different slots there."""
    return redis_or_cluster(request, redis_url)


@pytest.fixture
async def streams(redis_client: redis.Redis) -> AsyncIterator[tuple[str, str]]:
    """A usage stream and an order event stream of the test's own, deleted after it."""
    names = (f"test:{uuid.uuid4().hex}:usage", f"test:{uuid.uuid4().hex}:events")
    yield names
    await redis_client.delete(*names)
