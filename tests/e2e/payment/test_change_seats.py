"""Seats on a slice that a change replaces: released at the airline with the old flights and
taken off the order (an unpaid hold's total without their price), never carried over; the
traveler's change mail names them."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import aiohttp
import msgspec

from booking.events import decode_event
from connectors import offer_ids
from notify.templates import Email, render
from notify.wire import WireEvent
from tests.e2e.payment.test_order_changes import (
    FLEX_CABIN,
    change_offers,
    confirm,
    order_airline_url,
    paid_order,
)
from tests.e2e.payment.test_paid_seat_change import choose_seat
from tests.support.airline_orders import until
from tests.support.api_seat_maps import seat_elements
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

WAITING_ON = "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))"


async def first_seat_map(pay_env: PayEnv, offer_id: str) -> dict[str, Any]:
    response = await pay_env.client.get("/v1/seat_maps", params={"offer_id": offer_id})
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    first: dict[str, Any] = body["seat_maps"][0]
    return first


async def own_seat_map(pay_env: PayEnv, headers: Headers, order_id: str) -> dict[str, Any]:
    response = await pay_env.client.get(
        "/v1/seat_maps", params={"order_id": order_id}, headers=headers
    )
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    first: dict[str, Any] = body["seat_maps"][0]
    return first


async def airline_state(pay_env: PayEnv, order: dict[str, Any], designator: str) -> str:
    """The seat's state on the order's first flight as booked, asked of the airline itself
    (our seat maps are cached for seconds)."""
    _, fare_id = offer_ids.decode(order["offer_id"])
    async with aiohttp.ClientSession() as session:
        answer = await session.post(
            f"{order_airline_url(pay_env, order)}/seatmaps", json={"fare_id": fare_id}
        )
        body = await answer.json()
    assert answer.status == 200, body
    [state] = [
        place["state"]
        for row in body["seatmaps"][0]["rows"]
        for section in row["sections"]
        for place in section
        if place.get("seat") == designator
    ]
    return str(state)


async def test_a_changed_slice_releases_its_seats_at_the_airline_and_from_the_order(
    pay_env: PayEnv, alice: Headers
) -> None:
    offer = await pay_env.booking.offer(days=108, **FLEX_CABIN)
    response = await pay_env.booking.order(alice, offer)
    held: dict[str, Any] = await response.json()
    assert response.status == 201, held
    seat_map = await first_seat_map(pay_env, offer["id"])
    # A changeable fare's cabin seats are free at the sim airlines (priced seats: unit tests).
    paid = next(e for e in seat_elements(seat_map) if e.get("available_services"))
    price = Decimal(paid["available_services"][0]["total_amount"])
    chosen = await choose_seat(
        pay_env, alice, held["id"], seat_map["segment_id"], paid["designator"]
    )
    assert chosen.status == 200, await chosen.json()
    with_seat = await pay_env.order(alice, held["id"])
    assert [s["designator"] for s in with_seat["seats"]] == [paid["designator"]]
    assert await airline_state(pay_env, held, paid["designator"]) != "available"

    status, offers = await change_offers(pay_env, alice, with_seat, days=38)
    assert status == 201, offers
    change = offers["data"][0]
    # An unpaid hold would have paid for the seat: its new total is without its price.
    expected = Decimal(with_seat["total_amount"]) + Decimal(change["fare_difference_amount"])
    assert Decimal(change["new_total_amount"]) == expected - price
    status, done = await confirm(pay_env, alice, held["id"], change["id"], str(uuid.uuid4()))
    assert status == 200, done

    after = done["order"]
    assert after["seats"] == []  # not carried over to the new flights
    # The trip page's notice reads last_change: it names the released seat as the history does.
    released = f"; seats {paid['designator']} released"
    assert after["last_change"]["detail"].endswith(released)
    assert after["total_amount"] == change["new_total_amount"]
    # the change's answer carries no `money` (stored for its retries): the order's GET reads it
    read = await pay_env.order(alice, held["id"])
    assert after["money"] is None
    assert {**read, "money": None} == after
    # The airline released it with the old flight.
    assert await airline_state(pay_env, held, paid["designator"]) == "available"

    payload = await pay_env.pool.fetchval(
        "SELECT payload FROM outbox WHERE order_id = $1 AND type = 'order.changed'", held["id"]
    )
    event = decode_event(payload)
    assert [s.designator for s in event.seats] == [paid["designator"]]
    wire = msgspec.json.decode(msgspec.json.encode(event), type=WireEvent)
    [mail, *_] = render(wire)
    assert isinstance(mail, Email)
    assert f"seat {paid['designator']}" in mail.body
    assert "released" in mail.body


async def test_a_seat_chosen_while_the_change_commits_goes_with_the_old_flights(
    pay_env: PayEnv, alice: Headers
) -> None:
    """A paid order's free seat does not move the order's `updated_at`, the guard a change
    commits under: one recorded between the change's read of the order and its commit was
    left on the order, on flights it no longer has (seen over HTTP by choosing a seat while a
    change confirmed). The race is made exact with the row lock seats are written under."""
    order = await paid_order(pay_env, alice, days=109, **FLEX_CABIN)
    segment = order["slices"][0]["segments"][0]
    seat_map = await own_seat_map(pay_env, alice, order["id"])
    status, offers = await change_offers(pay_env, alice, order, days=39)
    assert status == 201, offers
    change = offers["data"][0]
    card = {"card_token": "tok_visa"} if Decimal(change["change_total_amount"]) > 0 else {}

    async with pay_env.pool.acquire() as seat_desk:
        async with seat_desk.transaction():
            # The seat desk holds the order's row to record a seat on its first flight...
            await seat_desk.execute("SELECT FROM orders WHERE id = $1 FOR UPDATE", order["id"])
            key = str(uuid.uuid4())
            confirming = asyncio.create_task(
                confirm(pay_env, alice, order["id"], change["id"], key, **card)
            )
            # ...once the change has read the order, and is about to commit.
            me = await seat_desk.fetchval("SELECT pg_backend_pid()")
            await until(lambda: pay_env.pool.fetchval(WAITING_ON, me))
            await seat_desk.execute(
                "INSERT INTO order_seats (order_id, segment_id, passenger_id, designator, amount,"
                " currency) VALUES ($1, $2, 'pas_1', '14C', 0, $3)",
                order["id"], seat_map["segment_id"], order["total_currency"],
            )  # fmt: skip
        status, done = await confirming

    assert status == 200, done
    after = done["order"]
    assert after["slices"][0]["segments"][0]["departing_at"] != segment["departing_at"]
    assert after["seats"] == []  # released with the old flights, not left on the order
    assert after["last_change"]["detail"].endswith("; seats 14C released")
    assert (await pay_env.order(alice, order["id"]))["seats"] == []
