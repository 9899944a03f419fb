"""Which adult holds which infant, through HTTP: named in `POST /v1/orders` (or paired in order
when not), stored, answered by the order's GET and in the traveler's data export; every bad
name a 422 at its field, with nothing written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.api_seat_maps import seat_elements
from tests.support.booking import BookingEnv, Headers, adult

INFANT = {"type": "infant", "born_on": "2026-06-01"}


def _infant(name: str) -> dict[str, Any]:
    return adult(name, **INFANT)


def _child(name: str) -> dict[str, Any]:
    return adult(name, type="child", born_on="2018-06-01")


async def _created(env: BookingEnv, headers: Headers, offer: Any, passengers: Any) -> Any:
    response = await env.order(headers, offer, passengers=passengers)
    order = await response.json()
    assert response.status == 201, order
    return order


async def _second_adult_holds_the_infant(env: BookingEnv, headers: Headers) -> Any:
    """Ada, Bea holding Tim (pas_3) on her lap, and Tim."""
    offer = await env.offer(adults="2", infants="1")
    passengers = [adult("Ada"), adult("Bea", infant_passenger_id="pas_3"), _infant("Tim")]
    return await _created(env, headers, offer, passengers)


async def test_an_adult_named_holds_the_infant_and_the_order_says_so_everywhere(
    booking_env: BookingEnv, alice: Headers
) -> None:
    order = await _second_adult_holds_the_infant(booking_env, alice)

    laps = [p["infant_passenger_id"] for p in order["passengers"]]
    assert laps == [None, "pas_3", None]
    fetched = await booking_env.client.get(f"/v1/orders/{order['id']}", headers=alice)
    assert [p["infant_passenger_id"] for p in (await fetched.json())["passengers"]] == laps
    export = await (await booking_env.client.get("/v1/me/export", headers=alice)).json()
    [exported] = export["orders"]
    assert [p["infant_passenger_id"] for p in exported["passengers"]] == laps


async def test_infants_no_adult_names_are_recorded_on_the_adults_in_order(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer(adults="2", infants="2")
    passengers = [adult("Ada"), adult("Bea"), _infant("Tim"), _infant("Kit")]

    order = await _created(booking_env, alice, offer, passengers)

    fetched = await booking_env.client.get(f"/v1/orders/{order['id']}", headers=alice)
    laps = [p["infant_passenger_id"] for p in (await fetched.json())["passengers"]]
    assert laps == ["pas_3", "pas_4", None, None]


async def test_an_order_without_infants_names_no_lap(
    booking_env: BookingEnv, alice: Headers
) -> None:
    order = await _created(booking_env, alice, await booking_env.offer(), [adult()])

    assert order["passengers"][0]["infant_passenger_id"] is None


BAD = {
    "an infant on a child": (
        [adult("Ada"), _child("Kim") | {"infant_passenger_id": "pas_3"}, _infant("Tim")],
        "passengers[1].infant_passenger_id",
    ),
    "an adult holding a child": (
        [adult("Ada", infant_passenger_id="pas_2"), _child("Kim"), _infant("Tim")],
        "passengers[0].infant_passenger_id",
    ),
    "two infants on one adult": (
        [adult("Ada", infant_passenger_id="pas_2"), _infant("Tim"), _infant("Kit")],
        "passengers[2]",
    ),
    "an infant named by two adults": (
        [adult("Ada", infant_passenger_id="pas_3"), adult("Bea", infant_passenger_id="pas_3"),
         _infant("Tim")],
        "passengers[1].infant_passenger_id",
    ),
    "an id out of range": (
        [adult("Ada", infant_passenger_id="pas_7"), adult("Bea"), _infant("Tim")],
        "passengers[0].infant_passenger_id",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("passengers", "field"), list(BAD.values()), ids=list(BAD))
async def test_a_bad_lap_is_a_422_naming_the_field_and_nothing_is_written(
    booking_env: BookingEnv, alice: Headers, passengers: list[dict[str, Any]], field: str
) -> None:
    offer = await booking_env.offer(adults="2", infants="1")
    key = str(uuid.uuid4())

    response = await booking_env.order(alice, offer, key=key, passengers=passengers)
    problem = await response.json()

    assert response.status == 422, problem
    assert response.content_type == "application/problem+json"
    assert [e["field"] for e in problem["errors"]] == [field]
    listed = await (await booking_env.client.get("/v1/orders", headers=alice)).json()
    assert listed["data"] == []
    # The key was not spent: the mended body books under it.
    mended = [adult("Ada"), adult("Bea"), _infant("Tim")]
    retried = await booking_env.order(alice, offer, key=key, passengers=mended)
    assert retried.status == 201, await retried.json()


async def test_the_exit_row_is_refused_to_the_adult_holding_the_infant_and_sold_to_the_other(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # The airline is told the pairing with the hold: it would refuse pas_1 (its first adult) else.
    order = await _second_adult_holds_the_infant(booking_env, alice)
    shown = await booking_env.client.get(
        "/v1/seat_maps", params={"order_id": order["id"]}, headers=alice
    )
    seat_map = (await shown.json())["seat_maps"][0]
    exit_seat = next(
        e
        for e in seat_elements(seat_map)
        if e["available"] and "exit_row" in e.get("characteristics", [])
    )
    assert [s["passenger_id"] for s in exit_seat["available_services"]] == ["pas_1"]

    def choice(pax: str) -> dict[str, Any]:
        service = {"type": "seat", "segment_id": seat_map["segment_id"], "passenger_id": pax}
        return {"services": [{**service, "designator": exit_seat["designator"]}]}

    seats_url = f"/v1/orders/{order['id']}/seats"
    refused = await booking_env.client.post(seats_url, json=choice("pas_2"), headers=alice)
    problem = await refused.json()
    assert refused.status == 422, problem
    assert problem["errors"][0]["message"].startswith("exit_row_infant")

    chosen = await booking_env.client.post(seats_url, json=choice("pas_1"), headers=alice)
    body = await chosen.json()
    assert chosen.status == 200, body
    assert [(s["passenger_id"], s["designator"]) for s in body["seats"]] == [
        ("pas_1", exit_seat["designator"])
    ]
