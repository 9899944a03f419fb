"""A flight change's own charge owed back whole (the order ended before the change committed:
`refund_charge`) after the gateway's dashboard gave back some or all of it: the part asks what
the charge has left, or ends when nothing is, as a cancellation's parts do, rather than be
refused `amount_too_large` every reconciler round. Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booking.model import Order
from booking.pg import Database
from payment.change_payments import GatewayChangePayments
from payment.charge_left import ELSEWHERE
from payment.gateway import HttpPaymentGateway
from payment.repository import PgPaymentRepository
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.support.payment_sim import PaymentsSimControl, eventually

CHANGE = "och_0123456789abcdef01234567"
CHARGED = Decimal("80.00")


async def changes_charge(gateway: HttpPaymentGateway, order: Order) -> str:
    """The card charged for a change of `order`, as a confirmation charges it; its intent."""
    return await card_charged(gateway, order, CHARGED, change_id=CHANGE)


async def card_charged(
    gateway: HttpPaymentGateway, order: Order, amount: Decimal, **charge: str
) -> str:
    """`amount` captured on an intent of its own for `order`, `charge` (e.g. `change_id`)
    naming what it pays in its metadata; its intent."""
    intent = await gateway.create_intent(
        amount=amount,
        currency=order.total_currency,
        card_token="tok_visa",
        metadata={"order_id": order.id, **charge},
        idempotency_key=f"{next(iter(charge.values()))}:intent",
        timeout=5.0,
    )
    await eventually(
        lambda: gateway.get_intent(intent.id, timeout=5.0), lambda i: i.status == "succeeded"
    )
    return intent.id


@pytest.mark.parametrize("by_hand", [Decimal("30.00"), CHARGED])
async def test_a_change_charge_given_back_at_the_dashboard_first_settles_once(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
    by_hand: Decimal,
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    intent_id = await changes_charge(gateway, order)
    await gateway.refund(
        intent_id=intent_id, amount=by_hand, idempotency_key="dashboard", timeout=5.0
    )
    if by_hand == CHARGED:  # a gateway may answer so even when nothing at all is left
        await control.refuse_refunds(intent_id, times=5, code="amount_too_large")
    changes = GatewayChangePayments(gateway, PgPaymentRepository(db), payments.refunds, timeout_s=5)

    await changes.refund_charge(order, CHANGE, intent_id, CHARGED, actor="booking")
    for _ in range(3):
        await payments.reconciler.once()

    [part] = await db.pool.fetch("SELECT status, amount FROM order_refunds")
    assert part["status"] == "refunded"
    intent = await gateway.get_intent(intent_id, timeout=5.0)
    assert intent.amount_refunded == CHARGED  # all of it back, none of it twice
    said = await db.pool.fetchval(
        "SELECT reason FROM order_history WHERE order_id = $1 AND code = 'refunded'", order.id
    )
    who = f", {ELSEWHERE}" if by_hand == CHARGED else ""  # nothing left: nothing asked
    back = CHARGED - by_hand if by_hand < CHARGED else CHARGED
    assert said == (
        f"the flight change {CHANGE} was not made{who}: refunded {back} USD to {CHANGE}"
    )
