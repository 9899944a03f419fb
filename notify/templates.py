"""What each event tells the traveler: an email (subject + plain-text body) and an SMS.

Pure functions of the event. Only the event types in `TEMPLATES` notify anyone; an event with no
contact, or a contact with no email (or phone number), sends nothing on that channel.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

import msgspec

from notify.gsm import to_gsm7
from notify.itinerary import itinerary_paragraphs, sms_flights
from notify.money_templates import (
    change_refunded,
    payment_failed,
    refunded,
    returned,
    seat_charge_returned,
)
from notify.wire import ACCOUNT_EVENTS, WireContact, WireEvent, WireOrder, WireReply, WireSeat
from notify.words import Text, by, card_words, money, total_of

Channel = Literal["email", "sms"]


class Email(msgspec.Struct, frozen=True):
    to: str
    subject: str
    body: str

    @property
    def channel(self) -> Channel:
        return "email"


class Sms(msgspec.Struct, frozen=True):
    to: str
    body: str

    @property
    def channel(self) -> Channel:
        return "sms"


Notification = Email | Sms


def _held(order: WireOrder) -> Text:
    ref, total = order.booking_reference, total_of(order)
    pay_by = by(order.payment_required_by, "as soon as you can")
    after = "after that" if order.payment_required_by else "otherwise"
    return Text(
        subject=f"Booking {ref} is held: please pay {pay_by}",
        paragraphs=(
            f"Your booking {ref} is held. Total: {total}.",
            *itinerary_paragraphs(order),
            f"Please pay {pay_by}; {after} the airline releases the seats.",
        ),
        sms=f"Skyfare: booking {ref} is held. Pay {total} {pay_by}.",
    )


def _confirmed(order: WireOrder) -> Text:
    ref, tickets = order.booking_reference, order.ticket_numbers
    listed = "\n".join(f"  {number}" for number in tickets) or "  (they follow in a separate mail)"
    flights = sms_flights(order)
    return Text(
        subject=f"Booking {ref} is confirmed: your e-tickets",
        paragraphs=(
            f"Your booking {ref} is confirmed and paid ({total_of(order)}).",
            *itinerary_paragraphs(order),
            f"Your e-ticket numbers:\n{listed}",
        ),
        sms=f"Skyfare: booking {ref} is confirmed."
        + (f" {flights}." if flights else "")
        + f" E-tickets: {', '.join(tickets) or 'by email'}.",
    )


def _cancelled(order: WireOrder) -> Text:
    ref = order.booking_reference
    # `order.cancelled` is written by the cancel itself, before the refund it causes: a paid
    # order is still `paid` in it (its `payment.refunded` event follows).
    if order.payment_status in ("paid", "refunded"):
        refund = _refund_promise(order)
    elif order.payment_status == "processing":
        refund = "If your payment in progress goes through, it will be refunded to your card."
    else:
        refund = "Nothing was charged."
    if order.failure_reason:
        # Cancelled by us, not by the traveler (the airline would not ticket a paid order):
        # without the reason, the mail reads as if someone cancelled their trip. In our words:
        # the stored reason quotes the airline's own error, which is for support (the web app
        # shows it the same way), and says "refunded" before the refund is made.
        return Text(
            subject=f"Booking {ref} could not be completed and is cancelled",
            paragraphs=(
                f"We are sorry: we had to cancel your booking {ref}, because "
                f"{_why_we_cancelled(order.failure_reason)}.",
                refund,
                "Search again to book a new flight.",
            ),
            sms=f"Skyfare: we had to cancel booking {ref}; see your email. {refund}",
        )
    return Text(
        subject=f"Booking {ref} is cancelled",
        paragraphs=(f"Your booking {ref} is cancelled.", refund),
        sms=f"Skyfare: booking {ref} is cancelled. {refund}",
    )


def _why_we_cancelled(failure_reason: str) -> str:
    """Why we cancelled a booking, in words (payment/settlement.py writes the reasons)."""
    if failure_reason.startswith("ticketing failed"):
        return "the airline could not issue your tickets"
    return "the airline could not complete it"


def _refund_promise(order: WireOrder) -> str:
    """What a cancelled paid order gives back: all of it, or what its quote said (the fare
    conditions keep the penalty), to the card the refund's own mail will name (an event written
    before the cancellation named it: "your card")."""
    card = card_words(order)
    if order.refund_amount is None or not order.penalty_amount:
        return f"The {total_of(order)} you paid is being refunded to {card}."
    refund = money(order.refund_amount, order.total_currency)
    penalty = money(order.penalty_amount, order.total_currency)
    return (
        f"{refund} of the {total_of(order)} you paid is being refunded to {card}; "
        f"the fare conditions keep {penalty}."
    )


def _expired(order: WireOrder) -> Text:
    ref = order.booking_reference
    return Text(
        subject=f"Booking {ref} has expired",
        paragraphs=(
            f"Your booking {ref} was not paid {by(order.payment_required_by, 'in time')}, so the "
            "airline released the seats. Nothing was charged.",
            "Search again to book a new flight.",
        ),
        sms=f"Skyfare: booking {ref} expired unpaid; the seats were released.",
    )


def _name_corrected(order: WireOrder) -> Text:
    ref = order.booking_reference
    return Text(
        subject=f"Booking {ref}: a passenger's name was corrected",
        paragraphs=(
            f"At your request, our support team corrected the spelling of a passenger's name "
            f"on booking {ref}.",
            "The name on the booking now matches the travel document.",
        ),
        sms=f"Skyfare: a passenger's name on booking {ref} was corrected.",
    )


def _itinerary(order: WireOrder) -> Text:
    ref, tickets = order.booking_reference, order.ticket_numbers
    listed = "\n".join(f"  {number}" for number in tickets) or "  (not ticketed yet)"
    # Support may resend an ended trip's itinerary: its tickets went with it (voided or refunded).
    valid = order.status in ("confirmed", "") or not tickets
    heading = "E-ticket numbers" if valid else "Cancelled e-tickets, no longer valid for travel"
    return Text(
        subject=f"Your itinerary for booking {ref}",
        paragraphs=(
            f"Here is your itinerary for booking {ref} ({order.status or 'booked'}, "
            f"{total_of(order)}).",
            *itinerary_paragraphs(order),
            f"{heading}:\n{listed}",
        ),
        sms=f"Skyfare: your itinerary for booking {ref} was sent to you by email.",
    )


def _changed(order: WireOrder, released: tuple[WireSeat, ...] = ()) -> Text:
    ref, currency = order.booking_reference, order.total_currency
    flights = order.change_summary or "your new flights"
    if order.charged_amount:
        money_line = f"{money(order.charged_amount, currency)} was charged to your card."
    elif order.refund_amount:
        money_line = f"{money(order.refund_amount, currency)} is being refunded to your card."
    else:
        money_line = "Nothing more was charged."
    penalty = (
        f" It includes the change fee of {money(order.penalty_amount, currency)} your fare "
        "conditions set."
        if order.penalty_amount
        else ""
    )
    tickets = ", ".join(order.ticket_numbers)
    return Text(
        subject=f"Booking {ref} is changed: {flights}",
        paragraphs=(
            # The summary's time is the airport's, as airlines print it, but says no zone:
            # beside the UTC deadlines of the other mails it would read as one of them.
            f"Your booking {ref} is changed: you now fly {flights}, departure at the airport's "
            "local time. The booking reference stays the same.",
            *itinerary_paragraphs(order),
            money_line + penalty,
            f"E-ticket numbers: {tickets}" if tickets else "Your new e-tickets follow.",
            *_released_seats(released),
        ),
        sms=f"Skyfare: booking {ref} is changed: {flights}. {money_line}"
        + (" Choose your seats again." if released else ""),
    )


def _released_seats(released: tuple[WireSeat, ...]) -> tuple[str, ...]:
    """Seats are not carried over to new flights: the mail names the ones released."""
    if not released:
        return ()
    listed = "\n".join(f"  {s.flight}: {s.passenger}, seat {s.designator}" for s in released)
    return (f"These seats on your old flights were released; choose new ones:\n{listed}",)


def _support_reply(order: WireOrder, reply: WireReply) -> Text:
    ref = order.booking_reference
    agent = f" ({reply.agent})" if reply.agent else ""
    return Text(
        subject=f"Re: {reply.subject} [booking {ref}]",
        paragraphs=(
            f"Our support team{agent} answered your question about booking {ref}:",
            reply.body,
            f"Your case: {reply.case_id}.",
        ),
        sms=f"Skyfare: support answered your question about booking {ref}; see your email.",
    )


def _seats_changed(order: WireOrder, seats: tuple[WireSeat, ...]) -> Text:
    ref = order.booking_reference
    # Each seat says whether it replaced one: a request may choose one traveler's first seat and
    # change another's, and "are now" alone read as a change of every seat.
    listed = "\n".join(
        f"  {s.flight}: {s.passenger}, seat {s.designator}"
        + (f" (in place of {s.replaced})" if s.replaced else "")
        for s in seats
    )
    short = ", ".join(s.designator for s in seats)
    charged = ""
    if order.seat_charge_amount:
        charged = f" {money(order.seat_charge_amount, order.total_currency)} was charged."
    return Text(
        subject=f"Booking {ref}: your seats",
        paragraphs=(
            f"Your seats on booking {ref} are now:\n{listed or '  (none)'}",
            f"Seats can be changed until 24 hours before departure.{charged}",
        ),
        sms=f"Skyfare: booking {ref} seats now {short or 'none'}.{charged}",
    )


def _seat_change_refunded(order: WireOrder) -> Text:
    ref = order.booking_reference
    amount = money(order.seat_charge_amount or Decimal(0), order.total_currency)
    return Text(
        subject=f"Booking {ref}: your seat change could not be made",
        paragraphs=(
            f"The seat you paid for on booking {ref} was taken before your payment completed, "
            f"so your seats are unchanged and the {amount} we charged is on its way back.",
            "You can choose another seat on your booking page.",
        ),
        # On its way, not back yet: `order.seat_charge_returned` says when it is.
        sms=f"Skyfare: the seat change on booking {ref} could not be made; the {amount} "
        "charged is on its way back.",
    )


TEMPLATES: dict[str, Callable[[WireOrder], Text]] = {
    "order.held": _held,
    "order.confirmed": _confirmed,
    "order.cancelled": _cancelled,
    "order.expired": _expired,
    "payment.failed": payment_failed,
    "payment.refunded": refunded,
    "order.name_corrected": _name_corrected,
    "order.itinerary_resent": _itinerary,
    "order.changed": _changed,
    "order.seat_change_refunded": _seat_change_refunded,
    "order.change_refunded": change_refunded,
    "payment.returned": returned,
    "order.seat_charge_returned": seat_charge_returned,
}


def _account_erased() -> Text:
    """The last message to an erased account's address (`account.erased`): what went, what
    stays and why, and that the address itself is not kept."""
    return Text(
        subject="Your Skyfare account and data were erased",
        paragraphs=(
            "As you asked, we erased your Skyfare account: your profile, your saved travelers "
            "and the email addresses and phone numbers on your bookings.",
            "Your past bookings and payments are kept without them, for as long as bookkeeping "
            "and tax law require. Signing in again starts a new, empty profile.",
            "This is the last message we send to this address: we do not keep it. If you did "
            "not ask for this, please contact our support.",
        ),
        sms="Skyfare: as you asked, your account and data were erased. This is our last "
        "message to this number.",
    )


# Every type that notifies anyone: the order templates, support agents' replies, seat changes,
# and an account's erasure.
NOTIFIED_TYPES = frozenset({*TEMPLATES, "support.replied", "order.seats_changed", *ACCOUNT_EVENTS})


def render(event: WireEvent, *, web_url: str = "") -> list[Notification]:
    """The notifications `event` asks for: none, an email, an SMS, or both. `web_url`: where
    travelers open the web app; an order's mail links to its page there (none without it)."""
    if event.contact is None:
        return []
    text = _text_of(event)
    if text is None:
        return []
    found: list[Notification] = []
    if event.contact.email:
        link = booking_page(web_url, event.order)
        found.append(Email(event.contact.email, text.subject, _body(event.contact, text, link)))
    if event.contact.phone_number:
        found.append(Sms(event.contact.phone_number, to_gsm7(text.sms)))
    return found


