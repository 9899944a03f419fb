"""Seat charges whose money must go back, never kept for seats the traveler did not get: one
whose creation the gateway never answered, charged after all (given up by the reconciler
meanwhile, or its seats refused by the airline), as a payment's is (payment/settlement.py); and
one whose refund the gateway refused once, asked anew (payment/sql/0209). Real PostgreSQL and
the sim gateway's signed webhooks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

import pytest

from booking.model import Order
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from payment.model import GatewayIntent, refund_key
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order, payments_over
from tests.support.payment_sim import PaymentsSimControl, Receiver


@dataclass(frozen=True)
class SeatCharge:
    """The payment module with seat charges wired, a held order (not confirmed: the airline
    refuses seats on it), the id its seat charge gets, and the world around them."""

    payments: Payments
    order: Order
    id: str
    db: Database
    gateway: HttpPaymentGateway
    control: PaymentsSimControl
    receiver: Receiver


@pytest.fixture
async def seat_charge(
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
    control: PaymentsSimControl,
    receiver: Receiver,
) -> SeatCharge:
    payments = payments_over(db, gateway, airline, seats=True)
    order = await held_order(db, airline)
    charge_id = f"sch_{secrets.token_hex(12)}"
    return SeatCharge(payments, order, charge_id, db, gateway, control, receiver)


@pytest.mark.parametrize("given_up", [True, False], ids=["given-up", "seats-refused"])
async def test_a_seat_charge_charged_after_its_creation_went_unanswered_is_refunded(
    given_up: bool, seat_charge: SeatCharge
) -> None:
    charge_id, order, db = seat_charge.id, seat_charge.order, seat_charge.db
    gateway, control, receiver = seat_charge.gateway, seat_charge.control, seat_charge.receiver
    # As `SeatCharges.charge` writes it before asking the gateway, whose answer never came.
    await db.pool.execute(
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status,"
        " updated_at) VALUES ($1, $2, 'alice', 12.00, 'USD', '[]', 'processing',"
        " now() - interval '1 hour')",
        charge_id, order.id,
    )  # fmt: skip
    if given_up:
        await seat_charge.payments.reconciler.once()
        assert await _status(db, charge_id) == ("failed", None)

    # The lost creation had reached the gateway: the card is charged, and its webhook comes.
    intent = await _charge_card(gateway, order, charge_id)
    [delivery] = await receiver.wait_for(1)
    signature = delivery.headers["Skyfare-Signature"]
    await seat_charge.payments.receiver.receive(delivery.body, signature)
    await seat_charge.payments.receiver.receive(delivery.body, signature)  # changes nothing

    assert await _status(db, charge_id) == ("refunded", intent.id)
    [charged] = await control.intents(order.id)
    assert (charged["amount_received"], charged["amount_refunded"]) == ("12.00", "12.00")
    assert len(charged["refunds"]) == 1
    # Its card, as the webhook's intent names it (nothing else ever told it): the refund's mail
    # names it, not "your card".
    assert await db.pool.fetchval("SELECT card_last4 FROM seat_charges") == "4242"
    told = await db.pool.fetchval(
        "SELECT payload->'order'->>'refund_card_last4' FROM outbox"
        " WHERE order_id = $1 AND type = 'order.seat_charge_returned'",
        order.id,
    )
    assert told == "4242"


async def test_a_seat_charge_refund_refused_once_is_refunded_by_the_reconciler(
    seat_charge: SeatCharge,
) -> None:
    charge_id, order, db = seat_charge.id, seat_charge.order, seat_charge.db
    intent = await _charged(seat_charge)
    await seat_charge.control.refuse_refunds(intent.id)  # once: a charge disputed for a while
    [delivery] = await seat_charge.receiver.wait_for(1)

    await seat_charge.payments.receiver.receive(
        delivery.body, delivery.headers["Skyfare-Signature"]
    )

    assert await _status(db, charge_id) == ("refunding", intent.id)
    await seat_charge.payments.reconciler.once()

    assert await _status(db, charge_id) == ("refunded", intent.id)
    [charged] = await seat_charge.control.intents(order.id)
    assert (charged["amount_refunded"], len(charged["refunds"])) == ("12.00", 1)


async def test_a_declined_seat_charge_the_reconciler_settles_keeps_the_gateway_code(
    seat_charge: SeatCharge,
) -> None:
    """Its webhook never came: the reconciler reads the intent, and the traveler's
    `seat_charge.decline_code` is the gateway's, as the webhook would have given it."""
    charge_id, db = seat_charge.id, seat_charge.db
    intent = await _charge_card(seat_charge.gateway, seat_charge.order, charge_id, "tok_declined")
    await db.pool.execute(
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status,"
        " gateway_intent_id) VALUES ($1, $2, 'alice', 12.00, 'USD', '[]', 'processing', $3)",
        charge_id, seat_charge.order.id, intent.id,
    )  # fmt: skip
    await seat_charge.receiver.wait_for(1)  # declined: its webhook went elsewhere

    await seat_charge.payments.reconciler.once()

    row = await db.pool.fetchrow("SELECT status, failure_reason FROM seat_charges")
    assert row is not None
    assert (row["status"], row["failure_reason"]) == ("failed", "generic_decline")


