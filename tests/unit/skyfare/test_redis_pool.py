"""skyfare/redis_pool.py is bound to the redis-py it was read against, and the clients
skyfare/redis_client.py builds with a size get it. No I/O: redis-py connects lazily."""

from __future__ import annotations

import hashlib
import inspect

import pytest
import redis
from redis.asyncio.connection import BlockingConnectionPool, ConnectionPool

from skyfare.redis_client import redis_client
from skyfare.redis_connections import CHECKED_REDIS_VERSIONS
from skyfare.redis_pool import FifoBlockingConnectionPool
from skyfare.settings import load_settings

# sha256 (first 16 hex digits) of the redis-py methods skyfare/redis_pool.py mirrors, replaces or
# relies on, as read in redis-py 8.2.0. A new value means they changed: re-read them, port the
# change, then record the new hashes and the version in CHECKED_REDIS_VERSIONS.
MIRRORED_SOURCES = {
    # mirrored (its take and wait replaced)
    (BlockingConnectionPool, "get_connection"): "3084a3afabd575b6",
    # replaced: the Condition's notify() around ConnectionPool.release
    (BlockingConnectionPool, "release"): "180393f7fbbe9346",
    # what the pool's attributes are (`timeout`, `_condition` unused)
    (BlockingConnectionPool, "__init__"): "ad793b0ea901acfb",
    # called as is: takes the lock, returns the connection, disconnects one marked for reconnect
    (ConnectionPool, "release"): "da216f4e68c5a3f0",
    # the take without the lock: both must stay synchronous and decide the pool's size
    (ConnectionPool, "can_get_connection"): "158730a68e0a01be",
    (ConnectionPool, "get_available_connection"): "5777614ddec0cef1",
}


def test_the_installed_redis_py_is_one_the_pool_was_checked_against() -> None:
    assert redis.__version__ in CHECKED_REDIS_VERSIONS, (
        f"redis-py {redis.__version__}: re-read BlockingConnectionPool.get_connection and "
        "release before adding it to CHECKED_REDIS_VERSIONS"
    )


@pytest.mark.parametrize(
    ("cls", "name"), sorted(MIRRORED_SOURCES, key=lambda k: (k[0].__name__, k[1]))
)
def test_redis_py_methods_the_pool_mirrors_are_unchanged(cls: type, name: str) -> None:
    source = inspect.getsource(getattr(cls, name))
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == MIRRORED_SOURCES[(cls, name)]


@pytest.mark.parametrize(
    ("pool_max", "expected"), [(8, FifoBlockingConnectionPool), (None, ConnectionPool)]
)
async def test_a_client_with_a_size_gets_the_fifo_blocking_pool(
    pool_max: int | None, expected: type[ConnectionPool]
) -> None:
    client = redis_client(
        load_settings({}),
        url="redis://127.0.0.1:1/4",
        socket_timeout=1.0,
        connect_timeout=1.0,
        max_connections=pool_max,
        pool_timeout=0.5,
    )
    try:
        pool = client.connection_pool
        assert type(pool) is expected
        if isinstance(pool, FifoBlockingConnectionPool):
            assert (pool.max_connections, pool.timeout) == (8, 0.5)
    finally:
        await client.aclose()
