"""A loaded answer is served before its Redis writes land, and nothing that relied on the order
of those writes changes: L1 at once, the lock released only once the entry is shared, `settle`
and `close` wait for what is still being written."""

import asyncio
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

import msgspec

from cache.flight_lock import InMemoryFlightLock
from cache.memory import InMemoryFareCache
from cache.model import CacheError, FareEntry
from cache.read_through import Loaded, ReadThroughCache
from cache.tags import InMemoryTagIndex
from cache.tiered import TieredFareCache
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.fare_index import CheapestFare, IndexSlot, InMemoryFareIndex
from search.model import SearchRequest
from search.service import SearchService
from search.stale_fares import StaleFares
from tests.fakes import FakeConnector, offer, segment

KEY = "skyfare:fares:v1:write-behind"
TIMEOUT = 0.05


def entry() -> FareEntry:
    now = time.time()
    return FareEntry(b"[1]", b"[]", False, 1, now, now + 60, now + 240)


class GatedCache(InMemoryFareCache):
    """A shared L2 (Redis, as the other processes see it) whose writes wait for `gate`."""

    def __init__(self) -> None:
        super().__init__(10)
        self.gate = asyncio.Event()
        self.writing = asyncio.Event()

    async def set(self, key: str, value: FareEntry, *, timeout: float) -> None:
        self.writing.set()
        await self.gate.wait()
        await super().set(key, value, timeout=timeout)


class GatedIndex(InMemoryFareIndex):
    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def record(self, slot: IndexSlot, fare: CheapestFare) -> None:
        await self.gate.wait()
        await super().record(slot, fare)


class DownTags(InMemoryTagIndex):
    async def add(self, *args: object, **kwargs: object) -> bool:
        raise CacheError("down")


class DownCache(InMemoryFareCache):
    async def set(self, key: str, value: FareEntry, *, timeout: float) -> None:
        raise CacheError("down")

    async def delete(self, keys: Sequence[str], *, timeout: float) -> None:
        raise CacheError("down")


def loaded(storable: bool = True) -> "asyncio.Future[Loaded]":
    done: asyncio.Future[Loaded] = asyncio.get_running_loop().create_future()
    done.set_result((entry(), storable))
    return done


async def test_an_answer_is_returned_before_its_redis_write_lands() -> None:
    shared = GatedCache()
    fares = ReadThroughCache(TieredFareCache(InMemoryFareCache(10), shared))

    found, state = await fares.fetch(KEY, lambda _: loaded(), timeout=TIMEOUT)

    assert state == "miss"
    assert fares.store.peek_fresh(KEY) == found  # this process's next lookups: L1 at once
    assert shared.peek(KEY) is None
    assert fares.writing == 1
    shared.gate.set()
    await fares.settle()
    assert (shared.peek(KEY), fares.writing) == (found, 0)


async def test_the_lock_is_released_only_once_the_entry_is_shared() -> None:
    shared = GatedCache()
    lock = InMemoryFlightLock(shared)
    first = ReadThroughCache(TieredFareCache(InMemoryFareCache(10), shared), lock=lock)
    second = ReadThroughCache(
        TieredFareCache(InMemoryFareCache(10), shared), lock=lock, lock_wait_s=60, poll_s=0.001
    )
    asked = 0

    def second_loader(_: bool) -> "asyncio.Future[Loaded]":
        nonlocal asked
        asked += 1
        return loaded()

    won, _ = await first.fetch(KEY, lambda _: loaded(), timeout=TIMEOUT)
    await shared.writing.wait()
    assert lock.holders  # answered, still writing: the lock still says "being loaded"
    waiting = asyncio.create_task(second.fetch(KEY, second_loader, timeout=TIMEOUT))
    shared.gate.set()

    found, state = await waiting
    assert (found, state, asked) == (won, "hit", 0)  # it waited for the entry, not loaded
    await first.settle()
    assert not lock.holders


async def test_an_answer_not_stored_releases_the_lock_after_it() -> None:
    lock = InMemoryFlightLock(InMemoryFareCache(10))
    fares = ReadThroughCache(TieredFareCache(InMemoryFareCache(10), lock.shared), lock=lock)

    await fares.fetch(KEY, lambda _: loaded(storable=False), timeout=TIMEOUT)
    await fares.settle()

    assert not lock.holders
    assert lock.shared.peek(KEY) is None


async def test_close_waits_for_the_writes_of_answers_served() -> None:
    shared = GatedCache()
    fares = ReadThroughCache(TieredFareCache(InMemoryFareCache(10), shared))
    found, _ = await fares.fetch(KEY, lambda _: loaded(), timeout=TIMEOUT)

    closing = asyncio.create_task(fares.close())
    await shared.writing.wait()
    assert not closing.done()
    shared.gate.set()
    await closing

    assert shared.peek(KEY) == found  # written, not cancelled


