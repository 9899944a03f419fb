"""A seat charge left waiting for the traveler's bank (3-D Secure: they closed its page and
left): past its bound the reconciler cancels its intent at the gateway and fails it (`canceled`),
the seats as they were, so the trip's seats may change again; it stayed `processing` forever,
and every seat change of the trip was a 409 meanwhile. One the traveler confirmed at the bank
meanwhile (the gateway refuses the cancel) stands. Real PostgreSQL and the sim gateway over
sockets; the bound is 0 here, so nothing waits for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from booking.model import Order, PaymentMethod
from booking.pg import Database
from connectors.seat_model import SeatSelection
from payment.gateway import HttpPaymentGateway
from payment.seat_charges import BANK_WAIT_S as SEAT_BANK_WAIT_S
from payment.wiring import Payments
from tests.integration.payment.conftest import TicketingAirline, held_order, payments_over
from tests.support.payment_sim import PaymentsSimControl, eventually

AT_THE_BANK = PaymentMethod("tok_3ds_required")
AMOUNT = Decimal("12.00")


class SeatingAirline(TicketingAirline):
    """The fake airline, which gives the seats a paid charge bought (all of them)."""

    async def select_seats(
        self, locator: str, selections: Sequence[SeatSelection], *, timeout: float
    ) -> tuple[SeatSelection, ...]:
        return tuple(selections)


@pytest.fixture
def airline() -> TicketingAirline:
    return SeatingAirline("fake")


def _canceled_so_far() -> float:
    value = REGISTRY.get_sample_value("skyfare_seat_charges_total", {"outcome": "canceled"})
    return value or 0.0


@dataclass(frozen=True)
class World:
    db: Database
    gateway: HttpPaymentGateway
    airline: TicketingAirline
    control: PaymentsSimControl


@pytest.fixture
def world(
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
    control: PaymentsSimControl,
) -> World:
    return World(db, gateway, airline, control)


async def _waiting(world: World, bound_s: float = SEAT_BANK_WAIT_S) -> tuple[Payments, Order, str]:
    """The payment module with seat charges given up after `bound_s` at the bank, a booked
    (paid, ticketed) trip, and the id of its seat charge waiting for the traveler's bank."""
    db, airline = world.db, world.airline
    payments = payments_over(db, world.gateway, airline, seats=True, seat_bank_wait_s=bound_s)
    order = await held_order(db, airline)
    await db.pool.execute(
        "UPDATE orders SET status = 'confirmed', payment_status = 'paid' WHERE id = $1", order.id
    )
    assert payments.seat_charges is not None
    charge = await payments.seat_charges.charge(order, (), AMOUNT, AT_THE_BANK)
    assert (charge.status, charge.next_action is not None) == ("processing", True)
    return payments, order, charge.id


async def _row(db: Database, charge_id: str) -> tuple[object, ...]:
    row = await db.pool.fetchrow(
        "SELECT status, failure_reason FROM seat_charges WHERE id = $1", charge_id
    )
    assert row is not None
    return tuple(row.values())


async def test_a_seat_charge_left_at_the_bank_past_its_bound_is_canceled_and_seats_may_change(
    world: World,
) -> None:
    db, control = world.db, world.control
    payments, order, charge_id = await _waiting(world, 0.0)
    canceled_before = _canceled_so_far()

    await payments.reconciler.once()

    [intent] = await control.intents(order.id)
    assert (intent["status"], intent["amount_received"]) == ("canceled", "0.00")
    assert await _row(db, charge_id) == ("failed", "canceled")
    assert payments.seat_charges is not None
    latest = await payments.seat_charges.latest(order.id)
    assert latest is not None
    assert (latest.status, latest.decline_code, latest.next_action) == ("failed", "canceled", None)
    assert _canceled_so_far() == canceled_before + 1
    await payments.reconciler.once()  # nothing left to do: counted once
    assert _canceled_so_far() == canceled_before + 1
    # The trip's seats may change again: another seat change is charged, not a 409.
    again = await payments.seat_charges.charge(order, (), AMOUNT, AT_THE_BANK)
    assert again.status == "processing"


async def test_a_seat_charge_at_the_bank_within_its_bound_keeps_waiting(world: World) -> None:
    db, control = world.db, world.control
    payments, order, charge_id = await _waiting(world)  # bound: 30 minutes

    await payments.reconciler.once()

    [intent] = await control.intents(order.id)
    assert intent["status"] == "requires_action"
    assert await _row(db, charge_id) == ("processing", None)


async def test_a_seat_charge_confirmed_at_the_bank_past_its_bound_stands(world: World) -> None:
    db, control = world.db, world.control
    payments, order, charge_id = await _waiting(world, 0.0)
    await control.configure_webhook(url="http://127.0.0.1:9/held-back")  # its success not here
    [intent] = await control.intents(order.id)
    await control.answer_challenge(intent["id"], "complete")
    await eventually(lambda: control.intents(order.id), lambda i: i[0]["status"] == "succeeded")

    await payments.reconciler.once()  # the cancel refused: it reads the success and settles it

    [intent] = await control.intents(order.id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", "12.00")
    assert intent["refunds"] == []
    assert await _row(db, charge_id) == ("succeeded", None)
