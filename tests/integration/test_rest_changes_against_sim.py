"""Changing a booked journey with the REST connector against the real sim over sockets: reshop,
change (same locator, seats moved, idempotent by reference), undo, and the fare conditions. The
steps every airline shares are in tests/support/journey_changes.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from connectors import errors
from connectors.model import SliceQuery
from connectors.rest.connector import RestConnector
from tests.support.flights import day, query, supplier_id
from tests.support.journey_changes import (
    TIMEOUT,
    changed_once,
    held_journey,
    offer_for,
    refuses_to_reshop,
    undone_once,
)
from tests.support.sim import SimHandle


@pytest.fixture
async def ba(sim: SimHandle) -> AsyncIterator[RestConnector]:
    [settings] = [s for s in sim.connector_settings() if s.name == "rest-britannia"]
    connector = RestConnector(settings.name, settings.base_url, max_timeout_s=TIMEOUT)
    await connector.start()
    yield connector
    await connector.close()


async def seats_left(sim: SimHandle, carrier_number: str, date: str, cabin: str) -> int:
    params = {"carrier": carrier_number[:2], "number": carrier_number[2:], "date": date}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sim.url}/_sim/inventory", params={**params, "cabin": cabin}) as response,
    ):
        response.raise_for_status()
        return int((await response.json())["seats_left"])


async def test_a_journey_changes_to_another_day_keeping_the_locator_and_moving_the_seats(
    ba: RestConnector, sim: SimHandle
) -> None:
    held = await held_journey(ba, "ord_change_1", ("LHR", "JFK", 40), "premium_economy")
    ticketed = await ba.ticket(held.locator, timeout=TIMEOUT)

    offer = await offer_for(ba, held, SliceQuery("LHR", "JFK", day(42)))
    flight = offer.slice.segments[0].flight_number
    before = await seats_left(sim, flight, day(42).isoformat(), "W")

    changed = await changed_once(ba, held, offer, "och_1")
    assert changed.status == "ticketed"
    assert changed.ticket_numbers != ticketed.ticket_numbers  # exchanged: new tickets
    assert await seats_left(sim, flight, day(42).isoformat(), "W") == before - 1

    undone = await undone_once(ba, held, "och_1")
    assert (undone.total_amount, undone.ticket_numbers) == (
        ticketed.total_amount,
        ticketed.ticket_numbers,
    )
    assert await seats_left(sim, flight, day(42).isoformat(), "W") == before


async def test_an_economy_fare_is_not_changeable_at_the_airline(ba: RestConnector) -> None:
    held = await held_journey(ba, "ord_change_2", ("LHR", "JFK", 41), "economy")
    await refuses_to_reshop(ba, held, SliceQuery("LHR", "JFK", day(43)))


async def test_a_fare_for_other_travellers_or_another_journey_is_refused(
    ba: RestConnector,
) -> None:
    held = await held_journey(ba, "ord_change_3", ("LHR", "JFK", 44), "premium_economy")
    two = (
        await ba.search(
            query(("LHR", "JFK", 45), adults=2, cabin="premium_economy"), timeout=TIMEOUT
        )
    )[0]
    with pytest.raises(errors.InvalidRequest):
        await ba.change_slice(held.locator, 0, supplier_id(two), reference="och_3", timeout=TIMEOUT)
    with pytest.raises(errors.InvalidRequest):
        await ba.reshop(
            held.locator, 1, SliceQuery("LHR", "JFK", day(45)), max_connections=0, timeout=TIMEOUT
        )
