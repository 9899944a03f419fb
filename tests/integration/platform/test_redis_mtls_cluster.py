"""Skyfare's Redis client (skyfare/redis_client.py) against a TLS-only Redis Cluster that asks
every client for a certificate (`tls-auth-clients yes`, redis-server's own default; the
`redis_mtls_cluster` fixture, started only by these tests).

With `SKYFARE_REDIS_TLS_CERT_FILE` and `SKYFARE_REDIS_TLS_KEY_FILE` (a client certificate the
cluster's CA signed) beside the CA, every master is reached, and so is the replica the outbox
relay's WAIT waits for, over a connection of the relay's own. Without them the server resets
each connection at the handshake: every command fails at once, naming the node, never hangs,
and the cache takes it for a miss as it does Redis down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, RedisError

from cache.model import CacheError
from cache.redis import RedisFareCache
from skyfare.redis_client import redis_client
from skyfare.settings import load_settings
from tests.support.cluster_checks import (
    assert_keys_round_trip_on_every_master,
    assert_the_relay_waits_for_a_replica,
    causes_of,
)
from tests.support.database import migrated_pool
from tests.support.redis_cluster import RedisClusterHandle

TIMEOUT_S = 5.0  # a bound on each connect and command, far above what one takes here


async def _client(
    cluster: RedisClusterHandle, *, with_client_cert: bool
) -> AsyncIterator[aioredis.Redis]:
    assert cluster.tls is not None
    env = {"SKYFARE_REDIS_TLS_CA_FILE": str(cluster.tls.ca_cert)}
    if with_client_cert:
        env["SKYFARE_REDIS_TLS_CERT_FILE"] = str(cluster.tls.client_cert)
        env["SKYFARE_REDIS_TLS_KEY_FILE"] = str(cluster.tls.client_key)
    client = redis_client(
        load_settings(env),
        url=cluster.url,
        socket_timeout=TIMEOUT_S,
        connect_timeout=TIMEOUT_S,
        max_connections=8,
    )
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def certified(redis_mtls_cluster: RedisClusterHandle) -> AsyncIterator[aioredis.Redis]:
    """Skyfare's client of the cluster, given the CA and a client certificate and key."""
    async for client in _client(redis_mtls_cluster, with_client_cert=True):
        yield client


@pytest.fixture
async def uncertified(redis_mtls_cluster: RedisClusterHandle) -> AsyncIterator[aioredis.Redis]:
    """Skyfare's client of the cluster given the CA only: it has no certificate to present."""
    async for client in _client(redis_mtls_cluster, with_client_cert=False):
        yield client


async def test_commands_reach_every_master_when_the_client_presents_its_certificate(
    certified: aioredis.Redis, redis_mtls_cluster: RedisClusterHandle
) -> None:
    await assert_keys_round_trip_on_every_master(certified, redis_mtls_cluster, "test:mtls")


async def test_a_client_without_a_certificate_is_refused_at_once_naming_the_node(
    uncertified: aioredis.Redis, redis_mtls_cluster: RedisClusterHandle
) -> None:
    with pytest.raises((RedisError, RedisClusterException)) as failure:
        await uncertified.get("test:mtls:any")
    causes = causes_of(failure.value)
    refused = [cause for cause in causes if isinstance(cause, RedisConnectionError)]
    assert refused, causes
    # Which node refused it, for an operator to look in that node's log ("peer did not return
    # a certificate").
    assert any(f"127.0.0.1:{port}" in str(refused[0]) for port in redis_mtls_cluster.ports)


async def test_a_client_without_a_certificate_gets_cache_misses(
    uncertified: aioredis.Redis,
) -> None:
    with pytest.raises(CacheError):
        await RedisFareCache(uncertified).get("test:mtls:any", timeout=TIMEOUT_S)


@pytest.fixture
async def outbox(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, prefix="mtls") as pool:
        yield pool


async def test_the_relay_waits_for_a_replica_presenting_the_client_certificate(
    certified: aioredis.Redis, redis_mtls_cluster: RedisClusterHandle, outbox: asyncpg.Pool
) -> None:
    """The relay's WAIT goes over a connection it builds from the stream's node's connection
    settings: the client certificate and key must be among them, or the node refuses it."""
    await assert_the_relay_waits_for_a_replica(
        certified, redis_mtls_cluster, outbox, reference_prefix="MTLS0", timeout_s=TIMEOUT_S
    )
