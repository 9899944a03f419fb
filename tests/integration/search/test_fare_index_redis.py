"""The cheapest-fare index against real Redis: writes, reads, TTLs, and a search recording it."""

import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import msgspec
import pytest
import redis.asyncio as aioredis

from cache.memory import InMemoryFareCache
from cache.read_through import ReadThroughCache
from cache.tiered import TieredFareCache
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.fare_index import CheapestFare, FareIndexError, IndexSlot, month_key, slot
from search.fare_index_redis import RedisFareIndex
from search.model import SearchRequest
from search.service import SearchService
from tests.fakes import FakeConnector, offer, segment
from tests.support.redis_cluster import client_of, connected, redis_or_cluster


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test against one Redis and against a Redis Cluster (tests/support/redis_cluster.py)."""
    return redis_or_cluster(request, redis_url)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = await connected(client_of(redis_url))
    yield client
    await client.aclose()


# Per Redis call, where Redis answers. The index's own 50 ms write bound drops a write that
# runs over (logged, not raised), so on a busy machine the fare a test reads back was missing.
TIMEOUT_S = 30.0


def index_of(client: aioredis.Redis, clock: Callable[[], float] = time.time) -> RedisFareIndex:
    return RedisFareIndex(client, timeout_s=TIMEOUT_S, read_timeout_s=TIMEOUT_S, clock=clock)


def fare(amount: str = "250.00", *, age_s: float = 0.0, stale_in: float = 60.0) -> CheapestFare:
    now = time.time()
    return CheapestFare(Decimal(amount), "USD", "off_a", 3, now - age_s, now + 10, now + stale_in)


def fresh_slot(day: int = 20, back: int | None = None) -> IndexSlot:
    ret = None if back is None else dt.date(2030, 6, back)
    return slot(uuid.uuid4().hex, "LHR", "JFK", dt.date(2030, 6, day), ret, "economy", 1)


async def test_a_recorded_fare_is_read_back_in_a_batch(client: aioredis.Redis) -> None:
    index = index_of(client)
    one, other = fresh_slot(20), fresh_slot(21, back=28)
    await index.record(one, fare("250.00"))
    await index.record(other, fare("499.90"))

    found = await index.lookup([one, fresh_slot(), other])

    assert [f and f.amount for f in found] == [Decimal("250.00"), None, Decimal("499.90")]
    assert other.field == "2030-06-21/2030-06-28"


async def test_the_hash_expires_with_the_longest_stale_window(client: aioredis.Redis) -> None:
    longer = fare(stale_in=3600)
    # The index's clock stands at the fares' making: the TTLs it sets are the full windows,
    # whatever the machine's load, and only minutes of stall before PTTL could bring the hour
    # under the bound (pytest-timeout ends the test first).
    index = index_of(client, clock=lambda: longer.cached_at)
    long, short = fresh_slot(20), fresh_slot(21)
    short = IndexSlot(long.key, short.field)  # same month hash
    await index.record(long, longer)
    await index.record(short, msgspec.structs.replace(longer, stale_until=longer.cached_at + 60))

    ttl_ms = await client.pttl(long.key)

    assert 3_000_000 < ttl_ms <= 3_600_000  # the shorter window did not cut the longer one


async def test_a_month_skips_fields_past_their_stale_window(client: aioredis.Redis) -> None:
    index = index_of(client)
    live, dead = fresh_slot(20), fresh_slot(21)
    dead = IndexSlot(live.key, dead.field)
    await index.record(live, fare(stale_in=600))
    await index.record(dead, fare(stale_in=60))  # kept by the hash's longer TTL, but stale

    month = await index_of(client, clock=lambda: time.time() + 120).month(live.key)

    assert set(month) == {live.field}


def test_max_age_decides_whether_a_fare_counts() -> None:
    now = time.time()
    old = fare(age_s=120)

    assert old.usable(now, max_age_s=3600)
    assert not old.usable(now, max_age_s=60)
    assert not fare(stale_in=-1).usable(now, max_age_s=3600)


async def test_a_down_redis_fails_reads_and_is_ignored_by_writes() -> None:
    dead = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    index = RedisFareIndex(dead, timeout_s=0.3, read_timeout_s=0.3)
    try:
        await index.record(fresh_slot(), fare())  # logged, not raised
        with pytest.raises(FareIndexError):
            await index.lookup([fresh_slot()])
    finally:
        await dead.aclose()


async def test_a_complete_search_records_its_first_offer(client: aioredis.Redis) -> None:
    fakes = [
        FakeConnector("idx-a", offers=[offer("700.00", segment("BA117"), source="idx-a")]),
        FakeConnector("idx-b", offers=[offer("640.00", segment("AA100"), source="idx-b")]),
    ]
    connectors = [ResilientConnector(f, ResiliencePolicy(retries=0)) for f in fakes]
    index = index_of(client)
    fares = ReadThroughCache(TieredFareCache(InMemoryFareCache(10)))
    # Only a complete answer is recorded: a deadline no busy machine reaches (the fakes answer
    # at once, so the search takes no longer for it).
    scope = uuid.uuid4().hex
    service = SearchService(
        connectors, default_deadline_ms=30_000, fares=fares, index=index, cache_scope=scope
    )
    day = dt.date.today() + dt.timedelta(days=40)
    request = SearchRequest(slices=(SliceQuery("LHR", "JFK", day),), passengers=Passengers())

    body, _ = await service.search_body(request)
    # The fare goes to the index behind the answer (`ReadThroughCache.behind`): on a busy machine
    # the search answers before that write has run.
    await fares.settle()
    where = slot(service.index_scope, "LHR", "JFK", day, None, "economy", 1)
    (recorded,) = await index.lookup([where])
    await service.close()

    assert recorded is not None
    assert (recorded.amount, recorded.offers) == (Decimal("640.00"), 2)
    assert recorded.offer_id.encode() in body


async def test_a_search_in_euros_records_its_fare_for_the_euro_calendar_only(
    client: aioredis.Redis,
) -> None:
    fake = FakeConnector(
        "idx-e", offers=[offer("590.00", segment("AF1381"), source="idx-e", currency="EUR")]
    )
    index = index_of(client)
    fares = ReadThroughCache(TieredFareCache(InMemoryFareCache(10)))
    service = SearchService(
        [ResilientConnector(fake, ResiliencePolicy(retries=0))],
        default_deadline_ms=30_000, fares=fares, index=index, cache_scope=uuid.uuid4().hex,
    )  # fmt: skip
    day = dt.date.today() + dt.timedelta(days=40)
    request = SearchRequest(
        slices=(SliceQuery("LHR", "JFK", day),), passengers=Passengers(), currency="EUR"
    )

    await service.search_body(request)
    await fares.settle()
    scope = service.index_scope
    await service.close()
    euros = await index.month(
        month_key(scope, "LHR", "JFK", "economy", 1, day.isoformat()[:7], "EUR")
    )
    dollars = await index.month(month_key(scope, "LHR", "JFK", "economy", 1, day.isoformat()[:7]))

    assert [(f.amount, f.currency) for f in euros.values()] == [(Decimal("590.00"), "EUR")]
    assert dollars == {}


async def test_forget_drops_a_fare_only_while_it_is_the_offer_given(
    client: aioredis.Redis,
) -> None:
    index = index_of(client)
    gone, kept, empty = fresh_slot(20), fresh_slot(21), fresh_slot(22)
    await index.record(gone, fare("250.00"))
    newer = msgspec.structs.replace(fare("260.00"), offer_id="off_newer")
    await index.record(kept, newer)

    await index.forget([gone, kept, empty], "off_a")

    assert await index.lookup([gone, kept, empty]) == [None, newer, None]


async def test_forget_each_drops_each_fare_only_while_it_is_its_own_offer(
    client: aioredis.Redis,
) -> None:
    index = index_of(client)
    a_here, a_there, b_here = fresh_slot(20), fresh_slot(21), fresh_slot(22)
    b_there = msgspec.structs.replace(a_there, field=b_here.field)  # another month's key
    a, b = fare("250.00"), msgspec.structs.replace(fare("260.00"), offer_id="off_b")
    for s, f in ((a_here, a), (a_there, a), (b_here, b), (b_there, b)):
        await index.record(s, f)

    # Two sales' fares in one call (a batch of sold offers); b_there is named for the wrong one.
    await index.forget_each([(a_here, "off_a"), (b_here, "off_b"), (b_there, "off_a")])

    assert await index.lookup([a_here, a_there, b_here, b_there]) == [None, a, None, b]
