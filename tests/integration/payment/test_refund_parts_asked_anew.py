"""Cancellation refund parts the gateway cannot simply pay, which stayed owed for ever: one whose
key already moved money with other figures (`idempotency_error`: an older process asked another
amount under it), and one whose charge the gateway's dashboard already gave back whole, answered
`amount_too_large` (as a gateway may answer any refund of a charge with nothing left;
`shrink_to_left` acted only when something was left). The first is asked anew, under a new key,
for what the gateway has not given back of it yet, and keeps its whole amount; the second ends,
given back at the gateway, and the order's history says so (`refunded_by_gateway`, as a whole
refund at the dashboard reads) before the order's own `refunded` step.
Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from booking.model import Order
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, order_service
from tests.integration.payment.test_ended_orders_keep_no_money import (
    ProcessDiedError,
    confirmed_order,
    dying_after_commit,
)
from tests.integration.payment.test_refund_key_reused import settles_all_back_in_two_refunds
from tests.integration.payment.test_settlement import ALICE, current
from tests.support.payment_sim import PaymentsSimControl


@pytest.fixture
async def unasked(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> Order:
    """A paid order cancelled by a process that died before it asked for the refund: one part,
    owed, on the order's payment."""
    order = await confirmed_order(payments, db, airline, control)
    orders = order_service(db, airline)
    orders.use_payments(None, dying_after_commit(db, payments))
    with pytest.raises(ProcessDiedError):
        await orders.cancel(ALICE, order.id)
    return order


async def test_a_part_whose_key_moved_other_money_settles_without_giving_it_back_twice(
    unasked: Order, payments: Payments, db: Database, gateway: HttpPaymentGateway,
    control: PaymentsSimControl,
) -> None:  # fmt: skip
    [owed] = await db.pool.fetch("SELECT id, intent_id FROM order_refunds")
    earlier = Decimal("10.00")  # an older process's ask, under the key this part first asks with
    await gateway.refund(
        intent_id=owed["intent_id"],
        amount=earlier,
        idempotency_key=f"{owed['id']}:refund:0",
        timeout=5.0,
    )

    await settles_all_back_in_two_refunds(payments, db, control, unasked)
    [part] = await db.pool.fetch("SELECT status, amount, asking, attempt FROM order_refunds")
    # All of the part went back, in two refunds: it counts all of it against its charge.
    whole = unasked.total_amount
    assert tuple(part.values()) == ("refunded", whole, whole - earlier, 1)


async def test_a_part_whose_charge_went_back_whole_at_the_dashboard_ends_and_says_so(
    unasked: Order, payments: Payments, db: Database, control: PaymentsSimControl
) -> None:
    [intent] = await control.intents(unasked.id)
    await control.refund_by_hand(intent["id"])  # all of it, at the gateway's dashboard
    await control.refuse_refunds(intent["id"], times=5, code="amount_too_large")

    for _ in range(3):
        await payments.reconciler.once()

    refunded = await current(db, unasked)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    [part] = await db.pool.fetch(
        "SELECT charge_id, status, amount, gateway_refund_id FROM order_refunds"
    )
    assert tuple(part.values())[1:] == ("refunded", unasked.total_amount, None)
    [intent] = await control.intents(unasked.id)
    assert len(intent["refunds"]) == 1  # the dashboard's: nothing asked again
    # Who gave it back, then what came back where, once: not a second refund of it.
    said = await db.pool.fetch(
        "SELECT reason, code FROM order_history WHERE order_id = $1"
        " AND code IN ('refunded', 'refunded_by_gateway') ORDER BY id",
        unasked.id,
    )
    money = f"{unasked.total_amount} {unasked.total_currency}"
    what = f"{money} to {part['charge_id']} ({money} of it by the gateway)"  # 0214
    assert [tuple(r.values()) for r in said] == [
        (f"refunded by the gateway: {money} to {part['charge_id']}", "refunded_by_gateway"),
        (f"the order was cancelled: refunded {what}", "refunded"),
    ]
    details = await db.pool.fetchval(
        "SELECT details FROM order_history WHERE order_id = $1 AND code = 'refunded_by_gateway'",
        unasked.id,
    )
    amount = {"amount": str(unasked.total_amount), "currency": unasked.total_currency}
    assert msgspec.json.decode(details) == {"amounts": [{**amount, "charge": "booking"}]}
