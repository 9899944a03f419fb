"""The hold path's SOAP answers read with lxml (`booking_replies`) give exactly what zeep's typed
parse and the zeep mapping gave, for every recorded answer: the same value or the same error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zeep

from connectors import errors
from connectors.soap import booking_replies, mapping
from connectors.soap.client import parse_reply

SAMPLES = Path(__file__).parent / "samples"
AIRLINE = "soap-nordic"


def by_zeep(client: zeep.Client, operation: str, status: int, payload: bytes) -> Any:
    """What `SoapAirlineClient.call` made of an answer before: zeep, then the zeep mapping."""
    rs = parse_reply(client, operation, status, payload, airline=AIRLINE)
    if getattr(rs, "Errors", None) is not None:
        raise mapping.rejection(rs.Errors, airline=AIRLINE)
    if operation == "Price":
        return mapping.to_priced_offer(rs, source=AIRLINE)
    return mapping.to_hold(rs)


READERS: dict[str, Callable[[int, bytes], Any]] = {
    "Price": lambda status, payload: booking_replies.to_priced_offer(
        status, payload, source=AIRLINE
    ),
    "Book": lambda status, payload: booking_replies.to_hold(status, payload, airline=AIRLINE),
}


def outcome(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except errors.ConnectorError as exc:
        return type(exc), str(exc), getattr(exc, "new_amount", None)


@pytest.mark.parametrize(
    ("operation", "sample", "status"),
    [
        ("Price", "price_unchanged", 200),
        ("Price", "price_changed", 200),
        ("Price", "error_fare_not_found", 200),
        ("Book", "book_held", 200),
        ("Book", "error_sold_out", 200),
        ("Book", "error_price_changed", 200),
        ("Book", "fault_failed_authentication", 500),
    ],
)
def test_lxml_reads_each_recorded_answer_as_zeep_did(
    client: zeep.Client, operation: str, sample: str, status: int
) -> None:
    payload = (SAMPLES / f"{sample}.xml").read_bytes()

    ours = outcome(lambda: READERS[operation](status, payload))

    assert ours == outcome(lambda: by_zeep(client, operation, status, payload))


def test_a_price_warning_marks_the_price_changed_and_a_hold_keeps_its_reference() -> None:
    same = READERS["Price"](200, (SAMPLES / "price_unchanged.xml").read_bytes())
    moved = READERS["Price"](200, (SAMPLES / "price_changed.xml").read_bytes())
    held = READERS["Book"](200, (SAMPLES / "book_held.xml").read_bytes())

    assert (same.price_changed, moved.price_changed) == (False, True)
    assert (held.locator, held.reference, held.status) == ("JJRDA3", "ord_sample", "held")


@pytest.mark.parametrize("operation", ["Price", "Book"])
@pytest.mark.parametrize(
    "payload",
    [
        b"<not xml",
        b"<html><body>502 Bad Gateway</body></html>",
        b"",
        b"\x00\xff garbage",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    ],
)
def test_unreadable_answers_are_connector_unavailable(operation: str, payload: bytes) -> None:
    with pytest.raises(errors.ConnectorUnavailable):
        READERS[operation](200, payload)


@pytest.mark.parametrize(
    ("operation", "sample"), [("Price", "book_held"), ("Book", "price_unchanged")]
)
def test_another_operations_answer_is_connector_unavailable(operation: str, sample: str) -> None:
    with pytest.raises(errors.ConnectorUnavailable):
        READERS[operation](200, (SAMPLES / f"{sample}.xml").read_bytes())


def test_a_priced_answer_missing_a_field_is_connector_unavailable() -> None:
    payload = (SAMPLES / "price_unchanged.xml").read_bytes().replace(b' CurrencyCode="USD"', b"")

    with pytest.raises(errors.ConnectorUnavailable, match="unexpected Price answer"):
        READERS["Price"](200, payload)


def test_a_hold_without_the_airlines_locator_is_connector_unavailable() -> None:
    payload = (SAMPLES / "book_held.xml").read_bytes()
    payload = payload.replace(b'<BookingReferenceID ID="JJRDA3" ID_Context="SK" Type="14"/>', b"")

    with pytest.raises(errors.ConnectorUnavailable, match="unexpected Book answer"):
        READERS["Book"](200, payload)