async def test_a_seat_charge_refund_of_an_intent_the_gateway_does_not_know_is_a_refusal(
    seat_charge: SeatCharge,
) -> None:
    """A 404 is logged and counted like a refusal; it stops no reconciler round."""
    await seat_charge.db.pool.execute(
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status,"
        " gateway_intent_id, updated_at) VALUES ($1, $2, 'alice', 12.00, 'USD', '[]',"
        " 'refunding', 'pi_unknown', now() - interval '1 hour')",
        seat_charge.id, seat_charge.order.id,
    )  # fmt: skip

    await seat_charge.payments.reconciler.once()

    row = await seat_charge.db.pool.fetchrow("SELECT status, refund_attempt FROM seat_charges")
    assert row is not None
    assert (row["status"], row["refund_attempt"]) == ("refunding", 1)


async def _charged(seat_charge: SeatCharge) -> GatewayIntent:
    """The card charged for the seat charge, written `processing` as the charge's request left
    it; its webhook on its way."""
    order, charge_id = seat_charge.order, seat_charge.id
    intent = await _charge_card(seat_charge.gateway, order, charge_id)
    await seat_charge.db.pool.execute(
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status,"
        " gateway_intent_id) VALUES ($1, $2, 'alice', 12.00, 'USD', '[]', 'processing', $3)",
        charge_id, order.id, intent.id,
    )  # fmt: skip
    return intent


async def _charge_card(
    gateway: HttpPaymentGateway, order: Order, charge_id: str, card: str = "tok_visa"
) -> GatewayIntent:
    """The card charged for the seat charge, as `SeatCharges.charge` asks the gateway."""
    return await gateway.create_intent(
        amount=Decimal("12.00"),
        currency="USD",
        card_token=card,
        metadata={"order_id": order.id, "payment_id": charge_id},
        idempotency_key=f"{charge_id}:intent",
        timeout=2.0,
    )


async def _status(db: Database, charge_id: str) -> tuple[str, str | None]:
    row = await db.pool.fetchrow(
        "SELECT status, gateway_intent_id FROM seat_charges WHERE id = $1", charge_id
    )
    assert row is not None
    return row["status"], row["gateway_intent_id"]


async def test_a_seat_charge_refund_whose_key_moved_other_money_settles_once(
    seat_charge: SeatCharge,
) -> None:
    """Its refund key already gave back part of it with other figures (an older release's ask):
    answered `idempotency_error`, it stayed `refunding` for ever; the next ask is a new request
    for what the gateway has not given back yet."""
    charge_id, order, db = seat_charge.id, seat_charge.order, seat_charge.db
    intent = await _charged(seat_charge)
    [delivery] = await seat_charge.receiver.wait_for(1)
    await seat_charge.gateway.refund(
        intent_id=intent.id,
        amount=Decimal("2.00"),
        idempotency_key=refund_key(charge_id, 0),
        timeout=2.0,
    )

    await seat_charge.payments.receiver.receive(
        delivery.body, delivery.headers["Skyfare-Signature"]
    )
    for _ in range(3):
        await seat_charge.payments.reconciler.once()

    assert await _status(db, charge_id) == ("refunded", intent.id)
    [charged] = await seat_charge.control.intents(order.id)
    assert (charged["amount_refunded"], len(charged["refunds"])) == ("12.00", 2)
