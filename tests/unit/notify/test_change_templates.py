"""What a confirmed flight change tells the traveler: the new flights, the same booking
reference, and what moved on the card (charged with the fee, or refunded)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from booking.change_terms import summary
from booking.events import Event
from connectors.model import Segment, Slice
from tests.support.notify import order_event, rendered

FLIGHTS = "LHR → JFK on 22 Dec 2026 (BA117 at 08:25)"


def _changed(**amounts: Decimal) -> Event:
    event = order_event("order.changed", payment_status="paid", tickets=("125-2300000009",))
    order = msgspec.structs.replace(event.order, change_summary=FLIGHTS, **amounts)
    return msgspec.structs.replace(event, order=order)


def test_a_change_paid_by_card_names_the_new_flights_the_charge_and_the_fee() -> None:
    email, sms = rendered(
        _changed(charged_amount=Decimal("139.60"), penalty_amount=Decimal("52.00"))
    )
    assert email.subject == f"Booking K7Q2MZ is changed: {FLIGHTS}"
    assert "The booking reference stays the same." in email.body
    assert "139.60 USD was charged to your card." in email.body
    assert "change fee of 52.00 USD" in email.body
    assert "125-2300000009" in email.body
    assert sms.body == (
        "Skyfare: booking K7Q2MZ is changed: LHR - JFK on 22 Dec 2026 (BA117 at 08:25). "
        "139.60 USD was charged to your card."
    )


def test_a_cheaper_change_says_the_difference_is_refunded() -> None:
    email, sms = rendered(_changed(refund_amount=Decimal("112.00")))
    assert "112.00 USD is being refunded to your card." in email.body
    assert "112.00 USD is being refunded" in sms.body
    assert "change fee" not in email.body


def test_the_change_mail_dates_the_new_flight_as_the_other_mails_date_their_deadlines() -> None:
    # order_event's deadline is 01 Dec 2026, 14:00 UTC: the held mail says it in those words.
    departs = dt.datetime(2026, 12, 1, 8, 25)  # the airport's local time, as airlines print it
    leg = Segment("BA", "BA117", "LHR", "JFK", departs, departs + dt.timedelta(hours=8),
                  "777", "economy")  # fmt: skip
    event = order_event("order.changed", payment_status="paid")
    flights = summary(Slice("LHR", "JFK", "PT8H", (leg,)))
    changed, _ = rendered(
        msgspec.structs.replace(
            event, order=msgspec.structs.replace(event.order, change_summary=flights)
        )
    )
    held, _ = rendered(order_event("order.held"))
    assert "01 Dec 2026, 14:00 UTC" in held.body
    # …and says whose time 08:25 is (the deadlines are UTC, a departure the airport's).
    assert (
        "you now fly LHR → JFK on 01 Dec 2026 (BA117 at 08:25), departure at the airport's "
        "local time." in changed.body
    )
