"""Choosing seats through the NDC connector against the sim's NDC airline, 21.3's way: the
order's SeatAvailabilityRS (its a-la-carte seat offer), then an OrderChangeRQ accepting the items
of the seats, answered by the OrderViewRS listing them. Every message of these tests is checked
against IATA's NDC 21.3 schemas in both directions (`ndc_exchanges`, conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors import errors
from connectors.model import Hold, HoldPassenger, Passengers
from connectors.ndc import NdcConnector
from connectors.seat_model import SeatSelection
from tests.support import seat_contract
from tests.support.flights import adults, query, supplier_id
from tests.support.ndc_exchanges import ExchangeRecorder
from tests.support.seat_maps import available, free_seats, seats

TIMEOUT = 2.0
CHILD = HoldPassenger("child", "Tom", "Lovelace", dt.date(2020, 1, 1), "m")


async def _held(crimson: NdcConnector, reference: str, *, family: bool = False) -> Hold:
    """A held order on LHR-JFK (nonstop): one adult, or an adult and a child."""
    pax = Passengers(adults=1, children=1) if family else Passengers(adults=1)
    wanted = query(("LHR", "JFK", 30), passengers=pax, stops=0)
    offer = (await crimson.search(wanted, timeout=TIMEOUT))[0]
    passengers = [*adults(1), *([CHILD] if family else [])]
    return await crimson.hold(supplier_id(offer), passengers, reference=reference, timeout=TIMEOUT)


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


async def test_two_orders_racing_for_one_seat_one_wins(crimson: NdcConnector) -> None:
    first = await _held(crimson, "ord_ndc_r1")
    second = await _held(crimson, "ord_ndc_r2")

    await seat_contract.one_of_two_racing_bookings_gets_the_seat(crimson, first, second)


async def test_an_exit_row_for_a_child_and_an_unknown_seat_are_refused(
    crimson: NdcConnector,
) -> None:
    family = await _held(crimson, "ord_ndc_c", family=True)

    await seat_contract.rules_and_unknown_seats_are_refused(crimson, family)
