"""SOAP envelopes from templates are byte for byte what zeep builds, signed with a fresh token."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Mapping
from typing import Any

import pytest
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from connectors.model import FlightQuery, HoldPassenger, Passengers, SliceQuery
from connectors.seat_model import SeatSelection
from connectors.soap import mapping
from connectors.soap.client import build_client, build_envelope
from connectors.soap.seats import seat_map_body, select_seats_body
from connectors.soap.templates import RequestTemplates, _marked
from tests.unit.connectors.soap.conftest import SAMPLES, WSDL_URL

PASSWORD = "nordic-secret"
NONCE = "0123456789abcdef"
CREATED = dt.datetime(2030, 5, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


def _client() -> zeep.Client:
    documents = {
        WSDL_URL: (SAMPLES / "nordic.wsdl").read_bytes(),
        "http://sim.invalid/soap/nordic/ota.xsd": (SAMPLES / "ota.xsd").read_bytes(),
    }
    return build_client(WSDL_URL, documents, username="skyfare", password=PASSWORD)


@pytest.fixture(scope="module")
def reference() -> zeep.Client:
    """zeep on its own, with the token's nonce and time fixed so that its bytes compare."""
    client = _client()
    client.wsse = UsernameToken("skyfare", PASSWORD, use_digest=True, nonce=NONCE, created=CREATED)
    return client


class Zeep:
    """zeep's build, counted."""

    def __init__(self, client: zeep.Client) -> None:
        self.client = client
        self.calls = 0

    def __call__(self, operation: str, body: Mapping[str, Any]) -> bytes:
        self.calls += 1
        return build_envelope(self.client, operation, body)


def templates(**kwargs: Any) -> tuple[RequestTemplates, Zeep]:
    client = _client()
    built = Zeep(client)
    kwargs.setdefault("now", lambda: CREATED)
    kwargs.setdefault("nonce", NONCE.encode)
    return RequestTemplates(client, password=PASSWORD, fallback=built, **kwargs), built


def _queries() -> list[FlightQuery]:
    day = dt.date(2030, 5, 1)
    out = []
    for slices, pax, cabin, stops, currency in itertools.product(
        (1, 2),
        (Passengers(), Passengers(adults=2, children=1), Passengers(adults=1, infants=1)),
        ("economy", "business"),
        (0, 2),
        ("USD", "EUR"),
    ):
        legs = (SliceQuery("LHR", "JFK", day), SliceQuery("JFK", "LHR", day + dt.timedelta(9)))
        out.append(
            FlightQuery(
                slices=legs[:slices],
                passengers=pax,
                cabin_class=cabin,  # type: ignore[arg-type]
                max_connections=stops,
                currency=currency,
            )
        )
    return out


def _bodies() -> list[tuple[str, dict[str, Any]]]:
    traveler = HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 12, 10), "f")
    quoted = HoldPassenger("adult", "Seán", "O'Brien & Co", dt.date(1980, 1, 2), "m")
    return [
        *(("LowFareSearch", mapping.search_body(q)) for q in _queries()),
        ("Price", mapping.price_body("F-1")),
        ("Book", mapping.book_body("F-1", [traveler], reference="ord_1")),
        ("Book", mapping.book_body("F-1", [traveler, quoted], reference="ord_2")),
        ("Read", mapping.read_body("ABC123")),
        ("DemandTicket", mapping.ticket_body("ABC123")),
        ("Cancel", mapping.cancel_body("ABC123")),
        ("SeatMap", seat_map_body(fare_id="F1")),
        ("SeatMap", seat_map_body(locator="ABC123")),
        ("SelectSeats", select_seats_body("ABC123", [SeatSelection(0, 0, "14C")])),
    ]


def unsigned(envelope: bytes) -> bytes:
    """The envelope without the token's per-call values (zeep's own calls draw them)."""
    return _TOKEN.sub(rb"\1-\2", envelope)


_TOKEN = re.compile(rb"(<wsse:Password[^>]*>|<wsse:Nonce[^>]*>|<wsu:Created[^>]*>)[^<]*(<)")


