"""Paying an order through HTTP: search → offer → hold → pay → webhook → confirmed + ticketed."""

from __future__ import annotations

import asyncio
import uuid

from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

PROBLEM = "application/problem+json"


async def test_paying_a_held_order_with_visa_confirms_it_with_ticket_numbers(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    assert (order["status"], order["payment_status"]) == ("held", "unpaid")

    response = await pay_env.pay(alice, order["id"])
    body = await response.json()
    assert response.status == 202, body
    assert body["id"].startswith("pay_")
    assert body["status"] == "processing"
    assert (body["amount"], body["currency"]) == (order["total_amount"], order["total_currency"])

    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    assert len(confirmed["ticket_numbers"]) == len(order["passengers"])
    assert await pay_env.events(order["id"]) == ["order.created", "order.held", "order.confirmed"]

    [intent] = await pay_env.gateway.intents(order["id"])
    assert (intent["status"], intent["amount"]) == ("succeeded", order["total_amount"])
    assert intent["metadata"] == {"order_id": order["id"], "payment_id": body["id"]}
    assert intent["amount_refunded"] == "0.00"


async def test_the_same_idempotency_key_replays_the_payment_and_charges_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    key = str(uuid.uuid4())
    first = await pay_env.pay(alice, order["id"], key=key)
    again = await pay_env.pay(alice, order["id"], key=key)
    assert (first.status, again.status) == (202, 202)
    assert await first.json() == await again.json()
    await pay_env.settled(alice, order["id"])
    assert len(await pay_env.gateway.intents(order["id"])) == 1


async def test_the_same_key_with_another_card_is_refused(pay_env: PayEnv, alice: Headers) -> None:
    order = await pay_env.held_order(alice)
    key = str(uuid.uuid4())
    assert (await pay_env.pay(alice, order["id"], "tok_slow", key=key)).status == 202
    response = await pay_env.pay(alice, order["id"], "tok_visa", key=key)
    assert response.status == 422
    assert response.content_type == PROBLEM


async def test_a_second_payment_while_one_is_processing_is_a_conflict(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    assert (await pay_env.pay(alice, order["id"], "tok_slow")).status == 202
    response = await pay_env.pay(alice, order["id"])
    problem = await response.json()
    assert response.status == 409, problem
    assert "processing" in problem["detail"]
    assert len(await pay_env.gateway.intents(order["id"])) == 1


async def test_a_confirmed_order_cannot_be_paid_again(pay_env: PayEnv, alice: Headers) -> None:
    order = await pay_env.held_order(alice)
    await pay_env.pay(alice, order["id"])
    await pay_env.settled(alice, order["id"])
    response = await pay_env.pay(alice, order["id"])
    assert response.status == 409
    assert "confirmed" in (await response.json())["detail"]


async def test_another_travelers_order_is_not_found(pay_env: PayEnv, alice: Headers) -> None:
    order = await pay_env.held_order(alice)
    bob = await pay_env.booking.token(f"bob-{uuid.uuid4().hex[:8]}")
    response = await pay_env.pay(bob, order["id"])
    assert response.status == 404
    assert (await pay_env.order(alice, order["id"]))["payment_status"] == "unpaid"
    assert await pay_env.gateway.intents(order["id"]) == []


async def test_paying_without_a_token_is_unauthorized(pay_env: PayEnv, alice: Headers) -> None:
    order = await pay_env.held_order(alice)
    response = await pay_env.pay({}, order["id"])
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_paying_without_an_idempotency_key_is_a_bad_request(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    response = await pay_env.client.post(
        f"/v1/orders/{order['id']}/payments", json={"card_token": "tok_visa"}, headers=alice
    )
    detail = (await response.json())["detail"]
    assert response.status == 400
    assert "Idempotency-Key" in detail
    assert "order" not in detail  # the same words serve orders and payments


async def test_the_client_cannot_name_the_amount(pay_env: PayEnv, alice: Headers) -> None:
    order = await pay_env.held_order(alice)
    response = await pay_env.client.post(
        f"/v1/orders/{order['id']}/payments",
        json={"card_token": "tok_visa", "amount": "0.01"},
        headers={**alice, "Idempotency-Key": str(uuid.uuid4())},
    )
    problem = await response.json()
    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["amount"]


async def test_an_unknown_card_token_is_422_and_the_order_may_be_paid_again(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    key = str(uuid.uuid4())
    response = await pay_env.pay(alice, order["id"], "tok_stolen", key=key)
    problem = await response.json()
    assert response.status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["card_token"]
    assert problem["decline_code"] == "invalid_card_token"  # the gateway's code, as a field
    replayed = await pay_env.pay(alice, order["id"], "tok_stolen", key=key)
    assert (replayed.status, await replayed.json()) == (422, problem)  # stored with its code
    failed = await pay_env.order(alice, order["id"])
    assert (failed["status"], failed["payment_status"]) == ("held", "failed")
    assert failed["payment_decline_code"] == "invalid_card_token"

    assert (await pay_env.pay(alice, order["id"])).status == 202
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")


async def test_concurrent_payments_of_one_order_charge_it_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    responses = await asyncio.gather(*(pay_env.pay(alice, order["id"]) for _ in range(6)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [202, 409, 409, 409, 409, 409]
    confirmed = await pay_env.settled(alice, order["id"])
    assert confirmed["status"] == "confirmed"
    assert len(await pay_env.gateway.intents(order["id"])) == 1
    assert len(await pay_env.payments(order["id"])) == 1


async def test_a_hold_past_its_payment_deadline_is_not_charged_before_the_sweeper_comes(
    pay_env: PayEnv, alice: Headers
) -> None:
    # Paid in the seconds between `payment_required_by` and the hold sweeper's round (or for as
    # long as the airline cannot be reached to release it), the card was charged and the order
    # ticketed after the airline's own time limit, or after a departure that set the deadline.
    order = await pay_env.held_order(alice)
    await pay_env.pool.execute(
        "UPDATE orders SET payment_required_by = now() - interval '1 second' WHERE id = $1",
        order["id"],
    )

    response = await pay_env.pay(alice, order["id"])
    problem = await response.json()

    assert response.status == 409, problem
    assert "payment_required_by" in problem["detail"]
    assert await pay_env.gateway.intents(order["id"]) == []
    assert (await pay_env.order(alice, order["id"]))["payment_status"] == "unpaid"
