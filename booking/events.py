"""The events orders emit: written to the outbox with the change they describe, relayed to the
event stream (Redis Streams), consumed by the notification worker and anyone else listening.

An event carries everything its consumers need (the order's state, the lead passenger's contact
and whose order it is), so a consumer never reads our database. Every event has a unique `id`:
delivery is at least once, and consumers dedup on it.

On the stream, one entry per event with the fields `id`, `type` and `event` (this Struct as
JSON). Consumers in other packages decode their own copy of the fields they use.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

import msgspec

from kernel.tracing import current_traceparent

EventType = Literal[
    "order.created",
    "order.held",
    "order.confirmed",
    "order.cancelled",
    "order.expired",
    "order.failed",
    "payment.failed",
    "payment.refunded",
    # Amendments that keep the status (booking/amendments.py), made by support agents.
    "order.name_corrected",
    "order.itinerary_resent",
    # A slice flown on another date or flight (booking/changes.py): same booking reference.
    "order.changed",
    # Seats chosen or changed after booking (booking/seats.py), and a paid seat change the
    # airline refused once the card was charged (refunded: payment/seat_charges.py).
    "order.seats_changed",
    "order.seat_change_refunded",
    # A change to a cheaper slice: its difference is back on the card (payment/
    # change_refund_notice.py); the order stays paid.
    "order.change_refunded",
    # A charge the order never took (it came after the payment was given up), given back; a
    # refused seat change's charge, given back (payment/seat_charges.py).
    "payment.returned",
    "order.seat_charge_returned",
]


class FlightNote(msgspec.Struct, frozen=True):
    """A flight as the traveler's mail lists it (the order's segments, in order)."""

    flight_number: str  # with the carrier's code, as offers show it (BA117)
    origin: str
    destination: str
    departing_at: dt.datetime  # the origin airport's local time, naive, as airlines print it
    arriving_at: dt.datetime  # the destination airport's local time, naive


class PassengerNote(msgspec.Struct, frozen=True):
    """A passenger as the traveler's mail lists them."""

    given_name: str
    family_name: str
    type: str  # adult | child | infant


class OrderSnapshot(msgspec.Struct, frozen=True):
    """The order as it is after the change the event describes."""

    id: str
    booking_reference: str
    status: str
    payment_status: str
    total_amount: Decimal
    total_currency: str
    payment_required_by: dt.datetime | None = None
    ticket_numbers: tuple[str, ...] = ()
    failure_reason: str | None = None
    # What the change gives back and keeps, when it is a cancellation or a refund that says so
    # (a quoted cancellation, the refund it caused): for the traveler's mail, not stored.
    refund_amount: Decimal | None = None
    penalty_amount: Decimal | None = None
    # A confirmed change (order.changed): what the card was charged for it, and the new slice
    # in words, for the traveler's mail; not stored.
    charged_amount: Decimal | None = None
    change_summary: str | None = None
    # What a seat change charged (or refunded, when the airline refused it afterwards).
    seat_charge_amount: Decimal | None = None
    # `hold` (pay later) or `instant` (paid as it is booked: its `order.held` asks the
    # traveler for nothing). None in events written before it was added.
    type: str | None = None
    # The first slice's `ORIGIN-DESTINATION` (analytics: bookings per route, beside searches).
    # None in events written before it was added.
    route: str | None = None
    # payment.failed: the card gateway's code for why (`insufficient_funds`, `expired_card`),
    # for the traveler's mail to say why in words (notify/declines.py), never the code itself.
    # None when the gateway gave none, and in events written before it was added.
    payment_decline_code: str | None = None
    # payment.refunded: the last four digits of the card the money went back to, as the
    # gateway reported them (all a receipt may show of a card); order.cancelled: the card it
    # goes back to. None when unknown, or the refund goes to more than one card, and in events
    # written before it was added (an order.cancelled's before this release).
    refund_card_last4: str | None = None
    # The booking's flights and passengers, for the confirmation and itinerary mails to list.
    # None in events written before they were added (and in `order.created`'s).
    flights: tuple[FlightNote, ...] | None = None
    passengers: tuple[PassengerNote, ...] | None = None


class SeatNote(msgspec.Struct, frozen=True):
    """A seat as a mail names it: the flight, the passenger, the seat, and the seat it replaced
    (None for a passenger who had none on that flight, or asked again for the one held)."""

    flight: str  # BA117 LHR-JFK
    passenger: str  # Ada Lovelace
    designator: str
    replaced: str | None = None


class Contact(msgspec.Struct, frozen=True):
    """Whom to tell: the first passenger with an email or phone number."""

    given_name: str
    family_name: str
    email: str | None = None
    phone_number: str | None = None


class Event(msgspec.Struct, frozen=True):
    id: str  # a UUID, as text
    type: EventType
    occurred_at: dt.datetime  # UTC
    order: OrderSnapshot
    contact: Contact | None = None
    # The order's owner (the JWT `sub`): whose preferences apply, e.g. the notification
    # channels the user chose. None in events written before it was added.
    owner: str | None = None
    # The W3C trace context of the request that made the change (CloudEvents' distributed
    # tracing extension names it so), so the consumers' work joins its trace; None when
    # tracing is off (kernel/tracing.py).
    traceparent: str | None = None
    # order.seats_changed: the seats chosen; order.changed: the replaced slice's seats, released
    seats: tuple[SeatNote, ...] = ()


# Events about an account, not an order: their `contact` is there only to be sent to, and no
# copy of it outlives the sending (booking/personal_data.py: the relay scrubs the outbox row as
# it publishes it, the notification worker deletes the stream entry once it is sent).
ACCOUNT_EVENTS = ("account.erased",)


class AccountNotice(msgspec.Struct, frozen=True):
    """`account.erased`: the confirmation of an erasure, to the address the profile had. No
    order, no owner: nothing left to tie it to the erased account once the address is gone."""

    id: str  # a UUID, as text
    type: Literal["account.erased"]
    occurred_at: dt.datetime  # UTC
    contact: Contact | None


def new_event(
    type: EventType,
    order: OrderSnapshot,
    contact: Contact | None,
    *,
    owner: str | None = None,
    now: dt.datetime | None = None,
) -> Event:
    return Event(
        id=str(uuid.uuid4()),
        type=type,
        occurred_at=now or dt.datetime.now(dt.UTC),
        order=order,
        contact=contact,
        owner=owner,
        traceparent=current_traceparent(),
    )


encode_event = msgspec.json.Encoder().encode
decode_event = msgspec.json.Decoder(Event).decode
