"""Journey changes through the SOAP connector against the sim's SOAP airline (the WSDL's
BookModify, OTA_AirBookModifyRQ/RS): reshop, change once per reference, undo. The steps every
airline shares are in tests/support/journey_changes.py."""

from __future__ import annotations

from connectors.model import SliceQuery
from connectors.soap import SoapConnector
from tests.support.flights import day
from tests.support.journey_changes import (
    changed_once,
    held_journey,
    offer_for,
    refuses_to_reshop,
    undone_once,
)


async def test_a_journey_changes_and_is_undone_over_soap(nordic: SoapConnector) -> None:
    held = await held_journey(nordic, "ord_soap_1", ("CPH", "JFK", 40), "premium_economy", stops=0)

    offer = await offer_for(nordic, held, SliceQuery("CPH", "JFK", day(43)))
    await changed_once(nordic, held, offer, "och_soap")

    undone = await undone_once(nordic, held, "och_soap")
    assert undone.total_amount == held.total_amount


async def test_an_economy_fare_is_not_changeable_over_soap(nordic: SoapConnector) -> None:
    held = await held_journey(nordic, "ord_soap_2", ("CPH", "JFK", 41), "economy", stops=0)
    await refuses_to_reshop(nordic, held, SliceQuery("CPH", "JFK", day(44)))