def test_every_envelope_is_byte_for_byte_what_zeep_builds(reference: zeep.Client) -> None:
    built, zeep_builds = templates()
    templated = 0

    for operation, body in _bodies():
        expected = build_envelope(reference, operation, body)
        assert unsigned(built.build(operation, body)) == unsigned(expected), operation
        before = zeep_builds.calls
        again = built.build(operation, body)
        if zeep_builds.calls == before:  # from the template: the token is ours, as exact
            templated += 1
            assert again == expected, operation
        else:
            assert unsigned(again) == unsigned(expected), operation

    assert templated == len(_bodies()) - 1  # all but the booking with an apostrophe in a name


def test_zeep_builds_once_per_operation_and_shape_of_body() -> None:
    built, zeep_builds = templates()
    shapes = {len(q.slices) * 10 + len(mapping.search_body(q)["TravelerInfoSummary"]
                  ["AirTravelerAvail"]["PassengerTypeQuantity"]) for q in _queries()}  # fmt: skip

    for query in _queries():
        built.build("LowFareSearch", mapping.search_body(query))

    assert zeep_builds.calls == len(shapes)


def test_a_value_xml_would_escape_goes_to_zeep_every_time(reference: zeep.Client) -> None:
    built, zeep_builds = templates()
    body = mapping.price_body("F&1<2>")

    first, second = built.build("Price", body), built.build("Price", body)

    assert unsigned(first) == unsigned(second) == unsigned(build_envelope(reference, "Price", body))
    assert zeep_builds.calls == 2


def test_each_call_signs_with_a_fresh_nonce_and_the_time_of_the_call() -> None:
    nonces = iter([b"first-nonce-0001", b"second-nonce-002"])
    times = iter([CREATED, CREATED + dt.timedelta(seconds=7)])
    built, _ = templates(nonce=lambda: next(nonces), now=lambda: next(times))
    body = mapping.price_body("F-1")

    tokens = []
    for _ in range(2):
        root = etree.fromstring(built.build("Price", body))
        (token,) = root.iter(f"{{{WSSE}}}UsernameToken")
        tokens.append(
            (
                token.findtext(f"{{{WSSE}}}Password"),
                base64.b64decode(token.findtext(f"{{{WSSE}}}Nonce") or ""),
                token.findtext(f"{{{WSU}}}Created"),
            )
        )

    for digest, nonce, created in tokens:
        expected = hashlib.sha1(nonce + (created or "").encode() + PASSWORD.encode()).digest()
        assert base64.b64decode(digest or "") == expected
    assert [(n, c) for _, n, c in tokens] == [
        (b"first-nonce-0001", "2030-05-01T12:30:15+00:00"),
        (b"second-nonce-002", "2030-05-01T12:30:22+00:00"),
    ]


def test_a_body_zeep_refuses_to_mark_is_built_by_zeep(reference: zeep.Client) -> None:
    client = _client()

    def strict(operation: str, body: Mapping[str, Any]) -> bytes:
        if "SkyfareMark" in repr(body):
            raise ValueError("not a date")
        return build_envelope(client, operation, body)

    built = RequestTemplates(client, password=PASSWORD, fallback=strict)
    body = mapping.price_body("F-1")

    assert unsigned(built.build("Price", body)) == unsigned(
        build_envelope(reference, "Price", body)
    )


@pytest.mark.parametrize(("operation", "body"), _bodies())
def test_a_call_with_a_template_reads_the_values_and_shape_the_template_was_made_for(
    operation: str, body: dict[str, Any]
) -> None:
    # `build` walks a body without copying it (copy=False) and marks a copy only for a new
    # shape: both walks must find the same values and the same shape, or refuse alike.
    walks = []
    for copy in (True, False):
        values: list[str] = []
        shape: list[Any] = [operation]
        try:
            _marked(body, values, shape, copy=copy)
        except LookupError as exc:
            walks.append(("refused", str(exc)))
        else:
            walks.append((values, shape))
    assert walks[0] == walks[1]
