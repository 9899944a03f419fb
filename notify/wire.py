"""The event stream's entries as notifications read them: our own Structs, only the fields used.

`booking.events.Event` is the producer's contract; this is the consumer's view of it. Unknown
fields are ignored, so booking can add fields without breaking the worker. The stream entry has
the fields `id`, `type` and `event` (the whole event as JSON).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import msgspec


class WireFlight(msgspec.Struct, frozen=True):
    flight_number: str  # BA117
    origin: str
    destination: str
    departing_at: dt.datetime  # the origin airport's local time, naive
    arriving_at: dt.datetime  # the destination airport's local time, naive


class WirePassenger(msgspec.Struct, frozen=True):
    given_name: str
    family_name: str
    type: str = "adult"


class WireOrder(msgspec.Struct, frozen=True):
    booking_reference: str
    total_amount: Decimal
    total_currency: str
    id: str = ""  # the order's id (`ord_…`): its page in the web app is `/trips/<id>`
    status: str = ""
    payment_status: str = ""
    payment_required_by: dt.datetime | None = None
    ticket_numbers: tuple[str, ...] = ()
    failure_reason: str | None = None
    refund_amount: Decimal | None = None
    penalty_amount: Decimal | None = None
    charged_amount: Decimal | None = None
    change_summary: str | None = None
    seat_charge_amount: Decimal | None = None
    type: str | None = None  # `instant`: paid as it was booked; None in older events
    payment_decline_code: str | None = None  # payment.failed: the gateway's; None in older events
    # The refund's card (payment.refunded and other refunds; order.cancelled: where it goes);
    # None when unknown, and in events written before it was carried.
    refund_card_last4: str | None = None
    # The booking's flights and passengers; None in events written before they were added.
    flights: tuple[WireFlight, ...] | None = None
    passengers: tuple[WirePassenger, ...] | None = None


class WireSeat(msgspec.Struct, frozen=True):
    flight: str
    passenger: str
    designator: str
    replaced: str | None = None  # absent in events written before it was added


class WireContact(msgspec.Struct, frozen=True):
    given_name: str
    family_name: str = ""
    email: str | None = None
    phone_number: str | None = None


class WireReply(msgspec.Struct, frozen=True):
    """A support agent's answer (`support.replied`, written by support/)."""

    case_id: str
    subject: str
    body: str
    agent: str = ""


# Events about an account, not an order (booking/events.py): no `order`, and a `contact` that is
# there only to be sent to. The worker deletes such an entry from the stream once it is handled
# and parks no copy of its event (notify/worker.py), so the address outlives it nowhere.
ACCOUNT_EVENTS = frozenset({"account.erased"})


class WireEvent(msgspec.Struct, frozen=True):
    id: str
    type: str
    order: WireOrder | None = None  # None only in an account's events
    contact: WireContact | None = None
    owner: str | None = None  # whose order: the user whose notification channels apply
    reply: WireReply | None = None
    # The trace of the request that made the change (kernel/tracing.py): the send joins it.
    traceparent: str | None = None
    seats: tuple[WireSeat, ...] = ()


class EntryError(ValueError):
    """A stream entry that is not an event we can read: retrying will not change that."""


decode_event = msgspec.json.Decoder(WireEvent).decode


class _ReferenceOnly(msgspec.Struct, frozen=True):
    booking_reference: str


class _OrderOnly(msgspec.Struct, frozen=True):
    order: _ReferenceOnly


_decode_order_only = msgspec.json.Decoder(_OrderOnly).decode


def event_type(fields: Mapping[bytes, bytes]) -> str:
    """The entry's `type` field, without decoding the event ("" when missing)."""
    return fields.get(b"type", b"").decode("utf-8", "replace")


def order_key(fields: Mapping[bytes, bytes]) -> str | None:
    """The booking reference of the entry's event, decoding nothing else (None when it has
    none or does not decode: such an entry is ordered after nothing)."""
    raw = fields.get(b"event")
    if raw is None:
        return None
    try:
        return _decode_order_only(raw).order.booking_reference
    except msgspec.DecodeError:
        return None


def event_from_fields(fields: Mapping[bytes, bytes]) -> WireEvent:
    """The event of a stream entry; EntryError if it has none or it does not decode."""
    raw = fields.get(b"event")
    if raw is None:
        raise EntryError("the entry has no `event` field")
    try:
        event = decode_event(raw)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        raise EntryError(f"the event does not decode: {exc}") from exc
    if event.order is None and event.type not in ACCOUNT_EVENTS:
        raise EntryError("the event does not decode: an order's event without `order`")
    return event
