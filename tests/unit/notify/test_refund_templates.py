"""What a quoted cancellation tells the traveler: the amounts the quote fixed; and what the
refund, once made, tells them: what came back, to which card, and how long banks take."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from booking.events import Event
from tests.support.notify import order_event, rendered


def _with_refund(event: Event, refund: str, penalty: str) -> Event:
    order = msgspec.structs.replace(
        event.order, refund_amount=Decimal(refund), penalty_amount=Decimal(penalty)
    )
    return msgspec.structs.replace(event, order=order)


def test_a_quoted_cancellation_names_the_refund_and_the_penalty_the_fare_keeps() -> None:
    event = _with_refund(order_event("order.cancelled", payment_status="paid"), "92.40", "520.00")
    email, sms = rendered(event)
    promise = (
        "92.40 USD of the 612.40 USD you paid is being refunded to your card; "
        "the fare conditions keep 520.00 USD."
    )
    assert promise in email.body
    assert promise in sms.body


def test_a_quoted_cancellation_without_penalty_promises_everything_back() -> None:
    event = _with_refund(order_event("order.cancelled", payment_status="paid"), "612.40", "0.00")
    email, _ = rendered(event)
    assert "The 612.40 USD you paid is being refunded to your card." in email.body


@pytest.mark.parametrize(("penalty", "promise"), [
    ("520.00", "92.40 USD of the 612.40 USD you paid is being refunded to your card ending 4242;"),
    ("0.00", "The 612.40 USD you paid is being refunded to your card ending 4242."),
])  # fmt: skip
def test_a_cancellation_names_the_card_its_refund_goes_to(penalty: str, promise: str) -> None:
    """As the refund's own mail will; one written before it was carried says "your card"."""
    event = _with_refund(order_event("order.cancelled", payment_status="paid"), "92.40", penalty)
    event = msgspec.structs.replace(
        event, order=msgspec.structs.replace(event.order, refund_card_last4="4242")
    )
    email, sms = rendered(event)
    assert promise in email.body
    assert promise in sms.body


def _refunded(refund: str | None, last4: str | None = None) -> Event:
    event = order_event("payment.refunded", payment_status="refunded")
    order = msgspec.structs.replace(
        event.order,
        refund_amount=None if refund is None else Decimal(refund),
        refund_card_last4=last4,
    )
    return msgspec.structs.replace(event, order=order)


def test_a_refund_names_the_amount_the_card_and_how_long_banks_take() -> None:
    email, sms = rendered(_refunded("612.40", "4242"))
    assert email.subject == "Booking K7Q2MZ: we've refunded 612.40 USD"
    assert "We've refunded 612.40 USD to your card ending 4242 for booking K7Q2MZ." in email.body
    assert "5 to 10 business days" in email.body
    assert "fare conditions" not in email.body
    assert sms.body.startswith("Skyfare: we've refunded 612.40 USD to your card ending 4242")


def test_a_partial_refund_says_the_fare_kept_the_rest() -> None:
    email, _ = rendered(_refunded("92.40"))
    assert "We've refunded 92.40 USD to your card for booking K7Q2MZ." in email.body
    assert "what your fare conditions give back of the 612.40 USD you paid" in email.body


def test_a_refund_event_from_before_it_said_the_amount_refunds_the_total() -> None:
    email, _ = rendered(_refunded(None))
    assert "We've refunded 612.40 USD to your card" in email.body


@pytest.mark.parametrize(
    ("type", "amount", "why"),
    [
        # The card charged after we gave the payment up (and said it failed): all of it back.
        ("payment.returned", "612.40", "charged after we had stopped waiting for that payment"),
        # A paid seat change the airline refused once the card was charged.
        ("order.seat_charge_returned", "25.00", "paid for the seat that was taken meanwhile"),
        # A change to cheaper flights: the difference.
        ("order.change_refunded", "112.00", "the difference your cheaper new flights left"),
    ],
)
def test_a_refund_no_cancellation_caused_says_what_the_money_was(
    type: str, amount: str, why: str
) -> None:
    event = order_event(type, payment_status="paid")  # type: ignore[arg-type]
    event = msgspec.structs.replace(
        event, order=msgspec.structs.replace(event.order, refund_amount=Decimal(amount))
    )
    email, sms = rendered(event)
    assert email.subject == f"Booking K7Q2MZ: we've refunded {amount} USD"
    assert why in email.body
    assert f"we've refunded {amount} USD to your card" in sms.body
