from __future__ import annotations

from decimal import Decimal

import pytest
import zeep
from lxml import etree

from connectors import errors
from connectors.soap.client import build_request
from connectors.soap.seats import seat_map_body, to_seat_maps
from tests.unit.connectors.soap.conftest import SAMPLES

# Recorded from the SOAP sim: CPH-AMS on a 320 (business rows 1-6, economy from row 7), for an
# adult, a child and an infant.
SAMPLE = (SAMPLES / "seat_map_cph_ams.xml").read_bytes()


def test_a_recorded_seat_map_becomes_one_leg_with_every_seat() -> None:
    maps = to_seat_maps(200, SAMPLE, source="soap-nordic")

    assert maps.passengers == ("adult", "child", "infant")
    (leg,) = maps.legs
    assert (leg.carrier, leg.origin, leg.destination, leg.aircraft) == ("SK", "CPH", "AMS", "320")
    (cabin,) = leg.cabins
    assert cabin.cabin_class == "economy"
    seats = {
        p.seat.designator: p.seat
        for r in cabin.rows
        for s in r.sections
        for p in s
        if p.seat is not None
    }
    assert len(seats) == 150
    assert seats["8A"].characteristics == ("window",)
    assert seats["8A"].prices == {"adult": Decimal("12.00"), "child": Decimal("9.00")}
    assert [s[0].type for s in cabin.rows[0].sections] == ["galley", "lavatory"]
    exit_rows = [r for r in cabin.rows if r.sections[0][0].type == "exit_row"]
    assert len(exit_rows) == 2
    assert cabin.wings is not None


def test_the_request_names_the_fare_or_the_booking_as_the_wsdl_says(client: zeep.Client) -> None:
    data, _ = build_request(client, "SeatMap", seat_map_body(fare_id="F1"))
    assert b"<ns0:FareReference>F1</ns0:FareReference>" in data or b"FareReference>F1<" in data
    data, _ = build_request(client, "SeatMap", seat_map_body(locator="ABC123"))
    assert b'ID="ABC123"' in data


def test_an_ota_error_is_the_airlines_refusal() -> None:
    answer = SAMPLE.split(b"<Success/>")[0].split(b"<soap:Body>")[0]
    body = (
        answer
        + b'<soap:Body><OTA_AirSeatMapRS xmlns="http://www.opentravel.org/OTA/2003/05" '
        + b'Version="2.001"><Errors><Error Type="3" Code="FXP" ShortText="expired"/></Errors>'
        + b"</OTA_AirSeatMapRS></soap:Body></soap:Envelope>"
    )
    etree.fromstring(body)  # well-formed
    with pytest.raises(errors.OfferExpired):
        to_seat_maps(200, body, source="soap-nordic")
