"""Changing a booked journey through the NDC connector against the sim's NDC airline, 21.3's way:
an OrderReshopRQ's change offers, an OrderChangeRQ accepting one (our BookingRef naming the
change: the same never changes twice), and undoing it. Every message of these tests is checked
against IATA's NDC 21.3 schemas in both directions (`ndc_exchanges`, conftest.py); the steps every
airline shares are in tests/support/journey_changes.py."""

from __future__ import annotations

from connectors.model import SliceQuery
from connectors.ndc import NdcConnector
from tests.support.flights import day
from tests.support.journey_changes import (
    TIMEOUT,
    changed_once,
    held_journey,
    offer_for,
    refuses_to_reshop,
    undone_once,
)
from tests.support.ndc_exchanges import ExchangeRecorder


async def test_a_journey_changes_to_another_day_once_per_reference_and_is_undone(
    crimson: NdcConnector, ndc_exchanges: ExchangeRecorder
) -> None:
    held = await held_journey(crimson, "ord_ndc_change_1", ("LHR", "JFK", 40), "premium_economy")
    ticketed = await crimson.ticket(held.locator, timeout=TIMEOUT)

    offer = await offer_for(crimson, held, SliceQuery("LHR", "JFK", day(42)))
    assert offer.slice.segments[0].cabin_class == "premium_economy"
    assert offer.seats_remaining > 0
    assert offer.currency == held.total_currency

    changed = await changed_once(crimson, held, offer, "och_ndc_1")
    assert changed.reference == "ord_ndc_change_1"
    assert changed.status == "ticketed"
    assert changed.ticket_numbers != ticketed.ticket_numbers  # exchanged: new tickets

    undone = await undone_once(crimson, held, "och_ndc_1")
    assert undone.total_amount == ticketed.total_amount
    assert undone.ticket_numbers == ticketed.ticket_numbers
    assert ndc_exchanges.exchanges  # each message above is checked when the test ends


async def test_an_economy_fare_is_not_changeable_and_no_flights_is_no_offers(
    crimson: NdcConnector,
) -> None:
    economy = await held_journey(crimson, "ord_ndc_change_2", ("LHR", "JFK", 41), "economy")
    await refuses_to_reshop(crimson, economy, SliceQuery("LHR", "JFK", day(43)))
    flexible = await held_journey(
        crimson, "ord_ndc_change_3", ("LHR", "JFK", 44), "premium_economy"
    )
    nowhere = SliceQuery("LHR", "SYD", day(45))  # not a route it flies
    assert (
        await crimson.reshop(flexible.locator, 0, nowhere, max_connections=0, timeout=TIMEOUT) == []
    )
