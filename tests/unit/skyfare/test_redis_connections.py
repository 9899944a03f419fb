"""skyfare/redis_connections.py is bound to the redis-py it was read against, and every client
skyfare/redis_client.py builds gets its connections. No I/O: redis-py connects lazily."""

from __future__ import annotations

import hashlib
import inspect

import pytest
import redis
from redis.asyncio.connection import AbstractConnection

from skyfare.redis_client import redis_client
from skyfare.redis_connections import (
    CHECKED_REDIS_VERSIONS,
    NoTaskConnection,
    NoTaskSSLConnection,
    NoTaskUnixDomainSocketConnection,
)
from skyfare.settings import load_settings

# sha256 (first 16 hex digits) of the redis-py methods skyfare/redis_connections.py mirrors, as
# read in redis-py 8.2.0. A new value means they changed: re-read them, port the change, then
# record the new hashes and the version in CHECKED_REDIS_VERSIONS.
MIRRORED_SOURCES = {
    "send_packed_command": "63b7216a33101c84",
    "_send_packed_command": "86ca9820aa972739",
}


def test_the_installed_redis_py_is_one_the_connections_were_checked_against() -> None:
    assert redis.__version__ in CHECKED_REDIS_VERSIONS, (
        f"redis-py {redis.__version__}: re-read AbstractConnection.send_packed_command (does it "
        "still use asyncio.wait_for?) before adding it to CHECKED_REDIS_VERSIONS"
    )


@pytest.mark.parametrize("name", sorted(MIRRORED_SOURCES))
def test_redis_py_methods_the_connections_mirror_are_unchanged(name: str) -> None:
    source = inspect.getsource(getattr(AbstractConnection, name))
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == MIRRORED_SOURCES[name]


@pytest.mark.parametrize(
    ("url", "pool_max", "expected"),
    [
        ("redis://127.0.0.1:1/4", None, NoTaskConnection),
        ("redis://127.0.0.1:1/4", 8, NoTaskConnection),
        ("rediss://127.0.0.1:1/4", None, NoTaskSSLConnection),
        ("unix:///tmp/nobody.sock?db=4", 8, NoTaskUnixDomainSocketConnection),
    ],
)
async def test_every_client_skyfare_builds_gets_the_connections_without_a_write_task(
    url: str, pool_max: int | None, expected: type[AbstractConnection]
) -> None:
    client = redis_client(
        load_settings({}),
        url=url,
        socket_timeout=1.0,
        connect_timeout=1.0,
        max_connections=pool_max,
    )
    try:
        assert client.connection_pool.connection_class is expected
    finally:
        await client.aclose()


async def test_a_cluster_client_makes_its_nodes_connections_without_a_write_task() -> None:
    client = redis_client(
        load_settings({}),
        url="redis+cluster://127.0.0.1:1",
        socket_timeout=1.0,
        connect_timeout=1.0,
    )
    try:
        nodes = client.nodes_manager.startup_nodes.values()  # type: ignore[attr-defined]
        assert [node.connection_class for node in nodes] == [NoTaskConnection]
        kwargs = client.nodes_manager.connection_kwargs  # type: ignore[attr-defined]
        assert kwargs["connection_class"] is NoTaskConnection  # the nodes it discovers
    finally:
        await client.aclose()
