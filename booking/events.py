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
]


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
    # The first slice's `ORIGIN-DESTINATION` (analytics: bookings per route, beside searches).
    # None in events written before it was added.
    route: str | None = None


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
    )


encode_event = msgspec.json.Encoder().encode
decode_event = msgspec.json.Decoder(Event).decode
