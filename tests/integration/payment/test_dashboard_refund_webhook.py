"""Money given back at the gateway's dashboard, where no refund of ours stands for it, waited for
the audit's round (each charge once every 6 hours) to be noticed, though the gateway's signed
`charge.refunded` webhook said it at once. That webhook now has its charge audited at once, by
the audit's own code (payment/audit.py `audit_intent`), an order's payment and a flight change's
own charge alike; the round stays the safety net. A redelivery records and counts nothing
twice, and the webhook of a refund of ours records nothing. Real PostgreSQL, the sim gateway
over sockets and its signed webhooks as delivered."""

from __future__ import annotations

from decimal import Decimal

from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_change_charge_left import changes_charge
from tests.integration.payment.test_charge_audit import confirmed_change
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_payment_audit import discrepancies, found
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl, Receiver

BY_HAND = Decimal("10.00")


async def deliver_refunds(payments: Payments, receiver: Receiver, intent_id: str) -> int:
    """Hand every `charge.refunded` delivery of `intent_id` received so far to the webhook
    receiver, as the gateway delivered it (signed); how many."""
    refunds = [
        d
        for d in receiver.received
        if b"charge.refunded" in d.body and intent_id.encode() in d.body
    ]
    for delivery in refunds:
        await payments.receiver.receive(delivery.body, delivery.headers["Skyfare-Signature"])
    return len(refunds)


async def test_a_partial_dashboard_refund_is_recorded_when_its_webhook_comes_and_once_only(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway, receiver: Receiver,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await gateway.refund(  # an agent at the dashboard: 10.00 back, not all of it
        intent_id=intent["id"], amount=BY_HAND, idempotency_key="dashboard", timeout=5
    )
    await receiver.wait_for(2)  # the capture's webhook, then the refund's
    before = found("refunded_differs")

    assert await deliver_refunds(payments, receiver, intent["id"]) == 1  # no audit round run
    assert await discrepancies(db) == [("refunded_differs", Decimal("0.00"), BY_HAND)]
    assert found("refunded_differs") == before + 1

    await deliver_refunds(payments, receiver, intent["id"])  # redelivered
    await payments.reconciler.once()  # and the round, since: audited already
    assert await discrepancies(db) == [("refunded_differs", Decimal("0.00"), BY_HAND)]
    assert found("refunded_differs") == before + 1
    confirmed = await current(db, order)  # nothing moves on its own
    assert (confirmed.status, confirmed.payment_status) == ("confirmed", "paid")


async def test_a_dashboard_refund_of_a_flight_changes_own_charge_is_recorded_at_once(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway, receiver: Receiver,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    await confirmed_change(db, order, change_intent := await changes_charge(gateway, order))
    await gateway.refund(
        intent_id=change_intent, amount=BY_HAND, idempotency_key="dashboard", timeout=5
    )
    await receiver.wait_for(3)  # the order's capture, the change's, the refund

    assert await deliver_refunds(payments, receiver, change_intent) == 1
    kinds = await db.pool.fetch("SELECT charge_kind, kind, gateways FROM payment_discrepancies")
    assert [tuple(k.values()) for k in kinds] == [("change", "refunded_differs", BY_HAND)]


async def test_the_webhook_of_a_refund_of_ours_records_nothing(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    receiver: Receiver,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    await orders.cancel(ALICE, order.id)  # refunded by us, its part recorded
    [intent] = await control.intents(order.id)
    await receiver.wait_for(2)

    assert await deliver_refunds(payments, receiver, intent["id"]) == 1
    assert await discrepancies(db) == []
    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
