"""Stale fares: tags from offers to cached answers, and what each re-pricing outcome evicts."""

import asyncio
import datetime as dt
import itertools
import time
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from prometheus_client import REGISTRY

from cache.memory import InMemoryFareCache
from cache.read_through import ReadThroughCache
from cache.tags import InMemoryTagIndex
from cache.tiered import TieredFareCache
from connectors import errors
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from kernel.errors import Conflict, Gone, NotFound
from search.caching import cache_key
from search.fare_index import IndexSlot, InMemoryFareIndex
from search.model import SearchRequest
from search.service import SearchService
from search.stale_fares import StaleFares, member, parse_members
from tests.fakes import FakeConnector, offer, segment

_ids = itertools.count()


class Setup:
    """A search service over an L1, a shared L2 (another process's view of Redis), tags, index."""

    def __init__(self, fake: FakeConnector) -> None:
        self.fake = fake
        self.l1 = InMemoryFareCache(100)
        self.l2 = InMemoryFareCache(100)
        self.tags = InMemoryTagIndex()
        self.index = InMemoryFareIndex()
        store = TieredFareCache(self.l1, self.l2)
        self.stale = StaleFares(store, self.tags, self.index, timeout_s=1.0, tag_timeout_s=1.0)
        self.fares = ReadThroughCache(store)
        self.service = SearchService(
            [ResilientConnector(fake, ResiliencePolicy(retries=0))],
            default_deadline_ms=500,
            fares=self.fares,
            index=self.index,
            stale=self.stale,
        )

    def key(self, request: SearchRequest) -> str:
        # The scope SearchService builds from its connector names.
        return cache_key(request, b"\n" + self.fake.name.encode() + b"\n\n")


def airline() -> FakeConnector:
    name = f"stale-{next(_ids)}"
    offers = [
        offer("500.00", segment("BA117"), source=name),
        offer("650.00", segment("BA175"), source=name),
    ]
    return FakeConnector(name, offers=offers)


def request(**fields: Any) -> SearchRequest:
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    return SearchRequest(slices=(SliceQuery("LHR", "JFK", day),), passengers=Passengers(), **fields)


def checks(outcome: str) -> float:
    value = REGISTRY.get_sample_value("skyfare_cache_price_checks_total", {"outcome": outcome})
    return value or 0.0


def test_members_name_the_cache_key_and_the_index_slot() -> None:
    slot = IndexSlot("skyfare:cheapest:v1:s:LHR:JFK:economy:1:2030-06", "2030-06-20")
    members = [member("k1", slot), member("k2", None), member("k1", slot)]

    keys, slots = parse_members(members)

    assert keys == ["k1", "k2"]
    assert slots == [slot]


async def test_a_stored_answer_is_tagged_with_each_of_its_offers() -> None:
    setup = Setup(airline())

    await setup.service.search_body(request())

    first, second = setup.fake.offers
    assert set(setup.tags.sets) == {first.id, second.id}
    [tagged] = setup.tags.sets[first.id]
    assert parse_members([tagged])[0] == [setup.key(request())]


async def test_a_partial_answer_is_not_tagged() -> None:
    fake = airline()
    fake.fail_with = errors.ConnectorError("down")
    setup = Setup(fake)

    await setup.service.search_body(request())

    assert setup.tags.sets == {}


@pytest.mark.parametrize(
    ("failure", "raised", "outcome"),
    [
        (errors.SoldOut("no seats"), Gone, "gone"),
        (errors.OfferExpired("too late"), Gone, "gone"),
        (errors.PriceChanged("moved", new_amount=Decimal("520.00"), currency="USD"), Conflict,
         "changed"),
    ],
)  # fmt: skip
async def test_a_price_that_moved_evicts_the_answers_and_their_indexed_fare(
    failure: Exception, raised: type[Exception], outcome: str
) -> None:
    setup = Setup(airline())
    sorted_by_duration = request(sort="duration")
    await setup.service.search_body(request())
    await setup.service.search_body(sorted_by_duration)
    cheapest = setup.fake.offers[0]
    before = checks(outcome)
    setup.fake.fail_with = failure

    with pytest.raises(raised):
        await setup.service.get_offer(cheapest.id)

    for req in (request(), sorted_by_duration):
        assert setup.l1.peek(setup.key(req)) is None
        assert setup.l2.peek(setup.key(req)) is None
    assert all(not fields for fields in setup.index.hashes.values())
    assert cheapest.id not in setup.tags.sets
    assert checks(outcome) == before + 1


async def test_a_price_that_held_evicts_nothing() -> None:
    setup = Setup(airline())
    await setup.service.search_body(request())
    before = checks("held")

    await setup.service.get_offer(setup.fake.offers[0].id)

    assert setup.l1.peek(setup.key(request())) is not None
    assert checks("held") == before + 1


async def test_an_offer_no_cached_answer_holds_is_not_counted() -> None:
    setup = Setup(airline())
    before = {o: checks(o) for o in ("held", "changed", "gone")}

    await setup.service.get_offer(setup.fake.offers[0].id)
    setup.fake.fail_with = errors.SoldOut("no seats")
    with pytest.raises(Gone):
        await setup.service.get_offer(setup.fake.offers[1].id)

    assert {o: checks(o) for o in before} == before


async def test_an_offer_unknown_to_the_airline_evicts_nothing() -> None:
    setup = Setup(airline())
    await setup.service.search_body(request())
    setup.fake.fail_with = errors.OfferNotFound("who?")

    with pytest.raises(NotFound):
        await setup.service.get_offer(setup.fake.offers[0].id)

    assert setup.l1.peek(setup.key(request())) is not None


async def test_a_newer_indexed_fare_survives_the_eviction_of_an_older_one() -> None:
    setup = Setup(airline())
    await setup.service.search_body(request())
    [(slot_key, fields)] = setup.index.hashes.items()
    [(field, fare)] = fields.items()
    newer = type(fare)(fare.amount, "USD", "off_newer", 1, time.time(), fare.fresh_until,
                       fare.stale_until)  # fmt: skip
    fields[field] = newer
    setup.fake.fail_with = errors.SoldOut("no seats")

    with pytest.raises(Gone):
        await setup.service.get_offer(setup.fake.offers[0].id)

    assert setup.index.hashes[slot_key][field] == newer


async def test_a_sale_evicts_the_answers_without_counting_a_check() -> None:
    setup = Setup(airline())
    await setup.service.search_body(request())
    before = {o: checks(o) for o in ("held", "changed", "gone")}

    await setup.stale.sold(setup.fake.offers[0].id)
    await setup.stale.finish_owed()
    await setup.fares.settle()  # the answer's own writes, after it

    assert setup.l1.peek(setup.key(request())) is None
    assert setup.l2.peek(setup.key(request())) is None
    assert {o: checks(o) for o in before} == before


async def test_a_search_in_flight_when_its_answer_is_evicted_answers_but_does_not_store() -> None:
    fake = airline()
    setup = Setup(fake)
    await setup.service.search_body(request())
    fake.delay = 0.2
    in_flight = asyncio.ensure_future(setup.service.search_body(request(cache=False)))
    await asyncio.sleep(0.05)  # it asked the airline, before the sale

    await setup.stale.checked(fake.offers[0].id, "gone")
    body, state = await in_flight
    await setup.fares.settle()  # its writes, after the answer

    assert state == "miss"
    assert msgspec.json.decode(body)["offers"]
    assert setup.l1.peek(setup.key(request())) is None
    assert setup.l2.peek(setup.key(request())) is None
    assert fake.offers[0].id not in setup.tags.sets
