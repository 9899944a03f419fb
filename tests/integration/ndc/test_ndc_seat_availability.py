"""SeatAvailability through the NDC connector against the sim's NDC airline; every message of
these tests is checked against IATA's NDC 21.3 schemas in both directions (`ndc_exchanges`)."""

from __future__ import annotations

import pytest

from connectors import errors
from connectors.model import Passengers
from connectors.ndc import NdcConnector
from connectors.seat_model import LegSeatMap
from tests.support.flights import adults, query, supplier_id
from tests.support.ndc_exchanges import ExchangeRecorder

# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0


def _seats(leg: LegSeatMap) -> dict[str, tuple[bool, tuple[str, ...]]]:
    return {
        p.seat.designator: (p.seat.available, p.seat.restrictions)
        for c in leg.cabins
        for r in c.rows
        for s in r.sections
        for p in s
        if p.seat is not None
    }


async def test_an_offer_and_its_order_have_a_seat_map_per_segment(
    crimson: NdcConnector, ndc_exchanges: ExchangeRecorder
) -> None:
    family = query(("LHR", "JFK", 30), passengers=Passengers(adults=1, children=1))
    offer = (await crimson.search(family, timeout=TIMEOUT))[0]

    maps = await crimson.seat_maps(supplier_id(offer), timeout=TIMEOUT)

    segments = [s for sl in offer.slices for s in sl.segments]
    assert [(leg.flight_number, leg.origin) for leg in maps.legs] == [
        (s.flight_number, s.origin) for s in segments
    ]
    assert maps.passengers == ("adult", "child")
    seats = _seats(maps.legs[0])
    exits = [d for d, (_, rules) in seats.items() if rules]
    assert exits  # economy exit rows, closed to children and to adults with an infant
    assert all(seats[d][1] == ("exit_row_child", "exit_row_infant") for d in exits)
    assert ndc_exchanges is not None  # every message above is checked when the test ends


async def test_an_orders_map_and_an_unknown_offer(crimson: NdcConnector) -> None:
    offer = (await crimson.search(query(("LHR", "JFK", 30)), timeout=TIMEOUT))[0]
    hold = await crimson.hold(supplier_id(offer), adults(1), reference="ord_n", timeout=TIMEOUT)

    booked = await crimson.booking_seat_maps(hold.locator, timeout=TIMEOUT)

    assert [leg.segment_id for leg in booked.legs] == [
        leg.segment_id
        for leg in (await crimson.seat_maps(supplier_id(offer), timeout=TIMEOUT)).legs
    ]
    with pytest.raises(errors.OfferNotFound):
        await crimson.seat_maps("not-an-offer", timeout=TIMEOUT)
