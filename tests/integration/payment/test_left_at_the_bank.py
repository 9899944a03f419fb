"""A payment left waiting for the traveler's bank (3-D Secure) past its hold's deadline: the
reconciler cancels its intent at the gateway and fails it, quietly, so the hold sweeper (which
never expires an order whose payment is `processing`) releases the seats; it kept them held
forever. Real PostgreSQL and the sim gateway over sockets."""

from __future__ import annotations

import datetime as dt

from booking.pg import Database
from booking.sweeper import HoldSweeper
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order
from tests.integration.payment.test_settlement import current, pay
from tests.support.payment_sim import PaymentsSimControl, eventually


async def _past_its_deadline(db: Database, order_id: str) -> None:
    await db.pool.execute(
        "UPDATE orders SET payment_required_by = $2 WHERE id = $1",
        order_id,
        dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
    )


async def test_a_payment_left_at_the_bank_past_the_holds_deadline_is_canceled_and_the_seats_go(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await held_order(db, airline)
    payment_id = await pay(payments, order, "tok_3ds_required")
    await payments.reconciler.once()  # in time: it waits for the traveler
    [intent] = await control.intents(order.id)
    assert intent["status"] == "requires_action"
    assert (await current(db, order)).payment_status == "processing"

    await _past_its_deadline(db, order.id)
    await payments.reconciler.once()

    [intent] = await control.intents(order.id)
    assert (intent["status"], intent["amount_received"]) == ("canceled", "0.00")
    row = await db.pool.fetchrow(
        "SELECT status, failure_reason FROM payments WHERE id = $1", payment_id
    )
    assert tuple(row.values()) == ("failed", "canceled")
    now = await current(db, order)
    assert (now.status, now.payment_status, now.payment_action_url) == ("held", "failed", None)
    types = await db.pool.fetch("SELECT type FROM outbox WHERE order_id = $1", order.id)
    assert "payment.failed" not in [r["type"] for r in types]  # the expiry tells the traveler
    # The sweeper's guard admits it now: the seats go back to the airline.
    sweeper = HoldSweeper(db, {airline.name: airline})
    await sweeper.sweep_once()
    assert (await current(db, order)).status == "expired"


async def test_a_payment_confirmed_at_the_bank_past_the_deadline_stands(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await held_order(db, airline)
    await pay(payments, order, "tok_3ds_required")
    await control.configure_webhook(url="http://127.0.0.1:9/held-back")  # its success not here
    [intent] = await control.intents(order.id)
    await control.answer_challenge(intent["id"], "complete")
    await eventually(lambda: control.intents(order.id), lambda i: i[0]["status"] == "succeeded")
    await _past_its_deadline(db, order.id)
    await payments.reconciler.once()  # reads it succeeded: settles it, nothing canceled
    [intent] = await control.intents(order.id)
    assert intent["status"] == "succeeded"
    now = await current(db, order)
    assert (now.status, now.payment_status) == ("confirmed", "paid")
