"""The audit (payment/audit.py) of charges past or short of the usual `succeeded`/`confirmed`:

- a flight change left `confirming` (its request died after the card was charged; the change
  sweeper settles it only once the airline answers) was never read at the gateway: money given
  back at the dashboard meanwhile went unseen. Its charge is audited once it settled at the
  gateway; one declined or still processing is not compared (nothing captured to compare);
- a payment already `refunded` (a cancellation gave back the taxes, the fare kept the rest as
  its penalty) is audited as any: the dashboard giving back some of that penalty is recorded.

Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

from booking.model import Order
from booking.pg import Database
from payment.audit import PaymentAudit
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_change_charge_left import CHANGE, CHARGED, changes_charge
from tests.integration.payment.test_charge_audit import confirmed_change, due, found
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import ALICE
from tests.integration.payment.test_split_after_dashboard import TAXES, TAXES_ONLY
from tests.support.payment_sim import PaymentsSimControl


async def still_confirming(db: Database, order: Order, intent_id: str) -> None:
    """`order`'s change to a dearer slice charged on `intent_id`, left `confirming`."""
    await confirmed_change(db, order, intent_id)
    await db.pool.execute(
        "UPDATE order_changes SET status = 'confirming', confirmed_at = NULL WHERE id = $1",
        CHANGE,
    )


async def test_a_dashboard_refund_of_a_change_left_confirming_is_recorded(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    await still_confirming(db, order, intent_id := await changes_charge(gateway, order))
    await gateway.refund(
        intent_id=intent_id, amount=Decimal("30.00"), idempotency_key="dash", timeout=5
    )

    assert await PaymentAudit(db, gateway, timeout_s=5).audit_once(due()) == 2

    assert await found(db) == [
        ("change", CHANGE, None, "refunded_differs", Decimal("0.00"), Decimal("30.00"))
    ]


async def test_a_change_left_confirming_whose_card_captured_nothing_records_nothing(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    """Declined (or not answered yet, whichever the audit reads): nothing captured differs."""
    order = await confirmed_order(payments, db, airline, control)
    intent = await gateway.create_intent(
        amount=CHARGED, currency="USD", card_token="tok_declined",
        metadata={"order_id": order.id, "change_id": CHANGE}, idempotency_key="c:intent",
        timeout=5,
    )  # fmt: skip
    await still_confirming(db, order, intent.id)

    assert await PaymentAudit(db, gateway, timeout_s=5).audit_once(due()) == 2

    assert await found(db) == []


async def test_a_dashboard_refund_of_what_a_refunded_payment_kept_is_recorded(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control, terms=TAXES_ONLY)
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    await orders.cancel(ALICE, order.id)  # the taxes back, the fare kept
    payment_id, status, intent_id = await db.pool.fetchrow(
        "SELECT id, status, gateway_intent_id FROM payments WHERE order_id = $1", order.id
    )
    assert status == "refunded"
    await gateway.refund(  # an agent gives back some of the penalty at the dashboard
        intent_id=intent_id, amount=Decimal("50.00"), idempotency_key="dash", timeout=5
    )

    assert await PaymentAudit(db, gateway, timeout_s=5, every_s=0).audit_once(due()) == 1

    assert await found(db) == [
        ("payment", payment_id, payment_id, "refunded_differs", TAXES, TAXES + 50)
    ]
