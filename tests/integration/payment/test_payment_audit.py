"""The reconciler audits captured payments against the gateway (payment/audit.py): a partial
refund made at the gateway's dashboard, or another amount captured than the payment asked, is
recorded once and counted, and no money moves to even it out; payments whose money is as we
recorded (paid, or cancelled and refunded) record nothing. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

from prometheus_client import REGISTRY

from booking.pg import Database
from payment.audit import MAX_AGE_S as AUDIT_MAX_AGE_S
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl


def found(kind: str) -> float:
    value = REGISTRY.get_sample_value("skyfare_payment_discrepancies_total", {"kind": kind})
    return value or 0.0


async def discrepancies(db: Database) -> list[tuple[str, Decimal, Decimal]]:
    rows = await db.pool.fetch("SELECT kind, ours, gateways FROM payment_discrepancies ORDER BY id")
    return [(r["kind"], r["ours"], r["gateways"]) for r in rows]


async def test_a_partial_refund_at_the_gateways_dashboard_is_recorded_once(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await gateway.refund(  # an agent at the dashboard: 10.00 back, not all of it
        intent_id=intent["id"], amount=Decimal("10.00"), idempotency_key="dashboard", timeout=5
    )
    before = found("refunded_differs")

    await payments.reconciler.once()
    await payments.reconciler.once()  # its next turn: the same difference, not recorded again

    assert await discrepancies(db) == [("refunded_differs", Decimal("0.00"), Decimal("10.00"))]
    assert found("refunded_differs") == before + 1
    [intent] = await control.intents(order.id)
    assert Decimal(intent["amount_refunded"]) == Decimal("10.00")  # nothing evened out
    confirmed = await current(db, order)
    assert (confirmed.status, confirmed.payment_status) == ("confirmed", "paid")


async def test_another_amount_captured_than_the_payment_asked_is_recorded(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    # What we asked (a gateway that captured less than asked is this seen from our side).
    await db.pool.execute("UPDATE payments SET amount = amount + 5 WHERE order_id = $1", order.id)

    await payments.reconciler.once()

    assert await discrepancies(db) == [
        ("captured_differs", order.total_amount + 5, order.total_amount)
    ]


async def test_payments_whose_money_is_as_recorded_record_nothing(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
) -> None:
    await confirmed_order(payments, db, airline, control)
    given_back = await confirmed_order(payments, db, airline, control)
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    cancelled = await orders.cancel(ALICE, given_back.id)  # refunded by its fare
    assert cancelled.payment_status == "refunded"

    await payments.reconciler.once()  # the first one may have been audited by the second's

    assert await discrepancies(db) == []
    assert await db.pool.fetchval("SELECT count(*) FROM payments WHERE audited_at IS NOT NULL") == 2


async def test_payments_older_than_the_audits_age_limit_are_not_read_at_the_gateway(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:
    """Every API process audits a batch every round: without a bound, every payment ever made
    was read at the gateway again and again, for ever."""
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await gateway.refund(  # a difference the audit would record, were the payment read
        intent_id=intent["id"], amount=Decimal("10.00"), idempotency_key="dashboard", timeout=5
    )
    await db.pool.execute(
        "UPDATE payments SET created_at = created_at - make_interval(days => $2)"
        " WHERE order_id = $1",
        order.id, int(AUDIT_MAX_AGE_S // 86400) + 1,
    )  # fmt: skip

    await payments.reconciler.once()

    assert await discrepancies(db) == []
    audited = await db.pool.fetchval(
        "SELECT audited_at FROM payments WHERE order_id = $1", order.id
    )
    assert audited is None
