"""Cancelling a paid order whose fare gives nothing back (non-refundable, no taxes): no refund
part is owed, and the database guard of 0203 (an ended `paid` order keeps its payment only when
a refund is owed) used to fail the cancel's commit. The order now ends `cancelled` + `refunded`
with a refund of 0.00, the penalty stated, nothing left for the reconciler, and its history says
why. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

from booking.cancellation_store import PgCancellations
from booking.cancellations import CancellationService
from booking.model import FareTerms, Order
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service, payments_over
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl

NO_TAXES_KEPT = FareTerms(Decimal("0.00"), False, False)  # non-refundable, taxes 0


async def paid_without_taxes(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> Order:
    return await confirmed_order(payments, db, airline, control, terms=NO_TAXES_KEPT)


async def stated_penalty(db: Database, order_id: str) -> str | None:
    penalty: str | None = await db.pool.fetchval(
        "SELECT payload->'order'->>'penalty_amount' FROM outbox"
        " WHERE order_id = $1 AND type = 'order.cancelled'",
        order_id,
    )
    return penalty


async def assert_ended_keeping_the_money(
    db: Database, payments: Payments, control: PaymentsSimControl, order: Order
) -> None:
    ended = await current(db, order)
    assert (ended.status, ended.payment_status) == ("cancelled", "refunded")
    assert await stated_penalty(db, order.id) == str(order.total_amount)
    assert await db.pool.fetchval("SELECT count(*) FROM order_refunds") == 0
    [payment] = await db.pool.fetch("SELECT status, refunded_amount FROM payments")
    assert (payment["status"], payment["refunded_amount"]) == ("succeeded", None)  # kept
    reasons = [
        r["reason"]
        for r in await db.pool.fetch(
            "SELECT reason FROM order_history WHERE order_id = $1 ORDER BY id", order.id
        )
    ]
    kept = f"nothing to refund (the fare keeps the {order.total_amount} {order.total_currency}"
    assert any(kept in r for r in reasons), reasons
    events = await db.pool.fetch("SELECT type FROM outbox WHERE order_id = $1", order.id)
    assert "payment.refunded" not in [e["type"] for e in events]  # no 0.00 refund announced

    await payments.reconciler.once()  # nothing stuck: nothing is asked of the gateway
    [intent] = await control.intents(order.id)
    assert intent["refunds"] == []
    assert (await current(db, order)).payment_status == "refunded"


async def test_the_one_step_cancel_of_a_fare_that_gives_nothing_back_ends_cleanly(
    db: Database, gateway: HttpPaymentGateway, control: PaymentsSimControl
) -> None:
    airline = TicketingAirline("fake")
    payments = payments_over(db, gateway, airline)
    order = await paid_without_taxes(payments, db, airline, control)
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)

    cancelled = await orders.cancel(ALICE, order.id)

    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
    await assert_ended_keeping_the_money(db, payments, control, order)
    again = await orders.cancel(ALICE, order.id)  # cancelling twice is not an error
    assert (again.status, again.payment_status) == ("cancelled", "refunded")


async def test_a_quote_of_nothing_back_confirms_cleanly(
    db: Database, gateway: HttpPaymentGateway, control: PaymentsSimControl
) -> None:
    airline = TicketingAirline("fake")
    payments = payments_over(db, gateway, airline)
    order = await paid_without_taxes(payments, db, airline, control)
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    quotes = CancellationService(orders, PgCancellations(db))
    quote, _ = await quotes.quote(ALICE, order.id)
    assert (quote.refund_amount, quote.penalty_amount) == (Decimal("0.00"), order.total_amount)

    confirmed, cancelled = await quotes.confirm(ALICE, order.id, quote.id)

    assert confirmed.status == "confirmed"
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
    assert await quotes.refunds_of(confirmed) == ()
    await assert_ended_keeping_the_money(db, payments, control, order)
