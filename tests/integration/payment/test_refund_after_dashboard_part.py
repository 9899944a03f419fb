"""A cancellation's refund part asking more than its charge has left at the gateway (part of it
given back at the gateway's dashboard, which our ledger does not know) was refused
`amount_too_large` every reconciler round with a new key, owed for ever. It asks what the charge
has left, and the order's history says the rest went back at the gateway already. Real
PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_refund_key_reused import settles_all_back_in_two_refunds
from tests.integration.payment.test_settlement import ALICE
from tests.support.payment_sim import PaymentsSimControl


async def test_a_part_asking_more_than_the_charge_has_left_asks_what_is_left_and_settles(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    by_hand = Decimal("10.00")  # a support agent's goodwill, at the gateway's dashboard
    await gateway.refund(
        intent_id=intent["id"], amount=by_hand, idempotency_key="dashboard", timeout=5.0
    )
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    await orders.cancel(ALICE, order.id)  # its quote gives all of the fare back

    await settles_all_back_in_two_refunds(payments, db, control, order)
    [part] = await db.pool.fetch("SELECT status, amount, by_gateway FROM order_refunds")
    # All it gives back, the dashboard's share counted as the gateway's (payment/sql/0214).
    assert tuple(part.values()) == ("refunded", order.total_amount, by_hand)
    said = await db.pool.fetchval(
        "SELECT reason FROM order_history WHERE order_id = $1 AND decline_code = $2",
        order.id, "amount_too_large",
    )  # fmt: skip
    assert f"{by_hand} {order.total_currency} of it given back at the gateway already" in said
