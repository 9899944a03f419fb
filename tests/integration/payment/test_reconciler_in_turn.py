"""The reconciler's rounds take payments and seat charges in turn (payment/sql/0208): rows the
gateway knows nothing of, asked and refused every round, no longer fill every batch and starve
the rows behind them. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from booking.pg import Database
from booking.seats import OrderSeatDesk
from payment.gateway import HttpPaymentGateway
from payment.seat_charges import SeatCharges
from tests.integration.payment.conftest import (
    TicketingAirline,
    held_order,
    order_service,
    payments_over,
)
from tests.integration.payment.test_settlement import current, intent_status, pay
from tests.support.payment_sim import PaymentsSimControl

LOST = 3  # rows whose intents the gateway knows nothing of, older than the one behind them


async def test_payments_refused_every_round_do_not_starve_the_payments_behind_them(
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
    control: PaymentsSimControl,
) -> None:
    """A round took the payments unchanged longest first, and one whose intent the gateway
    cannot read never changes: with a batch of one, the same one came first every round."""
    payments = payments_over(db, gateway, airline, batch=1)
    order = await held_order(db, airline)
    await pay(payments, order)  # its webhook goes to the recording receiver, not to us
    await intent_status(control, order, "succeeded")
    for n in range(LOST):
        lost = await held_order(db, airline)
        await db.pool.execute(
            "INSERT INTO payments (id, order_id, owner, amount, currency, status,"
            " gateway_intent_id, updated_at) VALUES ($1, $2, 'alice', 1.00, 'USD', 'processing',"
            " $3, now() - interval '1 hour')",
            f"pay_lost{n}", lost.id, f"pi_unknown{n}",
        )  # fmt: skip

    rounds = [await payments.reconciler.once() for _ in range(LOST + 1)]

    assert rounds == [1] * (LOST + 1)
    settled = await current(db, order)
    assert (settled.status, settled.payment_status) == ("confirmed", "paid")
    lost = await db.pool.fetch("SELECT status, asked_at FROM payments WHERE id LIKE 'pay_lost%'")
    assert [(r["status"], r["asked_at"] is not None) for r in lost] == [("processing", True)] * LOST


async def test_seat_charges_refused_every_round_do_not_starve_the_charges_behind_them(
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
    control: PaymentsSimControl,
) -> None:
    """The same for seat charges: a refund owed behind charges whose intents the gateway
    cannot read is asked in its turn."""
    orders = order_service(db, airline)
    desk = OrderSeatDesk(db, orders, {airline.name: airline}, timeout_s=1.0)
    charges = SeatCharges(db, gateway, desk, timeout_s=1.0)
    order = await held_order(db, airline)
    intent = await gateway.create_intent(  # charged, then the airline gave the seat away
        amount=Decimal("12.00"),
        currency="USD",
        card_token="tok_visa",
        metadata={"order_id": order.id, "payment_id": "sch_owed"},
        idempotency_key="sch_owed:intent",
        timeout=2.0,
    )
    await intent_status(control, order, "succeeded")
    rows = [("sch_owed", order.id, "refunding", intent.id, dt.timedelta(minutes=30))]
    for n in range(LOST):
        lost = await held_order(db, airline)
        rows.append(
            (f"sch_lost{n}", lost.id, "processing", f"pi_unknown{n}", dt.timedelta(hours=1))
        )
    await db.pool.executemany(
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status,"
        " gateway_intent_id, updated_at) VALUES ($1, $2, 'alice', 12.00, 'USD', '[]', $3, $4,"
        " now() - $5::interval)",
        rows,
    )  # fmt: skip
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)

    rounds = [await charges.reconcile_once(due, limit=1) for _ in range(LOST + 1)]

    assert rounds == [1] * (LOST + 1)
    statuses = await db.pool.fetch("SELECT id, status FROM seat_charges ORDER BY id")
    assert [tuple(r.values()) for r in statuses] == [
        *((f"sch_lost{n}", "processing") for n in range(LOST)),
        ("sch_owed", "refunded"),
    ]
    [paid] = await control.intents(order.id)
    assert Decimal(paid["amount_refunded"]) == Decimal("12.00")
