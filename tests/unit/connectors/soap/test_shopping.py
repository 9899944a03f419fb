"""The lxml read of OTA_AirLowFareSearchRS gives what zeep's read gave, answers and errors alike.

samples/low_fare_search_expected.json was recorded from the zeep path (zeep's `parse_reply`, the
`<Errors>` check of `SoapAirlineClient.call` and the zeep mapping's `to_offers`) on the samples
beside it, before `shopping.to_offers` existed. `zeep_read` below is that same path, kept here as
the reference for answers the recording does not cover (variants built from the samples).
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
import zeep

from connectors import errors
from connectors.model import Offer
from connectors.soap import CredentialsRejected, mapping, shopping
from connectors.soap.client import parse_reply

SAMPLES = Path(__file__).parent / "samples"
AIRLINE = "soap-nordic"


class Outcome(msgspec.Struct, frozen=True):
    """What reading one answer gave: offers, or an error's class name and message."""

    offers: list[Offer] | None = None
    error: str | None = None
    message: str | None = None


EXPECTED = msgspec.json.decode(
    (SAMPLES / "low_fare_search_expected.json").read_bytes(), type=dict[str, Outcome]
)


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.xml").read_bytes()


def outcome(read: object, status: int, payload: bytes) -> Outcome:
    try:
        return Outcome(offers=read(status, payload))  # type: ignore[operator]
    except errors.ConnectorError as exc:
        return Outcome(error=type(exc).__name__, message=str(exc))


def lxml_read(status: int, payload: bytes) -> list[Offer]:
    return shopping.to_offers(status, payload, source=AIRLINE)


def zeep_reader(client: zeep.Client) -> object:
    def zeep_read(status: int, payload: bytes) -> list[Offer]:
        rs = parse_reply(client, "LowFareSearch", status, payload, airline=AIRLINE)
        if rs.Errors is not None:
            raise mapping.rejection(rs.Errors, airline=AIRLINE)
        if rs.PricedItineraries is None:
            return []
        return [mapping.to_offer(p, source=AIRLINE) for p in rs.PricedItineraries.PricedItinerary]

    return zeep_read


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_answers_read_exactly_as_zeep_read_them(name: str) -> None:
    status = 500 if name.startswith("fault") else 200

    got = outcome(lxml_read, status, sample(name))

    assert got == EXPECTED[name]
    # Encoded too: Decimal("1422.00") == Decimal("1422.0"), but the JSON we serve differs.
    assert msgspec.json.encode(got) == msgspec.json.encode(EXPECTED[name])


def test_the_recording_covers_big_answers_and_every_passenger_type() -> None:
    offers = [o for e in EXPECTED.values() for o in e.offers or ()]

    assert max(len(e.offers or ()) for e in EXPECTED.values()) >= 20
    assert any(o.passengers.infants and o.passengers.children for o in offers)
    assert len({o.conditions for o in offers}) > 1
    assert {len(o.slices) for o in offers} == {1, 2}


def as_shopping_answer(name: str) -> bytes:
    """A recorded Price/Book error answer, re-addressed as the shopping answer."""
    payload = sample(name)
    for element in (b"OTA_AirPriceRS", b"OTA_AirBookRS"):
        payload = payload.replace(element, b"OTA_AirLowFareSearchRS")
    return payload


FAULT = (
    b"<?xml version='1.0' encoding='utf-8'?>"
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b"<soap:Fault><faultcode>soap:%s</faultcode><faultstring>no</faultstring></soap:Fault>"
    b"</soap:Body></soap:Envelope>"
)
LHR_JFK = sample("low_fare_search_lhr_jfk")


@pytest.mark.parametrize(
    ("status", "payload", "expected"),
    [
        (200, as_shopping_answer("error_fare_not_found"), errors.OfferNotFound),
        (200, as_shopping_answer("error_sold_out"), errors.SoldOut),
        (200, as_shopping_answer("error_price_changed"), errors.PriceChanged),
        (200, sample("fault_failed_authentication"), CredentialsRejected),
        (500, FAULT % b"Client", errors.InvalidRequest),
        (500, FAULT % b"Server", errors.ConnectorUnavailable),
        (503, LHR_JFK, errors.ConnectorUnavailable),  # no Fault, yet not 200
        (200, b"", errors.ConnectorUnavailable),
        (503, b'{"error": "unavailable"}', errors.ConnectorUnavailable),
        (200, b"<soap:Envelope><oops", errors.ConnectorUnavailable),
    ],
)
def test_errors_faults_and_garbage_mean_what_they_meant_through_zeep(
    client: zeep.Client, status: int, payload: bytes, expected: type[errors.ConnectorError]
) -> None:
    fast = outcome(lxml_read, status, payload)
    reference = outcome(zeep_reader(client), status, payload)

    assert fast.error == reference.error == expected.__name__
    if not issubclass(expected, errors.ConnectorUnavailable):  # zeep words garbage its own way
        assert fast.message == reference.message


