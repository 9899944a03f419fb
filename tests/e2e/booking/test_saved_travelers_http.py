"""Booking a saved traveler over the real API: the order keeps a copy of the traveler as booked,
and one user can never book (or learn of) another's saved traveler."""

from __future__ import annotations

import uuid

from tests.support.booking import BookingEnv, Headers, adult
from tests.support.saved_travelers import GRACE, MERGE_PATCH, save_traveler


async def test_an_order_from_a_saved_traveler_keeps_it_as_booked_after_an_edit(
    booking_env: BookingEnv, alice: Headers
) -> None:
    traveler = await save_traveler(booking_env, alice)
    passenger = {"type": "adult", "traveler_id": traveler["id"], "email": "grace@example.com"}

    response = await booking_env.order(alice, await booking_env.offer(), passengers=[passenger])
    order = await response.json()

    assert response.status == 201, order
    assert order["passengers"] == [
        {**GRACE, "type": "adult", "email": "grace@example.com", "phone_number": None,
         "infant_passenger_id": None}
    ]  # fmt: skip
    edit = await booking_env.client.patch(
        f"/v1/me/travelers/{traveler['id']}",
        data=b'{"family_name": "Murray"}',
        headers={**alice, "Content-Type": MERGE_PATCH},
    )
    assert edit.status == 200, await edit.text()
    assert (await edit.json())["family_name"] == "Murray"
    again = await booking_env.client.get(f"/v1/orders/{order['id']}", headers=alice)
    assert (await again.json())["passengers"][0]["family_name"] == "Hopper"


async def test_another_users_saved_traveler_is_a_422_naming_it(
    booking_env: BookingEnv, alice: Headers
) -> None:
    bob = await booking_env.token(f"bob-{uuid.uuid4().hex[:8]}")
    bobs = await save_traveler(booking_env, bob)
    passengers = [{"type": "adult", "traveler_id": bobs["id"]}]

    response = await booking_env.order(alice, await booking_env.offer(), passengers=passengers)
    problem = await response.json()

    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["passengers[0].traveler_id"]
    assert "Grace" not in str(problem)


async def test_identity_fields_beside_a_traveler_id_are_named(
    booking_env: BookingEnv, alice: Headers
) -> None:
    traveler = await save_traveler(booking_env, alice)
    passengers = [{"type": "adult", "traveler_id": traveler["id"], "given_name": "Eve"}]

    response = await booking_env.order(alice, "off_whatever", passengers=passengers)
    problem = await response.json()

    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["passengers[0].given_name"]


async def test_the_openapi_document_offers_both_passenger_shapes(booking_env: BookingEnv) -> None:
    document = await (await booking_env.client.get("/openapi.json")).json()

    schemas = document["components"]["schemas"]
    items = schemas["CreateOrderRequest"]["properties"]["passengers"]["items"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in items["anyOf"]} == {
        "Passenger",
        "TravelerPassenger",
    }
    assert schemas["TravelerPassenger"]["required"] == ["type", "traveler_id"]


async def test_one_saved_traveler_in_two_places_is_a_422_and_no_order(
    booking_env: BookingEnv, alice: Headers
) -> None:
    traveler = await save_traveler(booking_env, alice)
    place = {"type": "adult", "traveler_id": traveler["id"]}
    offer = await booking_env.offer(adults="2")

    response = await booking_env.order(alice, offer, passengers=[place, place])
    problem = await response.json()

    assert response.status == 422, problem
    assert problem["errors"] == [
        {
            "field": "passengers[1].traveler_id",
            "message": "the same person as passengers[0] (names and date of birth): "
            "one person takes one place",
        }
    ]
    orders = await (await booking_env.client.get("/v1/orders", headers=alice)).json()
    assert all(o["offer_id"] != offer["id"] for o in orders["data"]), orders


async def test_a_person_typed_twice_is_named_however_the_name_is_spelled(
    booking_env: BookingEnv, alice: Headers
) -> None:
    first = adult(given_name="Seán", family_name="O'Brien")
    again = adult(given_name="SEA\u0301N", family_name="O\u2019Brien")  # decomposed, curly
    twin = adult(given_name="Niamh", family_name="O'Brien")  # same day, another person

    response = await booking_env.order(
        alice, await booking_env.offer(adults="3"), passengers=[first, twin, again]
    )
    problem = await response.json()

    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["passengers[2].given_name"]
    assert "passengers[0]" in problem["errors"][0]["message"]
