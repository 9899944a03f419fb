"""A master of the Redis Cluster dies (SIGKILL) under Skyfare's client: searches keep answering
(uncached for its slots while its replica is promoted), a rate limit fails open meanwhile and
limits again after, the fare cache recovers by itself, and the order events published before the
failover, once replicated, are delivered from the promoted replica.

The same test on the plain cluster, over TLS (the client trusting the cluster's CA) and over TLS
asking for a client certificate: after a failover the client opens connections to the promoted
replica, which must carry the CA and the certificate as the first ones did. Each run restarts
the node it killed (`RedisClusterHandle.master_killed`), as the clusters are shared by the
session's tests.

What asynchronous replication can lose, and what Skyfare does about it: deploy/README.md,
"Redis Cluster"."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest
import redis

from booking.pg import Database
from booking.relay import OutboxRelay
from booking.repository import PgOrderRepository
from cache.memory import InMemoryFareCache
from cache.read_through import ReadThroughCache
from cache.redis import RedisFareCache
from cache.tiered import TieredFareCache
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from notify.stream import EventStream
from search.model import SearchRequest
from search.service import SearchService
from skyfare.ops import check_cache
from skyfare.ratelimit import RateLimiter
from skyfare.redis_client import redis_client
from skyfare.settings import load_settings
from tests.fakes import FakeConnector, offer, segment
from tests.support.database import migrated_pool
from tests.support.orders import new_order
from tests.support.redis_cluster import RedisClusterHandle, client_of, connected

DAYS = range(30, 42)  # twelve searches: their cache keys spread over the three masters


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, prefix="failover") as pool:
        yield pool


def _search_service(cache: RedisFareCache) -> tuple[SearchService, ReadThroughCache]:
    airline = FakeConnector("fo-a", offers=[offer("321.00", segment("BA117"), source="fo-a")])
    # No L1: every search asks Redis, so a dead master shows.
    fares = ReadThroughCache(TieredFareCache(InMemoryFareCache(0), cache))
    service = SearchService(
        [ResilientConnector(airline, ResiliencePolicy(retries=0))],
        default_deadline_ms=8000,
        fares=fares,
        # A patient budget: the busy test machine must not turn a slow answer into a miss.
        cache_timeout_s=2.0,
        cache_scope=uuid.uuid4().hex,
    )
    return service, fares


async def _cached_then_hit(service: SearchService, fares: ReadThroughCache, days: int) -> str:
    """Search twice; the state of the second. A cold answer goes out before its Redis write,
    which follows it as a task: the second search waits for that write (`settle`), as a busy
    machine could otherwise ask Redis before the entry is there."""
    await service.search_body(_request(days))
    await fares.settle()
    return (await service.search_body(_request(days)))[1]


def _request(days: int) -> SearchRequest:
    day = dt.date.today() + dt.timedelta(days=days)
    return SearchRequest(slices=(SliceQuery("LHR", "JFK", day),), passengers=Passengers())


# Each cluster a failover is tried on: its session fixture (tests/conftest.py).
CLUSTERS = {"plain": "redis_cluster", "tls": "redis_tls_cluster", "mtls": "redis_mtls_cluster"}


@pytest.fixture(params=list(CLUSTERS))
def any_cluster(request: pytest.FixtureRequest) -> RedisClusterHandle:
    handle: RedisClusterHandle = request.getfixturevalue(CLUSTERS[request.param])
    return handle


class _Caller(msgspec.Struct, frozen=True):
    id: str
    rate_per_s: float
    burst: int


async def _limits(limiter: RateLimiter) -> bool:
    """Whether `limiter` limits a fresh caller allowed one request: through Redis only."""
    caller = _Caller(uuid.uuid4().hex, rate_per_s=0.001, burst=1)
    first, second = await limiter.decide(caller), await limiter.decide(caller)
    return first.allowed and not second.allowed


async def test_a_master_dies_searches_answer_the_cache_recovers_and_events_survive(
    any_cluster: RedisClusterHandle, pool: asyncpg.Pool
) -> None:
    client = await connected(
        redis_client(
            load_settings(any_cluster.skyfare_env()),
            url=any_cluster.url,
            socket_timeout=2.0,
            connect_timeout=2.0,
        )
    )
    service, fares = _search_service(RedisFareCache(client))
    stream = f"test:{uuid.uuid4().hex}:events"
    events = EventStream(client, stream, group="notify", consumer="c1", timeout_s=5.0)
    # Its keys share the stream's slot (the hash tag), so they die with the stream's master.
    limiter = RateLimiter(client, timeout_s=5.0, prefix=f"{{{stream}}}:ratelimit:")
    try:
        for days in DAYS:  # cached, then served from Redis
            assert await _cached_then_hit(service, fares, days) == "hit"

        # Five order events, relayed to the stream as Skyfare runs on a cluster (WAIT 1).
        await events.ensure_group()
        repository = PgOrderRepository(Database(pool, timeout_s=10.0))
        orders = [await repository.create(new_order(f"fo{n}"), actor="test") for n in range(5)]
        relay = OutboxRelay(
            pool, client, stream=stream, replicas=1, db_timeout_s=10.0, redis_timeout_s=5.0
        )
        assert await _relayed(relay, 5) == 5  # marked published once the replica held them
        assert await _limits(limiter)

        with any_cluster.master_killed(stream) as dead:
            for days in DAYS:  # while the replica is promoted: answered, some uncached
                body, _ = await service.search_body(_request(days))
                assert b"BA117" in body
            assert await check_cache(client, timeout_s=5.0) == "ok"  # the search stays in rotation
            # Refused by the dead master, or answered by the promoted replica: never failed.
            assert (await limiter.decide(_Caller("any", rate_per_s=1.0, burst=1))).allowed
            any_cluster.wait_for_promotion(stream, dead)

            # The same client, nothing restarted: the cache fills and serves again by itself.
            for days in DAYS:
                assert await _cached_then_hit(service, fares, days) == "hit"
            assert await _limits(limiter)
            delivered = await events.read_new(count=100, block_s=1.0)
            assert len(delivered) == 5
            assert {_order_of(d.fields[b"event"]) for d in delivered} == {o.id for o in orders}
    finally:
        await service.close()
        await client.delete(stream)
        await client.aclose()


async def _relayed(relay: OutboxRelay, count: int) -> int:
    """Relay rounds until `count` events went out. A round skips while another relay of the
    database holds the relay's lock (another test process's app, on a shared database)."""
    published = 0
    deadline = time.monotonic() + 30.0
    while published < count and time.monotonic() < deadline:
        published += await relay.relay_once()
        if published < count:
            await asyncio.sleep(0.05)
    return published


def _order_of(event: bytes) -> str:
    decoded: dict[str, dict[str, object]] = msgspec.json.decode(event)
    return str(decoded["order"]["id"])


async def test_the_relay_marks_a_batch_published_only_once_a_replica_holds_it(
    redis_cluster: RedisClusterHandle, redis_url: str, pool: asyncpg.Pool
) -> None:
    repository = PgOrderRepository(Database(pool, timeout_s=10.0))
    for n in range(3):
        await repository.create(new_order(f"wait{n}"), actor="test")
    stream = f"test:{uuid.uuid4().hex}:events"
    unreplicated = client_of(redis_url)  # the test Redis: no replica acknowledges anything
    cluster = await connected(client_of(redis_cluster.url, socket_timeout=2.0))
    unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
    try:
        # WAIT gets half the Redis budget, the script and XADD the rest: with 0.4 s, 0.2 s of a
        # busy machine turned the "0 of 1 replicas" answer into a timeout. WAIT costs 2 s here.
        alone = OutboxRelay(pool, unreplicated, stream=stream, replicas=1, redis_timeout_s=4.0)
        with pytest.raises(redis.RedisError, match="0 of 1 replicas"):
            await _relayed(alone, 3)
        assert await pool.fetchval(unpublished) == 3  # kept, for the next round

        relay = OutboxRelay(pool, cluster, stream=stream, replicas=1, redis_timeout_s=5.0)
        assert await _relayed(relay, 3) == 3
        assert await pool.fetchval(unpublished) == 0
        # No waiting here: WAIT answered only once the replica held the batch.
        assert redis_cluster.replicated(stream, 3)
    finally:
        markers = [key async for key in unreplicated.scan_iter(match=f"{{{stream}}}*")]
        await unreplicated.delete(stream, *markers)
        await cluster.delete(stream)
        await unreplicated.aclose()
        await cluster.aclose()
