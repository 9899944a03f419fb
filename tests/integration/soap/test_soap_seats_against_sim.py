"""Seat maps through the SOAP connector against the sim's SOAP airline (the WSDL's SeatMap)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors import errors
from connectors.seat_model import LegSeatMap
from connectors.soap import SoapConnector
from sim.soap import SIM_PASSWORD, SIM_USERNAME
from tests.support.flights import adults, query, supplier_id
from tests.support.sim import SimHandle

TIMEOUT = 2.0


@pytest.fixture
async def nordic(sim: SimHandle) -> AsyncIterator[SoapConnector]:
    soap = SoapConnector(
        "soap-nordic",
        sim.url + "/soap/nordic",
        username=SIM_USERNAME,
        password=SIM_PASSWORD,
        max_timeout_s=TIMEOUT,
    )
    await soap.start()
    yield soap
    await soap.close()


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
