"""Money that came after its order ended goes back, and the order's history says what went back
where, coded `refunded` like a cancellation's refund (booking/history_codes.py): its step had no
code and no amount ("the order was cancelled"). Real PostgreSQL and the sim gateway's signed
webhook."""

from __future__ import annotations

from booking.pg import Database
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order, order_service
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
