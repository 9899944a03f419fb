"""A payment's whole refund (payment/refunds.py) and a seat charge's (payment/seat_charges.py)
named nothing in the gateway refund's metadata, and asked again after their key had moved other
money (`idempotency_error`) they took off all the gateway had refunded beyond our parts, the
dashboard's money included, and counted it as ours: the total was right, who gave it was not
(`by_gateway` nowhere). They now name themselves (`refund_part`) and are asked anew by the path a
cancellation's part takes (payment/named_refunds.py `left_to_ask`): the dashboard's money is
recorded as the gateway's (payment/sql/0218). Real PostgreSQL and the sim gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booking.pg import Database
from connectors import errors
from connectors.model import Hold
from payment.gateway import HttpPaymentGateway
from payment.model import REFUND_PART, refund_key
from tests.integration.payment.conftest import (
    TicketingAirline,
    held_order,
    order_service,
    payments_over,
)
from tests.integration.payment.test_seat_charge_refunds import SeatCharge, _charged, _status
from tests.integration.payment.test_seat_charge_refunds import seat_charge as seat_charge
from tests.integration.payment.test_settlement import ALICE, current, intent_status, pay
from tests.support.payment_sim import PaymentsSimControl, Receiver

BY_HAND = Decimal("3.00")  # a support agent's refund at the gateway's dashboard
EARLIER = Decimal("2.00")  # a process's ask, named, under the first key, with other figures


class RefusingAirline(TicketingAirline):
    """Refuses to ticket: a paid order's ticketing fails, and its payment goes back whole."""

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        raise errors.SupplierRejected("the hold lapsed")


@pytest.mark.parametrize("why", ["late", "ticketing failed"])
async def test_a_payments_whole_refund_asked_anew_counts_the_dashboards_money_as_the_gateways(
    why: str, db: Database, control: PaymentsSimControl, receiver: Receiver,
    gateway: HttpPaymentGateway,
) -> None:  # fmt: skip
    airline = RefusingAirline("fake")
    payments = payments_over(db, gateway, airline)
    order = await held_order(db, airline)
    payment_id = await pay(payments, order)  # its webhook goes to the recording receiver
    await intent_status(control, order, "succeeded")
    [intent] = await control.intents(order.id)
    await gateway.refund(
        intent_id=intent["id"], amount=BY_HAND, idempotency_key="dashboard", timeout=5.0
    )
    await gateway.refund(
        intent_id=intent["id"],
        amount=EARLIER,
        idempotency_key=refund_key(payment_id, 0),
        timeout=5.0,
        metadata={REFUND_PART: payment_id},
    )
    if why == "late":  # cancelled while the card was charged: the payment comes too late
        await order_service(db, airline).cancel(ALICE, order.id)
    deliveries = await receiver.wait_for(3)  # the charge's, and the two refunds'
    [delivery] = [d for d in deliveries if b"payment_intent.succeeded" in d.body]
    await payments.receiver.receive(delivery.body, delivery.headers["Skyfare-Signature"])
    for _ in range(3):
        await payments.reconciler.once()

    row = await db.pool.fetchrow("SELECT status, refunded_amount, by_gateway FROM payments")
    assert row is not None
    assert tuple(row.values()) == ("refunded", order.total_amount, BY_HAND)
    [charged] = await control.intents(order.id)
    assert Decimal(charged["amount_refunded"]) == order.total_amount  # all of it, once
    assert len(charged["refunds"]) == 3
    ours = [r for r in charged["refunds"] if r["amount"] not in (str(BY_HAND), str(EARLIER))]
    assert [r["metadata"] for r in ours] == [{REFUND_PART: payment_id}]
    assert (await current(db, order)).status == "cancelled"
    if why == "ticketing failed":  # the order's history says who gave what
        said = await db.pool.fetchval(
            "SELECT reason FROM order_history WHERE order_id = $1 AND code = 'refunded'",
            order.id,
        )
        assert said == (
            f"ticketing failed: refunded {order.total_amount} USD to {payment_id}"
            f" ({BY_HAND} USD of it by the gateway)"
        )


async def test_a_seat_charges_refund_asked_anew_counts_the_dashboards_money_as_the_gateways(
    seat_charge: SeatCharge,
) -> None:
    charge_id, order, db = seat_charge.id, seat_charge.order, seat_charge.db
    intent = await _charged(seat_charge)
    [delivery] = await seat_charge.receiver.wait_for(1)
    await seat_charge.gateway.refund(
        intent_id=intent.id, amount=BY_HAND, idempotency_key="dashboard", timeout=2.0
    )
    await seat_charge.gateway.refund(
        intent_id=intent.id,
        amount=EARLIER,
        idempotency_key=refund_key(charge_id, 0),
        timeout=2.0,
        metadata={REFUND_PART: charge_id},
    )

    # The order is held: the airline refuses the seats, and the money goes back.
    await seat_charge.payments.receiver.receive(
        delivery.body, delivery.headers["Skyfare-Signature"]
    )
    for _ in range(3):
        await seat_charge.payments.reconciler.once()

    assert await _status(db, charge_id) == ("refunded", intent.id)
    assert await db.pool.fetchval("SELECT by_gateway FROM seat_charges") == BY_HAND
    [charged] = await seat_charge.control.intents(order.id)
    assert (charged["amount_refunded"], len(charged["refunds"])) == ("12.00", 3)
    named = {r["metadata"].get(REFUND_PART) for r in charged["refunds"] if r["metadata"]}
    assert named == {charge_id}
