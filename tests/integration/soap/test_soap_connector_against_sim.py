"""The SOAP connector against the sim's SOAP airline over sockets (FAST profile: ms a call)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest
from aiohttp import web

from connectors import errors
from connectors.resilience.retry import RETRYABLE
from connectors.soap import CredentialsRejected, SoapConnector
from sim import wire
from sim.fares import decimal_amount
from sim.journeys import duration_minutes
from sim.soap import SIM_PASSWORD, SIM_USERNAME
from sim.world import World
from tests.support.fake_server import serve
from tests.support.flights import LHR_JFK, adults, day, flights, query, supplier_id
from tests.support.sim import SimHandle

# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0


def connector(url: str, *, password: str = SIM_PASSWORD) -> SoapConnector:
    return SoapConnector(
        "soap-nordic", url, username=SIM_USERNAME, password=password, max_timeout_s=TIMEOUT
    )


async def test_start_learns_the_route_network_from_the_wsdl_operation(
    nordic: SoapConnector,
) -> None:
    assert nordic.serves(LHR_JFK)
    assert not nordic.serves(query(("LHR", "EZE", 30)))


async def test_lhr_jfk_connects_at_a_nordic_hub_as_the_airline_sells_it(
    nordic: SoapConnector,
) -> None:
    # The same world, asked directly: what the SOAP answer must carry, field by field. Asked
    # before and after the connector: an offer expires a fixed time after it is quoted, and
    # the clock may pass a second between the two askings (it did, failing an equality).
    request = wire.ShoppingRequest(journeys=(wire.JourneyRequest("LHR", "JFK", day(30)),))
    earlier = World(42).airlines["nordic"].shop(request)
    offers = await nordic.search(LHR_JFK, timeout=TIMEOUT)
    quotes = World(42).airlines["nordic"].shop(request)

    assert len(offers) == len(quotes) > 0
    for offer, quote, before in zip(offers, quotes, earlier, strict=True):
        legs = quote.journeys[0]
        (journey,) = offer.slices
        first, second = journey.segments
        assert first.destination == second.origin
        assert first.destination in {"CPH", "ARN"}
        assert [s.departing_at for s in journey.segments] == [g.depart_local for g in legs]
        assert [s.arriving_at for s in journey.segments] == [g.arrive_local for g in legs]
        assert (
            journey.duration == f"PT{duration_minutes(legs) // 60}H{duration_minutes(legs) % 60}M"
        )
        assert isinstance(offer.total_amount, Decimal)
        assert offer.total_amount == decimal_amount(quote.price.total)
        assert offer.total_amount == offer.base_amount + offer.tax_amount
        assert before.key.expires_at <= offer.expires_at <= quote.key.expires_at
        assert offer.owner.iata_code == "SK"
        assert offer.seats_remaining == quote.seats_left


async def test_round_trip_is_one_offer_with_both_journeys(nordic: SoapConnector) -> None:
    offers = await nordic.search(query(("LHR", "ORD", 30), ("ORD", "LHR", 37)), timeout=TIMEOUT)

    assert offers
    for offer in offers:
        outbound, inbound = offer.slices
        assert (outbound.origin, outbound.destination) == ("LHR", "ORD")
        assert (inbound.origin, inbound.destination) == ("ORD", "LHR")
    assert [o.total_amount for o in offers] == sorted(o.total_amount for o in offers)


async def test_price_is_unchanged_until_seats_taken_move_the_load(nordic: SoapConnector) -> None:
    offer = (await nordic.search(LHR_JFK, timeout=TIMEOUT))[0]

    same = await nordic.price(supplier_id(offer), timeout=TIMEOUT)
    group = next(
        o
        for o in await nordic.search(query(("LHR", "JFK", 30), adults=20), timeout=TIMEOUT)
        if flights(o) == flights(offer)
    )
    await nordic.hold(supplier_id(group), adults(20), reference="ord_group", timeout=TIMEOUT)
    moved = await nordic.price(supplier_id(offer), timeout=TIMEOUT)

    assert (same.price_changed, same.id, same.total_amount) == (False, offer.id, offer.total_amount)
    assert moved.price_changed
    assert moved.total_amount > offer.total_amount
    assert moved.seats_remaining == offer.seats_remaining - 20


async def test_hold_read_ticket_and_cancel(nordic: SoapConnector) -> None:
    offer = (await nordic.search(query(("LHR", "JFK", 30), adults=2), timeout=TIMEOUT))[0]

    held = await nordic.hold(supplier_id(offer), adults(2), reference="ord_1", timeout=TIMEOUT)
    found = await nordic.retrieve("ord_1", timeout=TIMEOUT)
    ticketed = await nordic.ticket(held.locator, timeout=TIMEOUT)
    cancelled = await nordic.cancel(held.locator, timeout=TIMEOUT)
    cancelled_twice = await nordic.cancel(held.locator, timeout=TIMEOUT)

    assert (held.status, held.reference, held.total_amount) == ("held", "ord_1", offer.total_amount)
    assert held.payment_required_by > dt.datetime.now(dt.UTC)
    assert found == held
    assert ticketed.status == "ticketed"
    assert len(ticketed.ticket_numbers) == 2
    assert all(t.startswith("117-23") for t in ticketed.ticket_numbers)
    assert cancelled.status == cancelled_twice.status == "cancelled"
    with pytest.raises(errors.HoldNotFound):
        await nordic.retrieve("ord_unknown", timeout=TIMEOUT)


async def test_the_same_reference_never_holds_twice(nordic: SoapConnector) -> None:
    offer = (await nordic.search(LHR_JFK, timeout=TIMEOUT))[0]

    first = await nordic.hold(supplier_id(offer), adults(1), reference="ord_2", timeout=TIMEOUT)
    second = await nordic.hold(supplier_id(offer), adults(1), reference="ord_2", timeout=TIMEOUT)
    repriced = await nordic.price(supplier_id(offer), timeout=TIMEOUT)

    assert first == second
    assert repriced.seats_remaining == offer.seats_remaining - 1


async def test_holding_more_seats_than_are_left_is_sold_out(nordic: SoapConnector) -> None:
    business = query(("LHR", "JFK", 30), cabin="business")
    offer = (await nordic.search(business, timeout=TIMEOUT))[0]
    everyone = offer.seats_remaining
    whole_cabin = next(
        o
        for o in await nordic.search(
            query(("LHR", "JFK", 30), adults=everyone, cabin="business"), timeout=TIMEOUT
        )
        if flights(o) == flights(offer)
    )

    await nordic.hold(supplier_id(whole_cabin), adults(everyone), reference="a", timeout=TIMEOUT)
    with pytest.raises(errors.SoldOut):
        await nordic.hold(
            supplier_id(whole_cabin), adults(everyone), reference="b", timeout=TIMEOUT
        )
    with pytest.raises(errors.SoldOut):
        await nordic.price(supplier_id(offer), timeout=TIMEOUT)


async def test_forged_fare_references_are_not_found(nordic: SoapConnector) -> None:
    genuine = supplier_id((await nordic.search(LHR_JFK, timeout=TIMEOUT))[0])
    forged = genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB")

    with pytest.raises(errors.OfferNotFound):
        await nordic.price(forged, timeout=TIMEOUT)
    with pytest.raises(errors.OfferNotFound):
        await nordic.hold("not-a-fare", adults(1), reference="ord_x", timeout=TIMEOUT)


async def test_a_wrong_password_is_rejected_at_once_and_not_retryable(sim: SimHandle) -> None:
    soap = connector(sim.url + "/soap/nordic", password="guess")
    await soap.start()  # logs the refusal; the network stays unknown
    try:
        with pytest.raises(CredentialsRejected) as caught:
            await soap.search(LHR_JFK, timeout=TIMEOUT)
    finally:
        await soap.close()

    assert not isinstance(caught.value, RETRYABLE)
    assert soap.serves(LHR_JFK)  # unknown network: ask, and fail fast


async def test_hang_times_out_within_the_timeout(sim: SimHandle, nordic: SoapConnector) -> None:
    await sim.set_profile("nordic", hang_rate=1.0)

    # The sim hangs forever: without the timeout the call would too (pytest-timeout fails it).
    with pytest.raises(
        errors.ConnectorTimeout, match=r"^soap-nordic: LowFareSearch took over 0\.100s$"
    ):
        await nordic.search(LHR_JFK, timeout=0.1)


async def test_error_rate_one_makes_the_airline_unavailable_and_stats_count_ota_calls(
    sim: SimHandle, nordic: SoapConnector
) -> None:
    await nordic.search(LHR_JFK, timeout=TIMEOUT)
    await sim.set_profile("nordic", error_rate=1.0)

    with pytest.raises(errors.ConnectorUnavailable):
        await nordic.search(LHR_JFK, timeout=TIMEOUT)

    stats = (await sim.stats())["nordic"]
    assert (stats["network"], stats["shopping"], stats["pricing"]) == (1, 2, 0)


async def test_wsdl_is_served_at_query_and_path(sim: SimHandle) -> None:
    async with aiohttp.ClientSession() as session:
        for url in (f"{sim.url}/soap/nordic?wsdl", f"{sim.url}/soap/nordic/wsdl"):
            async with session.get(url) as response:
                text = await response.text()
                assert response.status == 200
                assert f'schemaLocation="{sim.url}/soap/nordic/ota.xsd"' in text


@pytest.fixture
async def garbage_airline() -> AsyncIterator[str]:
    """An airline serving the real WSDL but answering every call with what is not SOAP."""
    from importlib import resources

    package = resources.files("sim.soap")

    async def wsdl(request: web.Request) -> web.Response:
        base = f"{request.url.origin()}/soap/nordic"
        text = (package / "nordic.wsdl").read_text().replace("SERVICE_URL", base)
        return web.Response(text=text, content_type="text/xml")

    async def xsd(request: web.Request) -> web.Response:
        return web.Response(body=(package / "ota.xsd").read_bytes(), content_type="text/xml")

    async def call(request: web.Request) -> web.Response:
        return web.Response(body=b"<soap:Envelope><oops", content_type="text/xml")

    app = web.Application()
    app.router.add_get("/soap/nordic", wsdl)
    app.router.add_get("/soap/nordic/ota.xsd", xsd)
    app.router.add_post("/soap/nordic", call)
    async with serve(app) as url:  # fails the test if the fake raised on its own
        yield f"{url}/soap/nordic"


async def test_a_malformed_answer_is_connector_unavailable(garbage_airline: str) -> None:
    soap = connector(garbage_airline)
    await soap.start()
    try:
        with pytest.raises(errors.ConnectorUnavailable, match="malformed"):
            await soap.search(LHR_JFK, timeout=TIMEOUT)
    finally:
        await soap.close()


async def test_baggage_is_left_unknown_rather_than_guessed(nordic: SoapConnector) -> None:
    """OpenTravel 2003/05, as the airline speaks it, has no slot for the included baggage (OTA
    added FareBaggageAllowance later): its offers say nothing about bags, not "none"."""
    offers = await nordic.search(LHR_JFK, timeout=TIMEOUT)
    assert offers
    assert {s.baggages for o in offers for sl in o.slices for s in sl.segments} == {None}
