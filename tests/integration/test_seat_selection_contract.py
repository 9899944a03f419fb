"""Choosing seats means the same through every protocol's connector: each runs the same moves
and assertions against its sim airline over sockets (REST `POST /bookings/{locator}/seats`, the
SOAP WSDL's SelectSeats, NDC 21.3's SeatAvailability then OrderChange). The NDC messages are
checked against IATA's 21.3 schemas in both directions (`running_sim`)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from connectors import errors
from connectors.base import Connector
from connectors.model import Hold, HoldPassenger, Passengers
from connectors.registry import BUILDERS
from connectors.seat_model import LegSeatMap, SeatSelection
from tests.support.flights import adults, query, supplier_id
from tests.support.seat_maps import available, free_seats
from tests.support.sim import SimHandle

# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0
CHILD = HoldPassenger("child", "Tom", "Lovelace", dt.date(2020, 1, 1), "m")
ORIGINS = {"rest-britannia": "LHR", "soap-nordic": "CPH", "ndc-crimson": "LHR"}  # nonstop to JFK


@pytest.fixture(params=sorted(ORIGINS))
async def airline(request: pytest.FixtureRequest, sim: SimHandle) -> AsyncIterator[Connector]:
    config = next(c for c in sim.connector_settings() if c.name == request.param)
    connector = BUILDERS[config.kind](config)
    await connector.start()
    yield connector
    await connector.close()


async def _held(airline: Connector, reference: str, *, family: bool = False) -> Hold:
    """A held booking on the airline's nonstop to JFK: one adult, or an adult and a child."""
    pax = Passengers(adults=1, children=1) if family else Passengers(adults=1)
    wanted = query((ORIGINS[airline.name], "JFK", 30), passengers=pax, stops=0)
    offer = (await airline.search(wanted, timeout=TIMEOUT))[0]
    passengers = [*adults(1), *([CHILD] if family else [])]
    return await airline.hold(supplier_id(offer), passengers, reference=reference, timeout=TIMEOUT)


async def _first_leg(airline: Connector, hold: Hold) -> LegSeatMap:
    """The booking's first leg as the booking sees it (its own seats free)."""
    return (await airline.booking_seat_maps(hold.locator, timeout=TIMEOUT)).legs[0]


async def test_two_bookings_racing_for_one_seat_one_gets_it_and_the_maps_agree(
    airline: Connector,
) -> None:
    first = await _held(airline, "ord_race_1")
    second = await _held(airline, "ord_race_2")
    seat = free_seats(await _first_leg(airline, first))[0]

    results = await asyncio.gather(
        airline.select_seats(first.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT),
        airline.select_seats(second.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT),
        return_exceptions=True,
    )

    refusals = [r for r in results if isinstance(r, BaseException)]
    assert len(refusals) == 1, results
    assert isinstance(refusals[0], errors.SeatUnavailable)
    assert seat in str(refusals[0])
    winner, loser = (second, first) if results[0] is refusals[0] else (first, second)
    assert available(await _first_leg(airline, winner), seat)
    assert not available(await _first_leg(airline, loser), seat)


async def test_an_exit_row_for_a_child_and_an_unknown_seat_are_refused(
    airline: Connector,
) -> None:
    family = await _held(airline, "ord_rules", family=True)
    leg = await _first_leg(airline, family)
    exit_seat = free_seats(leg, exit_row=True)[0]

    with pytest.raises(errors.SeatRestricted) as refused:
        await airline.select_seats(
            family.locator, [SeatSelection(0, 1, exit_seat)], timeout=TIMEOUT
        )

    assert refused.value.rule == "exit_row_child"
    with pytest.raises(errors.InvalidRequest, match="99Z"):
        await airline.select_seats(family.locator, [SeatSelection(0, 0, "99Z")], timeout=TIMEOUT)
    # The adult may take the exit seat, the child another, in one call.
    both = [SeatSelection(0, 0, exit_seat), SeatSelection(0, 1, free_seats(leg)[0])]
    assert set(await airline.select_seats(family.locator, both, timeout=TIMEOUT)) == set(both)
