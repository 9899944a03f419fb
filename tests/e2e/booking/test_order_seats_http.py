"""Choosing seats on an order over HTTP: real PostgreSQL, the sim airlines, concurrent travelers."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import aiohttp

from tests.support.api_seat_maps import seat_elements
from tests.support.booking import BookingEnv, Headers, adult


async def _order(env: BookingEnv, headers: Headers, offer: dict[str, Any], **kw: Any) -> Any:
    response = await env.order(headers, offer, **kw)
    body = await response.json()
    assert response.status == 201, body
    return body


async def _seat_map(env: BookingEnv, offer: dict[str, Any]) -> dict[str, Any]:
    response = await env.client.get("/v1/seat_maps", params={"offer_id": offer["id"]})
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    first: dict[str, Any] = body["seat_maps"][0]
    return first


async def _choose(
    env: BookingEnv,
    headers: Headers,
    order: dict[str, Any],
    segment: str,
    seat: str,
    pax: str = "pas_1",
) -> aiohttp.ClientResponse:
    service = {"type": "seat", "segment_id": segment, "passenger_id": pax, "designator": seat}
    return await env.client.post(
        f"/v1/orders/{order['id']}/seats", json={"services": [service]}, headers=headers
    )


async def _airline_map(env: BookingEnv, order: dict[str, Any], source: str) -> dict[str, bool]:
    """The airline's own seat map of the order's booking, asked of the sim directly."""
    slug = source.removeprefix("rest-")
    url = f"{env.sim.url}/rest/{slug}/bookings/{order['airline_locator']}/seatmaps"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        body = await response.json()
    return {
        p["seat"]: p["state"] == "available"
        for r in body["seatmaps"][0]["rows"]
        for s in r["sections"]
        for p in s
        if p.get("seat")
    }


async def test_a_paid_seat_is_added_to_the_total_and_a_change_replaces_its_price(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer()
    order = await _order(booking_env, alice, offer)
    seat_map = await _seat_map(booking_env, offer)
    paid = next(
        e
        for e in seat_elements(seat_map)
        if e.get("available_services") and Decimal(e["available_services"][0]["total_amount"]) > 0
    )
    free = next(
        e
        for e in seat_elements(seat_map)
        if e.get("available_services") and Decimal(e["available_services"][0]["total_amount"]) == 0
    )
    price = Decimal(paid["available_services"][0]["total_amount"])

    chosen = await _choose(booking_env, alice, order, seat_map["segment_id"], paid["designator"])
    body = await chosen.json()

    assert chosen.status == 200, body
    assert Decimal(body["total_amount"]) == Decimal(order["total_amount"]) + price
    assert [(s["passenger_id"], s["designator"]) for s in body["seats"]] == [
        ("pas_1", paid["designator"])
    ]
    changed = await _choose(booking_env, alice, order, seat_map["segment_id"], free["designator"])
    assert Decimal((await changed.json())["total_amount"]) == Decimal(order["total_amount"])
    listed = await booking_env.client.get(f"/v1/orders/{order['id']}/seats", headers=alice)
    assert [s["designator"] for s in (await listed.json())["seats"]] == [free["designator"]]
    shown = await booking_env.client.get(f"/v1/orders/{order['id']}", headers=alice)
    assert (await shown.json())["total_amount"] == order["total_amount"]
    # The history tells the first seats from the change (it titled both "Seats changed").
    history = await booking_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    steps = [(h["code"], h["reason"]) for h in (await history.json())["data"]]
    ada = "{given_name} {family_name}".format(**order["passengers"][0])
    assert [s for s in steps if s[0] in ("seats_chosen", "seats_changed")] == [
        ("seats_chosen", f"seats chosen: {paid['designator']} ({ada})"),
        ("seats_changed", f"seats {free['designator']} ({ada})"),
    ]


async def test_one_request_choosing_a_seat_and_replacing_another_says_which_was_which(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # It read "seats 14C (Ada Lovelace), 14D (Charles Babbage)", `seats_changed`, as a whole.
    offer = await booking_env.offer(adults="2")
    order = await _order(
        booking_env, alice, offer, passengers=[adult(), adult("Charles", "Babbage")]
    )
    seat_map = await _seat_map(booking_env, offer)
    segment = seat_map["segment_id"]
    free = [e["designator"] for e in seat_elements(seat_map) if e.get("available_services")]
    first, again, theirs = free[:3]
    assert (await _choose(booking_env, alice, order, segment, first)).status == 200

    services = [
        {"type": "seat", "segment_id": segment, "passenger_id": pax, "designator": seat}
        for pax, seat in (("pas_1", again), ("pas_2", theirs))
    ]
    both = await booking_env.client.post(
        f"/v1/orders/{order['id']}/seats", json={"services": services}, headers=alice
    )
    assert both.status == 200, await both.json()

    history = await booking_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    steps = [(h["code"], h["reason"]) for h in (await history.json())["data"]]
    assert steps[-1] == (
        "seats_chosen_and_changed",
        f"seats chosen and changed: {again} (Ada Lovelace) in place of {first},"
        f" {theirs} (Charles Babbage) chosen",
    )


async def test_two_travelers_choosing_one_seat_at_once_one_wins_and_the_airline_agrees(
    booking_env: BookingEnv, alice: Headers
) -> None:
    bob = await booking_env.token("bob-seats")
    offer = await booking_env.offer()
    first = await _order(booking_env, alice, offer)
    second = await _order(booking_env, bob, await booking_env.offer())
    seat_map = await _seat_map(booking_env, offer)
    seat = next(e["designator"] for e in seat_elements(seat_map) if e.get("available_services"))

    answers = await asyncio.gather(
        _choose(booking_env, alice, first, seat_map["segment_id"], seat),
        _choose(booking_env, bob, second, seat_map["segment_id"], seat),
    )

    assert sorted(a.status for a in answers) == [200, 409]
    loser = answers[0] if answers[0].status == 409 else answers[1]
    problem = await loser.json()
    assert seat in problem["detail"]
    assert (problem["seats"], problem["refusal"]) == ([seat], "seat_taken")
    lost = first if loser is answers[0] else second
    won = second if lost is first else first
    assert (await _airline_map(booking_env, lost, offer["source"]))[seat] is False
    assert (await _airline_map(booking_env, won, offer["source"]))[seat] is True


async def test_an_exit_row_for_a_child_is_422_naming_the_rule(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer(children="1")
    child = adult("Tim", type="child", born_on="2019-01-01")
    order = await _order(booking_env, alice, offer, passengers=[adult(), child])
    seat_map = await _seat_map(booking_env, offer)
    exit_seat = next(
        e["designator"]
        for e in seat_elements(seat_map)
        if e["available"] and "exit_row" in e.get("characteristics", [])
    )

    refused = await _choose(booking_env, alice, order, seat_map["segment_id"], exit_seat, "pas_2")
    problem = await refused.json()

    assert refused.status == 422, problem
    assert "exit_row_child" in problem["errors"][0]["message"]
    assert problem["errors"][0]["field"] == "services[0].designator"
    bad = await _choose(booking_env, alice, order, "seg_nope", exit_seat, "pas_9")
    assert [e["field"] for e in (await bad.json())["errors"]] == [
        "services[0].segment_id",
        "services[0].passenger_id",
    ]


async def test_an_orders_seat_map_is_its_travelers_own(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer()
    order = await _order(booking_env, alice, offer)
    seat_map = await _seat_map(booking_env, offer)
    seat = next(e["designator"] for e in seat_elements(seat_map) if e.get("available_services"))
    chosen = await _choose(booking_env, alice, order, seat_map["segment_id"], seat)
    assert chosen.status == 200, await chosen.text()
    params = {"order_id": order["id"]}

    anonymous = await booking_env.client.get("/v1/seat_maps", params=params)
    stranger = await booking_env.client.get(
        "/v1/seat_maps", params=params, headers=await booking_env.token("eve-seats")
    )
    own = await booking_env.client.get("/v1/seat_maps", params=params, headers=alice)

    assert anonymous.status == 401
    assert "Bearer" in anonymous.headers["WWW-Authenticate"]
    assert stranger.status == 404
    body = await own.json()
    assert own.status == 200, body
    assert own.headers["Cache-Control"] == "no-store"
    [mine] = [e for e in seat_elements(body["seat_maps"][0]) if e["designator"] == seat]
    assert [s["passenger_id"] for s in mine["available_services"]] == ["pas_1"]


async def test_a_seat_another_passenger_of_the_order_keeps_is_not_given_twice(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # The order's own seats show available to it: pas_2 was given pas_1's seat (two passengers
    # of the order in 14A), and one request asking one seat for both was a 503 from the airline.
    offer = await booking_env.offer(adults="2", days=33)
    order = await _order(
        booking_env, alice, offer, passengers=[adult(), adult("Charles", "Babbage")]
    )
    seat_map = await _seat_map(booking_env, offer)
    segment = seat_map["segment_id"]
    first, other = [
        e["designator"] for e in seat_elements(seat_map) if e.get("available_services")
    ][:2]
    assert (await _choose(booking_env, alice, order, segment, first)).status == 200

    kept = await _choose(booking_env, alice, order, segment, first, "pas_2")
    problem = await kept.json()
    assert kept.status == 409, problem
    assert problem["seats"] == [first]

    def services(*chosen: tuple[str, str]) -> dict[str, Any]:
        return {
            "services": [
                {"type": "seat", "segment_id": segment, "passenger_id": pax, "designator": seat}
                for pax, seat in chosen
            ]
        }

    path = f"/v1/orders/{order['id']}/seats"
    both = await booking_env.client.post(
        path, json=services(("pas_1", other), ("pas_2", other)), headers=alice
    )
    problem = await both.json()
    assert both.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["services[1].designator"]

    swapped = await booking_env.client.post(
        path, json=services(("pas_1", other), ("pas_2", first)), headers=alice
    )
    body = await swapped.json()
    assert swapped.status == 200, body
    assert sorted((s["passenger_id"], s["designator"]) for s in body["seats"]) == [
        ("pas_1", other),
        ("pas_2", first),
    ]
