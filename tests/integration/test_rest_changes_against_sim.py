"""Changing a booked journey with the REST connector against the real sim over sockets: reshop,
change (same locator, seats moved, idempotent by reference), undo, and the fare conditions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from connectors import errors
from connectors.model import Hold, SliceQuery
from connectors.rest.connector import RestConnector
from tests.support.flights import adults, day, query, supplier_id
from tests.support.sim import SimHandle

TIMEOUT = 2.0
CABIN_CODES = {"economy": "Y", "premium_economy": "W"}


@pytest.fixture
async def ba(sim: SimHandle) -> AsyncIterator[RestConnector]:
    [settings] = [s for s in sim.connector_settings() if s.name == "rest-britannia"]
    connector = RestConnector(settings.name, settings.base_url, max_timeout_s=TIMEOUT)
    await connector.start()
    yield connector
    await connector.close()


async def booked(ba: RestConnector, reference: str, days: int, cabin: Any) -> Hold:
    offer = (await ba.search(query(("LHR", "JFK", days), cabin=cabin), timeout=TIMEOUT))[0]
    return await ba.hold(supplier_id(offer), adults(1), reference=reference, timeout=TIMEOUT)


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
    held = await booked(ba, "ord_change_1", 40, "premium_economy")
    ticketed = await ba.ticket(held.locator, timeout=TIMEOUT)
    new_day = SliceQuery("LHR", "JFK", day(42))

    offers = await ba.reshop(held.locator, 0, new_day, max_connections=0, timeout=TIMEOUT)
    assert offers
    offer = offers[0]
    assert offer.old_total == held.total_amount
    assert offer.new_total == offer.fare_amount  # one journey: the booking is that fare
    assert offer.slice.segments[0].departing_at.date() == day(42)
    assert offer.conditions.changeable
    flight = offer.slice.segments[0].flight_number
    before = await seats_left(sim, flight, day(42).isoformat(), "W")

    changed = await ba.change_slice(
        held.locator, 0, offer.supplier_fare_id, reference="och_1", timeout=TIMEOUT
    )
    again = await ba.change_slice(
        held.locator, 0, offer.supplier_fare_id, reference="och_1", timeout=TIMEOUT
    )

    assert changed.locator == held.locator
    assert changed.total_amount == offer.new_total
    assert changed.status == "ticketed"
    assert changed.ticket_numbers != ticketed.ticket_numbers  # exchanged: new tickets
    assert again == changed  # the same reference changes nothing twice
    assert await seats_left(sim, flight, day(42).isoformat(), "W") == before - 1

    undone = await ba.undo_change(held.locator, "och_1", timeout=TIMEOUT)
    undone_twice = await ba.undo_change(held.locator, "och_1", timeout=TIMEOUT)
    assert (undone.total_amount, undone.ticket_numbers) == (
        ticketed.total_amount,
        ticketed.ticket_numbers,
    )
    assert undone_twice == undone
    assert await seats_left(sim, flight, day(42).isoformat(), "W") == before
    with pytest.raises(errors.ChangeNotFound):
        await ba.undo_change(held.locator, "och_never", timeout=TIMEOUT)


async def test_an_economy_fare_is_not_changeable_at_the_airline(ba: RestConnector) -> None:
    held = await booked(ba, "ord_change_2", 41, "economy")
    with pytest.raises(errors.NotChangeable):
        await ba.reshop(
            held.locator, 0, SliceQuery("LHR", "JFK", day(43)), max_connections=0, timeout=TIMEOUT
        )


async def test_a_fare_for_other_travellers_or_another_journey_is_refused(
    ba: RestConnector,
) -> None:
    held = await booked(ba, "ord_change_3", 44, "premium_economy")
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
