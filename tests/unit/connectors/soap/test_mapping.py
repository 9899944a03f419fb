"""OTA answers recorded from the sim's SOAP airline, mapped to the domain: the shopping answer by
`shopping.to_offers` (lxml), the others parsed by zeep.

The WSDL and XSD in samples/ are recorded too, so these tests need no server; the price-changed
and sold-out answers are the recorded shapes with the airline's documented codes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import zeep

from connectors import errors, offer_ids
from connectors.model import FlightQuery, HoldPassenger, Offer, Passengers, SliceQuery
from connectors.soap import CredentialsRejected, build, mapping, shopping
from connectors.soap.client import build_request, parse_reply
from skyfare.settings import ConnectorSettings

SAMPLES = Path(__file__).parent / "samples"


def answer(client: zeep.Client, operation: str, sample: str, status: int = 200) -> Any:
    payload = (SAMPLES / f"{sample}.xml").read_bytes()
    return parse_reply(client, operation, status, payload, airline="soap-nordic")


def shop(sample: str) -> list[Offer]:
    payload = (SAMPLES / f"{sample}.xml").read_bytes()
    return shopping.to_offers(200, payload, source="soap-nordic")


def test_low_fare_search_maps_itineraries_to_offers() -> None:
    offers = shop("low_fare_search_lhr_jfk")

    assert len(offers) == 2
    offer = offers[0]
    assert (offer.total_amount, offer.base_amount, offer.tax_amount) == (
        Decimal("1700.64"),
        Decimal("1422.00"),
        Decimal("278.64"),
    )
    assert offer.total_currency == "USD"
    assert (offer.owner.iata_code, offer.owner.name) == ("SK", "Nordic Skyways")
    assert offer.passengers == Passengers(adults=2, children=1)
    assert offer.expires_at == dt.datetime(2026, 11, 24, 23, 33, 38, tzinfo=dt.UTC)
    assert offer_ids.decode(offer.id)[0] == "soap-nordic"
    (journey,) = offer.slices
    assert (journey.origin, journey.destination, journey.duration) == ("LHR", "JFK", "PT13H55M")
    first, second = journey.segments
    assert (first.flight_number, first.origin, first.destination) == ("SK228", "LHR", "ARN")
    assert first.departing_at == dt.datetime(2026, 12, 24, 8, 30)  # local, naive
    assert second.arriving_at == dt.datetime(2026, 12, 24, 17, 25)
    assert (second.aircraft, second.cabin_class) == ("359", "economy")
    assert offer.conditions.refundable is False


def test_round_trip_itinerary_becomes_one_offer_with_two_slices() -> None:
    offers = shop("low_fare_search_cph_jfk_round_trip")

    assert len(offers) == 6
    for offer in offers:
        assert [(s.origin, s.destination) for s in offer.slices] == [("CPH", "JFK"), ("JFK", "CPH")]
        assert offer.total_amount == offer.base_amount + offer.tax_amount


def test_price_warning_pch_marks_the_price_as_changed(client: zeep.Client) -> None:
    same = mapping.to_priced_offer(answer(client, "Price", "price_unchanged"), source="s")
    moved = mapping.to_priced_offer(answer(client, "Price", "price_changed"), source="s")

    assert same.price_changed is False
    assert moved.price_changed is True
    assert moved.total_amount == same.total_amount


def test_reservations_map_to_holds(client: zeep.Client) -> None:
    held = mapping.to_hold(answer(client, "Book", "book_held"))
    ticketed = mapping.to_hold(answer(client, "DemandTicket", "ticket_ticketed"))

    assert (held.locator, held.reference, held.status) == ("JJRDA3", "ord_sample", "held")
    assert held.total_amount == Decimal("615.04")
    assert held.payment_required_by == dt.datetime(2026, 11, 25, 23, 3, 38, tzinfo=dt.UTC)
    assert held.ticket_numbers == ()
    assert (ticketed.status, ticketed.ticket_numbers) == ("ticketed", ("117-2300000001",))


def test_route_network_gives_owner_and_airports(client: zeep.Client) -> None:
    owner, airports = mapping.to_network(answer(client, "RouteNetwork", "route_network"))

    assert (owner.iata_code, owner.name) == ("SK", "Nordic Skyways")
    assert {"CPH", "ARN", "LHR", "JFK"} <= airports


@pytest.mark.parametrize(
    ("operation", "sample", "expected"),
    [
        ("Price", "error_fare_not_found", errors.OfferNotFound),
        ("Book", "error_sold_out", errors.SoldOut),
        ("Book", "error_price_changed", errors.PriceChanged),
    ],
)
def test_ota_errors_become_supplier_rejections(
    client: zeep.Client, operation: str, sample: str, expected: type[errors.SupplierRejected]
) -> None:
    rs = answer(client, operation, sample)

    rejection = mapping.rejection(rs.Errors, airline="soap-nordic")

    assert type(rejection) is expected
    if isinstance(rejection, errors.PriceChanged):
        assert (rejection.new_amount, rejection.currency) == (Decimal("652.10"), "USD")


def test_failed_authentication_fault_is_credentials_rejected(client: zeep.Client) -> None:
    with pytest.raises(CredentialsRejected):
        answer(client, "RouteNetwork", "fault_failed_authentication", status=500)


@pytest.mark.parametrize(
    "payload",
    [b"<not xml", b"<html><body>502 Bad Gateway</body></html>", b"", b"\x00\xff garbage"],
)
def test_unparseable_answers_to_zeep_operations_are_connector_unavailable(
    client: zeep.Client, payload: bytes
) -> None:
    with pytest.raises(errors.ConnectorUnavailable):
        parse_reply(client, "Price", 200, payload, airline="soap-nordic")


def test_request_envelope_carries_the_query_and_a_digest_username_token(
    client: zeep.Client,
) -> None:
    query = mapping.search_body(
        FlightQuery(
            slices=(SliceQuery("LHR", "JFK", dt.date(2026, 12, 24)),),
            passengers=Passengers(adults=2, infants=1),
            cabin_class="business",
        )
    )

    body, headers = build_request(client, "LowFareSearch", query)

    assert headers["SOAPAction"] == '"urn:skyfare:sim:nordic#LowFareSearch"'
    assert b'LocationCode="LHR"' in body
    assert b'Cabin="Business"' in body
    assert b'Code="INF" Quantity="1"' in body
    assert b"PasswordDigest" in body
    assert b"nordic-secret" not in body


def test_book_body_names_our_reference_and_each_traveller() -> None:
    pax = [HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f")]

    body = mapping.book_body("fare-1", pax, reference="ord_1")

    assert body["BookingReferenceID"] == {"ID": "ord_1", "ID_Context": "SKYFARE"}
    assert body["TravelerInfo"]["AirTraveler"][0]["Gender"] == "Female"


def test_an_infant_carries_the_rph_of_the_adult_whose_lap_it_is_on(client: zeep.Client) -> None:
    pax = [
        HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),
        HoldPassenger("adult", "Charles", "Babbage", dt.date(1988, 1, 1), "m", lap_infant=2),
        HoldPassenger("infant", "Tim", "Babbage", dt.date(2026, 6, 1), "m"),
    ]

    body = mapping.book_body("fare-1", pax, reference="ord_1")
    envelope, _ = build_request(client, "Book", body)

    travellers = body["TravelerInfo"]["AirTraveler"]
    assert [t.get("TravelerRefNumber") for t in travellers] == [None, None, {"RPH": "2"}]
    assert envelope.count(b"TravelerRefNumber") == 1
    assert b'TravelerRefNumber RPH="2"' in envelope
    # A hold naming no lap sends no element: the body an airline's older schema takes.
    plain = mapping.book_body("fare-1", pax[:1], reference="ord_2")
    assert "TravelerRefNumber" not in plain["TravelerInfo"]["AirTraveler"][0]


def test_build_requires_credentials() -> None:
    config = ConnectorSettings(name="soap-nordic", kind="soap", base_url="http://x/soap/nordic")

    with pytest.raises(ValueError, match="username and password"):
        build(config)
    connector = build(
        ConnectorSettings(
            name="soap-nordic", kind="soap", base_url="http://x", username="u", password="p"
        )
    )
    assert (connector.name, connector.kind) == ("soap-nordic", "soap")
