"""The fare index tells partners how many offers a route's search found, not how many the
traveler whose search fed it asked to see (`limit`)."""

import datetime as dt
from decimal import Decimal

import msgspec

from cache.memory import InMemoryFareCache
from cache.model import FareEntry, dump_entry, load_entry
from cache.read_through import ReadThroughCache
from cache.tags import InMemoryTagIndex
from cache.tiered import TieredFareCache
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.fare_index import InMemoryFareIndex
from search.model import SearchRequest
from search.service import SearchService
from search.stale_fares import StaleFares
from tests.fakes import FakeConnector, offer, segment


def request(limit: int) -> SearchRequest:
    day = dt.date.today() + dt.timedelta(days=30)
    return SearchRequest(
        slices=(SliceQuery("LHR", "JFK", day),), passengers=Passengers(), limit=limit
    )


def service_over(index: InMemoryFareIndex) -> tuple[SearchService, ReadThroughCache]:
    flights = [
        offer(f"{500 + n}.00", segment(f"BA11{n}", f"2030-05-01T0{n}:00"), source="three")
        for n in range(3)
    ]
    store = TieredFareCache(InMemoryFareCache(10), InMemoryFareCache(10))
    fares = ReadThroughCache(store)
    stale = StaleFares(store, InMemoryTagIndex(), index, timeout_s=1.0, tag_timeout_s=1.0)
    connector = ResilientConnector(FakeConnector("three", offers=flights), ResiliencePolicy())
    service = SearchService(
        [connector], default_deadline_ms=500, fares=fares, index=index, stale=stale
    )
    return service, fares


async def test_a_search_limited_to_one_offer_indexes_all_it_found() -> None:
    index = InMemoryFareIndex()
    service, fares = service_over(index)

    body, _ = await service.search_body(request(limit=1))
    await fares.settle()

    assert len(msgspec.json.decode(body)["offers"]) == 1
    [fields] = index.hashes.values()
    [fare] = fields.values()
    assert (fare.amount, fare.offers) == (Decimal("500.00"), 3)


async def test_a_live_bulk_line_counts_all_the_offers_found() -> None:
    service, _ = service_over(InMemoryFareIndex())

    fare, entry = await service.cheapest(request(limit=2))

    assert fare is not None
    assert (entry.offer_count, fare.offers) == (2, 3)


class EntryBefore(msgspec.Struct, array_like=True):
    """`FareEntry` as the release before stored and read it."""

    offers: bytes
    connectors: bytes
    partial: bool
    offer_count: int
    cached_at: float
    fresh_until: float
    stale_until: float


def test_entries_of_the_release_before_and_this_one_read_each_other() -> None:
    before = msgspec.msgpack.encode(EntryBefore(b"[]", b"[]", False, 4, 0.0, 1.0, 2.0))
    assert load_entry(before).offers_found == 4

    after = dump_entry(FareEntry(b"[]", b"[]", False, 4, 0.0, 1.0, 2.0, found=9))
    assert load_entry(after).offers_found == 9
    assert msgspec.msgpack.decode(after, type=EntryBefore).offer_count == 4
