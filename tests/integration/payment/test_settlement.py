"""The payment flow against real PostgreSQL and the sim gateway, below HTTP: webhooks applied by
`WebhookReceiver`, recovery by the reconciler, refunds that retry, a charge that came too late."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import msgspec
import pytest

from booking.idempotency import fingerprint
from booking.model import Order
from booking.pg import Database
from booking.repository import PgOrderRepository
from kernel.auth import Principal
from kernel.errors import ServiceUnavailable
from payment.gateway import HttpPaymentGateway
from payment.model import PaymentRequest
from payment.wiring import Payments
from tests.integration.payment.conftest import (
    TicketingAirline,
    charged_after_all,
    held_order,
    payments_over,
)
from tests.support.payment_sim import PaymentsSimControl, Receiver, eventually

ALICE = Principal("alice")


async def pay(payments: Payments, order: Order, token: str = "tok_visa", key: str = "") -> str:
    """Start paying `order`; the payment's id."""
    body = {"card_token": token}
    path = f"/v1/orders/{order.id}/payments"
    answer = await payments.service.pay(
        ALICE,
        order.id,
        key or str(uuid.uuid4()),
        PaymentRequest(token),
        fingerprint("POST", path, body),
    )
    assert answer.status == 202
    payment_id: str = msgspec.json.decode(answer.body)["id"]
    return payment_id


async def intent_status(control: PaymentsSimControl, order: Order, status: str) -> None:
    await eventually(
        lambda: control.intents(order.id), lambda i: bool(i) and i[0]["status"] == status
    )


async def current(db: Database, order: Order) -> Order:
    found = await PgOrderRepository(db).get(order.id)
    assert found is not None
    return found


async def outbox(db: Database, order: Order) -> list[str]:
    rows = await db.pool.fetch("SELECT type FROM outbox WHERE order_id = $1 ORDER BY id", order.id)
    return [row["type"] for row in rows]


async def test_concurrent_deliveries_of_one_event_are_applied_once(
    payments: Payments, db: Database, airline: TicketingAirline, receiver: Receiver
) -> None:
    order = await held_order(db, airline)
    await pay(payments, order)
    [delivery] = await receiver.wait_for(1)  # the sim's real, signed delivery
    signature = delivery.headers["Skyfare-Signature"]

    await asyncio.gather(*(payments.receiver.receive(delivery.body, signature) for _ in range(8)))

    confirmed = await current(db, order)
    assert (confirmed.status, confirmed.payment_status) == ("confirmed", "paid")
    assert confirmed.ticket_numbers == ("1251234567890",)
    assert await outbox(db, order) == ["order.created", "order.held", "order.confirmed"]
    assert airline.calls["ticket"] >= 1


