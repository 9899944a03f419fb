"""Changing a booked journey through the NDC connector against the sim's NDC airline, 21.3's way:
an OrderReshopRQ's change offers, an OrderChangeRQ accepting one (our BookingRef naming the
change: the same never changes twice), and undoing it. Every message of these tests is checked
against IATA's NDC 21.3 schemas in both directions (`ndc_exchanges`, conftest.py)."""

from __future__ import annotations

import pytest

from connectors import errors
from connectors.model import CabinClass, Hold, SliceQuery
from connectors.ndc import NdcConnector
from tests.support.flights import adults, day, query, supplier_id
from tests.support.ndc_exchanges import ExchangeRecorder

TIMEOUT = 2.0


async def _held(crimson: NdcConnector, reference: str, days: int, cabin: CabinClass) -> Hold:
    offer = (await crimson.search(query(("LHR", "JFK", days), cabin=cabin), timeout=TIMEOUT))[0]
    return await crimson.hold(supplier_id(offer), adults(1), reference=reference, timeout=TIMEOUT)


async def test_a_journey_changes_to_another_day_once_per_reference_and_is_undone(
    crimson: NdcConnector, ndc_exchanges: ExchangeRecorder
) -> None:
    held = await _held(crimson, "ord_ndc_change_1", 40, "premium_economy")
    ticketed = await crimson.ticket(held.locator, timeout=TIMEOUT)
    new_day = SliceQuery("LHR", "JFK", day(42))

    offers = await crimson.reshop(held.locator, 0, new_day, max_connections=0, timeout=TIMEOUT)
    assert offers
    offer = offers[0]
    assert offer.old_total == held.total_amount
    assert offer.new_total == offer.fare_amount  # one journey: the booking is that fare
    assert offer.slice.segments[0].departing_at.date() == day(42)
    assert offer.slice.segments[0].cabin_class == "premium_economy"
    assert offer.conditions.changeable
    assert offer.seats_remaining > 0
    assert offer.currency == held.total_currency

    changed = await crimson.change_slice(
        held.locator, 0, offer.supplier_fare_id, reference="och_ndc_1", timeout=TIMEOUT
    )
    again = await crimson.change_slice(
        held.locator, 0, offer.supplier_fare_id, reference="och_ndc_1", timeout=TIMEOUT
    )
    assert changed.locator == held.locator
    assert changed.reference == "ord_ndc_change_1"
    assert changed.total_amount == offer.new_total
    assert changed.status == "ticketed"
    assert changed.ticket_numbers != ticketed.ticket_numbers  # exchanged: new tickets
    assert again == changed  # the same reference changes nothing twice

    undone = await crimson.undo_change(held.locator, "och_ndc_1", timeout=TIMEOUT)
    assert undone.total_amount == ticketed.total_amount
    assert undone.ticket_numbers == ticketed.ticket_numbers
    assert await crimson.undo_change(held.locator, "och_ndc_1", timeout=TIMEOUT) == undone
    with pytest.raises(errors.ChangeNotFound):
        await crimson.undo_change(held.locator, "och_never", timeout=TIMEOUT)
    assert ndc_exchanges.exchanges  # each message above is checked when the test ends


async def test_an_economy_fare_is_not_changeable_and_no_flights_is_no_offers(
    crimson: NdcConnector,
) -> None:
    economy = await _held(crimson, "ord_ndc_change_2", 41, "economy")
    with pytest.raises(errors.NotChangeable):
        await crimson.reshop(
            economy.locator,
            0,
            SliceQuery("LHR", "JFK", day(43)),
            max_connections=1,
            timeout=TIMEOUT,
        )
    flexible = await _held(crimson, "ord_ndc_change_3", 44, "premium_economy")
    nowhere = SliceQuery("LHR", "SYD", day(45))  # not a route it flies
    assert (
        await crimson.reshop(flexible.locator, 0, nowhere, max_connections=0, timeout=TIMEOUT) == []
    )
