"""What the connector tests of journey changes share, whichever protocol the airline speaks:
a held journey, its change offers for another day, a change made once per reference, and its
undo. Each step asserts what every airline must do; a test adds its protocol's own checks."""

from __future__ import annotations

import pytest

from connectors import errors
from connectors.base import Connector
from connectors.change_model import SliceChangeOffer
from connectors.model import CabinClass, Hold, SliceQuery
from tests.support.flights import adults, query, supplier_id

TIMEOUT = 2.0


async def held_journey(
    airline: Connector,
    reference: str,
    route: tuple[str, str, int],
    cabin: CabinClass,
    *,
    stops: int = 1,
) -> Hold:
    """One adult held on the first offer for `route` (origin, destination, days from today)."""
    offer = (await airline.search(query(route, cabin=cabin, stops=stops), timeout=TIMEOUT))[0]
    return await airline.hold(supplier_id(offer), adults(1), reference=reference, timeout=TIMEOUT)


async def offer_for(airline: Connector, held: Hold, wanted: SliceQuery) -> SliceChangeOffer:
    """The first change offer for flying `held`'s only slice as `wanted`, checked against the
    booking: its old and new totals, its date, a changeable fare."""
    offers = await airline.reshop(held.locator, 0, wanted, max_connections=0, timeout=TIMEOUT)
    assert offers
    offer = offers[0]
    assert offer.old_total == held.total_amount
    assert offer.new_total == offer.fare_amount  # one journey: the booking is that fare
    assert offer.slice.segments[0].departing_at.date() == wanted.departure_date
    assert offer.conditions.changeable
    return offer


async def changed_once(
    airline: Connector, held: Hold, offer: SliceChangeOffer, reference: str
) -> Hold:
    """The booking changed to `offer` under `reference`, asked twice: the second changes
    nothing; the locator stays and the total is the offer's."""
    changed = await airline.change_slice(
        held.locator, 0, offer.supplier_fare_id, reference=reference, timeout=TIMEOUT
    )
    again = await airline.change_slice(
        held.locator, 0, offer.supplier_fare_id, reference=reference, timeout=TIMEOUT
    )
    assert (changed.locator, changed.total_amount) == (held.locator, offer.new_total)
    assert again == changed  # the same reference changes nothing twice
    return changed


async def undone_once(airline: Connector, held: Hold, reference: str) -> Hold:
    """Change `reference` undone, asked twice (the second answers the same), and a change the
    airline never made is `ChangeNotFound`."""
    undone = await airline.undo_change(held.locator, reference, timeout=TIMEOUT)
    assert await airline.undo_change(held.locator, reference, timeout=TIMEOUT) == undone
    with pytest.raises(errors.ChangeNotFound):
        await airline.undo_change(held.locator, "och_never", timeout=TIMEOUT)
    return undone


async def refuses_to_reshop(airline: Connector, held: Hold, wanted: SliceQuery) -> None:
    """An unchangeable fare: asking for change offers is `NotChangeable`."""
    with pytest.raises(errors.NotChangeable):
        await airline.reshop(held.locator, 0, wanted, max_connections=0, timeout=TIMEOUT)
