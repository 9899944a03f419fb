"""A `refunded_by_gateway` step (money the card gateway gave back itself, at its dashboard) says
how much and of which charge, in its sentence and its stored details, as every other money step
does (payment/refund_steps.py, payment/sql/0215): a payment refunded whole at the dashboard (its
`charge.refunded` webhook), and a cancellation's part that found its charge emptied there. A row
written before keeps reading as it did. Real PostgreSQL and the sim gateway over sockets."""

from __future__ import annotations

from typing import Any

import msgspec

from booking.history_reasons import read_details
from booking.pg import Database
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import current
from tests.support.payment_sim import PaymentsSimControl, Receiver


async def gateway_steps(db: Database, order_id: str) -> list[tuple[str, Any]]:
    rows = await db.pool.fetch(
        "SELECT reason, details FROM order_history"
        " WHERE order_id = $1 AND code = 'refunded_by_gateway' ORDER BY id",
        order_id,
    )
    return [(r["reason"], msgspec.json.decode(r["details"])) for r in rows]


async def test_a_payment_refunded_whole_at_the_dashboard_says_how_much_went_back_where(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl,
    receiver: Receiver,
) -> None:  # fmt: skip
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await control.refund_by_hand(intent["id"])
    deliveries = await receiver.wait_for(2)  # the capture's, then the dashboard refund's
    [refunded] = [d for d in deliveries if b"charge.refunded" in d.body]
    await payments.receiver.receive(refunded.body, refunded.headers["Skyfare-Signature"])

    assert (await current(db, order)).payment_status == "refunded"
    # Audited at once (its webhook): all of it back, as recorded, so no difference.
    assert await db.pool.fetchval("SELECT count(*) FROM payment_discrepancies") == 0
    assert await db.pool.fetchval("SELECT audited_at IS NOT NULL FROM payments") is True
    payment_id = await db.pool.fetchval("SELECT id FROM payments WHERE order_id = $1", order.id)
    money = f"{order.total_amount} {order.total_currency}"
    assert await gateway_steps(db, order.id) == [
        (
            f"refunded by the gateway: {money} to {payment_id}",
            {
                "amounts": [
                    {
                        "amount": str(order.total_amount),
                        "currency": order.total_currency,
                        "charge": "booking",
                    }
                ]
            },
        )
    ]


def test_a_step_written_before_it_had_amounts_reads_as_it_did() -> None:
    # booking/history.py reads the details of a row stored without them from its reason: the
    # bare sentence of the release before has none, and still none.
    assert read_details("refunded_by_gateway", "refunded by the gateway", []) is None
