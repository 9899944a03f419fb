"""A seat charge whose card's bank asks the traveler to confirm (3-D Secure), against real
PostgreSQL and the sim gateway: the intent is asked with the app's way back, and a bank that names
no page to show (another kind of next action than a redirect) is refused as a decline is."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from booking.model import PaymentMethod
from booking.pg import Database
from booking.seats import OrderSeatDesk
from kernel.errors import ValidationFailed
from payment.gateway import HttpPaymentGateway
from payment.model import GatewayIntent
from payment.seat_charges import SeatCharges
from tests.integration.payment.conftest import TicketingAirline, held_order, order_service
from tests.support.payment_sim import PaymentsSimControl

CARD = PaymentMethod("tok_3ds_required")
WEB = "https://www.skyfare.example"


@dataclasses.dataclass
class NoBankPage:
    """The gateway as it is, but its bank asks in a way that names no page (Stripe's
    `use_stripe_sdk`): the intent `requires_action` without a redirect's address."""

    gateway: HttpPaymentGateway

    async def create_intent(self, **call: Any) -> GatewayIntent:
        intent = await self.gateway.create_intent(**call)
        return msgspec.structs.replace(intent, action_url=None)

    def __getattr__(self, name: str) -> object:
        return getattr(self.gateway, name)


def _charges(db: Database, airline: TicketingAirline, gateway: Any) -> SeatCharges:
    desk = OrderSeatDesk(db, order_service(db, airline), {airline.name: airline}, timeout_s=1.0)
    return SeatCharges(db, gateway, desk, timeout_s=2.0, web_url=WEB)


async def _intent_of(control: PaymentsSimControl, charge_id: str) -> dict[str, Any]:
    [intent] = [i for i in await control.intents() if i["metadata"].get("payment_id") == charge_id]
    return intent


async def test_the_banks_page_sends_the_traveler_back_to_the_configured_web_app(
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
    control: PaymentsSimControl,
) -> None:
    order = await held_order(db, airline)
    charge = await _charges(db, airline, gateway).charge(
        order, (), Decimal("12.00"), CARD, origin="http://10.0.0.7:8080"
    )
    assert (charge.status, charge.next_action is not None) == ("processing", True)
    intent = await _intent_of(control, charge.id)
    redirect = intent["next_action"]["redirect_to_url"]
    assert redirect["return_url"] == f"{WEB}/bank-return?order={order.id}"
    assert charge.next_action is not None
    assert charge.next_action.url == redirect["url"]
    # Its GET says the bank's page again while it waits (a reloaded trip shows it).
    latest = await _charges(db, airline, gateway).latest(order.id)
    assert latest is not None
    assert latest.next_action == charge.next_action


async def test_a_bank_that_names_no_page_is_refused_and_nothing_waits(
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
) -> None:
    order = await held_order(db, airline)
    charges = _charges(db, airline, NoBankPage(gateway))
    with pytest.raises(ValidationFailed) as refused:
        await charges.charge(order, (), Decimal("12.00"), CARD)
    assert refused.value.extensions["decline_code"] == "authentication_required"
    assert [e.field for e in refused.value.errors] == ["payment.card_token"]
    latest = await charges.latest(order.id)
    assert latest is not None
    assert (latest.status, latest.decline_code) == ("failed", "authentication_required")
