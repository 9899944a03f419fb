"""An order with several charges (its payment, a dearer flight change's difference, seats bought
later), one of them emptied at the gateway: part given back at its dashboard, the rest by a
cheaper change's refund part, which was shrunk to what the charge had left. The ledger counted
that part at its shrunk amount, so it read the dashboard's money as still on the charge, and
the cancellation's split gave a part to the empty charge: it ended "refunded by the gateway",
and the traveler got that much less than the fare conditions give back. The split sees what
each charge really holds (payment/sql/0214). Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

from booking.model import FareTerms
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_change_charge_left import CHANGE, CHARGED, changes_charge
from tests.integration.payment.test_charge_audit import (
    SEATS,
    SEATS_PAID,
    confirmed_change,
    seats_bought,
)
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl

TAXES = Decimal("92.40")  # all a non-refundable fare gives back when cancelled
TAXES_ONLY = FareTerms(TAXES, False, True)
BY_HAND = Decimal("30.00")  # of the change's charge, at the gateway's dashboard
CHEAPER = "och_" + "1" * 24  # a later change to a cheaper slice
CHEAPER_BY = Decimal("60.00")


async def test_a_charge_emptied_at_the_gateway_takes_no_part_of_a_later_split(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control, terms=TAXES_ONLY)
    change_intent = await changes_charge(gateway, order)
    await confirmed_change(db, order, change_intent)
    await seats_bought(db, gateway, order)  # the last thing bought
    await gateway.refund(
        intent_id=change_intent, amount=BY_HAND, idempotency_key="dashboard", timeout=5.0
    )
    async with db.transaction() as conn:  # a cheaper change: fare money, the change's first
        await payments.refunds.owe_change(conn, order.id, CHEAPER, CHEAPER_BY, "USD", actor="alice")
    for _ in range(2):  # refused: more than the charge has left; then asks what it has left
        await payments.reconciler.once()
    [back] = await db.pool.fetch("SELECT charge_id, status, amount, by_gateway FROM order_refunds")
    left = CHARGED - BY_HAND  # what it asked once refused; the rest counted as the gateway's
    assert tuple(back.values()) == (CHANGE, "refunded", CHEAPER_BY, CHEAPER_BY - left)
    emptied = await gateway.get_intent(change_intent, timeout=5.0)
    assert emptied.amount_refunded == CHARGED  # nothing left on the change's charge

    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    await orders.cancel(ALICE, order.id)  # the fare keeps all but its taxes
    for _ in range(2):
        await payments.reconciler.once()

    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    payment_id, paid_on = await db.pool.fetchrow(
        "SELECT id, gateway_intent_id FROM payments WHERE order_id = $1", order.id
    )
    parts = await payments.refunds.parts(order.id)
    # Latest first: the seats, then the order's payment; nothing of the emptied change's charge.
    assert [(p.charge_id, p.amount, p.by_gateway) for p in parts] == [
        (SEATS, SEATS_PAID, Decimal("0.00")),
        (payment_id, TAXES - SEATS_PAID, Decimal("0.00")),
    ]
    paid = await gateway.get_intent(paid_on, timeout=5.0)
    assert paid.amount_refunded == TAXES - SEATS_PAID
    by_gateway = await db.pool.fetchval(
        "SELECT count(*) FROM order_history WHERE order_id = $1 AND code = 'refunded_by_gateway'",
        order.id,
    )
    assert by_gateway == 0
