"""The reconciler's audit (payment/audit.py) reads every kind of charge that captures money, not
only an order's own payment: a flight change's difference and seats bought after booking, each
on its own intent, are audited against the gateway too, a difference recorded by the charge's
kind and id (payment/sql/0213); and a charge is read at the gateway at most once per
`every_s`, not again every round. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from booking.model import Order
from booking.pg import Database
from payment.audit import EVERY_S, PaymentAudit
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline
from tests.integration.payment.test_change_charge_left import (
    CHANGE,
    CHARGED,
    card_charged,
    changes_charge,
)
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.support.payment_sim import PaymentsSimControl

SEATS = "sch_0123456789abcdef01234567"
SEATS_PAID = Decimal("25.00")


@pytest.fixture
async def order(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> Order:
    return await confirmed_order(payments, db, airline, control)


def due() -> dt.datetime:
    """A round's `before` that leaves out no charge for having changed just now."""
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


async def found(db: Database) -> list[tuple[str, str, str | None, str, Decimal, Decimal]]:
    rows = await db.pool.fetch(
        "SELECT charge_kind, charge_id, payment_id, kind, ours, gateways"
        " FROM payment_discrepancies ORDER BY id"
    )
    return [tuple(row.values()) for row in rows]  # type: ignore[misc]


async def confirmed_change(db: Database, order: Order, intent_id: str) -> None:
    """`order` changed to a dearer slice, its difference charged on `intent_id`."""
    now = dt.datetime.now(dt.UTC)
    await db.pool.execute(
        "INSERT INTO order_changes (id, order_id, status, slice_index, supplier_fare_id,"
        " new_slice, fare_difference, penalty_amount, due_amount, new_total_amount, currency,"
        " refundable, changeable, order_status, order_payment_status, order_updated_at, actor,"
        " expires_at, confirmed_at, payment_intent_id) VALUES ($1, $2, 'confirmed', 0, 'f1',"
        " $3::jsonb, $4, 0, $4, $5, 'USD', true, true, 'confirmed', 'paid', $6, 'alice', $6, $6,"
        " $7)",
        CHANGE, order.id, msgspec.json.encode(order.slices[0]).decode(), CHARGED,
        order.total_amount + CHARGED, now, intent_id,
    )  # fmt: skip


async def seats_bought(db: Database, gateway: HttpPaymentGateway, order: Order) -> str:
    """Seats bought for `order` after booking, charged on an intent of their own; its id."""
    intent_id = await card_charged(gateway, order, SEATS_PAID, seat_charge_id=SEATS)
    await db.pool.execute(
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status,"
        " gateway_intent_id) VALUES ($1, $2, 'alice', $3, 'USD', '[]', 'succeeded', $4)",
        SEATS, order.id, SEATS_PAID, intent_id,
    )  # fmt: skip
    return intent_id


async def test_a_dashboard_refund_of_a_change_or_seat_charge_is_recorded_as_that_charges(
    order: Order, db: Database, gateway: HttpPaymentGateway
) -> None:
    await confirmed_change(db, order, change_intent := await changes_charge(gateway, order))
    seat_intent = await seats_bought(db, gateway, order)
    for intent_id, amount in ((change_intent, "30.00"), (seat_intent, "5.00")):
        await gateway.refund(  # an agent at the dashboard: part of it back
            intent_id=intent_id,
            amount=Decimal(amount),
            idempotency_key=f"dashboard:{intent_id}",
            timeout=5,
        )
    audit = PaymentAudit(db, gateway, timeout_s=5)

    assert await audit.audit_once(due()) == 3  # the order's payment, the change, the seats

    assert sorted(await found(db)) == [
        ("change", CHANGE, None, "refunded_differs", Decimal("0.00"), Decimal("30.00")),
        ("seat", SEATS, None, "refunded_differs", Decimal("0.00"), Decimal("5.00")),
    ]


async def test_charges_whose_money_is_as_recorded_record_nothing(
    order: Order, db: Database, gateway: HttpPaymentGateway
) -> None:
    """The seats' whole refund (the airline gave them away) is ours: nothing differs."""
    await confirmed_change(db, order, await changes_charge(gateway, order))
    seat_intent = await seats_bought(db, gateway, order)
    await gateway.refund(
        intent_id=seat_intent, amount=SEATS_PAID, idempotency_key=f"{SEATS}:r", timeout=5
    )
    await db.pool.execute("UPDATE seat_charges SET status = 'refunded' WHERE id = $1", SEATS)

    assert await PaymentAudit(db, gateway, timeout_s=5).audit_once(due()) == 3

    assert await found(db) == []


async def test_a_charge_is_read_at_the_gateway_at_most_once_per_interval(
    order: Order, db: Database, gateway: HttpPaymentGateway
) -> None:
    audit = PaymentAudit(db, gateway, timeout_s=5)
    assert await audit.audit_once(due()) == 1
    first = await db.pool.fetchval("SELECT audited_at FROM payments WHERE order_id = $1", order.id)

    assert await audit.audit_once(due()) == 0  # audited just now: not read again
    assert (
        await db.pool.fetchval("SELECT audited_at FROM payments WHERE order_id = $1", order.id)
        == first
    )

    await db.pool.execute(  # as if that audit were an interval old
        "UPDATE payments SET audited_at = audited_at - make_interval(secs => $2)"
        " WHERE order_id = $1",
        order.id, EVERY_S + 60,
    )  # fmt: skip
    assert await audit.audit_once(due()) == 1


async def test_two_rounds_at_once_audit_each_charge_once(
    order: Order, db: Database, gateway: HttpPaymentGateway
) -> None:
    await confirmed_change(db, order, await changes_charge(gateway, order))
    await seats_bought(db, gateway, order)
    rounds = [PaymentAudit(db, gateway, timeout_s=5) for _ in range(2)]

    taken = await asyncio.gather(*(audit.audit_once(due()) for audit in rounds))

    assert sum(taken) == 3  # the order's payment, the change, the seats: each by one round
