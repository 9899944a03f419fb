"""A payment's refund the gateway refused once is asked anew by the reconciler, not replayed: the
gateway keeps a refusal for its key (payment/sql/0209), so a payment charged after its order
ended stayed charged for ever, the order cancelled and paid. Seat charges: their own module.
Real PostgreSQL and the sim gateway's signed webhook."""

from __future__ import annotations

from booking.pg import Database
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order, order_service
from tests.integration.payment.test_settlement import ALICE, current, intent_status, pay
from tests.support.payment_sim import PaymentsSimControl, Receiver


async def test_a_late_charge_whose_refund_was_refused_once_is_refunded_by_the_reconciler(
    payments: Payments,
    db: Database,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    receiver: Receiver,
) -> None:
    order = await held_order(db, airline)
    await pay(payments, order)  # its webhook goes to the recording receiver, held back
    await intent_status(control, order, "succeeded")
    [intent] = await control.intents(order.id)
    await control.refuse_refunds(intent["id"])  # once: a charge disputed for a while
    await order_service(db, airline).cancel(ALICE, order.id)  # while the card was charged
    [delivery] = await receiver.wait_for(1)

    await payments.receiver.receive(delivery.body, delivery.headers["Skyfare-Signature"])

    [payment] = await db.pool.fetch("SELECT status FROM payments")
    assert payment["status"] == "refunding"  # refused: still owed
    await payments.reconciler.once()

    refunded = await current(db, order)
    assert (refunded.status, refunded.payment_status) == ("cancelled", "refunded")
    await payments.reconciler.once()  # nothing owed: nothing asked again
    [intent] = await control.intents(order.id)
    assert (intent["amount_refunded"], len(intent["refunds"])) == (intent["amount_received"], 1)


async def test_a_refund_of_an_intent_the_gateway_does_not_know_stops_no_reconciler_round(
    payments: Payments, db: Database, airline: TicketingAirline, control: PaymentsSimControl
) -> None:
    """A 404 (an intent the gateway lost, or of another account) is a refusal like any other:
    logged for support, the rest of the round (payments, seat charges, refund parts) goes on."""
    lost = await held_order(db, airline)
    await db.pool.execute(
        "INSERT INTO payments (id, order_id, owner, amount, currency, status,"
        " gateway_intent_id, updated_at) VALUES ('pay_lost', $1, 'alice', 1.00, 'USD',"
        " 'refunding', 'pi_unknown', now() - interval '1 hour')",
        lost.id,
    )  # fmt: skip
    order = await held_order(db, airline)
    await pay(payments, order)  # its webhook goes to the recording receiver, not to us
    await intent_status(control, order, "succeeded")

    await payments.reconciler.once()

    confirmed = await current(db, order)
    assert (confirmed.status, confirmed.payment_status) == ("confirmed", "paid")
    owed = await db.pool.fetchrow(
        "SELECT status, refund_attempt FROM payments WHERE id = 'pay_lost'"
    )
    assert owed is not None
    assert (owed["status"], owed["refund_attempt"]) == ("refunding", 1)
