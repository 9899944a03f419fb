"""Money that came after its order ended goes back, and the order's history says what went back
where, coded `refunded` like a cancellation's refund (booking/history_codes.py): its step had no
code and no amount ("the order was cancelled"). A charge the order never took (its payment given
up) gets its own step, `late_payment_refunded`. Real PostgreSQL and the sim gateway's signed
webhook."""

from __future__ import annotations

import pytest

from booking.pg import Database
from kernel.errors import ServiceUnavailable
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import (
    TicketingAirline,
    charged_after_all,
    held_order,
    order_service,
    payments_over,
)
from tests.integration.payment.test_settlement import ALICE, pay
from tests.support.payment_sim import Receiver


async def test_a_charge_after_the_order_was_cancelled_is_refunded_and_its_history_says_so(
    payments: Payments, db: Database, airline: TicketingAirline, receiver: Receiver
) -> None:
    order = await held_order(db, airline)
    payment_id = await pay(payments, order)  # its webhook goes to the recording receiver
    await order_service(db, airline).cancel(ALICE, order.id)  # while the card was charged
    [delivery] = await receiver.wait_for(1)

    await payments.receiver.receive(delivery.body, delivery.headers["Skyfare-Signature"])

    steps = await db.pool.fetch(
        "SELECT to_payment_status, reason, code FROM order_history WHERE order_id = $1 ORDER BY id",
        order.id,
    )
    assert [tuple(step.values()) for step in steps[-2:]] == [
        ("paid", "payment captured after the order ended", "captured_after_end"),
        (
            "refunded",
            f"the order was cancelled: refunded {order.total_amount} {order.total_currency} to"
            f" {payment_id}",
            "refunded",
        ),
    ]


async def test_a_charge_after_the_payment_was_given_up_is_refunded_and_its_history_says_so(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    receiver: Receiver,
    dead_gateway: HttpPaymentGateway,
    gateway: HttpPaymentGateway,
) -> None:
    """The order never took this money (the payment was given up, the traveler told it failed):
    it goes back, and the order's history says so, code `late_payment_refunded` (no step said
    anything: the refund was told by mail alone)."""
    order = await held_order(db, airline)
    with pytest.raises(ServiceUnavailable):
        await pay(payments_over(db, dead_gateway, airline), order)
    await payments.reconciler.once()  # given up: the order's payment `failed`
    [given_up] = await db.pool.fetch("SELECT id FROM payments")

    await charged_after_all(payments, gateway, receiver, order, given_up["id"])  # after all

    last = await db.pool.fetchrow(
        "SELECT from_payment_status, to_payment_status, reason, code FROM order_history"
        " WHERE order_id = $1 ORDER BY id DESC LIMIT 1",
        order.id,
    )
    assert tuple(last.values()) == (
        "failed",
        "failed",
        "the order was no longer waiting for this payment",
        "late_payment_refunded",
    )