def test_a_price_changed_error_carries_the_new_total() -> None:
    with pytest.raises(errors.PriceChanged) as caught:
        lxml_read(200, as_shopping_answer("error_price_changed"))

    assert (str(caught.value.new_amount), caught.value.currency) == ("652.10", "USD")


@pytest.mark.parametrize(
    "variant",
    [
        (b"<Success/>", b"<Success/><Warnings><Warning Type='3' Code='PCH'/></Warnings>"),
        (b"<PricedItineraries>", b"<!-- cached --><PricedItineraries><!-- 2 -->"),
        (b">Nordic Skyways<", b">Nordic Skyways<!-- filed --><"),
        (b'Amount="1422.00"', b'Amount=" 1422.00 "'),
        (b'JourneyDuration="PT13H55M"', b'JourneyDuration="P0DT13H54M75S"'),
        (b'VolChangeInd="false"', b'VolChangeInd="1"'),
        (b'TicketTimeLimit="2026-11-24T23:33:38Z"', b'TicketTimeLimit="2026-11-25T01:33:38+02:00"'),
        (b'TicketTimeLimit="2026-11-24T23:33:38Z"', b'TicketTimeLimit="2026-11-24T23:33:38"'),
        (b'DepartureDateTime="2026-12-24T08:30:00"', b'DepartureDateTime="2026-12-24"'),
    ],
    ids=[
        "warnings",
        "comments",
        "comment-in-text",
        "padded-decimal",
        "duration-with-days-and-seconds",
        "boolean-one",
        "offset-time-limit",
        "naive-time-limit",
        "date-only-departure",
    ],
)
def test_lexical_variants_read_as_zeep_reads_them(
    client: zeep.Client, variant: tuple[bytes, bytes]
) -> None:
    old, new = variant
    payload = LHR_JFK.replace(old, new, 1)
    assert payload != LHR_JFK

    fast = outcome(lxml_read, 200, payload)

    assert fast == outcome(zeep_reader(client), 200, payload)
    assert fast.error is None


def test_elements_we_do_not_map_are_skipped_where_strict_zeep_refused_the_answer(
    client: zeep.Client,
) -> None:
    # Deliberate: an airline adding an element must not cost us the whole search.
    payload = LHR_JFK.replace(b"<Success/>", b"<Success/><Extension Kind='new'/>")

    assert lxml_read(200, payload) == lxml_read(200, LHR_JFK)
    with pytest.raises(errors.ConnectorUnavailable, match="Unexpected element"):
        zeep_reader(client)(200, payload)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'<TotalFare Amount="1700.64" CurrencyCode="USD"/>', b""),  # a required element
        (b' SeatsRemaining="65"', b""),  # a required attribute
        (b'Amount="1422.00"', b'Amount="lots"'),
        (b'Cabin="Economy"', b'Cabin="Steerage"'),
        (b'JourneyDuration="PT13H55M"', b'JourneyDuration="P1M"'),
        (b'DepartureDateTime="2026-12-24T08:30:00"', b'DepartureDateTime="Christmas"'),
        (b"OTA_AirLowFareSearchRS", b"OTA_AirPriceRS"),  # another operation's answer
        (b"soap:Envelope", b"soap:Letter"),
        (b"<Errors><Error", b"<Errors/><Error"),
    ],
)
def test_answers_missing_or_garbling_what_we_map_are_connector_unavailable(
    old: bytes, new: bytes
) -> None:
    payload = LHR_JFK if old != b"<Errors><Error" else as_shopping_answer("error_sold_out")
    assert old in payload

    with pytest.raises(errors.ConnectorUnavailable):
        lxml_read(200, payload.replace(old, new))


def test_entities_are_never_expanded_and_a_dtd_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    ) + LHR_JFK.split(b"?>", 1)[1].replace(b">Nordic Skyways<", b">&lol2;<")

    with pytest.raises(errors.ConnectorUnavailable, match="DTD"):
        lxml_read(200, bomb)
