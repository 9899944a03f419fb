"""Skyfare's Redis client (skyfare/redis_client.py) against a TLS-only Redis Cluster that asks
every client for a certificate (`tls-auth-clients yes`, redis-server's own default; the
`redis_mtls_cluster` fixture, started only by these tests).

With `SKYFARE_REDIS_TLS_CERT_FILE` and `SKYFARE_REDIS_TLS_KEY_FILE` (a client certificate the
cluster's CA signed) beside the CA, every master is reached, and so is the replica the outbox
relay's WAIT waits for, over a connection of the relay's own. Without them the server resets
each connection at the handshake: every command fails at once, naming the node, never hangs,
and the cache takes it for a miss as it does Redis down. What the operator reads then (the error,
the start-up warning, /readyz's log line, the rate limiter's and the cache's) says that the
server may require a client certificate and names the settings that give one: Skyfare's side of
the refusal is only a reset or a TLS alert, the reason is in the node's log alone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, RedisError

from cache.memory import InMemoryFareCache
from cache.model import CacheError
from cache.redis import RedisFareCache
from cache.tiered import TieredFareCache
from skyfare.ops import check_cache
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import node_url, redis_client, warm_up
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
    cluster: RedisClusterHandle, *, with_client_cert: bool, url: str | None = None
) -> AsyncIterator[aioredis.Redis]:
    assert cluster.tls is not None
    env = {"SKYFARE_REDIS_TLS_CA_FILE": str(cluster.tls.ca_cert)}
    if with_client_cert:
        env["SKYFARE_REDIS_TLS_CERT_FILE"] = str(cluster.tls.client_cert)
        env["SKYFARE_REDIS_TLS_KEY_FILE"] = str(cluster.tls.client_key)
    client = redis_client(
        load_settings(env),
        url=url or cluster.url,
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


# What the operator must read where a client without a certificate is refused.
HINT = "the server may require a client certificate"
SETTINGS = ("SKYFARE_REDIS_TLS_CERT_FILE", "SKYFARE_REDIS_TLS_KEY_FILE")


def _hints(message: str) -> bool:
    return HINT in message and all(name in message for name in SETTINGS)


@pytest.mark.parametrize("reached", ["cluster", "one node"])
async def test_a_client_without_a_certificate_is_told_the_server_may_require_one(
    reached: str, redis_mtls_cluster: RedisClusterHandle
) -> None:
    """Over TLS 1.3 the server checks the certificate after the client's handshake is done:
    the refusal comes at the first read, a reset or a `certificate required` alert, whichever
    the client reads first (both seen here); the hint must come with either."""
    url = redis_mtls_cluster.url if reached == "cluster" else node_url(redis_mtls_cluster.url)
    async for client in _client(redis_mtls_cluster, with_client_cert=False, url=url):
        for _ in range(3):  # a fresh connection each time: the reset or the alert may come
            with pytest.raises((RedisError, RedisClusterException)) as failure:
                await client.get("test:mtls:any")
            assert _hints(str(failure.value)), str(failure.value)


class _Caller(msgspec.Struct, frozen=True):
    id: str
    rate_per_s: float
    burst: int


async def test_what_an_operator_reads_names_the_client_certificate_settings(
    uncertified: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """The start-up warning, /readyz's log line, the rate limiter failing open and the fare
    cache serving uncached each carry the hint."""
    limiter = RateLimiter(uncertified, timeout_s=TIMEOUT_S, prefix=f"test:{uuid.uuid4().hex}:")
    cache = TieredFareCache(InMemoryFareCache(10), RedisFareCache(uncertified))
    with caplog.at_level(logging.WARNING):
        await warm_up(uncertified)
        assert await check_cache(uncertified, timeout_s=TIMEOUT_S) == "down"
        assert (await limiter.decide(_Caller("partner", rate_per_s=1.0, burst=1))).allowed
        assert await cache.get("test:mtls:any", timeout=TIMEOUT_S) is None
    said = {record.name: record.getMessage() for record in caplog.records}
    for logger in ("skyfare.redis_client", "skyfare.ops", "skyfare.ratelimit", "cache.tiered"):
        assert _hints(said.get(logger, "")), (logger, said)


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