def request() -> SearchRequest:
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", dt.date.today() + dt.timedelta(days=30)),),
        passengers=Passengers(),
        cache=False,
    )


def searching(
    fake: FakeConnector, store: TieredFareCache, index: InMemoryFareIndex, tags: InMemoryTagIndex
) -> tuple[SearchService, ReadThroughCache]:
    fares = ReadThroughCache(store)
    stale = StaleFares(store, tags, index, timeout_s=1.0, tag_timeout_s=1.0)
    connectors = [ResilientConnector(fake, ResiliencePolicy(retries=0))]
    service = SearchService(
        connectors, default_deadline_ms=500, fares=fares, index=index, stale=stale
    )
    return service, fares


async def test_a_search_answers_before_its_fare_is_indexed_and_indexes_it_after() -> None:
    fake = FakeConnector("behind", offers=[offer("500.00", segment("BA117"), source="behind")])
    index = GatedIndex()
    store = TieredFareCache(InMemoryFareCache(10), InMemoryFareCache(10))
    service, fares = searching(fake, store, index, InMemoryTagIndex())

    _, state = await service.search_body(request())

    assert (state, index.hashes) == ("miss", {})
    index.gate.set()
    await fares.settle()
    [fields] = index.hashes.values()
    assert [fare.amount for fare in fields.values()] == [500]


async def test_a_live_search_is_flagged_at_once_when_redis_is_down() -> None:
    fake = FakeConnector("down", offers=[offer("500.00", segment("BA117"), source="down")])
    store = TieredFareCache(InMemoryFareCache(10), DownCache(10))
    service, fares = searching(fake, store, InMemoryFareIndex(), DownTags())

    body, _ = await service.search_body(request())  # the first search since Redis went

    assert b'"cache_unavailable":true' in body
    await fares.settle()


class GatedTags(InMemoryTagIndex):
    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def add(self, *args: Any, **kwargs: Any) -> bool:
        await self.gate.wait()
        return await super().add(*args, **kwargs)


def answered(store: TieredFareCache) -> TieredFareCache:
    store.noted(None, began=time.monotonic())  # Redis has answered a call of this process
    return store


async def test_once_redis_answers_a_search_answers_before_its_offers_are_tagged() -> None:
    fake = FakeConnector("tags", offers=[offer("500.00", segment("BA117"), source="tags")])
    shared = InMemoryFareCache(10)
    store = answered(TieredFareCache(InMemoryFareCache(10), shared))
    tags = GatedTags()
    service, fares = searching(fake, store, InMemoryFareIndex(), tags)

    body, state = await service.search_body(request())

    assert state == "miss"
    assert b'"cache_unavailable"' not in body
    assert (tags.sets, len(store.l1)) == ({}, 1)  # in L1 at once, not tagged yet
    tags.gate.set()
    await fares.settle()
    assert (len(tags.sets), len(shared)) == (1, 1)


async def test_an_offer_repriced_wrong_before_its_answer_is_tagged_keeps_it_out_of_the_cache() -> (
    None
):
    fake = FakeConnector("race", offers=[offer("500.00", segment("BA117"), source="race")])
    shared, index = InMemoryFareCache(10), InMemoryFareIndex()
    store = answered(TieredFareCache(InMemoryFareCache(10), shared))
    tags = GatedTags()
    service, fares = searching(fake, store, index, tags)
    body, _ = await service.search_body(request())
    [served] = msgspec.json.decode(body)["offers"]

    assert service.stale_fares is not None
    await service.stale_fares.checked(served["id"], "changed")  # the traveler re-prices at once
    tags.gate.set()
    await fares.settle()

    assert (tags.sets, len(store.l1), len(shared)) == ({}, 0, 0)
    assert [fields for fields in index.hashes.values() if fields] == []


class SlowThenDown(InMemoryFareCache):
    """A Redis whose reads wait for `gate` (begun before it went down) and whose writes fail."""

    def __init__(self) -> None:
        super().__init__(10)
        self.gate = asyncio.Event()

    async def get(self, key: str, *, timeout: float) -> FareEntry | None:
        await self.gate.wait()
        return None

    async def set(self, key: str, value: FareEntry, *, timeout: float) -> None:
        raise CacheError("down")


async def test_an_answer_from_before_a_failure_does_not_make_redis_count_as_answering() -> None:
    shared = SlowThenDown()
    store = answered(TieredFareCache(InMemoryFareCache(10), shared))
    older = asyncio.create_task(store.get(KEY, timeout=TIMEOUT))
    await asyncio.sleep(0)  # the read is sent

    await store.share(KEY, entry(), timeout=TIMEOUT)  # fails: searches wait for their tags
    shared.gate.set()
    await older  # answered, but it began before the failure

    assert not store.shared_confirmed
    await store.get(KEY, timeout=TIMEOUT)
    assert store.shared_confirmed