def _text_of(event: WireEvent) -> Text | None:
    if event.type == "account.erased":
        return _account_erased()
    order = event.order
    if order is None:
        return None
    if event.type == "order.held" and order.type == "instant":
        # Held only while the card given with the booking is charged: "please pay by" would ask
        # for a second payment. `order.confirmed` or `payment.failed` (pay again by …) follows.
        return None
    if event.type == "support.replied":
        return None if event.reply is None else _support_reply(order, event.reply)
    if event.type == "order.seats_changed":
        return _seats_changed(order, event.seats)
    if event.type == "order.changed":
        return _changed(order, event.seats)
    template = TEMPLATES.get(event.type)
    return None if template is None else template(order)


def booking_page(web_url: str, order: WireOrder | None) -> str | None:
    """The order's page in the web app (web/src/app/App.tsx: `/trips/:orderId`), where its
    traveler pays, changes seats and flights, or cancels; None without a web address, or for an
    event about no order (an account's)."""
    if not web_url or order is None or not order.id:
        return None
    return f"{web_url}/trips/{order.id}"


def _body(contact: WireContact, text: Text, link: str | None = None) -> str:
    # An account erased before its profile had a name is greeted without one.
    greeting = f"Hello {contact.given_name}," if contact.given_name else "Hello,"
    page = () if link is None else (f"Your booking: {link}",)
    return "\n\n".join((greeting, *text.paragraphs, *page, "Skyfare")) + "\n"
