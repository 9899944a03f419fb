"""The sim airline reads which adult holds which infant from each protocol's hold request:
NDC 21.3's PaxRefID in the infant's Pax, OTA's TravelerRefNumber RPH on the infant."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from lxml import etree

from connectors.model import HoldPassenger
from connectors.ndc import messages
from sim import errors
from sim.ndc import requests
from sim.ndc.xml import CNS
from sim.soap.messages import booking_request, q

PASSENGERS = [
    HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 2), "f"),
    HoldPassenger("adult", "Charles", "Babbage", dt.date(1988, 1, 2), "m", lap_infant=2),
    HoldPassenger("infant", "Byron", "Babbage", dt.date(2026, 1, 1), "m"),
]
PACKED = messages.SelectedOffer("OFFER-2", ["OFFER-2-1"], ["PAX1", "PAX2", "PAX3"]).pack()


def _order_create(passengers: list[HoldPassenger]) -> etree._Element:
    payload = messages.order_create(PACKED, passengers, reference="ord_1", owner_code="NS")
    return etree.fromstring(payload)


def test_ndc_the_infants_pax_ref_id_puts_it_on_that_adults_lap() -> None:
    read = requests.booking_request(_order_create(PASSENGERS))

    assert [p.lap_infant for p in read.passengers] == [None, 2, None]


def test_ndc_without_a_pax_ref_id_nobody_is_named_and_the_airline_pairs_in_order() -> None:
    plain = [PASSENGERS[0], msgspec.structs.replace(PASSENGERS[1], lap_infant=None), PASSENGERS[2]]

    read = requests.booking_request(_order_create(plain))

    assert [p.lap_infant for p in read.passengers] == [None, None, None]


def test_ndc_a_pax_ref_id_naming_no_pax_is_a_bad_request() -> None:
    root = _order_create(PASSENGERS)
    [ref] = root.iterfind(f".//{{{CNS}}}Pax/{{{CNS}}}PaxRefID")
    ref.text = "PAX9"

    with pytest.raises(errors.AirlineError, match="PAX9") as raised:
        requests.booking_request(root)
    assert raised.value.code == "bad_request"


def _book_rq(*travellers: tuple[str, str | None]) -> etree._Element:
    rq = etree.Element(q("OTA_AirBookRQ"))
    etree.SubElement(etree.SubElement(rq, q("PriceInfo")), q("FareReference")).text = "fare-1"
    info = etree.SubElement(rq, q("TravelerInfo"))
    for code, rph in travellers:
        born = "2026-01-01" if code == "INF" else "1990-01-01"
        attrs = {"PassengerTypeCode": code, "BirthDate": born, "Gender": "Female"}
        traveller = etree.SubElement(info, q("AirTraveler"), attrs)
        name = etree.SubElement(traveller, q("PersonName"))
        etree.SubElement(name, q("GivenName")).text = "Ada"
        etree.SubElement(name, q("Surname")).text = "Lovelace"
        if rph is not None:
            etree.SubElement(traveller, q("TravelerRefNumber"), {"RPH": rph})
    etree.SubElement(rq, q("BookingReferenceID"), {"ID": "ord_1", "ID_Context": "SKYFARE"})
    return rq


def test_soap_an_infant_carrying_an_adults_rph_is_on_that_adults_lap() -> None:
    read = booking_request(_book_rq(("ADT", None), ("ADT", None), ("INF", "2")))

    assert [p.lap_infant for p in read.passengers] == [None, 2, None]
    unnamed = booking_request(_book_rq(("ADT", None), ("INF", None)))
    assert [p.lap_infant for p in unnamed.passengers] == [None, None]


def test_soap_an_rph_naming_no_traveller_or_an_adult_twice_is_refused() -> None:
    with pytest.raises(errors.AirlineError) as unknown:
        booking_request(_book_rq(("ADT", None), ("INF", "7")))
    assert unknown.value.code == "bad_request"
    with pytest.raises(errors.AirlineError) as twice:
        booking_request(_book_rq(("ADT", None), ("ADT", None), ("INF", "1"), ("INF", "1")))
    assert twice.value.code == "invalid_passengers"
