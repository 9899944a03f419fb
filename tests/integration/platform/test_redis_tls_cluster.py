"""Skyfare's Redis client (skyfare/redis_client.py) against a real Redis Cluster over TLS only
(tests/support/redis_cluster.py with tls: three masters, three replicas, the cluster bus and
replication over TLS, certificates from a CA made for the run).

Both spellings of a TLS cluster are tried: a `rediss+cluster://` URL, and
`SKYFARE_REDIS_CLUSTER=true` with a `rediss://` one. With the CA given
(`SKYFARE_REDIS_TLS_CA_FILE`), every master is reached; without it, the server's certificate
fails verification and the error says so, and what Skyfare does on Redis down (a cache miss,
a rate limit failing open, usage events dropped) it does for that failure too. The outbox
relay's WAIT, on a connection of its own, reaches a replica fed over TLS.
"""

from __future__ import annotations

import logging
import ssl
import uuid
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from analytics.publisher import UsageBuffer
from cache.model import CacheError
from cache.redis import RedisFareCache
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import node_url, redis_client, warm_up
from skyfare.settings import Settings, load_settings
from tests.support.cluster_checks import (
    assert_keys_round_trip_on_every_master,
    assert_the_relay_waits_for_a_replica,
    causes_of,
)
from tests.support.database import migrated_pool
from tests.support.redis_cluster import RedisClusterHandle

TIMEOUT_S = 5.0  # a bound on each connect and command, far above what one takes here
SPELLINGS = ["rediss+cluster://", "SKYFARE_REDIS_CLUSTER=true + rediss://"]


def _url_and_settings(
    cluster: RedisClusterHandle, spelling: str, *, with_ca: bool
) -> tuple[str, Settings]:
    assert cluster.tls is not None
    env = {"SKYFARE_REDIS_TLS_CA_FILE": str(cluster.tls.ca_cert)} if with_ca else {}
    if spelling == SPELLINGS[0]:
        return cluster.url, load_settings(env)
    url = node_url(cluster.url)
    assert url.startswith("rediss://")
    return url, load_settings({**env, "SKYFARE_REDIS_CLUSTER": "true"})


