"""Seat maps and seat choices through the REST connector against the real sim over sockets."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from connectors import errors
from connectors.model import HoldPassenger, Passengers
from connectors.rest.connector import RestConnector
from connectors.seat_model import LegSeatMap, SeatSelection
from tests.support.flights import LHR_JFK, adults, query, supplier_id
from tests.support.sim import SimHandle

# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0


@pytest.fixture
async def airline(sim: SimHandle) -> AsyncIterator[dict[str, RestConnector]]:
    connectors = {
        s.name.removeprefix("rest-"): RestConnector(s.name, s.base_url, max_timeout_s=TIMEOUT)
        for s in sim.connector_settings()
        if s.kind == "rest"
    }
    for connector in connectors.values():
        await connector.start()
    yield connectors
    for connector in connectors.values():
        await connector.close()


def _free_seats(leg: LegSeatMap, *, exit_row: bool = False) -> list[str]:
    return [
        p.seat.designator
        for c in leg.cabins
        for r in c.rows
        for s in r.sections
        for p in s
        if p.seat is not None
        and p.seat.available
        and ("exit_row" in p.seat.characteristics) == exit_row
    ]


def _state(leg: LegSeatMap, designator: str) -> bool:
    for c in leg.cabins:
        for r in c.rows:
            for s in r.sections:
                for p in s:
                    if p.seat is not None and p.seat.designator == designator:
                        return p.seat.available
    raise AssertionError(designator)


async def test_an_offer_has_one_seat_map_per_segment(airline: dict[str, RestConnector]) -> None:
    offers = await airline["liberty"].search(query(("LHR", "SFO", 30)), timeout=TIMEOUT)
    offer = next(o for o in offers if len(o.slices[0].segments) == 2)

    maps = await airline["liberty"].seat_maps(supplier_id(offer), timeout=TIMEOUT)

    segments = offer.slices[0].segments
    assert [(leg.origin, leg.destination) for leg in maps.legs] == [
        (s.origin, s.destination) for s in segments
    ]
    assert [leg.aircraft for leg in maps.legs] == [s.aircraft for s in segments]
    assert maps.passengers == ("adult",)


async def test_two_travellers_racing_for_one_seat_one_wins_and_the_maps_agree(
    airline: dict[str, RestConnector],
) -> None:
    ba, gt = airline["britannia"], airline["globetrotter"]
    offer = (await ba.search(LHR_JFK, timeout=TIMEOUT))[0]
    first = await ba.hold(supplier_id(offer), adults(1), reference="ord_a", timeout=TIMEOUT)
    repriced = await ba.price(supplier_id(offer), timeout=TIMEOUT)  # one seat fewer: may move
    second = await ba.hold(supplier_id(repriced), adults(1), reference="ord_b", timeout=TIMEOUT)
    leg = (await ba.booking_seat_maps(first.locator, timeout=TIMEOUT)).legs[0]
    seat = _free_seats(leg)[0]

    results = await asyncio.gather(
        ba.select_seats(first.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT),
        ba.select_seats(second.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT),
        return_exceptions=True,
    )

    winner, loser = (second, first) if isinstance(results[0], BaseException) else (first, second)
    refusal = results[0] if winner is second else results[1]
    assert isinstance(refusal, errors.SeatUnavailable)
    assert seat in str(refusal)
    assert not isinstance(results[0 if winner is first else 1], BaseException)
    # The airline's map agrees: taken for the loser, and for a new traveller of any seller of
    # the flight (the consolidator resells BA's seats).
    assert (
        _state((await ba.booking_seat_maps(loser.locator, timeout=TIMEOUT)).legs[0], seat) is False
    )
    assert _state((await ba.booking_seat_maps(winner.locator, timeout=TIMEOUT)).legs[0], seat)
    flight = offer.slices[0].segments[0].flight_number
    for seller in (ba, gt):
        for other in await seller.search(LHR_JFK, timeout=TIMEOUT):
            if other.slices[0].segments[0].flight_number == flight:
                leg = (await seller.seat_maps(supplier_id(other), timeout=TIMEOUT)).legs[0]
                assert _state(leg, seat) is False
                break
    # A cancelled booking gives its seat back.
    await ba.cancel(winner.locator, timeout=TIMEOUT)
    assert _state((await ba.booking_seat_maps(loser.locator, timeout=TIMEOUT)).legs[0], seat)


async def test_an_exit_row_for_a_child_is_refused_naming_the_rule(
    airline: dict[str, RestConnector],
) -> None:
    ba = airline["britannia"]
    family = query(("LHR", "JFK", 30), passengers=Passengers(adults=1, children=1))
    offer = (await ba.search(family, timeout=TIMEOUT))[0]
    child = HoldPassenger("child", "Tom", "Lovelace", dt.date(2020, 1, 1), "m")
    hold = await ba.hold(
        supplier_id(offer), [*adults(1), child], reference="ord_c", timeout=TIMEOUT
    )
    leg = (await ba.booking_seat_maps(hold.locator, timeout=TIMEOUT)).legs[0]
    exit_seat = _free_seats(leg, exit_row=True)[0]

    with pytest.raises(errors.SeatRestricted) as refused:
        await ba.select_seats(hold.locator, [SeatSelection(0, 1, exit_seat)], timeout=TIMEOUT)

    assert refused.value.rule == "exit_row_child"
    # The adult may take it.
    chosen = await ba.select_seats(hold.locator, [SeatSelection(0, 0, exit_seat)], timeout=TIMEOUT)
    assert chosen == (SeatSelection(0, 0, exit_seat),)
