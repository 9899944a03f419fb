"""A refund part refused `amount_too_large` put all its charge's shortfall down to the gateway's
dashboard (`by_gateway`), even money another part of ours had given back and not recorded yet
(its refund in flight: here an older process's ask under that part's key, for more than it now
owes); and one finding its charge with nothing left put all it asked down to the dashboard. The
gateway lists every refund, each of ours naming its part: only the dashboard's money no part
counted yet is the gateway's (payment/charge_left.py `shrink_to_left`). Real PostgreSQL and the
sim gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline
from tests.integration.payment.test_dashboard_money_after_key_reused import (
    cancelled_all_back,
    change_owed_after_two_refunds,
)
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.support.payment_sim import PaymentsSimControl

CHEAPER = "och_" + "2" * 24
CHEAPER_BY = Decimal("100.00")  # the change's part
BY_HAND = Decimal("20.00")  # a support agent's refund at the gateway's dashboard
BEYOND = Decimal("30.00")  # given back under the change part's key beyond what it owes
SAYS = {
    False: ("refund_retrying", f"amount_too_large: {BY_HAND} USD of it given back at the gateway"),
    True: ("refunded_by_gateway", f"refunded by the gateway: {BY_HAND} USD to pay_"),
}


@pytest.mark.parametrize("all_back", [False, True], ids=["some-left", "nothing-left"])
async def test_another_parts_refund_in_flight_is_not_put_down_to_the_dashboard(
    all_back: bool, payments: Payments, db: Database, airline: TicketingAirline,
    control: PaymentsSimControl, gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    # The change part's key gave back more than it owes (all the charge held but the
    # dashboard's, when `all_back`), unrecorded: its refund in flight.
    in_flight = order.total_amount - BY_HAND if all_back else CHEAPER_BY + BEYOND
    await change_owed_after_two_refunds(
        payments, db, gateway, order, CHEAPER, CHEAPER_BY, by_hand=BY_HAND, earlier=in_flight
    )

    await cancelled_all_back(payments, db, airline, order)

    parts = await db.pool.fetch(
        "SELECT change_id IS NULL AS cancellation, amount, by_gateway FROM order_refunds"
        " ORDER BY created_at"
    )
    rest = order.total_amount - CHEAPER_BY
    assert [tuple(p.values()) for p in parts] == [
        (False, CHEAPER_BY, Decimal("0.00")),  # its key's refund gave it back
        (True, rest, BY_HAND),  # the dashboard's money only, not the change part's
    ]
    # The history says the dashboard's share: as the part asks what its charge has left, or as
    # it ends with nothing left to ask.
    code, says = SAYS[all_back]
    [said] = await db.pool.fetch(
        "SELECT reason FROM order_history WHERE order_id = $1 AND code = $2", order.id, code
    )
    assert says in said["reason"]
    [charged] = await control.intents(order.id)
    assert Decimal(charged["amount_refunded"]) == order.total_amount  # all of it, once
