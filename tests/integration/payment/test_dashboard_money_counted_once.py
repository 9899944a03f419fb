"""A charge with two refund parts, one shrunk for a partial refund at the gateway's dashboard
(`shrink_to_left`) and one whose key already moved other money (`ask_anew`): the second's ask
once subtracted all the gateway refunded that our other parts did not, the dashboard's money
included, which the first part's shrink counted already, and counted it as ours. Now it counts
only the dashboard's money no part counted yet, as the gateway's (`asked_anew`), and its own
key's refund as ours. That cannot leave the traveler short: a shrunk part asks everything its
charge has left, so once it is paid nothing is left for any part of that charge. This pins that
down: all of the charge goes back, none of it twice, and the dashboard's money is the gateway's
once. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.model import REFUND_PART
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_ended_orders_keep_no_money import (
    ProcessDiedError,
    confirmed_order,
    dying_after_commit,
)
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl

BY_HAND = Decimal("30.00")  # a support agent's refund at the gateway's dashboard
EARLIER = Decimal("10.00")  # an older process's ask under the cancellation part's first key
CANCELLED_BACK = Decimal("20.00")  # what the cancellation's part owes, after the change's


async def test_the_dashboard_money_a_shrunk_part_counted_leaves_nothing_owed_on_its_charge(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    async with db.transaction() as conn:  # a cheaper change: its difference owed, not yet paid
        await payments.refunds.owe_change(
            conn, order.id, "och_" + "0" * 24, order.total_amount - CANCELLED_BACK, "USD",
            actor="alice",
        )  # fmt: skip
    await gateway.refund(
        intent_id=intent["id"], amount=BY_HAND, idempotency_key="dashboard", timeout=5.0
    )
    orders = order_service(db, airline)
    orders.use_payments(None, dying_after_commit(db, payments))
    with pytest.raises(ProcessDiedError):  # the cancellation's part owed, not asked
        await orders.cancel(ALICE, order.id)
    cancellation = await db.pool.fetchval(
        "SELECT id FROM order_refunds WHERE change_id IS NULL AND amount = $1", CANCELLED_BACK
    )
    await gateway.refund(
        intent_id=intent["id"],
        amount=EARLIER,
        idempotency_key=f"{cancellation}:refund:0",
        timeout=5.0,
        metadata={REFUND_PART: cancellation},  # named, as every refund part's ask is
    )

    for _ in range(4):
        await payments.reconciler.once()

    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    assert await db.pool.fetchval("SELECT count(*) FROM order_refunds WHERE status = 'owed'") == 0
    [intent] = await control.intents(order.id)
    assert Decimal(intent["amount_refunded"]) == order.total_amount  # all of it back
    # The dashboard's, the older process's and the shrunk change part's: nothing twice.
    assert len(intent["refunds"]) == 3
    change, cancels = await db.pool.fetch(
        "SELECT amount, asking, by_gateway, gateway_refund_id IS NOT NULL AS asked"
        " FROM order_refunds ORDER BY created_at"
    )
    # The change's part asked what the charge had left, the rest counted as the gateway's
    # (payment/sql/0214); the cancellation's, asked anew, had 10.00 back under its key and
    # counts the dashboard's money the change's part did not as the gateway's: it asks nothing,
    # and the dashboard's 30.00 is the gateway's, counted once across both.
    left = order.total_amount - BY_HAND - EARLIER
    changed_back = order.total_amount - CANCELLED_BACK
    assert tuple(change.values()) == (changed_back, left, changed_back - left, True)
    rest = BY_HAND - (changed_back - left)
    assert tuple(cancels.values()) == (CANCELLED_BACK, Decimal("0.00"), rest, False)
