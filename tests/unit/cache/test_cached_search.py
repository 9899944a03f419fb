"""Searches through the fare cache (L1 + a fake L2): hits, single-flight, stale-while-revalidate."""

import asyncio
import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

import msgspec
from prometheus_client import REGISTRY

from cache.memory import InMemoryFareCache
from cache.model import CacheError, FareCache, FareEntry
from cache.read_through import ReadThroughCache
from cache.tiered import TieredFareCache
from connectors import errors
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.model import SearchRequest, SearchResponse
from search.service import SearchService
from tests.fakes import A_DAY_MS, FakeConnector, offer, segment

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC).timestamp()
_ids = itertools.count()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class BrokenFareCache:
    """An L2 that is down."""

    async def get(self, key: str, *, timeout: float) -> FareEntry | None:
        raise CacheError("down")

    async def set(self, key: str, entry: FareEntry, *, timeout: float) -> None:
        raise CacheError("down")

    async def delete(self, keys: Sequence[str], *, timeout: float) -> None:
        raise CacheError("down")


def airline(**fake: Any) -> FakeConnector:
    name = f"cached-{next(_ids)}"
    fake.setdefault("offers", [offer("500.00", segment("BA117"), source=name)])
    return FakeConnector(name, **fake)


def service(
    *fakes: FakeConnector, clock: Clock, l2: FareCache | None = None
) -> tuple[SearchService, ReadThroughCache]:
    store = TieredFareCache(InMemoryFareCache(100, clock=clock), l2, clock=clock)
    fares = ReadThroughCache(store, clock=clock)
    connectors = [ResilientConnector(f, ResiliencePolicy(retries=0)) for f in fakes]
    svc = SearchService(connectors, default_deadline_ms=A_DAY_MS, fares=fares, wall_clock=clock)
    return svc, fares


def request(**fields: Any) -> SearchRequest:
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", dt.date(2030, 5, 1)),), passengers=Passengers(), **fields
    )


async def test_a_hit_body_decodes_to_the_same_response_as_a_live_search() -> None:
    fake = airline(offers=[offer("700.00", segment("BA117")), offer("500.00", segment("BA175"))])
    svc, _ = service(fake, clock=Clock())

    await svc.search_body(request())
    body, state = await svc.search_body(request())
    live = await svc.search(request())

    cached = msgspec.json.decode(body, type=SearchResponse)
    assert state == "hit"
    assert cached.search_id.startswith("srch_")
    assert cached.offers == live.offers
    assert cached.meta.cache == "hit"
    assert (cached.meta.partial, cached.meta.connectors[0].offers) == (False, 2)
    assert fake.search_calls == 2  # the miss and the live search; the hit asked nobody


async def test_concurrent_identical_misses_run_one_fan_out() -> None:
    fake = airline(delay=0.01)
    svc, _ = service(fake, clock=Clock())

    results = await asyncio.gather(*(svc.search_body(request()) for _ in range(50)))

    assert {state for _, state in results} == {"miss"}
    assert fake.search_calls == 1
    ids = {msgspec.json.decode(body)["search_id"] for body, _ in results}
    assert len(ids) == 50  # each response its own search id


async def test_a_stale_entry_is_served_at_once_while_one_refresh_runs() -> None:
    clock = Clock()
    fake = airline()
    svc, fares = service(fake, clock=clock)
    await svc.search_body(request())
    clock.now += 901  # past the 900 s fresh TTL of a departure months ahead

    (_, first), (_, second) = await asyncio.gather(
        svc.search_body(request()), svc.search_body(request())
    )
    assert (first, second) == ("stale", "stale")
    assert fares.refreshing == 1
    await fares.settle()

    _, state = await svc.search_body(request())
    assert state == "hit"
    assert fake.search_calls == 2


async def test_a_partial_answer_is_not_cached() -> None:
    svc, _ = service(airline(), airline(fail_with=errors.ConnectorError("down")), clock=Clock())

    first, _ = await svc.search_body(request())
    _, state = await svc.search_body(request())

    assert msgspec.json.decode(first)["meta"]["partial"] is True
    assert state == "miss"


async def test_a_complete_answer_without_flights_is_cached_briefly() -> None:
    clock = Clock()
    svc, _ = service(airline(offers=[]), clock=clock)
    await svc.search_body(request())

    _, state = await svc.search_body(request())
    clock.now += 31
    _, later = await svc.search_body(request())

    assert (state, later) == ("hit", "stale")


async def test_cache_false_searches_live_and_refreshes_the_entry() -> None:
    clock = Clock()
    fake = airline()
    svc, _ = service(fake, clock=clock)
    await svc.search_body(request())
    clock.now += 10

    _, state = await svc.search_body(request(cache=False))
    body, again = await svc.search_body(request())

    assert (state, again, fake.search_calls) == ("miss", "hit", 2)
    assert msgspec.json.decode(body, type=SearchResponse).meta.cache == "hit"


async def test_a_broken_l2_is_a_counted_miss_and_the_search_answers() -> None:
    def errors_counted() -> float:
        sample = REGISTRY.get_sample_value(
            "skyfare_cache_requests_total", {"layer": "redis", "outcome": "error"}
        )
        return sample or 0.0

    before = errors_counted()
    svc, _ = service(airline(), clock=Clock(), l2=BrokenFareCache())

    body, state = await svc.search_body(request())

    assert state == "miss"
    assert msgspec.json.decode(body)["offers"]
    assert errors_counted() == before + 2  # the GET and the SET


async def test_close_cancels_a_running_refresh() -> None:
    clock = Clock()
    fake = airline()
    svc, fares = service(fake, clock=clock)
    await svc.search_body(request())
    fake.delay = 10.0
    clock.now += 901
    await svc.search_body(request())
    assert fares.refreshing == 1

    await svc.close()

    assert fares.refreshing == 0
