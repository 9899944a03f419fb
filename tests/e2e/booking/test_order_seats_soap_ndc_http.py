"""Choosing seats over HTTP on held orders of the SOAP airline and of the NDC 21.3 airline: the
booking core asks each through its own protocol (the WSDL's SelectSeats; SeatAvailability then
OrderChange), and the airline's own seat map agrees afterwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.ndc import NdcConnector
from connectors.soap import SoapConnector
from sim.soap import SIM_PASSWORD, SIM_USERNAME
from tests.support.booking import BookingEnv, Headers
from tests.support.seat_maps import available

AIRLINES = {"soap-": "CPH", "ndc-": "LHR"}  # where each flies nonstop to JFK from


def _connector(env: BookingEnv, source: str) -> SoapConnector | NdcConnector:
    if source == "soap-":
        url = env.sim.url + "/soap/nordic"
        return SoapConnector("soap-nordic", url, username=SIM_USERNAME, password=SIM_PASSWORD)
    return NdcConnector("ndc-crimson", env.sim.url + "/ndc/crimson")


async def _json(response: Any) -> Any:
    return await response.json()


def _flights(offer: dict[str, Any]) -> list[list[str]]:
    return [[s["flight_number"] for s in sl["segments"]] for sl in offer["slices"]]


async def _same_flights(env: BookingEnv, offer: dict[str, Any]) -> dict[str, Any]:
    """A fresh offer of the same airline for the same flights (the first hold may move the
    cheapest fare to another flight)."""
    segment = offer["slices"][0]["segments"][0]
    query = {
        "origin": segment["origin"],
        "destination": offer["slices"][0]["segments"][-1]["destination"],
        "departure_date": segment["departing_at"][:10],
        "cache": "false",
        "max_connections": "0",
    }
    found = await _json(await env.client.get("/v1/search", params=query))
    return next(
        o
        for o in found["offers"]
        if o["source"] == offer["source"] and _flights(o) == _flights(offer)
    )


@pytest.mark.parametrize("source", list(AIRLINES))
async def test_a_seat_is_chosen_on_a_held_order_and_refused_to_the_next_traveler(
    booking_env: BookingEnv, alice: Headers, source: str
) -> None:
    offer = await booking_env.offer(origin=AIRLINES[source], source=source)
    created = await booking_env.order(alice, offer)
    order = await _json(created)
    assert created.status == 201, order
    maps = await booking_env.client.get("/v1/seat_maps", params={"offer_id": offer["id"]})
    seat_map = (await _json(maps))["seat_maps"][0]
    elements = [
        e for r in seat_map["cabins"][0]["rows"] for s in r["sections"] for e in s["elements"]
    ]
    paid = next(
        e
        for e in elements
        if e["type"] == "seat"
        and e.get("available_services")
        and Decimal(e["available_services"][0]["total_amount"]) > 0
    )
    price = Decimal(paid["available_services"][0]["total_amount"])
    service = {
        "type": "seat",
        "segment_id": seat_map["segment_id"],
        "passenger_id": "pas_1",
        "designator": paid["designator"],
    }

    chosen = await booking_env.client.post(
        f"/v1/orders/{order['id']}/seats", json={"services": [service]}, headers=alice
    )
    body = await _json(chosen)

    assert chosen.status == 200, body
    assert Decimal(body["total_amount"]) == Decimal(order["total_amount"]) + price
    assert [(s["passenger_id"], s["designator"]) for s in body["seats"]] == [
        ("pas_1", paid["designator"])
    ]
    airline = _connector(booking_env, source)
    await airline.start()
    try:
        booked = await airline.booking_seat_maps(order["airline_locator"], timeout=5)
    finally:
        await airline.close()
    assert available(booked.legs[0], paid["designator"])  # the order's own seat
    bob = await booking_env.token("bob-seats-" + source.rstrip("-"))
    again = await _same_flights(booking_env, offer)
    second = await _json(await booking_env.order(bob, again))
    assert "id" in second, second
    taken = await booking_env.client.post(
        f"/v1/orders/{second['id']}/seats", json={"services": [service]}, headers=bob
    )
    problem = await _json(taken)
    assert taken.status == 409, problem
    assert problem["seats"] == [paid["designator"]]
