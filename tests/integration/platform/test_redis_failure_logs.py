"""When Redis cannot be reached, the log says why, not only that it failed.

redis-py 8.2's errors have a `repr()` without their message (`network:ConnectionError`): a line
that formatted one with `%r` told an operator nothing about the cause. Each adapter here meets
a real refused connection (a port nothing listens on) and its warning must carry redis-py's
own words for it.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from analytics.publisher import UsageBuffer
from cache.memory import InMemoryFareCache
from cache.redis import RedisFareCache
from cache.tiered import TieredFareCache
from skyfare.ops import check_cache
from skyfare.partners import Partner
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import redis_client, warm_up
from skyfare.settings import load_settings
from tests.e2e.conftest import closed_port

TIMEOUT_S = 5.0  # a bound a refused connection never comes near
PARTNER = Partner(id=7, name="kayak", key_prefix="sk_live_abcd", rate_per_s=10, burst=10)


@pytest.fixture
def port() -> int:
    return closed_port()


@pytest.fixture
async def refusing(port: int) -> AsyncIterator[redis.Redis]:
    client = redis.Redis(
        host="127.0.0.1",
        port=port,
        socket_connect_timeout=TIMEOUT_S,
        socket_timeout=TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),  # redis-py's retries would only wait seconds to be refused
    )
    yield client
    await client.aclose()


def refused(port: int) -> str:
    """How redis-py says it (`Error 111 connecting to 127.0.0.1:6379. Connection refused.`)."""
    return f"Error {errno.ECONNREFUSED} connecting to 127.0.0.1:{port}."


def logged(caplog: pytest.LogCaptureFixture, logger: str) -> str:
    (record,) = [r for r in caplog.records if r.name == logger]
    return record.getMessage()


async def test_the_rate_limiter_says_why_it_fails_open(
    refusing: redis.Redis, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="skyfare.ratelimit"):
        assert (await RateLimiter(refusing, timeout_s=TIMEOUT_S).check(PARTNER)).allowed
    line = logged(caplog, "skyfare.ratelimit")
    assert f"Redis did not answer: ConnectionError: {refused(port)}" in line


async def test_dropped_usage_events_say_why_the_stream_cannot_be_written(
    refusing: redis.Redis, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = UsageBuffer(refusing, "test:usage:refused", maxlen=100, timeout_s=TIMEOUT_S)
    buffer.emit_json(b'{"kind":"test"}')
    with caplog.at_level(logging.WARNING, logger="analytics.publisher"):
        assert await buffer.flush() == 0
    line = logged(caplog, "analytics.publisher")
    assert f"cannot be written: ConnectionError: {refused(port)}" in line


async def test_the_fare_cache_says_why_it_serves_uncached(
    refusing: redis.Redis, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    cache = TieredFareCache(InMemoryFareCache(10), RedisFareCache(refusing))
    with caplog.at_level(logging.WARNING, logger="cache.tiered"):
        assert await cache.get("test:refused", timeout=TIMEOUT_S) is None
    line = logged(caplog, "cache.tiered")
    assert f"redis GET failed: ConnectionError: {refused(port)}" in line


@pytest.fixture
async def refusing_cluster(port: int) -> AsyncIterator[redis.Redis]:
    """Skyfare's cluster client of a node that refuses: it has never learned the cluster's."""
    client = redis_client(
        load_settings({}),
        url=f"redis+cluster://127.0.0.1:{port}",
        socket_timeout=TIMEOUT_S,
        connect_timeout=TIMEOUT_S,
    )
    yield client
    await client.aclose()


async def test_warm_up_says_why_no_node_of_the_cluster_answered(
    refusing_cluster: redis.Redis, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="skyfare.redis_client"):
        await warm_up(refusing_cluster)  # never raises: requests meet a cluster that is down
    assert refused(port) in logged(caplog, "skyfare.redis_client")


async def test_readiness_says_why_no_node_of_the_cluster_answers(
    refusing_cluster: redis.Redis, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A cluster client that never reached a node knows none to ping: it must ask the one it
    was given, and say why that failed, not only that no node answers."""
    with caplog.at_level(logging.WARNING, logger="skyfare.ops"):
        assert await check_cache(refusing_cluster, timeout_s=TIMEOUT_S) == "down"
    assert refused(port) in logged(caplog, "skyfare.ops")
