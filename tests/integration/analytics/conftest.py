"""Each test against one Redis and against a Redis Cluster; its Redis client and stream are
tests/integration/conftest.py's."""

from __future__ import annotations

import pytest

from tests.support.redis_cluster import redis_or_cluster


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test against one Redis and against a Redis Cluster (tests/support/redis_cluster.py):
    the usage and order streams live in different slots there."""
    return redis_or_cluster(request, redis_url)
