"""A refund part whose key had already moved other money (`idempotency_error`: the same refund
asked again with other figures) is asked anew for what the gateway has not given back yet; that
subtracted the dashboard's refunds too, and the part counted them as ours: the total was right,
who gave it was not (`by_gateway` 0 where the dashboard gave 30.00). Our refunds name their
part (refund metadata, listed by the gateway on the intent), so the money no part of ours asked
is the gateway's (payment/named_refunds.py `asked_anew`). A key asked before with the same figures
but no name (a release before this one) replays that refund, never a second. And money so
counted does not read as emptying its charge: a later split still finds what it holds
(payment/sql/0216). Real PostgreSQL and the sim gateway over sockets."""

from __future__ import annotations

from decimal import Decimal

from booking.model import Order
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.model import REFUND_PART
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_refund_parts_asked_anew import unasked

__all__ = ["unasked"]  # the fixture: a paid order cancelled, its refund part owed, not asked
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl

BY_HAND = Decimal("30.00")  # a support agent's refund at the gateway's dashboard
EARLIER = Decimal("10.00")  # an earlier ask of the part's first key, with other figures


async def test_the_dashboards_money_in_a_part_asked_anew_is_counted_as_the_gateways(
    unasked: Order, payments: Payments, db: Database, gateway: HttpPaymentGateway,
    control: PaymentsSimControl,
) -> None:  # fmt: skip
    [owed] = await db.pool.fetch("SELECT id, intent_id FROM order_refunds")
    await gateway.refund(
        intent_id=owed["intent_id"], amount=BY_HAND, idempotency_key="dashboard", timeout=5.0
    )
    await gateway.refund(  # a process asked other figures under the key, as ours are named
        intent_id=owed["intent_id"],
        amount=EARLIER,
        idempotency_key=f"{owed['id']}:refund:0",
        timeout=5.0,
        metadata={REFUND_PART: owed["id"]},
    )

    for _ in range(3):
        await payments.reconciler.once()

    refunded = await current(db, unasked)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    [part] = await db.pool.fetch(
        "SELECT status, amount, asking, by_gateway, emptied_charge FROM order_refunds"
    )
    whole = unasked.total_amount
    assert tuple(part.values()) == ("refunded", whole, whole - BY_HAND - EARLIER, BY_HAND, False)
    [intent] = await control.intents(unasked.id)
    assert Decimal(intent["amount_refunded"]) == whole  # all of it back, once
    assert len(intent["refunds"]) == 3
    said = await db.pool.fetchval(
        "SELECT reason FROM order_history WHERE order_id = $1 AND code = 'refunded'", unasked.id
    )
    assert said.endswith(f"({BY_HAND} {unasked.total_currency} of it by the gateway)")


async def test_a_key_asked_before_with_the_same_figures_but_no_name_replays_that_refund(
    unasked: Order, payments: Payments, db: Database, gateway: HttpPaymentGateway,
    control: PaymentsSimControl,
) -> None:  # fmt: skip
    [owed] = await db.pool.fetch("SELECT id, intent_id, amount FROM order_refunds")
    before = await gateway.refund(  # a release before this one, whose answer nobody recorded
        intent_id=owed["intent_id"],
        amount=owed["amount"],
        idempotency_key=f"{owed['id']}:refund:0",
        timeout=5.0,
    )

    await payments.reconciler.once()

    [part] = await db.pool.fetch(
        "SELECT status, gateway_refund_id, by_gateway, attempt FROM order_refunds"
    )
    assert tuple(part.values()) == ("refunded", before.id, Decimal("0.00"), 0)
    [intent] = await control.intents(unasked.id)
    assert len(intent["refunds"]) == 1


CHEAPER = "och_" + "1" * 24
CHEAPER_BY = Decimal("100.00")


async def test_a_part_asked_anew_with_dashboard_money_leaves_its_charge_holding_the_rest(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    await change_owed_after_two_refunds(
        payments, db, gateway, order, CHEAPER, CHEAPER_BY, by_hand=BY_HAND, earlier=EARLIER
    )
    for _ in range(2):
        await payments.reconciler.once()
    [part] = await db.pool.fetch("SELECT status, by_gateway FROM order_refunds")
    assert tuple(part.values()) == ("refunded", BY_HAND)

    await cancelled_all_back(payments, db, airline, order)
    [cancelled] = await payments.refunds.parts(order.id)
    assert cancelled.amount == order.total_amount - CHEAPER_BY
    [intent] = await control.intents(order.id)
    assert Decimal(intent["amount_refunded"]) == order.total_amount


async def change_owed_after_two_refunds(
    payments: Payments,
    db: Database,
    gateway: HttpPaymentGateway,
    order: Order,
    change_id: str,
    cheaper_by: Decimal,
    *,
    by_hand: Decimal,
    earlier: Decimal,
) -> None:
    """`order` changed to a slice `cheaper_by` less (`change_id`): its difference owed, one part
    on the order's payment, not asked yet; then `by_hand` given back at the gateway's dashboard,
    and `earlier` under the change part's first key, named, as a process of ours asked it."""
    async with db.transaction() as conn:
        await payments.refunds.owe_change(conn, order.id, change_id, cheaper_by, "USD", actor="a")
    change_part, intent_id = await db.pool.fetchrow("SELECT id, intent_id FROM order_refunds")
    await gateway.refund(
        intent_id=intent_id, amount=by_hand, idempotency_key="dashboard", timeout=5.0
    )
    await gateway.refund(
        intent_id=intent_id,
        amount=earlier,
        idempotency_key=f"{change_part}:refund:0",
        timeout=5.0,
        metadata={REFUND_PART: change_part},
    )


async def cancelled_all_back(
    payments: Payments, db: Database, airline: TicketingAirline, order: Order
) -> None:
    """`order` cancelled (a refundable fare: all it still holds comes back) and its refund
    settled by a few reconciler rounds: the order is `refunded`."""
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    await orders.cancel(ALICE, order.id)
    for _ in range(3):
        await payments.reconciler.once()
    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
