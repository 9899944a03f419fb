"""A seat charge whose creation the gateway never answered, charged after all: given up by the
reconciler meanwhile, or refused by the airline, the money goes back (as a payment's does,
payment/settlement.py), never kept for seats the traveler did not get. Real PostgreSQL and the
sim gateway's signed webhook."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from booking.pg import Database
from booking.seats import OrderSeatDesk
from payment.gateway import HttpPaymentGateway
from payment.wiring import build_payments
from sim.payments import DEV_WEBHOOK_SECRET
from tests.integration.payment.conftest import TicketingAirline, held_order, order_service
from tests.support.payment_sim import PaymentsSimControl, Receiver


@pytest.mark.parametrize("given_up", [True, False], ids=["given-up", "seats-refused"])
async def test_a_seat_charge_charged_after_its_creation_went_unanswered_is_refunded(
    given_up: bool,
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    receiver: Receiver,
) -> None:
    orders = order_service(db, airline)
    desk = OrderSeatDesk(db, orders, {airline.name: airline}, timeout_s=1.0)
    payments = build_payments(
        db,
        orders,
        gateway,
        [airline],
        webhook_secrets=[DEV_WEBHOOK_SECRET],
        gateway_timeout_s=1.0,
        reconcile_after_s=0.0,
        seat_desk=desk,
    )
    order = await held_order(db, airline)
    charge_id = f"sch_{secrets.token_hex(12)}"
    # As `SeatCharges.charge` writes it before asking the gateway, whose answer never came.
    await db.pool.execute(
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status,"
        " updated_at) VALUES ($1, $2, 'alice', 12.00, 'USD', '[]', 'processing',"
        " now() - interval '1 hour')",
        charge_id, order.id,
    )  # fmt: skip
    if given_up:
        await payments.reconciler.once()
        assert await _status(db, charge_id) == ("failed", None)
    # else the airline refuses the seats: the order is held, not confirmed.

    # The lost creation had reached the gateway: the card is charged, and its webhook comes.
    intent = await gateway.create_intent(
        amount=Decimal("12.00"),
        currency="USD",
        card_token="tok_visa",
        metadata={"order_id": order.id, "payment_id": charge_id},
        idempotency_key=f"{charge_id}:intent",
        timeout=2.0,
    )
    [delivery] = await receiver.wait_for(1)
    signature = delivery.headers["Skyfare-Signature"]
    await payments.receiver.receive(delivery.body, signature)
    await payments.receiver.receive(delivery.body, signature)  # a redelivery changes nothing

    assert await _status(db, charge_id) == ("refunded", intent.id)
    [charged] = await control.intents(order.id)
    assert (charged["amount_received"], charged["amount_refunded"]) == ("12.00", "12.00")
    assert len(charged["refunds"]) == 1


async def _status(db: Database, charge_id: str) -> tuple[str, str | None]:
    row = await db.pool.fetchrow(
        "SELECT status, gateway_intent_id FROM seat_charges WHERE id = $1", charge_id
    )
    assert row is not None
    return row["status"], row["gateway_intent_id"]
