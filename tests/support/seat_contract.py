"""What choosing seats means through any connector, asserted the same way for each protocol's
connector against its sim airline (the REST, SOAP and NDC tests call these with their own holds).
"""

from __future__ import annotations

import asyncio

import pytest

from connectors import errors
from connectors.base import Connector
from connectors.model import Hold
from connectors.seat_model import LegSeatMap, SeatSelection
from tests.support.seat_maps import available, free_seats

TIMEOUT = 2.0


async def first_leg(connector: Connector, hold: Hold) -> LegSeatMap:
    """The seat map of the booking's first leg, as the booking sees it (its own seats free)."""
    return (await connector.booking_seat_maps(hold.locator, timeout=TIMEOUT)).legs[0]


async def one_of_two_racing_bookings_gets_the_seat(
    connector: Connector, first: Hold, second: Hold
) -> None:
    """Both bookings ask for one seat at once: one gets it, the other `SeatUnavailable`, and
    the airline's maps agree."""
    seat = free_seats(await first_leg(connector, first))[0]

    results = await asyncio.gather(
        connector.select_seats(first.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT),
        connector.select_seats(second.locator, [SeatSelection(0, 0, seat)], timeout=TIMEOUT),
        return_exceptions=True,
    )

    refusals = [r for r in results if isinstance(r, BaseException)]
    assert len(refusals) == 1, results
    assert isinstance(refusals[0], errors.SeatUnavailable)
    assert seat in str(refusals[0])
    winner, loser = (second, first) if results[0] is refusals[0] else (first, second)
    assert available(await first_leg(connector, winner), seat)
    assert not available(await first_leg(connector, loser), seat)


async def rules_and_unknown_seats_are_refused(connector: Connector, family: Hold) -> None:
    """`family` holds an adult (passenger 0) and a child (1): an exit seat is `SeatRestricted`
    for the child (rule `exit_row_child`), a seat the cabin lacks `InvalidRequest`; the adult
    may take the exit seat, the child another, in one call."""
    leg = await first_leg(connector, family)
    exit_seat = free_seats(leg, exit_row=True)[0]

    with pytest.raises(errors.SeatRestricted) as refused:
        await connector.select_seats(
            family.locator, [SeatSelection(0, 1, exit_seat)], timeout=TIMEOUT
        )

    assert refused.value.rule == "exit_row_child"
    with pytest.raises(errors.InvalidRequest, match="99Z"):
        await connector.select_seats(family.locator, [SeatSelection(0, 0, "99Z")], timeout=TIMEOUT)
    both = [SeatSelection(0, 0, exit_seat), SeatSelection(0, 1, free_seats(leg)[0])]
    assert set(await connector.select_seats(family.locator, both, timeout=TIMEOUT)) == set(both)
