"""skyfare/redis_client.py: which URLs name a Redis Cluster, and the node URL its client starts
from keeps TLS and credentials. No I/O: redis-py connects lazily."""

from __future__ import annotations

import pytest
from redis.asyncio.cluster import RedisCluster

from skyfare.redis_client import is_cluster, node_url, redis_client
from skyfare.redis_connections import NoTaskConnection, NoTaskSSLConnection
from skyfare.settings import load_settings


@pytest.mark.parametrize(
    ("url", "node"),
    [
        ("redis+cluster://10.0.0.1:6379", "redis://10.0.0.1:6379"),
        ("rediss+cluster://:secret@10.0.0.1:6380", "rediss://:secret@10.0.0.1:6380"),
        ("redis://app:secret@10.0.0.1:6379", "redis://app:secret@10.0.0.1:6379"),
        ("rediss://10.0.0.1:6380", "rediss://10.0.0.1:6380"),
    ],
)
def test_the_node_url_keeps_tls_and_credentials(url: str, node: str) -> None:
    assert node_url(url) == node


def test_a_cluster_is_named_by_either_scheme_or_by_the_setting() -> None:
    plain = load_settings({})
    assert is_cluster(plain, "redis+cluster://10.0.0.1:6379")
    assert is_cluster(plain, "rediss+cluster://10.0.0.1:6380")
    assert not is_cluster(plain, "rediss://10.0.0.1:6380")
    assert is_cluster(load_settings({"SKYFARE_REDIS_CLUSTER": "true"}), "rediss://10.0.0.1:6380")


@pytest.mark.parametrize(
    ("env", "url", "connection_class"),
    [
        ({"SKYFARE_REDIS_CLUSTER": "true"}, "rediss://:secret@127.0.0.1:1", NoTaskSSLConnection),
        ({}, "rediss+cluster://:secret@127.0.0.1:1", NoTaskSSLConnection),
        ({}, "redis+cluster://:secret@127.0.0.1:1", NoTaskConnection),
    ],
)
async def test_a_cluster_client_connects_to_its_nodes_with_the_urls_tls_and_password(
    env: dict[str, str], url: str, connection_class: type
) -> None:
    client = redis_client(load_settings(env), url=url, socket_timeout=1.0, connect_timeout=1.0)
    try:
        assert isinstance(client, RedisCluster)
        (node,) = client.nodes_manager.startup_nodes.values()
        assert (node.host, node.port) == ("127.0.0.1", 1)
        assert node.connection_class is connection_class
        assert node.connection_kwargs["password"] == "secret"
        kwargs = client.nodes_manager.connection_kwargs  # the nodes it discovers
        assert kwargs["connection_class"] is connection_class
        assert kwargs["password"] == "secret"
    finally:
        await client.aclose()
