"""The REST connector against the real sim over sockets (FAST profiles: a few ms a call)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import pytest

from connectors import errors
from connectors.model import BaggageAllowance, Offer
from connectors.rest.connector import RestConnector
from tests.support.flights import LHR_JFK, adults, flights, query, supplier_id
from tests.support.sim import SimHandle

# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0


@pytest.fixture
async def airline(sim: SimHandle) -> AsyncIterator[dict[str, RestConnector]]:
    connectors = {
        s.name.removeprefix("rest-"): RestConnector(s.name, s.base_url, max_timeout_s=TIMEOUT)
        for s in sim.connector_settings()
    }
    for connector in connectors.values():
        await connector.start()
    yield connectors
    for connector in connectors.values():
        await connector.close()


async def test_start_learns_each_airlines_route_network(airline: dict[str, RestConnector]) -> None:
    assert airline["britannia"].serves(LHR_JFK)
    assert airline["liberty"].serves(LHR_JFK)
    assert airline["globetrotter"].serves(LHR_JFK)
    assert not airline["hansa"].serves(query(("LHR", "EZE", 30)))
    assert airline["hansa"].serves(query(("FRA", "JFK", 30)))


async def test_lhr_jfk_is_sold_by_ba_and_aa_and_resold_by_globetrotter(
    airline: dict[str, RestConnector],
) -> None:
    ba = await airline["britannia"].search(LHR_JFK, timeout=TIMEOUT)
    aa = await airline["liberty"].search(LHR_JFK, timeout=TIMEOUT)
    gt = await airline["globetrotter"].search(LHR_JFK, timeout=TIMEOUT)

    assert {o.owner.iata_code for o in ba + aa + gt} == {"BA", "AA", "GT"}
    assert all(s.marketing_carrier == "BA" for o in ba for sl in o.slices for s in sl.segments)
    assert {s.marketing_carrier for o in gt for sl in o.slices for s in sl.segments} == {"BA", "AA"}
    ba_prices = {flights(o): o.total_amount for o in ba}
    resold = [o for o in gt if flights(o) in ba_prices]
    assert resold
    assert any(o.total_amount != ba_prices[flights(o)] for o in resold)  # its own price


async def test_one_stop_journeys_connect_at_a_hub(airline: dict[str, RestConnector]) -> None:
    offers = await airline["liberty"].search(query(("LHR", "SFO", 30)), timeout=TIMEOUT)
    nonstop_only = await airline["liberty"].search(
        query(("LHR", "SFO", 30), stops=0), timeout=TIMEOUT
    )

    assert offers
    assert nonstop_only == []
    for offer in offers:
        first, second = offer.slices[0].segments
        assert first.destination == second.origin
        assert first.destination in {"JFK", "DFW", "ORD", "MIA"}
        # Both times are local at the hub, so they compare directly.
        assert second.departing_at - first.arriving_at >= dt.timedelta(minutes=60)


async def test_round_trip_is_one_offer_with_both_journeys(
    airline: dict[str, RestConnector],
) -> None:
    offers = await airline["britannia"].search(
        query(("LHR", "JFK", 30), ("JFK", "LHR", 37)), timeout=TIMEOUT
    )

    assert offers
    for offer in offers:
        outbound, inbound = offer.slices
        assert (outbound.origin, outbound.destination) == ("LHR", "JFK")
        assert (inbound.origin, inbound.destination) == ("JFK", "LHR")
        assert offer.total_amount == offer.base_amount + offer.tax_amount
    assert [o.total_amount for o in offers] == sorted(o.total_amount for o in offers)


async def test_price_is_unchanged_until_seats_taken_move_the_load(
    airline: dict[str, RestConnector],
) -> None:
    ba = airline["britannia"]
    offer = (await ba.search(LHR_JFK, timeout=TIMEOUT))[0]

    same = await ba.price(supplier_id(offer), timeout=TIMEOUT)
    group = next(
        o
        for o in await ba.search(query(("LHR", "JFK", 30), adults=20), timeout=TIMEOUT)
        if flights(o) == flights(offer)
    )
    await ba.hold(supplier_id(group), adults(20), reference="ord_group", timeout=TIMEOUT)
    moved = await ba.price(supplier_id(offer), timeout=TIMEOUT)

    assert (same.price_changed, same.id, same.total_amount) == (False, offer.id, offer.total_amount)
    assert moved.price_changed
    assert moved.id != offer.id
    assert moved.total_amount > offer.total_amount
    assert moved.seats_remaining == offer.seats_remaining - 20


async def test_hold_retrieve_ticket_and_cancel(airline: dict[str, RestConnector]) -> None:
    ba = airline["britannia"]
    offer = (await ba.search(query(("LHR", "JFK", 30), adults=2), timeout=TIMEOUT))[0]

    held = await ba.hold(supplier_id(offer), adults(2), reference="ord_1", timeout=TIMEOUT)
    found = await ba.retrieve("ord_1", timeout=TIMEOUT)
    ticketed = await ba.ticket(held.locator, timeout=TIMEOUT)
    again = await ba.ticket(held.locator, timeout=TIMEOUT)
    cancelled = await ba.cancel(held.locator, timeout=TIMEOUT)
    cancelled_twice = await ba.cancel(held.locator, timeout=TIMEOUT)

    assert (held.status, held.total_amount) == ("held", offer.total_amount)
    assert held.payment_required_by > dt.datetime.now(dt.UTC)
    assert found == held
    assert ticketed.status == "ticketed"
    assert len(ticketed.ticket_numbers) == 2
    assert all(t.startswith("125-23") for t in ticketed.ticket_numbers)
    assert again.ticket_numbers == ticketed.ticket_numbers
    assert cancelled.status == cancelled_twice.status == "cancelled"
    with pytest.raises(errors.HoldNotFound):
        await ba.retrieve("ord_unknown", timeout=TIMEOUT)


async def test_the_same_reference_never_holds_twice(airline: dict[str, RestConnector]) -> None:
    aa = airline["liberty"]
    offer = (await aa.search(LHR_JFK, timeout=TIMEOUT))[0]

    first = await aa.hold(supplier_id(offer), adults(1), reference="ord_twice", timeout=TIMEOUT)
    second = await aa.hold(supplier_id(offer), adults(1), reference="ord_twice", timeout=TIMEOUT)
    repriced = await aa.price(supplier_id(offer), timeout=TIMEOUT)

    assert first == second
    assert repriced.seats_remaining == offer.seats_remaining - 1


async def test_holding_more_seats_than_are_left_is_sold_out(
    airline: dict[str, RestConnector],
) -> None:
    ba = airline["britannia"]
    offer = (await ba.search(query(("LHR", "JFK", 30), cabin="business"), timeout=TIMEOUT))[0]
    everyone = offer.seats_remaining
    whole_cabin = next(
        o
        for o in await ba.search(
            query(("LHR", "JFK", 30), adults=everyone, cabin="business"), timeout=TIMEOUT
        )
        if flights(o) == flights(offer)
    )

    await ba.hold(supplier_id(whole_cabin), adults(everyone), reference="ord_a", timeout=TIMEOUT)
    with pytest.raises(errors.SoldOut):
        await ba.hold(
            supplier_id(whole_cabin), adults(everyone), reference="ord_b", timeout=TIMEOUT
        )
    with pytest.raises(errors.SoldOut):
        await ba.price(supplier_id(offer), timeout=TIMEOUT)


async def test_forged_or_foreign_fare_ids_are_not_found(airline: dict[str, RestConnector]) -> None:
    offer = (await airline["britannia"].search(LHR_JFK, timeout=TIMEOUT))[0]
    genuine = supplier_id(offer)
    forged = genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB")

    with pytest.raises(errors.OfferNotFound):
        await airline["britannia"].price(forged, timeout=TIMEOUT)
    with pytest.raises(errors.OfferNotFound):
        await airline["globetrotter"].price(genuine, timeout=TIMEOUT)
    with pytest.raises(errors.OfferNotFound):
        await airline["britannia"].hold("not-a-fare", adults(1), reference="ord_x", timeout=TIMEOUT)


async def test_error_rate_one_makes_the_airline_unavailable(
    sim: SimHandle, airline: dict[str, RestConnector]
) -> None:
    await sim.set_profile("hansa", error_rate=1.0)

    with pytest.raises(errors.ConnectorUnavailable):
        await airline["hansa"].search(query(("FRA", "JFK", 30)), timeout=TIMEOUT)
    assert await airline["britannia"].search(LHR_JFK, timeout=TIMEOUT)


async def test_hang_rate_one_times_out_within_the_timeout(
    sim: SimHandle, airline: dict[str, RestConnector]
) -> None:
    await sim.set_profile("liberty", hang_rate=1.0)

    # The sim hangs forever: without the timeout the call would too (pytest-timeout fails it).
    with pytest.raises(
        errors.ConnectorTimeout, match=r"^rest-liberty: /shopping took over 0\.100s$"
    ):
        await airline["liberty"].search(LHR_JFK, timeout=0.1)


async def test_stats_count_calls_per_endpoint_and_reset_restores_profiles(
    sim: SimHandle, airline: dict[str, RestConnector]
) -> None:
    await airline["hansa"].search(query(("FRA", "JFK", 30)), timeout=TIMEOUT)
    await sim.set_profile("hansa", error_rate=1.0)
    before = await sim.stats()

    await sim.reset()

    assert before["hansa"]["network"] == 1
    assert before["hansa"]["shopping"] == 1
    assert before["britannia"]["shopping"] == 0
    assert (await sim.stats())["hansa"]["shopping"] == 0
    assert await airline["hansa"].search(query(("FRA", "JFK", 30)), timeout=TIMEOUT)


async def test_control_api_validates_profiles_and_lists_airlines(sim: SimHandle) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.put(
            f"{sim.url}/_sim/airlines/hansa/profile", json={"error_rate": 2}
        ) as bad:
            assert bad.status == 400
        async with session.put(f"{sim.url}/_sim/airlines/nobody/profile", json={}) as unknown:
            assert unknown.status == 404
        async with session.get(f"{sim.url}/_sim/airlines") as listed:
            airlines = (await listed.json())["airlines"]

    assert [a["base_path"] for a in airlines] == [
        "/rest/britannia",
        "/rest/liberty",
        "/rest/hansa",
        "/soap/nordic",
        "/ndc/crimson",
        "/rest/globetrotter",
    ]
    assert airlines[2]["profile"]["error_rate"] == 0.0


async def test_fares_state_baggage_per_segment_as_the_operating_carrier_files_it(
    airline: dict[str, RestConnector],
) -> None:
    ba = await airline["britannia"].search(LHR_JFK, timeout=TIMEOUT)
    aa = await airline["liberty"].search(query(("JFK", "LAX", 30), stops=0), timeout=TIMEOUT)
    gt = await airline["globetrotter"].search(LHR_JFK, timeout=TIMEOUT)

    def allowances(offers: list[Offer]) -> dict[str, set[tuple[BaggageAllowance, ...] | None]]:
        found: dict[str, set[tuple[BaggageAllowance, ...] | None]] = {}
        for segment in (s for o in offers for sl in o.slices for s in sl.segments):
            found.setdefault(segment.marketing_carrier, set()).add(segment.baggages)
        return found

    checked_and_carry_on = (
        BaggageAllowance("checked", 1, max_weight_kg=23),
        BaggageAllowance("carry_on", 1),
    )
    carry_on_only = (BaggageAllowance("carry_on", 1),)  # Liberty's economy has no checked bag
    assert allowances(ba) == {"BA": {checked_and_carry_on}}
    assert allowances(aa) == {"AA": {carry_on_only}}
    # The consolidator passes on the allowance of the carrier that flies each leg.
    assert allowances(gt) == {"BA": {checked_and_carry_on}, "AA": {carry_on_only}}