@pytest.fixture(params=SPELLINGS)
def spelling(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def opened() -> AsyncIterator[list[aioredis.Redis]]:
    """The clients a test made, closed after it."""
    clients: list[aioredis.Redis] = []
    yield clients
    for client in clients:
        await client.aclose()


def _client(
    cluster: RedisClusterHandle, spelling: str, opened: list[aioredis.Redis], *, with_ca: bool
) -> aioredis.Redis:
    url, settings = _url_and_settings(cluster, spelling, with_ca=with_ca)
    client = redis_client(
        settings, url=url, socket_timeout=TIMEOUT_S, connect_timeout=TIMEOUT_S, max_connections=8
    )
    opened.append(client)
    return client


@pytest.fixture
def trusting(
    spelling: str, redis_tls_cluster: RedisClusterHandle, opened: list[aioredis.Redis]
) -> aioredis.Redis:
    """Skyfare's client of the TLS cluster, given its CA, in each spelling."""
    return _client(redis_tls_cluster, spelling, opened, with_ca=True)


@pytest.fixture
def distrusting(
    spelling: str, redis_tls_cluster: RedisClusterHandle, opened: list[aioredis.Redis]
) -> aioredis.Redis:
    """Skyfare's client of the TLS cluster without its CA: only the system's trusted CAs."""
    return _client(redis_tls_cluster, spelling, opened, with_ca=False)


async def test_commands_reach_every_master_over_tls_when_the_ca_is_given(
    trusting: aioredis.Redis, redis_tls_cluster: RedisClusterHandle
) -> None:
    await assert_keys_round_trip_on_every_master(trusting, redis_tls_cluster, "test:tls")


async def test_a_pipeline_spanning_every_master_answers_over_tls(
    trusting: aioredis.Redis, redis_tls_cluster: RedisClusterHandle
) -> None:
    """The fare index reads many hashes in one non-transactional pipeline, which the cluster
    client splits per node: each node's part travels over its own TLS connection."""
    keys = list(redis_tls_cluster.key_on_each_master("test:tls").values())
    try:
        async with trusting.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incrby(key, 7)
            for key in keys:
                pipe.get(key)
            answers = await pipe.execute()
        assert answers == [7, 7, 7, b"7", b"7", b"7"]
    finally:
        await trusting.delete(*keys)


async def test_a_client_without_the_ca_fails_certificate_verification_with_a_clear_error(
    distrusting: aioredis.Redis,
) -> None:
    with pytest.raises((RedisError, RedisClusterException)) as failure:
        await distrusting.get("test:tls:any")
    assert "CERTIFICATE_VERIFY_FAILED" in str(failure.value)
    # The client refused the server, not the reverse: no hint at a client certificate.
    assert "SKYFARE_REDIS_TLS_CERT_FILE" not in str(failure.value)
    assert any(
        isinstance(cause, ssl.SSLCertVerificationError) for cause in causes_of(failure.value)
    )


async def test_warm_up_logs_that_the_certificate_failed_verification(
    distrusting: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """At start-up an operator reads why the cluster did not answer, not only that it did not."""
    with caplog.at_level(logging.WARNING, logger="skyfare.redis_client"):
        await warm_up(distrusting)  # never raises: requests meet a cluster that is down
    (record,) = [r for r in caplog.records if r.name == "skyfare.redis_client"]
    assert "CERTIFICATE_VERIFY_FAILED" in record.getMessage()


async def test_warm_up_learns_every_master_over_tls_when_the_ca_is_given(
    trusting: aioredis.Redis,
    redis_tls_cluster: RedisClusterHandle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="skyfare.redis_client"):
        await warm_up(trusting)
    assert not [r for r in caplog.records if r.name == "skyfare.redis_client"]
    assert isinstance(trusting, RedisCluster)
    primaries = {node.port for node in trusting.get_primaries()}
    assert primaries == set(redis_tls_cluster.masters())


class _Caller(msgspec.Struct, frozen=True):
    id: str
    rate_per_s: float
    burst: int


async def test_a_certificate_that_fails_verification_is_a_cache_miss(
    distrusting: aioredis.Redis,
) -> None:
    """A cluster no node of which can be reached raises redis-py's RedisClusterException, which
    is not a RedisError: the cache must still turn it into the CacheError a search takes for a
    miss (Redis down: searches answer, uncached), not let it fail the search."""
    with pytest.raises(CacheError):
        await RedisFareCache(distrusting).get("test:tls:any", timeout=TIMEOUT_S)


async def test_the_rate_limiter_fails_open_when_the_certificate_fails_verification(
    distrusting: aioredis.Redis,
) -> None:
    limiter = RateLimiter(distrusting, timeout_s=TIMEOUT_S, prefix=f"test:{uuid.uuid4().hex}:")
    assert (await limiter.decide(_Caller("partner", rate_per_s=1.0, burst=1))).allowed


async def test_usage_events_are_dropped_when_the_certificate_fails_verification(
    distrusting: aioredis.Redis,
) -> None:
    buffer = UsageBuffer(distrusting, f"test:{uuid.uuid4().hex}:usage", maxlen=100)
    buffer.emit_json(b'{"kind":"test"}')
    assert await buffer.flush() == 0  # counted as dropped, never raised into its loop


@pytest.fixture
async def outbox(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, prefix="tls") as pool:
        yield pool


@pytest.mark.parametrize("spelling", [SPELLINGS[0]], indirect=True)
async def test_the_relay_waits_for_a_replica_over_tls_on_a_connection_of_its_own(
    trusting: aioredis.Redis, redis_tls_cluster: RedisClusterHandle, outbox: asyncpg.Pool
) -> None:
    """The relay's WAIT goes over a connection it makes to the stream's master from the
    cluster's own connection settings: the CA must be among them, as the password is; and the
    replica it waits for is fed over TLS (`tls-replication`)."""
    await assert_the_relay_waits_for_a_replica(
        trusting, redis_tls_cluster, outbox, reference_prefix="TLS00", timeout_s=TIMEOUT_S
    )
