"""What a quoted cancellation tells the traveler: the amounts the quote fixed (the
refund itself sends nothing more: the cancellation already said so)."""

from __future__ import annotations

from decimal import Decimal

import msgspec

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
