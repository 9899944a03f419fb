"""The whole-payment refund path (payment/refunds.py `Refunder`: a failed ticketing, money for an
order already over) after a change to a cheaper slice gave part of that payment back already.
Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booking.model import Order
from booking.pg import Database
from connectors import errors
from connectors.model import Hold
from kernel.errors import ServiceUnavailable
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order, payments_over
from tests.integration.payment.test_settlement import current, pay
from tests.support.payment_sim import PaymentsSimControl, Receiver

CHANGED_BACK = Decimal("100.00")


class TicketingLater(TicketingAirline):
    """Cannot ticket at first (no answer), then refuses: the order stays paid and not yet
    ticketed in between, long enough to be changed."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.refuse = False

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        if self.refuse:
            raise errors.SupplierRejected("the hold lapsed")
        raise errors.ConnectorUnavailable("the airline does not answer")


async def cheaper_change(db: Database, payments: Payments, order: Order) -> None:
    """What a change to a cheaper slice does to the order's money: its difference owed back in
    the change's transaction, then paid (booking/changes.py)."""
    async with db.transaction() as conn:
        await payments.refunds.owe_change(
            conn, order.id, "och_" + "0" * 24, CHANGED_BACK, "USD", actor="alice"
        )
    await payments.refunds.settle(order.id, actor="alice", reason="the flight change cost less")


async def test_a_failed_ticketing_after_a_cheaper_change_refunds_what_the_payment_has_left(
    db: Database, gateway: HttpPaymentGateway, control: PaymentsSimControl, receiver: Receiver
) -> None:
    airline = TicketingLater("fake")
    payments = payments_over(db, gateway, airline)
    order = await held_order(db, airline)
    await pay(payments, order)
    [delivery] = await receiver.wait_for(1)  # the sim's real, signed `succeeded`
    signature = delivery.headers["Skyfare-Signature"]
    with pytest.raises(ServiceUnavailable):  # captured; the airline cannot ticket yet
        await payments.receiver.receive(delivery.body, signature)
    assert (await current(db, order)).payment_status == "paid"
    await cheaper_change(db, payments, order)
    airline.refuse = True

    # The gateway delivers again: ticketing refused, the order cancelled, the payment refunded.
    await payments.receiver.receive(delivery.body, signature)
    await payments.reconciler.once()  # anything left owed is asked again

    [intent] = await control.intents(order.id)
    assert [r["amount"] for r in intent["refunds"]] == [
        str(CHANGED_BACK),
        str(order.total_amount - CHANGED_BACK),
    ]
    assert intent["amount_refunded"] == intent["amount_received"]  # all of it, once
    [payment] = await db.pool.fetch("SELECT status, refunded_amount FROM payments")
    assert tuple(payment.values()) == ("refunded", order.total_amount - CHANGED_BACK)
    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
