"""What each gateway outcome does to the order: declined, capture failed, ticketing refused, money
arriving for an order already over, refunds on cancel, instant orders."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp

from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.state import Change
from tests.support.booking import Headers, adult
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import eventually


async def assert_refunded_at_gateway(pay_env: PayEnv, order: dict[str, Any]) -> None:
    [intent] = await pay_env.gateway.intents(order["id"])
    assert intent["status"] == "succeeded"
    assert intent["amount_refunded"] == intent["amount"] == order["total_amount"]
    assert len(intent["refunds"]) == 1


async def test_a_declined_card_leaves_the_order_held_with_payment_failed_and_it_can_be_paid_again(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    assert (await pay_env.pay(alice, order["id"], "tok_declined")).status == 202
    failed = await pay_env.settled(alice, order["id"])
    assert (failed["status"], failed["payment_status"]) == ("held", "failed")
    assert failed["payment_decline_code"] == "generic_decline"  # why, for the traveler's page
    assert await pay_env.events(order["id"]) == ["order.created", "order.held", "payment.failed"]
    [payment] = await pay_env.payments(order["id"])
    assert (payment["status"], payment["failure_reason"]) == ("failed", "generic_decline")
    history = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    steps = (await history.json())["data"]
    assert [s["decline_code"] for s in steps if s["code"] == "payment_failed"] == [
        "generic_decline"
    ]

    assert (await pay_env.pay(alice, order["id"], "tok_visa")).status == 202
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    assert confirmed["payment_decline_code"] is None
    assert confirmed["ticket_numbers"]
    assert [p["status"] for p in await pay_env.payments(order["id"])] == ["failed", "succeeded"]


async def test_a_capture_that_fails_after_authorisation_leaves_the_order_payable(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    await pay_env.pay(alice, order["id"], "tok_fail_capture")
    failed = await pay_env.settled(alice, order["id"])
    assert (failed["status"], failed["payment_status"]) == ("held", "failed")
    assert failed["payment_decline_code"] == "capture_failed"
    [payment] = await pay_env.payments(order["id"])
    assert payment["failure_reason"] == "capture_failed"
    [intent] = await pay_env.gateway.intents(order["id"])
    assert intent["amount_received"] == "0.00"


async def test_ticketing_refused_after_capture_refunds_the_payment_and_says_why(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    # The airline drops the booking behind our back: ticketing will be refused.
    slug = await airline_slug(pay_env, order["id"])
    url = f"{pay_env.booking.sim.url}/rest/{slug}/bookings/{order['airline_locator']}/cancel"
    async with aiohttp.ClientSession() as session, session.post(url) as response:
        assert response.status == 200, await response.text()

    await pay_env.pay(alice, order["id"])
    refunded = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert refunded["status"] == "cancelled"
    assert refunded["ticket_numbers"] == []
    reason = await _failure_reason(pay_env, order["id"])
    assert reason is not None
    assert "ticketing failed" in reason
    assert await pay_env.events(order["id"]) == [
        "order.created",
        "order.held",
        "order.cancelled",
        "payment.refunded",
    ]
    await assert_refunded_at_gateway(pay_env, order)


async def test_money_arriving_for_a_cancelled_order_is_refunded_automatically(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    await pay_env.pay(alice, order["id"], "tok_slow")
    cancel = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert cancel.status == 200, await cancel.text()
    assert (await cancel.json())["payment_status"] == "processing"

    refunded = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert refunded["status"] == "cancelled"
    assert "payment.refunded" in await pay_env.events(order["id"])
    await assert_refunded_at_gateway(pay_env, order)


async def test_money_arriving_for_an_expired_order_is_refunded_automatically(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    await pay_env.pay(alice, order["id"], "tok_slow")
    # The hold sweeper's move, made directly: the deadline passed while the card was processed.
    orders = PgOrderRepository(Database(pay_env.pool, timeout_s=5))
    expire = Change(from_status=("held",), to_status="expired", reason="payment deadline passed")
    assert await orders.transition(order["id"], expire, actor="sweeper") is not None

    refunded = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert refunded["status"] == "expired"
    reason = await _failure_reason(pay_env, order["id"])
    assert reason is not None
    assert "expired" in reason
    await assert_refunded_at_gateway(pay_env, order)


async def test_cancelling_a_confirmed_order_refunds_it(pay_env: PayEnv, alice: Headers) -> None:
    """By its fare conditions: the sim's economy fares are non-refundable, so their taxes."""
    offer = await pay_env.booking.offer(days=31)
    assert offer["conditions"]["refundable"] is False
    response = await pay_env.booking.order(alice, offer)
    order = await response.json()
    assert response.status == 201, order
    await pay_env.pay(alice, order["id"])
    await pay_env.settled(alice, order["id"])
    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    cancelled = await response.json()
    assert response.status == 200, cancelled
    assert (cancelled["status"], cancelled["payment_status"]) == ("cancelled", "refunded")
    assert (await pay_env.events(order["id"]))[-2:] == ["order.cancelled", "payment.refunded"]
    [intent] = await pay_env.gateway.intents(order["id"])
    assert (intent["amount_refunded"], len(intent["refunds"])) == (offer["tax_amount"], 1)
    # The gateway's charge.refunded webhook, arriving afterwards, changes nothing more.
    await eventually(
        pay_env.gateway.events, lambda es: any(e["type"] == "charge.refunded" for e in es)
    )
    await pay_env.gateway.settled(count=2)
    assert (await pay_env.events(order["id"])).count("payment.refunded") == 1


