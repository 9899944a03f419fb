"""A cancellation's refund part the gateway refuses: it stays owed, the order's history says so,
and the payment reconciler finishes it with a new request (the gateway replays a refusal for its
key). Real PostgreSQL and the sim gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

from booking.model import FareTerms
from booking.pg import Database
from connectors.model import Hold
from payment.gateway import HttpPaymentGateway
from payment.wiring import Payments
from tests.integration.payment.conftest import (
    TicketingAirline,
    held_order,
    order_service,
    payments_over,
)
from tests.integration.payment.test_ended_orders_keep_no_money import confirmed_order
from tests.integration.payment.test_settlement import ALICE, current, intent_status, pay
from tests.support.payment_sim import PaymentsSimControl


async def test_a_refused_refund_stays_owed_and_the_reconciler_finishes_it(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await control.refuse_refunds(intent["id"])
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)

    cancelled = await orders.cancel(ALICE, order.id)

    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "paid")
    [part] = await db.pool.fetch("SELECT status, attempt, last_error FROM order_refunds")
    assert tuple(part.values()) == ("owed", 1, "charge_disputed")
    [refusal] = await db.pool.fetch(
        "SELECT reason, decline_code FROM order_history WHERE order_id = $1 AND code = $2",
        order.id, "refund_retrying",
    )  # fmt: skip
    assert "refused by the payment gateway (charge_disputed)" in refusal["reason"]
    assert refusal["decline_code"] == "charge_disputed"  # stored as written, not read back

    await payments.reconciler.once()

    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    [intent] = await control.intents(order.id)
    assert intent["amount_refunded"] == intent["amount_received"]
    assert len(intent["refunds"]) == 1
    [payment] = await db.pool.fetch("SELECT status, refunded_amount FROM payments")
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", order.total_amount)
    await payments.reconciler.once()  # nothing left: nothing asked again
    [intent] = await control.intents(order.id)
    assert len(intent["refunds"]) == 1


async def test_a_refusal_code_of_any_shape_is_kept_printable_and_the_refund_still_finishes(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    """A gateway may send a code that is not `[a-z0-9_]+`; one PostgreSQL cannot store (NUL)
    used to fail the cancellation that owed the refund (payment/wire.py `gateway_code`)."""
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await control.refuse_refunds(intent["id"], code="Charge Disputed\u0000\n (N7) ")
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)

    cancelled = await orders.cancel(ALICE, order.id)

    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "paid")
    [part] = await db.pool.fetch("SELECT status, last_error FROM order_refunds")
    assert tuple(part.values()) == ("owed", "Charge Disputed (N7)")
    row = await db.pool.fetchrow(
        "SELECT decline_code, code FROM order_history WHERE order_id = $1 AND reason LIKE $2",
        order.id, "refund of % refused by the payment gateway (%",
    )  # fmt: skip
    assert row is not None
    assert row["decline_code"] == "Charge Disputed (N7)"
    assert row["code"] == "refund_retrying"  # the history's kind, whatever the code looks like
    await payments.reconciler.once()
    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")


class TicketingOnCue(TicketingAirline):
    """Tickets only once the test says so: the order stays paid and not yet ticketed meanwhile."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.asked = asyncio.Event()
        self.cue = asyncio.Event()

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        self.asked.set()
        await self.cue.wait()
        return await super().ticket(locator, timeout=timeout)


async def test_a_cancel_while_ticketing_gives_back_only_what_it_stated_and_settles(
    db: Database, gateway: HttpPaymentGateway, control: PaymentsSimControl
) -> None:
    """A non-refundable order cancelled between its capture and its ticketing, its refund not
    through yet (the gateway refused it once): the cancel owes the taxes back (the fare is kept
    as the penalty) and settlement, finding the order over, must leave the money to that
    refund. It used to ask for all of it too, so one of the two refunds was refused forever
    and the order never settled (CI, 2026-12-04)."""
    airline = TicketingOnCue("fake")
    payments = payments_over(db, gateway, airline)
    order = await held_order(db, airline, terms=FareTerms(Decimal("92.40"), False, False))
    await pay(payments, order)
    await intent_status(control, order, "succeeded")
    [intent] = await control.intents(order.id)
    await control.refuse_refunds(intent["id"])
    settling = asyncio.create_task(payments.reconciler.once())  # captured, then tickets
    await airline.asked.wait()
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)

    cancelled = await orders.cancel(ALICE, order.id)
    airline.cue.set()
    await settling
    await payments.reconciler.once()  # anything left owed is asked again

    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "paid")  # owed
    assert (await current(db, order)).payment_status == "refunded"
    [intent] = await control.intents(order.id)
    assert [r["amount"] for r in intent["refunds"]] == ["92.40"]
    [payment] = await db.pool.fetch("SELECT status, refunded_amount FROM payments")
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", Decimal("92.40"))


async def test_a_part_the_gateway_knows_no_intent_of_does_not_stop_the_other_orders_refunds(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    """A gateway answer other than a refusal of the refund (`resource_missing`: no such intent)
    used to escape the reconciler's round, so the orders after that part were never asked for."""
    lost = await confirmed_order(payments, db, airline, control)
    order = await confirmed_order(payments, db, airline, control)
    [intent] = await control.intents(order.id)
    await control.refuse_refunds(intent["id"])
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    await orders.cancel(ALICE, order.id)  # refused once: owed
    await db.pool.execute(
        "INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency,"
        " reason, status, updated_at) VALUES ('rfd_lost', $1, 'pay_lost', 'pi_unknown', 1.00,"
        " 'USD', 'the order was cancelled', 'owed', now() - interval '1 day')",
        lost.id,
    )  # fmt: skip

    await payments.reconciler.once()
    await payments.reconciler.once()

    assert (await current(db, order)).payment_status == "refunded"
    row = await db.pool.fetchrow(
        "SELECT status, attempt, last_error FROM order_refunds WHERE id = 'rfd_lost'"
    )
    assert tuple(row.values()) == ("owed", 2, "resource_missing")  # refused, retried, for support


async def test_parts_refused_every_round_do_not_starve_the_orders_behind_them(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    """A round takes a batch of orders; it used to take them in no order, so orders whose parts
    fail every round (no such intent) came first each time and the ones behind them were never
    asked. Now the least recently asked come first: every owed order's turn comes."""
    order = await confirmed_order(payments, db, airline, control, id="ord_" + "f" * 24)
    [intent] = await control.intents(order.id)
    await control.refuse_refunds(intent["id"])
    orders = order_service(db, airline)
    orders.use_payments(None, payments.refunds)
    await orders.cancel(ALICE, order.id)  # refused once: owed
    for n in range(3):  # orders whose ids sort before the owed one's, their parts lost
        lost = await held_order(db, airline, id=f"ord_{n:024x}")
        await db.pool.execute(
            "INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency,"
            " reason, status) VALUES ($1, $2, 'pay_lost', 'pi_unknown', 1.00, 'USD',"
            " 'the order was cancelled', 'owed')",
            f"rfd_lost{n}", lost.id,
        )  # fmt: skip
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)  # every part, refused just now or not

    asked = [await payments.refunds.reconcile_once(due, actor="test", limit=1) for _ in range(4)]

    assert asked == [1, 1, 1, 1]
    assert (await current(db, order)).payment_status == "refunded"
    refused = await db.pool.fetch(
        "SELECT attempt FROM order_refunds WHERE intent_id = 'pi_unknown'"
    )
    assert [r["attempt"] for r in refused] == [1, 1, 1]  # each asked once, in its turn
