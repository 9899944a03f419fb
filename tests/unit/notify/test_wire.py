"""The worker's own view of an event: only the fields it uses; anything else is ignored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from booking.events import encode_event
from notify.wire import EntryError, event_from_fields, event_type, order_key
from tests.support.notify import entry_fields, order_event


def _fields(event_json: bytes, type: bytes = b"order.held") -> dict[bytes, bytes]:
    return {b"id": b"e1", b"type": type, b"event": event_json}


def test_the_producers_event_decodes_into_the_fields_notifications_use() -> None:
    event = order_event("order.confirmed", tickets=("125-1",))
    fields = {
        k.encode(): v if isinstance(v, bytes) else v.encode()
        for k, v in entry_fields(event).items()
    }

    wire = event_from_fields(fields)

    assert (wire.id, wire.type) == (event.id, "order.confirmed")
    assert wire.order.booking_reference == "K7Q2MZ"
    assert wire.order.total_amount == Decimal("612.40")
    assert wire.order.payment_required_by == dt.datetime(2026, 12, 1, 14, tzinfo=dt.UTC)
    assert wire.order.ticket_numbers == ("125-1",)
    assert wire.contact is not None
    assert wire.contact.email == "ada@example.com"


def test_unknown_fields_anywhere_are_ignored() -> None:
    raw = msgspec.json.decode(encode_event(order_event()))
    raw["schema_version"] = 7
    raw["order"]["loyalty_tier"] = "gold"
    raw["contact"]["preferred_language"] = "en"

    wire = event_from_fields(_fields(msgspec.json.encode(raw)))

    assert wire.order.booking_reference == "K7Q2MZ"


def test_an_entry_without_an_event_or_with_a_broken_one_is_an_entry_error() -> None:
    with pytest.raises(EntryError, match="no `event` field"):
        event_from_fields({b"id": b"e1", b"type": b"order.held"})
    with pytest.raises(EntryError, match="does not decode"):
        event_from_fields(_fields(b"{not json"))
    with pytest.raises(EntryError, match="does not decode"):
        event_from_fields(_fields(b'{"id": "e1", "type": "order.held"}'))  # no order


def test_the_type_is_read_without_decoding_the_event() -> None:
    assert event_type(_fields(b"{not json", type=b"order.created")) == "order.created"
    assert event_type({}) == ""


def test_an_entrys_order_is_read_without_decoding_the_rest() -> None:
    event = order_event("order.confirmed", reference="ABC123")
    assert order_key(_fields(encode_event(event))) == "ABC123"
    assert order_key(_fields(b"{broken")) is None
    assert order_key({b"id": b"e1", b"type": b"order.held"}) is None
