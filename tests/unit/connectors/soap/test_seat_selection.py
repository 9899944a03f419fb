"""Choosing seats through the SOAP airline's SelectSeats (pure): the request zeep builds from the
WSDL, the answer read back, the airline's refusals. Samples recorded by record_seat_samples.py."""

from __future__ import annotations

import pytest
import zeep
from lxml import etree

from connectors import errors
from connectors.seat_model import SeatSelection
from connectors.soap import mapping
from connectors.soap.client import build_request, parse_reply
from connectors.soap.seats import select_seats_body, to_selections
from tests.unit.connectors.soap.conftest import SAMPLES

OTA = {"o": "http://www.opentravel.org/OTA/2003/05"}


def _answer(client: zeep.Client, sample: str) -> object:
    payload = (SAMPLES / sample).read_bytes()
    return parse_reply(client, "SelectSeats", 200, payload, airline="soap-nordic")


def test_the_request_names_the_booking_and_each_seat_by_ota_rphs(client: zeep.Client) -> None:
    chosen = [SeatSelection(0, 0, "14C"), SeatSelection(1, 1, "3A")]

    data, headers = build_request(client, "SelectSeats", select_seats_body("ABC123", chosen))

    assert headers["SOAPAction"] == '"urn:skyfare:sim:nordic#SelectSeats"'
    body = etree.fromstring(data)
    (rq,) = body.xpath("//o:Skyfare_SelectSeatsRQ", namespaces=OTA)
    assert rq.xpath("o:BookingReferenceID/@ID", namespaces=OTA) == ["ABC123"]
    seats = rq.xpath("o:SeatRequests/o:SeatRequest", namespaces=OTA)
    assert [
        (s.get("SeatNumber"), s.get("FlightRefNumberRPHList"), s.get("TravelerRefNumberRPHList"))
        for s in seats
    ] == [("14C", "1", "1"), ("3A", "2", "2")]


def test_the_answer_lists_every_seat_the_booking_holds(client: zeep.Client) -> None:
    rs = _answer(client, "select_seats_family.xml")

    assert to_selections(rs) == (SeatSelection(0, 0, "7A"), SeatSelection(0, 1, "7C"))


@pytest.mark.parametrize(
    ("sample", "expected", "rule"),
    [
        ("error_seat_unavailable.xml", errors.SeatUnavailable, None),
        ("error_seat_restricted.xml", errors.SeatRestricted, "exit_row_child"),
    ],
)
def test_seat_refusals_are_the_connectors_seat_errors(
    client: zeep.Client, sample: str, expected: type[errors.SupplierRejected], rule: str | None
) -> None:
    rs = _answer(client, sample)

    rejection = mapping.rejection(rs.Errors, airline="soap-nordic")  # type: ignore[attr-defined]

    assert type(rejection) is expected
    if rule is not None:
        assert isinstance(rejection, errors.SeatRestricted)
        assert rejection.rule == rule
