"""Choosing seats through the NDC connector against the sim's NDC airline, 21.3's way: the
order's SeatAvailabilityRS (its a-la-carte seat offer), then an OrderChangeRQ accepting the items
of the seats, answered by the OrderViewRS listing them. Every message of these tests is checked
against IATA's NDC 21.3 schemas in both directions (`ndc_exchanges`, conftest.py)."""

from __future__ import annotations

import aiohttp
import msgspec
import pytest
from lxml import etree

from connectors import errors
from connectors.model import Hold
from connectors.ndc import NdcConnector, seat_orders
from connectors.ndc import seats as seats_module
from connectors.ndc.messages import CNS, NS
from connectors.seat_model import SeatSelection
from tests.support.flights import adults, query, supplier_id
from tests.support.ndc_exchanges import ExchangeRecorder
from tests.support.seat_maps import available, free_seats, seats
from tests.support.sim import SimHandle

# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0
NSMAP = {"n": NS, "c": CNS}


async def _held(crimson: NdcConnector, reference: str) -> Hold:
    """A held booking of one adult on LHR-JFK (nonstop)."""
    wanted = query(("LHR", "JFK", 30), stops=0)
    offer = (await crimson.search(wanted, timeout=TIMEOUT))[0]
    return await crimson.hold(supplier_id(offer), adults(1), reference=reference, timeout=TIMEOUT)


async def test_a_paid_seat_is_the_orders_its_price_in_the_total_and_taken_for_others(
    crimson: NdcConnector, ndc_exchanges: ExchangeRecorder
) -> None:
    first = await _held(crimson, "ord_ndc_a")
    second = await _held(crimson, "ord_ndc_b")
    leg = (await crimson.booking_seat_maps(first.locator, timeout=TIMEOUT)).legs[0]
    paid = next(d for d in free_seats(leg) if seats(leg)[d].prices["adult"] > 0)

    chosen = await crimson.select_seats(first.locator, [SeatSelection(0, 0, paid)], timeout=TIMEOUT)

    assert chosen == (SeatSelection(0, 0, paid),)
    assert available(
        (await crimson.booking_seat_maps(first.locator, timeout=TIMEOUT)).legs[0], paid
    )
    theirs = (await crimson.booking_seat_maps(second.locator, timeout=TIMEOUT)).legs[0]
    assert not available(theirs, paid)
    retrieved = await crimson.retrieve("ord_ndc_a", timeout=TIMEOUT)
    assert retrieved.total_amount == first.total_amount + seats(leg)[paid].prices["adult"]
    with pytest.raises(errors.SeatUnavailable, match=paid):
        await crimson.select_seats(second.locator, [SeatSelection(0, 0, paid)], timeout=TIMEOUT)
    # The order with its seat is ticketed for the fare and the seat.
    ticketed = await crimson.ticket(first.locator, timeout=TIMEOUT)
    assert ticketed.status == "ticketed"
    assert ndc_exchanges.exchanges  # each message above is checked when the test ends


async def test_the_airline_refuses_an_offer_item_that_does_not_price_the_seat(
    crimson: NdcConnector, sim: SimHandle
) -> None:
    hold = await _held(crimson, "ord_ndc_item")
    body = seats_module.order_seat_availability(hold.locator, owner_code="VS")
    offer = seat_orders.seat_offer(await _post(sim, "SeatAvailability", body), airline="x")
    leg = (await crimson.booking_seat_maps(hold.locator, timeout=TIMEOUT)).legs[0]
    paid = next(d for d in free_seats(leg) if seats(leg)[d].prices["adult"] > 0)
    free = next(d for d in free_seats(leg) if seats(leg)[d].prices["adult"] == 0)
    # A schema-valid request naming the free seat's item for the paid seat.
    items = list(offer.seats[0][paid][1])
    swapped = (offer.seats[0][free][1][0],)
    wrong = msgspec.structs.replace(offer, seats=({**offer.seats[0], paid: ("F", swapped)},))
    body = seat_orders.order_change_seats(
        hold.locator, wrong, [SeatSelection(0, 0, paid)], owner_code="VS", airline="x"
    )

    answer = await _post(sim, "OrderChange", body)

    codes = answer.xpath("n:Error/c:Code/text()", namespaces=NSMAP)
    assert codes == ["INVALID_REQUEST"]
    (text,) = answer.xpath("n:Error/c:DescText/text()", namespaces=NSMAP)
    assert "OfferItemRefID" in text
    assert items[0] in text  # the item that prices it
    assert available((await crimson.booking_seat_maps(hold.locator, timeout=TIMEOUT)).legs[0], paid)


async def _post(sim: SimHandle, operation: str, body: bytes) -> etree._Element:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.url}/ndc/crimson/{operation}", data=body) as response,
    ):
        return etree.fromstring(await response.read())
