"""A payment's whole refund answered `idempotency_error` (its key already moved money with other
figures: an older release asked another amount under it) stayed `refunding`, asked every
reconciler round for ever. It settles: the next ask is a new request for what the gateway has
not given back yet, so the money goes back once. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

from booking.model import Order
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.model import refund_key
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order, order_service
from tests.integration.payment.test_settlement import ALICE, current, intent_status, pay
from tests.support.payment_sim import PaymentsSimControl, Receiver


async def test_a_refund_whose_key_moved_other_money_settles_without_giving_it_back_twice(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    receiver: Receiver,
    gateway: HttpPaymentGateway,
) -> None:
    order = await held_order(db, airline)
    payment_id = await pay(payments, order)  # its webhook goes to the recording receiver
    await intent_status(control, order, "succeeded")
    [intent] = await control.intents(order.id)
    # An older release gave back part of it under the key this release asks all of it with.
    await gateway.refund(
        intent_id=intent["id"],
        amount=Decimal("10.00"),
        idempotency_key=refund_key(payment_id, 0),
        timeout=5.0,
    )
    await order_service(db, airline).cancel(ALICE, order.id)  # while the card was charged
    deliveries = await receiver.wait_for(2)  # the charge's, and the older refund's
    [delivery] = [d for d in deliveries if b"payment_intent.succeeded" in d.body]
    await payments.receiver.receive(delivery.body, delivery.headers["Skyfare-Signature"])

    await settles_all_back_in_two_refunds(payments, db, control, order)


async def settles_all_back_in_two_refunds(
    payments: Payments, db: Database, control: PaymentsSimControl, order: Order
) -> None:
    """A few reconciler rounds give the rest of the charge back once: the order is refunded
    and the gateway holds two refunds (the one made without us, and the rest), nothing more."""
    for _ in range(3):
        await payments.reconciler.once()
    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    [intent] = await control.intents(order.id)
    assert Decimal(intent["amount_refunded"]) == Decimal(intent["amount_received"])
    assert len(intent["refunds"]) == 2
