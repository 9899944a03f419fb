"""An ended order never keeps the traveler's money: the refund is owed in the very commit that
ends a paid order (or captures money for an ended one), and the database refuses any other
commit. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

import asyncpg
import pytest

from booking.model import Order
from booking.pg import Database
from booking.repository import PgOrderRepository
from payment.cancellation_refunds import CancellationRefunds
from payment.repository import PgPaymentRepository
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order, order_service
from tests.integration.payment.test_settlement import ALICE, current, intent_status, pay
from tests.support.payment_sim import PaymentsSimControl


class ProcessDiedError(Exception):
    """Stands for the API process dying between two steps."""


class DyingAfterCommit(CancellationRefunds):
    """Booking's `Refunds` port as the payment module implements it, except that the process
    dies right after the cancel committed, before the refund is asked of the gateway."""

    async def refund(self, order: Order, *, actor: str, reason: str) -> Order:
        raise ProcessDiedError


def dying_after_commit(db: Database, payments: Payments) -> DyingAfterCommit:
    return DyingAfterCommit(
        PgPaymentRepository(db), PgOrderRepository(db), payments.gateway, timeout_s=5.0
    )


async def confirmed_order(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    **changes: object,
) -> Order:
    """A paid and ticketed order; `changes` to its fields (held_order)."""
    order = await held_order(db, airline, **changes)
    await pay(payments, order)
    await intent_status(control, order, "succeeded")
    await payments.reconciler.once()  # captured and ticketed
    confirmed = await current(db, order)
    assert (confirmed.status, confirmed.payment_status) == ("confirmed", "paid")
    return confirmed


async def test_a_cancel_that_dies_right_after_its_commit_leaves_the_refund_owed(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    orders = order_service(db, airline)
    orders.use_payments(None, dying_after_commit(db, payments))

    with pytest.raises(ProcessDiedError):
        await orders.cancel(ALICE, order.id)

    ended = await current(db, order)
    assert (ended.status, ended.payment_status) == ("cancelled", "paid")
    [owed] = await db.pool.fetch("SELECT status, reason, amount FROM order_refunds")
    assert (owed["status"], owed["reason"]) == ("owed", "the order was cancelled")
    assert owed["amount"] == order.total_amount

    await payments.reconciler.once()  # what a restarted process does

    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    [intent] = await control.intents(order.id)
    assert intent["amount_refunded"] == intent["amount"]
    assert len(intent["refunds"]) == 1


async def test_the_database_refuses_to_commit_an_ended_order_that_keeps_its_money(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    end = "UPDATE orders SET status = 'cancelled' WHERE id = $1"

    with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="stays captured"):
        async with db.pool.acquire() as conn, conn.transaction():
            await conn.execute(end, order.id)
    assert (await current(db, order)).status == "confirmed"  # nothing was written

    async with db.pool.acquire() as conn, conn.transaction():
        await conn.execute(end, order.id)
        await conn.execute("UPDATE payments SET status = 'refunding' WHERE order_id = $1", order.id)
    assert (await current(db, order)).status == "cancelled"
