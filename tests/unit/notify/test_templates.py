"""What each event type tells the traveler, by email and SMS."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from booking.events import SeatNote, encode_event
from notify.templates import Email, Sms, render
from notify.wire import WireEvent, decode_event
from tests.support.notify import order_event, rendered


def _render(type: str, **options: object) -> tuple[Email, Sms]:
    return rendered(order_event(type, **options))  # type: ignore[arg-type]


def test_a_held_order_asks_for_payment_by_the_deadline_with_the_amount() -> None:
    email, sms = _render("order.held")

    assert email.to == "ada@example.com"
    assert email.subject == "Booking K7Q2MZ is held: please pay by 01 Dec 2026, 14:00 UTC"
    assert email.body.startswith("Hello Ada,\n\n")
    assert "Total: 612.40 USD." in email.body
    assert sms.to == "+442071838750"
    assert sms.body == "Skyfare: booking K7Q2MZ is held. Pay 612.40 USD by 01 Dec 2026, 14:00 UTC."


@pytest.mark.parametrize("order_type", ["hold", None])
def test_a_hold_order_and_one_of_an_older_event_ask_for_payment(order_type: str | None) -> None:
    email, _ = _render("order.held", order_type=order_type)
    assert email.subject.startswith("Booking K7Q2MZ is held: please pay by")


def test_an_instant_order_held_while_its_card_is_charged_asks_for_no_payment() -> None:
    # Booked and paid in one request: the hold lasts until the charge answers, and the mail
    # that follows says confirmed, or that the payment failed and until when to pay again.
    assert render(decode_event(encode_event(order_event("order.held", order_type="instant")))) == []


def test_a_confirmed_order_lists_every_ticket_number() -> None:
    email, sms = _render("order.confirmed", tickets=("125-0000000001", "125-0000000002"))

    assert email.subject == "Booking K7Q2MZ is confirmed: your e-tickets"
    assert "  125-0000000001\n  125-0000000002" in email.body
    assert "confirmed and paid (612.40 USD)" in email.body
    assert sms.body.endswith("E-tickets: 125-0000000001, 125-0000000002.")


def test_an_itinerary_lists_a_cancelled_trips_tickets_as_cancelled_not_as_valid() -> None:
    # A support agent may resend a cancelled trip's itinerary: it listed "E-ticket numbers:".
    event = order_event("order.itinerary_resent", tickets=("125-0000000001",))
    for status, heading in [
        ("confirmed", "E-ticket numbers:"),
        ("cancelled", "Cancelled e-tickets, no longer valid for travel:"),
    ]:
        order = msgspec.structs.replace(event.order, status=status)
        email, _ = rendered(msgspec.structs.replace(event, order=order))
        assert f"({status}, 612.40 USD)" in email.body
        assert f"\n\n{heading}\n  125-0000000001\n" in email.body


def test_a_cancelled_paid_order_is_refunded_and_an_unpaid_one_was_never_charged() -> None:
    refunded, _ = _render("order.cancelled", payment_status="refunded")
    unpaid, _ = _render("order.cancelled")

    assert refunded.subject == "Booking K7Q2MZ is cancelled"
    assert "The 612.40 USD you paid is being refunded to your card." in refunded.body
    assert "Nothing was charged." in unpaid.body


def test_an_order_we_cancelled_after_payment_says_why_and_that_the_money_goes_back() -> None:
    # payment/settlement.py: the airline refused to ticket a paid order.
    event = order_event("order.cancelled", payment_status="paid")
    airline = "TKT-ERR 7781: fare basis YLOWUS not ticketable"  # for support, not the traveler
    reason = f"ticketing failed after payment ({airline}); the payment was refunded"
    order = msgspec.structs.replace(event.order, failure_reason=reason)
    email, sms = rendered(msgspec.structs.replace(event, order=order))

    assert email.subject == "Booking K7Q2MZ could not be completed and is cancelled"
    assert (
        "we had to cancel your booking K7Q2MZ, because the airline could not issue your tickets."
        in email.body
    )
    assert "TKT-ERR" not in email.body + sms.body
    assert "ticketing failed" not in email.body
    assert "The 612.40 USD you paid is being refunded to your card." in email.body
    assert sms.body.startswith("Skyfare: we had to cancel booking K7Q2MZ; see your email.")


def test_the_cancellation_of_a_paid_order_promises_the_refund_that_follows_it() -> None:
    # The cancel writes `order.cancelled` before the refund moves the order to `refunded`.
    paid, sms = _render("order.cancelled", payment_status="paid")
    processing, _ = _render("order.cancelled", payment_status="processing")

    assert "The 612.40 USD you paid is being refunded to your card." in paid.body
    assert "being refunded" in sms.body
    assert "Nothing was charged." not in paid.body
    assert "will be refunded" in processing.body


def test_an_expired_order_says_the_seats_were_released() -> None:
    email, sms = _render("order.expired")

    assert email.subject == "Booking K7Q2MZ has expired"
    assert "not paid by 01 Dec 2026, 14:00 UTC" in email.body
    assert "expired unpaid" in sms.body


def test_a_failed_payment_says_the_booking_stays_held_until_the_deadline() -> None:
    email, sms = _render("payment.failed")

    assert email.subject == "Payment for booking K7Q2MZ failed"
    assert "you can pay with another card until 01 Dec 2026, 14:00 UTC" in email.body
    assert sms.body.startswith("Skyfare: payment of 612.40 USD for booking K7Q2MZ failed: ")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("insufficient_funds", "the card has too little money available"),
        ("expired_card", "the card has expired"),
        ("payment_intent_authentication_failure", "(3-D Secure) was not completed"),
        ("stolen_card", "your bank declined the card"),  # a suspicion is the bank's to voice
        ("XYZ-never-seen", "the card was not accepted"),
        (None, "the card was not accepted"),  # an event written before the code was carried
    ],
)
def test_a_failed_payment_says_why_in_words_never_as_the_gateways_code(
    code: str | None, words: str
) -> None:
    event = order_event("payment.failed")
    event = msgspec.structs.replace(
        event, order=msgspec.structs.replace(event.order, payment_decline_code=code)
    )
    email, sms = rendered(event)
    assert words in email.body
    assert words in sms.body
    if code is not None:
        assert code not in email.body + sms.body


def test_a_payment_failed_event_from_before_the_code_was_carried_still_renders() -> None:
    old = encode_event(order_event("payment.failed")).replace(b',"payment_decline_code":null', b"")
    assert b"payment_decline_code" not in old
    email, _ = render(decode_event(old))
    assert "did not go through: the card was not accepted." in email.body


def _seat_event(type: str, charged: str | None) -> WireEvent:
    event = order_event(type, payment_status="paid")  # type: ignore[arg-type]
    amount = None if charged is None else Decimal(charged)
    event = msgspec.structs.replace(
        event,
        order=msgspec.structs.replace(event.order, seat_charge_amount=amount),
        seats=(SeatNote("BA117 LHR-JFK", "Ada Lovelace", "14C"),),
    )
    return decode_event(encode_event(event))


def test_a_seat_change_lists_each_seat_and_what_it_charged() -> None:
    email, sms = render(_seat_event("order.seats_changed", "25.00"))

    assert isinstance(email, Email)
    assert isinstance(sms, Sms)
    assert email.subject == "Booking K7Q2MZ: your seats"
    assert "  BA117 LHR-JFK: Ada Lovelace, seat 14C" in email.body
    assert "25.00 USD was charged." in email.body
    assert sms.body == "Skyfare: booking K7Q2MZ seats now 14C. 25.00 USD was charged."
    free_email, _ = render(_seat_event("order.seats_changed", None))
    assert "charged" not in free_email.body  # type: ignore[union-attr]


def test_a_seat_mail_says_which_seats_replaced_one_and_which_were_first_chosen() -> None:
    event = order_event("order.seats_changed", payment_status="paid")
    event = msgspec.structs.replace(
        event,
        seats=(
            SeatNote("BA117 LHR-JFK", "Ada Lovelace", "14C", replaced="12A"),
            SeatNote("BA117 LHR-JFK", "Charles Babbage", "14D"),
        ),
    )
    email, _ = render(decode_event(encode_event(event)))

    assert isinstance(email, Email)
    assert "  BA117 LHR-JFK: Ada Lovelace, seat 14C (in place of 12A)\n" in email.body
    assert "  BA117 LHR-JFK: Charles Babbage, seat 14D\n" in email.body


def test_a_refused_paid_seat_change_says_the_money_goes_back() -> None:
    email, sms = render(_seat_event("order.seat_change_refunded", "25.00"))

    assert isinstance(email, Email)
    assert "25.00 USD we charged is on its way back" in email.body
    # Not "is refunded": the refund is only asked for; `order.seat_charge_returned` tells when
    # it is back.
    assert sms.body.endswith("could not be made; the 25.00 USD charged is on its way back.")


@pytest.mark.parametrize("type", ["order.created", "order.failed"])
def test_events_nobody_is_told_about_render_nothing(type: str) -> None:
    event = decode_event(encode_event(order_event(type)))  # type: ignore[arg-type]

    assert render(event) == []


def test_only_the_channels_the_contact_can_be_reached_on_are_used() -> None:
    only_email = decode_event(encode_event(order_event(phone=None)))
    only_phone = decode_event(encode_event(order_event(email=None)))
    nobody = decode_event(encode_event(order_event(email=None, phone=None)))

    assert [n.channel for n in render(only_email)] == ["email"]
    assert [n.channel for n in render(only_phone)] == ["sms"]
    assert render(nobody) == []


def test_large_amounts_get_thousands_separators() -> None:
    event = decode_event(encode_event(order_event()))
    order = msgspec.structs.replace(event.order, total_amount=event.order.total_amount * 10)
    email, _ = render(msgspec.structs.replace(event, order=order))

    assert "Total: 6,124.00 USD." in email.body


def _account_erased(given_name: str) -> WireEvent:
    contact = {
        "given_name": given_name,
        "email": "ada@example.com",
        "phone_number": "+442071838750",
    }
    notice = {"id": "e1", "type": "account.erased", "occurred_at": "2026-12-06T18:00:00Z"}
    return decode_event(msgspec.json.encode({**notice, "contact": contact}))


def test_an_erased_account_is_told_so_once_more_at_its_address_which_is_not_kept() -> None:
    email, sms = render(_account_erased("Ada"))
    assert isinstance(email, Email)
    assert email.subject == "Your Skyfare account and data were erased"
    assert email.body.startswith("Hello Ada,\n\n")
    assert "the last message we send to this address" in email.body
    assert sms.to == "+442071838750"
    nameless, _ = render(_account_erased(""))
    assert nameless.body.startswith("Hello,\n\n")


def _without_deadline(type: str) -> tuple[Email, Sms]:
    event = order_event(type)  # type: ignore[arg-type]
    order = msgspec.structs.replace(event.order, payment_required_by=None)
    return rendered(msgspec.structs.replace(event, order=order))


@pytest.mark.parametrize("type", ["order.held", "order.expired", "payment.failed"])
def test_an_order_without_a_payment_deadline_is_worded_without_a_date(type: str) -> None:
    email, sms = _without_deadline(type)

    for text in (email.subject, email.body, sms.body):
        assert "by soon" not in text
        assert "until soon" not in text
        assert " by ." not in text


def test_a_held_order_without_a_deadline_asks_for_payment_as_soon_as_possible() -> None:
    email, sms = _without_deadline("order.held")

    assert email.subject == "Booking K7Q2MZ is held: please pay as soon as you can"
    assert "Please pay as soon as you can; otherwise the airline releases the seats." in email.body
    assert sms.body == "Skyfare: booking K7Q2MZ is held. Pay 612.40 USD as soon as you can."


def test_an_expired_order_without_a_deadline_was_not_paid_in_time() -> None:
    email, _ = _without_deadline("order.expired")
    assert "was not paid in time, so the airline released the seats" in email.body


def test_a_failed_payment_without_a_deadline_asks_for_another_card_as_soon_as_possible() -> None:
    email, sms = _without_deadline("payment.failed")

    assert "Your booking stays held: pay with another card as soon as you can" in email.body
    assert sms.body.endswith("Pay as soon as you can to keep the booking.")
