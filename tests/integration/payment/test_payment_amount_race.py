"""A payment charges the order's total as it stands when the payment starts: a seat chosen on the
hold (its price added to the total) between the payment's read of the order and its start is
paid too. Real PostgreSQL and the sim gateway; the race is made with a real row lock."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from booking.pg import Database
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order
from tests.integration.payment.test_settlement import current, pay
from tests.support.airline_orders import until
from tests.support.payment_sim import PaymentsSimControl

SEAT = Decimal("45.00")
# What booking/seats.py writes when a seat is chosen on a held, unpaid order.
SEAT_CHOSEN = "UPDATE orders SET total_amount = total_amount + $2, updated_at = now() WHERE id = $1"
WAITING_ON = "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))"


async def test_a_seat_added_to_the_hold_while_its_payment_starts_is_charged_with_it(
    db: Database, payments: Payments, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await held_order(db, airline)
    async with db.pool.acquire() as seat_desk:
        async with seat_desk.transaction():
            # The seat desk holds the order's row while it writes the seat's price...
            await seat_desk.execute("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", order.id)
            paying = asyncio.create_task(pay(payments, order))
            # ...after the payment read the total, and before it could move the order.
            me = await seat_desk.fetchval("SELECT pg_backend_pid()")
            await until(lambda: db.pool.fetchval(WAITING_ON, me))  # (a snapshot within ours)
            await seat_desk.execute(SEAT_CHOSEN, order.id, SEAT)
        payment_id = await paying

    paid = await db.pool.fetchval("SELECT amount FROM payments WHERE id = $1", payment_id)
    after = await current(db, order)
    assert after.total_amount == order.total_amount + SEAT
    assert paid == after.total_amount
    [intent] = await control.intents(order.id)
    assert Decimal(intent["amount"]) == after.total_amount
