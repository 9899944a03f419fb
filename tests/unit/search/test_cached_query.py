"""The raw-query fast path of `GET /v1/search`: what it answers is what the full path answers."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import msgspec

from cache.memory import InMemoryFareCache
from cache.read_through import ReadThroughCache
from cache.tiered import TieredFareCache
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.caching import (
    BODY_KEY_MAX_BYTES,
    QUERY_ENTRY_OVERHEAD_BYTES,
    QUERY_KEYS_L1_SHARE,
    QueryKeys,
    query_keys_bytes,
)
from search.model import SearchRequest, SearchResponse
from search.service import SearchService
from tests.fakes import A_DAY_MS, FakeConnector, offer, segment

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC).timestamp()
DAY = int(NOW // 86_400)
_ids = itertools.count()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def airline(**fake: Any) -> FakeConnector:
    name = f"fast-{next(_ids)}"
    fake.setdefault("offers", [offer("500.00", segment("BA117"), source=name)])
    return FakeConnector(name, **fake)


def service(fake: FakeConnector, clock: Clock) -> tuple[SearchService, ReadThroughCache]:
    store = TieredFareCache(InMemoryFareCache(100, clock=clock), clock=clock)
    fares = ReadThroughCache(store, clock=clock)
    connector = ResilientConnector(fake, ResiliencePolicy(retries=0))
    return SearchService(
        [connector], default_deadline_ms=A_DAY_MS, fares=fares, wall_clock=clock
    ), fares


def request(**fields: Any) -> SearchRequest:
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", dt.date(2030, 5, 1)),), passengers=Passengers(), **fields
    )


def _without_ids(body: bytes) -> dict[str, Any]:
    """The response minus what differs between any two answers (its id, its own timing)."""
    decoded: dict[str, Any] = msgspec.json.decode(body)
    del decoded["search_id"], decoded["meta"]["took_ms"]
    return decoded


async def test_a_query_seen_before_is_answered_from_l1_as_the_full_path_answers_it() -> None:
    fake = airline()
    svc, _ = service(fake, Clock())
    await svc.search_body(request(), raw_query="origin=LHR&x", day=DAY)

    fast = svc.cached_query_body("origin=LHR&x", DAY)
    full, state = await svc.search_body(request())

    assert fast is not None
    assert state == "hit"
    assert _without_ids(fast) == _without_ids(full)
    assert msgspec.json.decode(fast)["meta"]["cache"] == "hit"
    assert msgspec.json.decode(fast)["search_id"] != msgspec.json.decode(full)["search_id"]
    assert fake.search_calls == 1


async def test_an_unseen_query_or_one_validated_on_another_day_takes_the_full_path() -> None:
    svc, _ = service(airline(), Clock())
    await svc.search_body(request(), raw_query="q", day=DAY)

    assert svc.cached_query_body("q2", DAY) is None
    # Validation judges dates against the day: tomorrow the same string may be invalid.
    assert svc.cached_query_body("q", DAY + 1) is None


async def test_a_cache_false_query_is_never_remembered() -> None:
    fake = airline()
    svc, _ = service(fake, Clock())
    await svc.search_body(request(), raw_query="q", day=DAY)

    _, state = await svc.search_body(request(cache=False), raw_query="q&cache=false", day=DAY)

    assert state == "miss"
    assert svc.cached_query_body("q&cache=false", DAY) is None
    assert fake.search_calls == 2


async def test_a_stale_entry_is_left_to_the_full_path_which_serves_it_stale() -> None:
    clock = Clock()
    svc, fares = service(airline(), clock)
    await svc.search_body(request(), raw_query="q", day=DAY)
    clock.now += 901  # past the 900 s fresh TTL of a departure months ahead

    assert svc.cached_query_body("q", DAY) is None
    _, state = await svc.search_body(request(), raw_query="q", day=DAY)
    assert state == "stale"
    await fares.settle()
    assert svc.cached_query_body("q", DAY) is not None  # refreshed: fresh again


async def test_two_spellings_of_one_search_share_its_cached_answer() -> None:
    fake = airline()
    svc, _ = service(fake, Clock())

    _, first = await svc.search_body(request(), raw_query="origin=LHR", day=DAY)
    _, second = await svc.search_body(request(), raw_query="origin=lhr", day=DAY)

    assert (first, second) == ("miss", "hit")
    assert svc.cached_query_body("origin=LHR", DAY) is not None
    assert svc.cached_query_body("origin=lhr", DAY) is not None
    assert fake.search_calls == 1


async def test_the_fast_path_serves_the_newest_answer_stored_for_the_search() -> None:
    fake = airline(offers=[offer("500.00", segment("BA117"))])
    svc, _ = service(fake, Clock())
    await svc.search_body(request(), raw_query="q", day=DAY)

    fake.offers = [offer("450.00", segment("BA175"))]
    await svc.search_body(request(cache=False))  # a forced live search stores its answer

    fast = svc.cached_query_body("q", DAY)
    assert fast is not None
    assert msgspec.json.decode(fast)["offers"][0]["total_amount"] == "450.00"


async def test_without_a_fare_cache_nothing_is_remembered() -> None:
    connector = ResilientConnector(airline(), ResiliencePolicy(retries=0))
    svc = SearchService([connector], default_deadline_ms=A_DAY_MS)

    _, state = await svc.search_body(request(), raw_query="q", day=DAY)

    assert state == "miss"
    assert svc.cached_query_body("q", DAY) is None


def test_query_keys_are_bounded_by_clearing_when_full() -> None:
    keys = QueryKeys(max_entries=2)
    keys.put("a", "key-a", DAY)
    keys.put("b", "key-b", DAY)
    keys.put("c", "key-c", DAY)

    assert len(keys) == 1
    assert (keys.get("a", DAY), keys.get("c", DAY)) == (None, "key-c")


def test_query_keys_are_bounded_in_bytes_too() -> None:
    keys = QueryKeys(max_bytes=2 * (QUERY_ENTRY_OVERHEAD_BYTES + 1))
    keys.put("a", "key-a", DAY)
    keys.put("b", "key-b", DAY)
    keys.put("b", "key-b", DAY + 1)  # the same query again costs nothing more
    assert (len(keys), keys.bytes) == (2, keys.max_bytes)

    keys.put("c", "key-c", DAY)

    assert (len(keys), keys.get("c", DAY)) == (1, "key-c")


def test_a_services_query_keys_take_a_share_of_its_l1s_bytes() -> None:
    clock = Clock()
    l1 = InMemoryFareCache(100, max_bytes=16 * 2**20, clock=clock)
    fares = ReadThroughCache(TieredFareCache(l1, clock=clock), clock=clock)

    assert query_keys_bytes(fares) == 16 * 2**20 // QUERY_KEYS_L1_SHARE
    assert query_keys_bytes(None) == 0


async def test_a_body_seen_before_is_answered_from_l1_as_the_full_path_answers_it() -> None:
    fake = airline()
    svc, _ = service(fake, Clock())
    body = b'{"slices":[{"origin":"LHR","destination":"JFK","departure_date":"2030-05-01"}]}'
    await svc.search_body(request(), raw_query=body, day=DAY)

    fast = svc.cached_query_body(body, DAY, channel="post")
    full, state = await svc.search_body(request())

    assert fast is not None
    assert state == "hit"
    assert _without_ids(fast) == _without_ids(full)
    # A query string with the same characters is another request: it was never validated.
    assert svc.cached_query_body(body.decode(), DAY) is None
    assert fake.search_calls == 1


async def test_a_body_over_the_size_bound_is_not_remembered() -> None:
    svc, _ = service(airline(), Clock())
    padded = b'{"slices": []' + b" " * BODY_KEY_MAX_BYTES + b"}"

    await svc.search_body(request(), raw_query=padded, day=DAY)

    assert svc.cached_query_body(padded, DAY, channel="post") is None


async def test_a_cached_answer_is_byte_for_byte_its_search_response_encoded() -> None:
    fake = airline()
    svc, _ = service(fake, Clock())
    await svc.search_body(request(), raw_query="q", day=DAY)

    fast = svc.cached_query_body("q", DAY)
    full, state = await svc.search_body(request())

    assert fast is not None
    assert state == "hit"
    for body in (fast, full):
        answer = msgspec.json.decode(body, type=SearchResponse)
        assert re.fullmatch(r"srch_[A-Za-z0-9_-]{16}", answer.search_id)
        assert msgspec.json.encode(answer) == body
