"""A cancellation's refund part the gateway refuses: it stays owed, the order's history says so,
and the payment reconciler finishes it with a new request (the gateway replays a refusal for its
key). Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from booking.pg import Database
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl


async def test_a_refused_refund_stays_owed_and_the_reconciler_finishes_it(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await control.refuse_refunds(intent["id"])
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)

    cancelled = await orders.cancel(ALICE, order.id)

    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "paid")
    [part] = await db.pool.fetch("SELECT status, attempt, last_error FROM order_refunds")
    assert tuple(part.values()) == ("owed", 1, "charge_disputed")
    reasons = await db.pool.fetch(
        "SELECT reason FROM order_history WHERE order_id = $1 ORDER BY id", order.id
    )
    assert any("refused by the payment gateway (charge_disputed)" in r["reason"] for r in reasons)

    await payments.reconciler.once()

    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    [intent] = await control.intents(order.id)
    assert intent["amount_refunded"] == intent["amount_received"]
    assert len(intent["refunds"]) == 1
    [payment] = await db.pool.fetch("SELECT status, refunded_amount FROM payments")
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", order.total_amount)
    await payments.reconciler.once()  # nothing left: nothing asked again
    [intent] = await control.intents(order.id)
    assert len(intent["refunds"]) == 1
