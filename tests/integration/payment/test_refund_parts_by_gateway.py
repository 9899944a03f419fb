"""A cancellation's refund part the gateway had given back already (at its dashboard) counted
all of its amount as refunded, and finance read it as our refund: each part now says how much
of it the gateway gave back itself (`by_gateway`, payment/sql/0214), all of it for a part that
found nothing left to ask, the dashboard's share for one that asked what was left. Real
PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booking.history_details import stored_details
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl

ALL = None  # the whole charge


@pytest.mark.parametrize("by_hand", [ALL, Decimal("10.00")])
async def test_a_part_says_how_much_of_it_the_gateway_gave_back_itself(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway, by_hand: Decimal | None,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    # At the dashboard (a support agent's goodwill, or all of it), its webhook not applied
    await gateway.refund(intent_id=intent["id"], amount=by_hand, idempotency_key="d", timeout=5)
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    # A refundable fare: all of it owed back. Nothing left to ask: the part ends; less than it
    # asks: refused, then it asks what the charge has left.
    await orders.cancel(ALICE, order.id)
    for _ in range(2):
        await payments.reconciler.once()

    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    [part] = await payments.refunds.parts(order.id)
    given = order.total_amount if by_hand is ALL else by_hand
    # What it gives back, the dashboard's share counted: it adds up to what the quote said.
    assert (part.status, part.amount, part.by_gateway) == ("refunded", order.total_amount, given)
    [intent] = await control.intents(order.id)
    ours = [Decimal(r["amount"]) for r in intent["refunds"]][1:]  # after the dashboard's
    assert ours == ([] if by_hand is ALL else [part.amount - part.by_gateway])
    assert Decimal(intent["amount_refunded"]) == Decimal(intent["amount_received"])
    # The order's history says it too, in its `refunded` step's amounts.
    stored = await db.pool.fetchval(
        "SELECT details FROM order_history WHERE order_id = $1 AND code = 'refunded'", order.id
    )
    [amount] = stored_details(stored).amounts
    assert (amount.amount, amount.by_gateway) == (str(order.total_amount), str(given))
