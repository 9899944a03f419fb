"""The NDC connector against the simulated NDC airline over sockets (FAST profile)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import pytest
from lxml import etree
from multidict import CIMultiDict

from connectors import errors
from connectors.model import (
    Offer,
    Passengers,
    parse_iso_duration,
)
from connectors.ndc import NdcConnector, schemas
from tests.integration.ndc.conftest import CRIMSON, TIMEOUT, SimClock, ndc_sim_app, serve
from tests.support.flights import LHR_JFK, adults, day, flights, query, supplier_id
from tests.support.ndc_exchanges import ExchangeRecorder
from tests.support.sim import SimHandle

NS = {"n": schemas.MESSAGE_NS, "c": schemas.COMMON_NS}


def error_codes(body: bytes) -> list[str]:
    """The `Error/Code`s of an NDC 21.3 answer."""
    return [str(c) for c in etree.fromstring(body).xpath("n:Error/c:Code/text()", namespaces=NS)]


async def test_start_learns_the_route_network_and_the_carrier(crimson: NdcConnector) -> None:
    assert crimson.serves(LHR_JFK)
    assert crimson.serves(query(("MAN", "MCO", 30)))
    assert not crimson.serves(query(("FRA", "JFK", 30)))


async def test_lhr_jfk_nonstop_offers_map_into_the_domain(crimson: NdcConnector) -> None:
    asked_at = dt.datetime.now(dt.UTC)
    offers = await crimson.search(query(("LHR", "JFK", 30), stops=0), timeout=TIMEOUT)

    assert offers
    for offer in offers:
        [journey] = offer.slices
        [segment] = journey.segments
        assert (offer.owner.iata_code, offer.owner.name) == ("VS", "Crimson Atlantic")
        assert offer.source == "ndc-crimson"
        assert (segment.origin, segment.destination, segment.marketing_carrier) == (
            "LHR",
            "JFK",
            "VS",
        )
        assert segment.flight_number.startswith("VS")
        assert segment.departing_at.tzinfo is None
        assert segment.departing_at.date() == day(30)
        # Local times: New York is 5 hours behind London in winter and 4 in summer.
        local_span = segment.arriving_at - segment.departing_at
        elapsed = dt.timedelta(minutes=parse_iso_duration(journey.duration))
        assert elapsed - local_span in (dt.timedelta(hours=5), dt.timedelta(hours=4))
        assert offer.total_amount == offer.base_amount + offer.tax_amount
        assert offer.total_amount.as_tuple().exponent == -2
        assert offer.total_currency == "USD"
        expires_in = offer.expires_at - asked_at
        assert dt.timedelta(minutes=29) < expires_in <= dt.timedelta(minutes=31)


async def test_round_trip_is_one_offer_with_both_journeys(crimson: NdcConnector) -> None:
    offers = await crimson.search(query(("LHR", "JFK", 30), ("JFK", "LHR", 37)), timeout=TIMEOUT)

    assert offers
    for offer in offers:
        outbound, inbound = offer.slices
        assert (outbound.origin, outbound.destination) == ("LHR", "JFK")
        assert (inbound.origin, inbound.destination) == ("JFK", "LHR")
        assert inbound.segments[0].departing_at.date() == day(37)


async def test_family_offers_price_adults_children_and_infants(crimson: NdcConnector) -> None:
    family = Passengers(adults=2, children=1, infants=1)
    [alone] = await crimson.search(query(("LHR", "JFK", 30), stops=0), timeout=TIMEOUT)
    [together] = await crimson.search(
        query(("LHR", "JFK", 30), passengers=family, stops=0), timeout=TIMEOUT
    )

    assert together.passengers == family
    assert flights(together) == flights(alone)
    # Two adults, plus a child and an infant each paying less than an adult and more than nothing.
    assert 2 * alone.base_amount < together.base_amount < 3 * alone.base_amount


async def test_price_is_unchanged_until_a_group_booking_moves_the_load(
    crimson: NdcConnector,
) -> None:
    [offer] = await crimson.search(LHR_JFK, timeout=TIMEOUT)

    same = await crimson.price(supplier_id(offer), timeout=TIMEOUT)
    [group] = await crimson.search(
        query(("LHR", "JFK", 30), passengers=Passengers(adults=30)), timeout=TIMEOUT
    )
    await crimson.hold(supplier_id(group), adults(30), reference="ord_group", timeout=TIMEOUT)
    moved = await crimson.price(supplier_id(offer), timeout=TIMEOUT)

    assert (same.price_changed, same.id, same.total_amount) == (False, offer.id, offer.total_amount)
    assert moved.price_changed
    assert moved.id != offer.id
    assert moved.total_amount > offer.total_amount
    assert moved.seats_remaining == offer.seats_remaining - 30


async def test_order_create_retrieve_ticket_and_cancel(crimson: NdcConnector) -> None:
    [offer] = await crimson.search(
        query(("LHR", "JFK", 30), passengers=Passengers(adults=2)), timeout=TIMEOUT
    )

    held = await crimson.hold(supplier_id(offer), adults(2), reference="ord_1", timeout=TIMEOUT)
    found = await crimson.retrieve("ord_1", timeout=TIMEOUT)
    ticketed = await crimson.ticket(held.locator, timeout=TIMEOUT)
    again = await crimson.ticket(held.locator, timeout=TIMEOUT)
    cancelled = await crimson.cancel(held.locator, timeout=TIMEOUT)
    cancelled_twice = await crimson.cancel(held.locator, timeout=TIMEOUT)

    assert (held.status, held.reference, held.total_amount) == ("held", "ord_1", offer.total_amount)
    assert held.payment_required_by > dt.datetime.now(dt.UTC)
    assert found == held
    assert ticketed.status == "ticketed"
    assert len(ticketed.ticket_numbers) == 2
    assert all(t.startswith("932-") for t in ticketed.ticket_numbers)
    assert again.ticket_numbers == ticketed.ticket_numbers
    assert cancelled.status == cancelled_twice.status == "cancelled"
    with pytest.raises(errors.HoldNotFound):
        await crimson.retrieve("ord_unknown", timeout=TIMEOUT)
    with pytest.raises(errors.InvalidRequest):
        await crimson.ticket(held.locator, timeout=TIMEOUT)  # cancelled orders are not ticketed


async def test_the_same_reference_never_books_twice(crimson: NdcConnector) -> None:
    [offer] = await crimson.search(LHR_JFK, timeout=TIMEOUT)

    first = await crimson.hold(supplier_id(offer), adults(1), reference="ord_2", timeout=TIMEOUT)
    second = await crimson.hold(supplier_id(offer), adults(1), reference="ord_2", timeout=TIMEOUT)
    repriced = await crimson.price(supplier_id(offer), timeout=TIMEOUT)

    assert first == second
    assert repriced.seats_remaining == offer.seats_remaining - 1


async def test_booking_more_seats_than_are_left_is_sold_out(crimson: NdcConnector) -> None:
    business = query(("LHR", "JFK", 30), cabin="business")
    [offer] = await crimson.search(business, timeout=TIMEOUT)
    everyone = Passengers(adults=offer.seats_remaining)
    [whole_cabin] = await crimson.search(
        query(("LHR", "JFK", 30), passengers=everyone, cabin="business"), timeout=TIMEOUT
    )
    pax = adults(everyone.adults)

    await crimson.hold(supplier_id(whole_cabin), pax, reference="ord_a", timeout=TIMEOUT)
    with pytest.raises(errors.SoldOut):
        await crimson.hold(supplier_id(whole_cabin), pax, reference="ord_b", timeout=TIMEOUT)
    with pytest.raises(errors.SoldOut):
        await crimson.price(supplier_id(offer), timeout=TIMEOUT)


async def test_an_offer_past_its_expiration_is_expired(
    crimson: NdcConnector, clock: SimClock
) -> None:
    [offer] = await crimson.search(LHR_JFK, timeout=TIMEOUT)
    clock.shift = offer.expires_at - dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    with pytest.raises(errors.OfferExpired):
        await crimson.price(supplier_id(offer), timeout=TIMEOUT)
    with pytest.raises(errors.OfferExpired):
        await crimson.hold(supplier_id(offer), adults(1), reference="ord_late", timeout=TIMEOUT)


async def test_forged_offer_ids_are_not_found(crimson: NdcConnector) -> None:
    [offer] = await crimson.search(LHR_JFK, timeout=TIMEOUT)
    genuine = supplier_id(offer)
    forged = genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB")

    with pytest.raises(errors.OfferNotFound):
        await crimson.price(forged, timeout=TIMEOUT)
    with pytest.raises(errors.OfferNotFound):
        await crimson.hold("not-an-offer", adults(1), reference="ord_x", timeout=TIMEOUT)


async def test_hang_rate_one_times_out_within_the_timeout(
    sim: SimHandle, crimson: NdcConnector
) -> None:
    await sim.set_profile("crimson", hang_rate=1.0)

    # The sim hangs forever: without the timeout the call would too (pytest-timeout fails it).
    with pytest.raises(
        errors.ConnectorTimeout, match=r"^ndc-crimson: /AirShopping took over 0\.050s$"
    ):
        await crimson.search(LHR_JFK, timeout=0.05)


async def test_error_rate_one_makes_the_airline_unavailable(
    sim: SimHandle, crimson: NdcConnector
) -> None:
    await sim.set_profile("crimson", error_rate=1.0)

    with pytest.raises(errors.ConnectorUnavailable):
        await crimson.search(LHR_JFK, timeout=TIMEOUT)


async def test_stats_count_every_ndc_message_under_its_endpoint(
    sim: SimHandle, crimson: NdcConnector
) -> None:
    [offer] = await crimson.search(LHR_JFK, timeout=TIMEOUT)
    await crimson.price(supplier_id(offer), timeout=TIMEOUT)
    held = await crimson.hold(supplier_id(offer), adults(1), reference="ord_s", timeout=TIMEOUT)
    await crimson.retrieve("ord_s", timeout=TIMEOUT)
    await crimson.ticket(held.locator, timeout=TIMEOUT)
    await crimson.cancel(held.locator, timeout=TIMEOUT)

    stats = (await sim.stats())["crimson"]

    # NDC 21.3 pays the order's amount to ticket it, so ticketing reads the order first; it
    # cancels in two steps, OrderReshop (the quote, "cancel") and an OrderChange accepting it.
    assert stats == {
        "network": 1,
        "shopping": 1,
        "pricing": 1,
        "bookings": 1,
        "retrieve": 2,
        "ticket": 2,
        "cancel": 1,
        "reshop": 0,  # journey changes: REST and SOAP only
        "change": 0,
        "undo_change": 0,
    }


async def test_the_front_answers_a_malformed_request_with_ndc_errors(
    sim: SimHandle, ndc_exchanges: ExchangeRecorder
) -> None:
    ndc_exchanges.expect_invalid_requests()  # its answer is still checked against the schema
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.url}{CRIMSON.base_path}/AirShopping", data=b"<oops") as response,
    ):
        body = await response.read()

    assert response.status == 400
    assert error_codes(body) == ["INVALID_REQUEST"]


@pytest.fixture
async def keyed_sim() -> AsyncIterator[str]:
    async for url in serve(ndc_sim_app(SimClock(), api_key="s3cret")):
        yield url + CRIMSON.base_path


@pytest.mark.parametrize(("key", "works"), [("s3cret", True), ("wrong", False), (None, False)])
async def test_an_airline_with_an_api_key_wants_it_as_a_bearer_token(
    keyed_sim: str, key: str | None, works: bool
) -> None:
    connector = NdcConnector("ndc-crimson", keyed_sim, max_timeout_s=TIMEOUT, api_key=key)
    try:
        if works:
            assert await connector.search(LHR_JFK, timeout=TIMEOUT)
        else:
            with pytest.raises(errors.ConnectorUnavailable, match="UNAUTHORIZED"):
                await connector.search(LHR_JFK, timeout=TIMEOUT)
    finally:
        await connector.close()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ([("Authorization", "Bearer s3cret")], 200),
        ([("Authorization", "Bearer   s3cret")], 200),  # 1*SP, as the API reads its own
        ([("Authorization", "bearer s3cret")], 200),  # the scheme in any case
        ([("Authorization", "Bearer\ts3cret")], 401),  # a tab is no SP
        ([("Authorization", "Basic s3cret")], 401),
        ([("Authorization", "Bearer s3cret"), ("Authorization", "Bearer s3cret")], 401),
    ],
)
async def test_an_airline_reads_the_bearer_header_as_rfc_9110_writes_it(
    keyed_sim: str, headers: list[tuple[str, str]], status: int
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{keyed_sim}/network", headers=CIMultiDict(headers)) as response,
    ):
        await response.read()

    assert response.status == status


async def test_offers_carry_the_airlines_baggage_allowance_per_segment_by_cabin(
    crimson: NdcConnector,
) -> None:
    economy = await crimson.search(query(("LHR", "JFK", 30)), timeout=TIMEOUT)
    business = await crimson.search(query(("LHR", "JFK", 30), cabin="business"), timeout=TIMEOUT)

    def allowances(offers: list[Offer]) -> set[tuple[tuple[str, int, int | None], ...] | None]:
        return {
            None
            if s.baggages is None
            else tuple((b.type, b.quantity, b.max_weight_kg) for b in s.baggages)
            for o in offers
            for sl in o.slices
            for s in sl.segments
        }

    assert allowances(economy) == {(("checked", 1, 23), ("carry_on", 1, None))}
    assert allowances(business) == {(("checked", 2, 32), ("carry_on", 2, None))}
    priced = await crimson.price(supplier_id(economy[0]), timeout=TIMEOUT)
    assert priced.slices[0].segments[0].baggages == economy[0].slices[0].segments[0].baggages
