"""Journey changes through the SOAP connector against the sim's SOAP airline (the WSDL's
BookModify, OTA_AirBookModifyRQ/RS): reshop, change once per reference, undo."""

from __future__ import annotations

import pytest

from connectors import errors
from connectors.model import SliceQuery
from connectors.soap import SoapConnector
from tests.support.flights import adults, day, query, supplier_id

TIMEOUT = 2.0


async def test_a_journey_changes_and_is_undone_over_soap(nordic: SoapConnector) -> None:
    search = query(("CPH", "JFK", 40), cabin="premium_economy", stops=0)
    offer = (await nordic.search(search, timeout=TIMEOUT))[0]
    held = await nordic.hold(supplier_id(offer), adults(1), reference="ord_soap_1", timeout=TIMEOUT)

    offers = await nordic.reshop(
        held.locator, 0, SliceQuery("CPH", "JFK", day(43)), max_connections=0, timeout=TIMEOUT
    )
    assert offers
    chosen = offers[0]
    assert chosen.old_total == held.total_amount
    assert chosen.new_total == chosen.fare_amount
    assert chosen.slice.segments[0].departing_at.date() == day(43)

    changed = await nordic.change_slice(
        held.locator, 0, chosen.supplier_fare_id, reference="och_soap", timeout=TIMEOUT
    )
    again = await nordic.change_slice(
        held.locator, 0, chosen.supplier_fare_id, reference="och_soap", timeout=TIMEOUT
    )
    assert (changed.locator, changed.total_amount) == (held.locator, chosen.new_total)
    assert again == changed

    undone = await nordic.undo_change(held.locator, "och_soap", timeout=TIMEOUT)
    assert undone.total_amount == held.total_amount
    with pytest.raises(errors.ChangeNotFound):
        await nordic.undo_change(held.locator, "och_never", timeout=TIMEOUT)


async def test_an_economy_fare_is_not_changeable_over_soap(nordic: SoapConnector) -> None:
    offer = (await nordic.search(query(("CPH", "JFK", 41), stops=0), timeout=TIMEOUT))[0]
    held = await nordic.hold(supplier_id(offer), adults(1), reference="ord_soap_2", timeout=TIMEOUT)
    with pytest.raises(errors.NotChangeable):
        await nordic.reshop(
            held.locator, 0, SliceQuery("CPH", "JFK", day(44)), max_connections=0, timeout=TIMEOUT
        )
