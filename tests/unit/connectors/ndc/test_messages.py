"""Building NDC requests: the documents the simulated airline (and a real one) reads."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from connectors.model import FlightQuery, HoldPassenger, Passengers, SliceQuery
from connectors.ndc import messages

NSMAP = {"n": messages.NS}


def parsed(payload: bytes) -> etree._Element:
    return etree.fromstring(payload)


def texts(root: etree._Element, xpath: str) -> list[str]:
    return [str(v) for v in root.xpath(xpath, namespaces=NSMAP)]


def test_air_shopping_has_one_origin_destination_per_slice_and_one_pax_per_traveller() -> None:
    query = FlightQuery(
        slices=(
            SliceQuery("LHR", "JFK", dt.date(2026, 12, 24)),
            SliceQuery("JFK", "LHR", dt.date(2026, 12, 31)),
        ),
        passengers=Passengers(adults=2, children=1, infants=1),
        cabin_class="business",
        max_connections=0,
        currency="GBP",
    )

    root = parsed(messages.air_shopping(query))

    assert etree.QName(root).localname == "IATA_AirShoppingRQ"
    assert texts(root, "n:PayloadAttributes/n:VersionNumber/text()") == ["21.3"]
    od = "n:Request/n:FlightRequest/n:FlightRequestOriginDestinationsCriteria/n:OriginDestCriteria"
    assert texts(root, f"{od}/n:OriginDepCriteria/n:IATA_LocationCode/text()") == ["LHR", "JFK"]
    assert texts(root, f"{od}/n:DestArrivalCriteria/n:IATA_LocationCode/text()") == ["JFK", "LHR"]
    assert texts(root, f"{od}/n:OriginDepCriteria/n:Date/text()") == ["2026-12-24", "2026-12-31"]
    assert texts(root, "n:Request/n:Paxs/n:Pax/n:PTC/text()") == ["ADT", "ADT", "CHD", "INF"]
    criteria = "n:Request/n:ShoppingCriteria"
    assert texts(root, f"{criteria}/n:CabinTypeCriteria/n:CabinTypeCode/text()") == ["C"]
    assert texts(root, f"{criteria}//n:MaximumConnectionQty/text()") == ["0"]
    assert texts(root, "n:Request//n:RequestedCurCode/text()") == ["GBP"]


def test_order_create_carries_the_offer_our_reference_and_each_passenger() -> None:
    passengers = [
        HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 2), "f"),
        HoldPassenger("infant", "Byron", "Lovelace", dt.date(2026, 1, 1), "m"),
    ]

    root = parsed(messages.order_create("OFFER-1", passengers, reference="ord_42", owner_code="VS"))

    selected = "n:Request/n:CreateOrder/n:AcceptSelectedQuotedOfferList/n:SelectedPricedOffer"
    assert texts(root, f"{selected}/n:OfferRefID/text()") == ["OFFER-1"]
    assert texts(root, "n:Request/n:BookingRef/n:BookingID/text()") == ["ord_42"]
    assert texts(root, "n:Request/n:BookingRef//n:OrgID/text()") == ["SKYFARE"]
    pax = "n:Request/n:DataLists/n:PaxList/n:Pax"
    assert texts(root, f"{pax}/n:PTC/text()") == ["ADT", "INF"]
    assert texts(root, f"{pax}/n:Birthdate/text()") == ["1990-01-02", "2026-01-01"]
    assert texts(root, f"{pax}/n:Individual/n:GenderCode/text()") == ["F", "M"]
    assert texts(root, f"{pax}/n:Individual/n:Surname/text()") == ["Lovelace", "Lovelace"]


def test_order_change_asks_for_payment_and_tickets_of_one_order() -> None:
    root = parsed(messages.order_change_issue_tickets("MZ6HK3", owner_code="VS"))

    assert etree.QName(root).localname == "IATA_OrderChangeRQ"
    assert texts(root, "n:Request/n:Order/n:OrderID/text()") == ["MZ6HK3"]
    assert root.find("n:Request/n:PaymentFunctions", NSMAP) is not None


def test_price_retrieve_and_cancel_name_what_they_act_on() -> None:
    price = parsed(messages.offer_price("OFFER-1", owner_code="VS"))
    retrieve = parsed(messages.order_retrieve("ord_42"))
    cancel = parsed(messages.order_cancel("MZ6HK3", owner_code="VS"))

    assert texts(price, "//n:SelectedOffer/n:OfferRefID/text()") == ["OFFER-1"]
    assert texts(retrieve, "n:Request/n:OrderFilterCriteria/n:BookingRef/n:BookingID/text()") == [
        "ord_42"
    ]
    assert texts(cancel, "n:Request/n:Order/n:OrderID/text()") == ["MZ6HK3"]