async def test_an_instant_order_is_held_paid_and_ticketed_in_one_request(
    pay_env: PayEnv, alice: Headers
) -> None:
    offer = await pay_env.booking.offer()
    response = await pay_env.booking.order(
        alice, offer, type="instant", payment={"card_token": "tok_visa"}
    )
    order = await response.json()
    assert response.status == 201, order
    assert (order["status"], order["payment_status"]) == ("held", "processing")
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    assert confirmed["ticket_numbers"]
    # Its `order.held` says it is instant: the traveler is not asked to pay by the deadline.
    held_type = await pay_env.pool.fetchval(
        "SELECT payload -> 'order' ->> 'type' FROM outbox WHERE order_id = $1 AND type = $2",
        order["id"],
        "order.held",
    )
    assert held_type == "instant"


async def instant_order(pay_env: PayEnv, headers: Headers, card: str) -> dict[str, Any]:
    """An `instant` order of one adult paid with `card`, as answered (201)."""
    offer = await pay_env.booking.offer()
    response = await pay_env.booking.order(
        headers,
        offer,
        key=str(uuid.uuid4()),
        passengers=[adult()],
        type="instant",
        payment={"card_token": card},
    )
    order: dict[str, Any] = await response.json()
    assert response.status == 201, order
    return order


async def test_an_instant_order_with_a_refused_card_stays_held_and_can_be_paid(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await instant_order(pay_env, alice, "tok_unknown")
    failed = await pay_env.order(alice, order["id"])
    assert (failed["status"], failed["payment_status"]) == ("held", "failed")
    assert failed["payment_decline_code"] == "invalid_card_token"  # refused at once
    assert "payment.failed" in await pay_env.events(order["id"])
    assert (await pay_env.pay(alice, order["id"])).status == 202
    assert (await pay_env.settled(alice, order["id"]))["status"] == "confirmed"


async def airline_slug(pay_env: PayEnv, order_id: str) -> str:
    connector: str = await pay_env.pool.fetchval(
        "SELECT connector FROM orders WHERE id = $1", order_id
    )
    assert connector.startswith("rest-"), connector
    return connector.removeprefix("rest-")


async def _failure_reason(pay_env: PayEnv, order_id: str) -> str | None:
    reason: str | None = await pay_env.pool.fetchval(
        "SELECT failure_reason FROM orders WHERE id = $1", order_id
    )
    return reason
