"""The seat story over real servers: search → seat map → book with a paid seat → pay (signed
webhook, ticketed) → the order's own seat map → change to a dearer seat on the confirmed order,
paying the difference through the card gateway → the traveler gets a mail and an SMS."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import aiohttp
import redis.asyncio as redis

from booking.seat_routes import SEAT_DESK
from payment.seat_charges import SeatCharges
from skyfare.settings import Settings
from tests.support.api_seat_maps import price_of, seat_elements
from tests.support.booking import Headers, adult
from tests.support.notify import NotifySim
from tests.support.payment_app import PayEnv, nothing_left, notified_app
from tests.support.payment_sim import eventually


async def test_book_with_a_paid_seat_pay_then_change_it_paying_the_difference(
    settings: Settings, stream: str, redis_url: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        offer = await env.booking.offer(days=45)
        seat_map = await _map(env, {"offer_id": offer["id"]})
        cheap, dear = _two_prices(
            sorted((e["price"], e["designator"]) for e in seat_element_prices(seat_map))
        )
        segment = seat_map["segment_id"]

        order = await _book(env, alice, offer, segment, cheap[1])
        assert Decimal(order["total_amount"]) == Decimal(offer["total_amount"]) + cheap[0]
        assert [(s["passenger_id"], s["designator"]) for s in order["seats"]] == [
            ("pas_1", cheap[1])
        ]
        assert (await env.pay(alice, order["id"])).status == 202
        confirmed = await env.settled(alice, order["id"])
        assert confirmed["status"] == "confirmed"

        own = await _map(env, {"order_id": order["id"]}, alice)
        mine = next(e for e in seat_elements(own) if e["designator"] == cheap[1])
        assert mine["available"] is True  # the traveler's own seat, theirs to keep or leave
        stranger = await env.booking.token(f"eve-{uuid.uuid4().hex[:8]}")
        hidden = await env.client.get(
            "/v1/seat_maps", params={"order_id": order["id"]}, headers=stranger
        )
        assert hidden.status == 404

        unpaid = await choose_seat(env, alice, order["id"], segment, dear[1])
        assert unpaid.status == 422
        assert (await unpaid.json())["errors"][0]["field"] == "payment.card_token"
        charged = await choose_seat(env, alice, order["id"], segment, dear[1], card="tok_visa")
        body = await charged.json()
        assert charged.status == 202, body
        assert body["seat_charge"]["status"] == "processing"
        assert Decimal(body["seat_charge"]["amount"]) == dear[0] - cheap[0]

        seats = await eventually(
            lambda: _seats(env, alice, order["id"]),
            lambda s: s["seat_charge"]["status"] == "succeeded",
        )
        assert [s["designator"] for s in seats["seats"]] == [dear[1]]
        assert seats["total_amount"] == confirmed["total_amount"]  # the order's own payment
        intents = await env.gateway.intents(order["id"])
        assert sorted(Decimal(i["amount"]) for i in intents) == sorted(
            [Decimal(confirmed["total_amount"]), dear[0] - cheap[0]]
        )

        metrics = await (await env.client.get("/metrics")).text()
        assert 'skyfare_seat_charges_total{outcome="succeeded"}' in metrics
        assert 'skyfare_seat_choices_total{outcome="charged"}' in metrics

        # Back to the cheaper seat: free to do, and nothing is refunded.
        back = await choose_seat(env, alice, order["id"], segment, cheap[1])
        assert back.status == 200, await back.text()
        assert len(await env.gateway.intents(order["id"])) == 2

        await _told(env, sim, client, stream, confirmed["booking_reference"], dear[1])


def seat_element_prices(seat_map: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for element in seat_elements(seat_map):
        price = price_of(element)
        if price is not None and price > 0:
            found.append({"designator": element["designator"], "price": price})
    return found


def _two_prices(priced: list[tuple[Decimal, str]]) -> tuple[tuple[Decimal, str], ...]:
    cheap = priced[0]
    dear = next(p for p in reversed(priced) if p[0] > cheap[0])
    return cheap, dear


async def _map(env: PayEnv, params: dict[str, str], headers: Headers | None = None) -> Any:
    response = await env.client.get("/v1/seat_maps", params=params, headers=headers or {})
    body = await response.json()
    assert response.status == 200, body
    return body["seat_maps"][0]


async def _book(
    env: PayEnv, headers: Headers, offer: dict[str, Any], segment: str, designator: str
) -> Any:
    service = {"type": "seat", "segment_id": segment, "passenger_id": "pas_1"}
    response = await env.booking.order(
        headers, offer, passengers=[adult()], services=[{**service, "designator": designator}]
    )
    body = await response.json()
    assert response.status == 201, body
    return body


async def choose_seat(
    env: PayEnv, headers: Headers, order_id: str, segment: str, seat: str, card: str = ""
) -> aiohttp.ClientResponse:
    service = {"type": "seat", "segment_id": segment, "passenger_id": "pas_1", "designator": seat}
    payload: dict[str, Any] = {"services": [service]}
    if card:
        payload["payment"] = {"card_token": card}
    return await env.client.post(f"/v1/orders/{order_id}/seats", json=payload, headers=headers)


async def _seats(env: PayEnv, headers: Headers, order_id: str) -> Any:
    response = await env.client.get(f"/v1/orders/{order_id}/seats", headers=headers)
    assert response.status == 200
    return await response.json()


async def _told(
    env: PayEnv, sim: NotifySim, client: redis.Redis, stream: str, reference: str, seat: str
) -> None:
    def mine(messages: list[dict[str, object]]) -> list[dict[str, object]]:
        return [m for m in messages if reference in str(m) and "seats" in str(m)]

    await eventually(sim.mails, lambda ms: any(seat in str(m) for m in mine(ms)))
    await eventually(sim.sms, lambda ms: any(seat in str(m) for m in mine(ms)))
    await eventually(lambda: nothing_left(env, client, stream), lambda done: done)
    # The mail giving `seat` (a later one names it as the seat it replaced: "in place of 27H").
    paid_mail = [m for m in mine(await sim.mails()) if f", seat {seat}" in str(m["body"])]
    assert len(paid_mail) == 1
    assert "was charged" in str(paid_mail[0]["body"])


async def _confirmed_with_seat(
    env: PayEnv, headers: Headers, days: int
) -> tuple[dict[str, Any], dict[str, Any], list[tuple[Decimal, str]]]:
    """A confirmed order holding its cheapest paid seat; its map and the paid seats, cheap first."""
    offer = await env.booking.offer(days=days)
    seat_map = await _map(env, {"offer_id": offer["id"]})
    priced = sorted((e["price"], e["designator"]) for e in seat_element_prices(seat_map))
    order = await _book(env, headers, offer, seat_map["segment_id"], priced[0][1])
    assert (await env.pay(headers, order["id"])).status == 202
    assert (await env.settled(headers, order["id"]))["status"] == "confirmed"
    return order, seat_map, priced


async def test_a_declined_card_changes_no_seat_and_frees_the_way_for_another_try(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, seat_map, priced = await _confirmed_with_seat(pay_env, alice, days=46)
    dear = _two_prices(priced)[1][1]
    segment = seat_map["segment_id"]

    declined = await choose_seat(pay_env, alice, order["id"], segment, dear, card="tok_declined")
    body = await declined.json()

    # The sim declines at once or by webhook: either way no seat moves and nothing is charged.
    if declined.status == 202:
        body = await eventually(
            lambda: _seats(pay_env, alice, order["id"]),
            lambda s: s["seat_charge"]["status"] != "processing",
        )
        assert body["seat_charge"]["status"] == "failed"
        assert body["seat_charge"]["decline_code"] == "generic_decline"
    else:
        assert declined.status == 422, body
        assert body["errors"][0]["field"] == "payment.card_token"
        assert body["decline_code"]
    seats = await _seats(pay_env, alice, order["id"])
    assert [s["designator"] for s in seats["seats"]] == [priced[0][1]]
    retried = await choose_seat(pay_env, alice, order["id"], segment, dear, card="tok_visa")
    assert retried.status == 202, await retried.text()


async def test_a_seat_taken_while_the_card_is_charged_is_refunded_and_nothing_moves(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, seat_map, priced = await _confirmed_with_seat(pay_env, alice, days=47)
    dear = _two_prices(priced)[1][1]
    segment = seat_map["segment_id"]
    bob = await pay_env.booking.token(f"bob-{uuid.uuid4().hex[:8]}")
    rival = await pay_env.held_order(bob, days=47)
    await pay_env.gateway.set_timing(settle_ms=5, slow_ms=1500)

    slow = await choose_seat(pay_env, alice, order["id"], segment, dear, card="tok_slow")
    assert slow.status == 202, await slow.text()
    again = await choose_seat(pay_env, alice, order["id"], segment, dear, card="tok_visa")
    assert again.status == 409  # one seat charge of an order at a time: never charged twice
    assert (await again.json())["refusal"] == "seat_charge_in_progress"
    taken = await choose_seat(pay_env, bob, rival["id"], segment, dear)
    assert taken.status == 200, await taken.text()

    seats = await eventually(
        lambda: _seats(pay_env, alice, order["id"]),
        lambda s: s["seat_charge"]["status"] == "refunded",
    )
    assert [s["designator"] for s in seats["seats"]] == [priced[0][1]]
    # "on its way back" as the airline refused, then "refunded" once the gateway gave it back
    told = await pay_env.events(order["id"])
    assert told[-2:] == ["order.seat_change_refunded", "order.seat_charge_returned"]
    # The refund's mail names the card the seat was charged on (tok_slow's), not "your card".
    card = await pay_env.pool.fetchval(
        "SELECT payload->'order'->>'refund_card_last4' FROM outbox"
        " WHERE order_id = $1 AND type = 'order.seat_charge_returned'",
        order["id"],
    )
    assert card == "3220"


async def test_a_seat_charge_delivered_twice_gives_the_seat_and_mails_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, seat_map, priced = await _confirmed_with_seat(pay_env, alice, days=48)
    dear = _two_prices(priced)[1][1]
    await pay_env.gateway.configure_webhook(duplicate_rate=1.0)

    charged = await choose_seat(
        pay_env, alice, order["id"], seat_map["segment_id"], dear, "tok_visa"
    )
    assert charged.status == 202, await charged.text()
    charge_id = (await charged.json())["seat_charge"]["id"]
    await eventually(
        lambda: _seats(pay_env, alice, order["id"]),
        lambda s: s["seat_charge"]["status"] == "succeeded",
    )
    intent = next(
        i for i in await pay_env.gateway.intents(order["id"]) if charge_id in str(i["metadata"])
    )
    events = await pay_env.gateway.events(intent["id"])
    succeeded = next(e for e in events if e["type"] == "payment_intent.succeeded")
    # Both deliveries of the success are in and answered before the count is read.
    await eventually(
        lambda: pay_env.gateway.deliveries(succeeded["id"]),
        lambda ds: len(ds) >= 2 and all(d["state"] != "pending" for d in ds),
    )
    assert (await pay_env.events(order["id"])).count("order.seats_changed") == 1


async def test_a_seat_charge_whose_webhook_never_came_is_settled_by_the_reconciler(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, seat_map, priced = await _confirmed_with_seat(pay_env, alice, days=49)
    dear = _two_prices(priced)[1][1]
    await pay_env.gateway.configure_webhook(url="http://127.0.0.1:9/lost", max_attempts=1)

    charged = await choose_seat(
        pay_env, alice, order["id"], seat_map["segment_id"], dear, "tok_visa"
    )
    assert charged.status == 202, await charged.text()
    await eventually(
        lambda: pay_env.gateway.intents(order["id"]),
        lambda intents: all(i["status"] == "succeeded" for i in intents),
    )
    charges = pay_env.client.app[SEAT_DESK].payments
    assert isinstance(charges, SeatCharges)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)

    assert await charges.reconcile_once(later) >= 1

    seats = await _seats(pay_env, alice, order["id"])
    assert seats["seat_charge"]["status"] == "succeeded"
    assert [s["designator"] for s in seats["seats"]] == [dear]