async def test_a_payment_whose_webhook_never_came_is_settled_by_the_reconciler(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await held_order(db, airline)
    await pay(payments, order)  # its webhook goes to the recording receiver, not to us
    await intent_status(control, order, "succeeded")
    assert (await current(db, order)).payment_status == "processing"

    assert await payments.reconciler.once() == 1

    confirmed = await current(db, order)
    assert (confirmed.status, confirmed.payment_status) == ("confirmed", "paid")


async def test_a_declined_payment_whose_webhook_never_came_is_failed_by_the_reconciler(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await held_order(db, airline)
    await pay(payments, order, "tok_declined")
    await intent_status(control, order, "requires_payment_method")
    await payments.reconciler.once()
    failed = await current(db, order)
    assert (failed.status, failed.payment_status) == ("held", "failed")
    assert (await outbox(db, order))[-1] == "payment.failed"


async def test_a_retry_with_the_same_key_resumes_the_payment_the_gateway_did_not_answer(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    dead_gateway: HttpPaymentGateway,
) -> None:
    order = await held_order(db, airline)
    key = str(uuid.uuid4())
    with pytest.raises(ServiceUnavailable):
        await pay(payments_over(db, dead_gateway, airline), order, key=key)
    [stuck] = await db.pool.fetch("SELECT id, status, gateway_intent_id FROM payments")
    assert (stuck["status"], stuck["gateway_intent_id"]) == ("processing", None)

    assert await pay(payments, order, key=key) == stuck["id"]  # the same payment, resumed
    await intent_status(control, order, "succeeded")
    assert len(await control.intents(order.id)) == 1


async def test_a_retry_after_a_503_whose_card_was_charged_after_all_answers_that_payment(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    receiver: Receiver,
    dead_gateway: HttpPaymentGateway,
    gateway: HttpPaymentGateway,
) -> None:
    """The gateway charged the card but its answer was lost (the traveler got a 503), and its
    webhook confirmed the order before the traveler retried with the same key: the retry is
    answered with that payment, not a 409 saying the order "is confirmed" (which read as a
    refusal, stored under the key for good)."""
    order = await held_order(db, airline)
    key = str(uuid.uuid4())
    with pytest.raises(ServiceUnavailable):
        await pay(payments_over(db, dead_gateway, airline), order, key=key)
    [stuck] = await db.pool.fetch("SELECT id FROM payments")
    await charged_after_all(payments, gateway, receiver, order, stuck["id"])
    assert (await current(db, order)).status == "confirmed"

    for _ in range(2):  # the retry, and a retry of it (stored)
        answer = await payments.service.pay(
            ALICE,
            order.id,
            key,
            PaymentRequest("tok_visa"),
            fingerprint("POST", f"/v1/orders/{order.id}/payments", {"card_token": "tok_visa"}),
        )
        assert answer.status == 202
        body = msgspec.json.decode(answer.body)
        assert (body["id"], body["status"]) == (stuck["id"], "succeeded")
    assert len(await control.intents(order.id)) == 1  # charged once


async def test_a_payment_the_gateway_never_answered_is_given_up_by_the_reconciler(
    payments: Payments, db: Database, airline: TicketingAirline, dead_gateway: HttpPaymentGateway
) -> None:
    order = await held_order(db, airline)
    with pytest.raises(ServiceUnavailable):
        await pay(payments_over(db, dead_gateway, airline), order)

    await payments.reconciler.once()

    [payment] = await db.pool.fetch("SELECT status, failure_reason FROM payments")
    assert (payment["status"], payment["failure_reason"]) == ("failed", "gateway_unreachable")
    order = await current(db, order)
    assert (order.status, order.payment_status) == ("held", "failed")


async def test_a_charge_that_arrives_after_the_payment_was_given_up_is_refunded(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    receiver: Receiver,
    dead_gateway: HttpPaymentGateway,
    gateway: HttpPaymentGateway,
) -> None:
    order = await held_order(db, airline)
    with pytest.raises(ServiceUnavailable):
        await pay(payments_over(db, dead_gateway, airline), order)
    await payments.reconciler.once()  # given up: the traveler may pay again
    [given_up] = await db.pool.fetch("SELECT id FROM payments")
    # ... but the gateway had charged the card after all (our request timed out after it did).
    await charged_after_all(payments, gateway, receiver, order, given_up["id"])

    [payment] = await db.pool.fetch("SELECT status, order_paid FROM payments")
    assert (payment["status"], payment["order_paid"]) == ("refunded", False)
    [intent] = await control.intents(order.id)
    assert intent["amount_refunded"] == intent["amount"]
    untouched = await current(db, order)
    assert (untouched.status, untouched.payment_status) == ("held", "failed")
    # The traveler was told the payment failed, then the card was charged: they are told it
    # is given back (the order never took it: no transition of its says so).
    assert (await outbox(db, order))[-2:] == ["payment.failed", "payment.returned"]
    told = await db.pool.fetchrow(
        "SELECT payload->'order'->>'refund_amount' AS amount,"
        " payload->'order'->>'refund_card_last4' AS card FROM outbox"
        " WHERE order_id = $1 AND type = 'payment.returned'",
        order.id,
    )
    # ... to the card the webhook's intent names (its creation's answer, which would have, was lost)
    assert (Decimal(told["amount"]), told["card"]) == (order.total_amount, "4242")


async def test_a_refund_the_gateway_did_not_confirm_is_retried_by_the_reconciler(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    dead_gateway: HttpPaymentGateway,
) -> None:
    order = await held_order(db, airline)
    await pay(payments, order)
    await intent_status(control, order, "succeeded")
    await payments.reconciler.once()
    confirmed = await current(db, order)
    assert confirmed.status == "confirmed"

    offline = payments_over(db, dead_gateway, airline)
    async with db.transaction() as conn:  # as the cancel's transaction
        await conn.execute("UPDATE orders SET status = 'cancelled' WHERE id = $1", order.id)
        await offline.refunds.owe(conn, confirmed, reason="cancelled")
    still_paid = await offline.refunds.refund(confirmed, actor="alice", reason="cancelled")
    assert still_paid.payment_status == "paid"  # the refund is owed, not confirmed
    [owed] = await db.pool.fetch("SELECT status FROM order_refunds")
    assert owed["status"] == "owed"

    await asyncio.gather(payments.reconciler.once(), payments.reconciler.once())

    refunded = await current(db, order)
    assert refunded.payment_status == "refunded"
    [intent] = await control.intents(order.id)
    assert (Decimal(intent["amount_refunded"]), len(intent["refunds"])) == (order.total_amount, 1)
    assert (await outbox(db, order)).count("payment.refunded") == 1
