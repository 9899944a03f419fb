"""Seats through the SOAP connector against the sim's SOAP airline: the WSDL's SeatMap, and
SelectSeats choosing and changing seats on a held booking (the race and the rules every
protocol shares: tests/integration/test_seat_selection_contract.py)."""

from __future__ import annotations

import pytest

from connectors import errors
from connectors.model import Hold
from connectors.seat_model import LegSeatMap, SeatSelection
from connectors.soap import SoapConnector
from tests.support.flights import adults, query, supplier_id
from tests.support.seat_maps import available, free_seats

TIMEOUT = 2.0


def _seats(leg: LegSeatMap) -> dict[str, bool]:
    return {
        p.seat.designator: p.seat.available
        for c in leg.cabins
        for r in c.rows
        for s in r.sections
        for p in s
        if p.seat is not None
    }


async def test_an_offer_and_a_booking_have_seat_maps_per_segment(nordic: SoapConnector) -> None:
    offer = (await nordic.search(query(("CPH", "JFK", 30)), timeout=TIMEOUT))[0]

    maps = await nordic.seat_maps(supplier_id(offer), timeout=TIMEOUT)

    segments = [s for sl in offer.slices for s in sl.segments]
    assert [(leg.origin, leg.destination) for leg in maps.legs] == [
        (s.origin, s.destination) for s in segments
    ]
    assert all(_seats(leg) for leg in maps.legs)
    hold = await nordic.hold(supplier_id(offer), adults(1), reference="ord_s", timeout=TIMEOUT)
    booked = await nordic.booking_seat_maps(hold.locator, timeout=TIMEOUT)
    assert [leg.segment_id for leg in booked.legs] == [leg.segment_id for leg in maps.legs]


async def test_an_unknown_fare_is_refused(nordic: SoapConnector) -> None:
    with pytest.raises(errors.OfferNotFound):
        await nordic.seat_maps("not-a-fare", timeout=TIMEOUT)


async def _held(nordic: SoapConnector, reference: str) -> Hold:
    """A held booking of one adult on CPH-JFK (nonstop)."""
    wanted = query(("CPH", "JFK", 30), stops=0)
    offer = (await nordic.search(wanted, timeout=TIMEOUT))[0]
    return await nordic.hold(supplier_id(offer), adults(1), reference=reference, timeout=TIMEOUT)


async def test_a_chosen_seat_is_the_bookings_and_taken_for_everyone_else(
    nordic: SoapConnector,
) -> None:
    first = await _held(nordic, "ord_soap_a")
    second = await _held(nordic, "ord_soap_b")
    leg = (await nordic.booking_seat_maps(first.locator, timeout=TIMEOUT)).legs[0]
    seat, other = free_seats(leg)[:2]

    chosen = await nordic.select_seats(first.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT)

    assert chosen == (SeatSelection(0, 0, seat),)
    mine = (await nordic.booking_seat_maps(first.locator, timeout=TIMEOUT)).legs[0]
    theirs = (await nordic.booking_seat_maps(second.locator, timeout=TIMEOUT)).legs[0]
    assert available(mine, seat)
    assert not available(theirs, seat)
    with pytest.raises(errors.SeatUnavailable, match=seat):
        await nordic.select_seats(second.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT)
    # A new choice replaces the old seat, which is free again.
    moved = await nordic.select_seats(first.locator, [SeatSelection(0, 0, other)], timeout=TIMEOUT)
    assert moved == (SeatSelection(0, 0, other),)
    assert available(
        (await nordic.booking_seat_maps(second.locator, timeout=TIMEOUT)).legs[0], seat
    )
