"""Building NDC 21.3 requests: the documents the simulated airline (and a real one) reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from connectors.model import FlightQuery, HoldPassenger, Passengers, SliceQuery
from connectors.ndc import messages, schemas, seats
from tests.support.ndc_exchanges import schema_folder

NSMAP = {"n": messages.NS, "c": messages.CNS}
PACKED = messages.SelectedOffer("OFFER-1", ["OFFER-1-1"], ["PAX1", "PAX2"]).pack()
PASSENGERS = [
    HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 2), "f"),
    HoldPassenger("infant", "Byron", "Lovelace", dt.date(2026, 1, 1), "m"),
]
# Two adults and an infant on the second adult's lap.
LAP_PACKED = messages.SelectedOffer("OFFER-2", ["OFFER-2-1"], ["PAX1", "PAX2", "PAX3"]).pack()
LAP_PASSENGERS = [
    HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 2), "f"),
    HoldPassenger("adult", "Charles", "Babbage", dt.date(1988, 1, 2), "m", lap_infant=2),
    HoldPassenger("infant", "Byron", "Babbage", dt.date(2026, 1, 1), "m"),
]
QUERY = FlightQuery(
    slices=(
        SliceQuery("LHR", "JFK", dt.date(2026, 12, 24)),
        SliceQuery("JFK", "LHR", dt.date(2026, 12, 31)),
    ),
    passengers=Passengers(adults=2, children=1, infants=1),
    cabin_class="business",
    max_connections=0,
    currency="GBP",
)
# Every request the connector builds, as it builds them.
REQUESTS = {
    "shop": lambda: messages.air_shopping(QUERY, carrier="VS"),
    "price": lambda: messages.offer_price(PACKED, owner_code="VS"),
    "create": lambda: messages.order_create(
        PACKED, PASSENGERS, reference="ord_42", owner_code="VS"
    ),
    "create with a lap": lambda: messages.order_create(
        LAP_PACKED, LAP_PASSENGERS, reference="ord_43", owner_code="VS"
    ),
    "retrieve": lambda: messages.order_retrieve("ord_42", owner_code="VS"),
    "retrieve by id": lambda: messages.order_retrieve_by_id("MZ6HK3", owner_code="VS"),
    "ticket": lambda: messages.order_change_issue_tickets(
        "MZ6HK3", owner_code="VS", amount=Decimal("123.40"), currency="GBP"
    ),
    "cancel quote": lambda: messages.order_reshop_cancel("MZ6HK3", owner_code="VS"),
    "cancel": lambda: messages.order_change_accept_cancel("MZ6HK3", "CXL-1", owner_code="VS"),
    "offer seats": lambda: seats.offer_seat_availability(PACKED, owner_code="VS"),
    "order seats": lambda: seats.order_seat_availability("MZ6HK3", owner_code="VS"),
}


def parsed(payload: bytes) -> etree._Element:
    return etree.fromstring(payload)


def texts(root: etree._Element, xpath: str) -> list[str]:
    return [str(v) for v in root.xpath(xpath, namespaces=NSMAP)]


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_every_request_is_valid_against_its_ndc_21_3_schema(name: str) -> None:
    root = parsed(REQUESTS[name]())

    assert schemas.problems(root, schema_folder()) == []


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_every_request_names_the_distribution_chain_and_the_version(name: str) -> None:
    root = parsed(REQUESTS[name]())

    link = "n:DistributionChain/c:DistributionChainLink"
    assert texts(root, f"{link}/c:OrgRole/text()") == ["Seller", "Carrier"]
    assert texts(root, f"{link}/c:ParticipatingOrg/c:OrgID/text()") == ["SKYFARE", "VS"]
    assert texts(root, "n:PayloadAttributes/c:VersionNumber/text()") == ["21.3"]


def test_air_shopping_has_one_origin_destination_per_slice_and_one_pax_per_traveller() -> None:
    root = parsed(messages.air_shopping(QUERY, carrier="VS"))

    assert etree.QName(root).localname == "IATA_AirShoppingRQ"
    od = "n:Request/c:FlightRequest/c:FlightRequestOriginDestinationsCriteria/c:OriginDestCriteria"
    assert texts(root, f"{od}/c:OriginDepCriteria/c:IATA_LocationCode/text()") == ["LHR", "JFK"]
    assert texts(root, f"{od}/c:DestArrivalCriteria/c:IATA_LocationCode/text()") == ["JFK", "LHR"]
    assert texts(root, f"{od}/c:OriginDepCriteria/c:Date/text()") == ["2026-12-24", "2026-12-31"]
    assert texts(root, f"{od}/c:CabinType/c:CabinTypeCode/text()") == ["C", "C"]
    assert texts(root, "n:Request/c:PaxList/c:Pax/c:PTC/text()") == ["ADT", "ADT", "CHD", "INF"]
    assert texts(root, "n:Request/c:FlightRelatedCriteria//c:MaximumConnectionQty/text()") == ["0"]
    assert texts(root, "n:Request/c:ResponseParameters/c:CurParameter/c:CurCode/text()") == ["GBP"]


def test_order_create_carries_the_offer_our_reference_and_each_passenger() -> None:
    root = parsed(messages.order_create(PACKED, PASSENGERS, reference="ord_42", owner_code="VS"))

    selected = "n:Request/c:CreateOrder/c:AcceptSelectedQuotedOfferList/c:SelectedPricedOffer"
    assert texts(root, f"{selected}/c:OfferRefID/text()") == ["OFFER-1"]
    assert texts(root, f"{selected}/c:SelectedOfferItem/c:OfferItemRefID/text()") == ["OFFER-1-1"]
    assert texts(root, f"{selected}/c:SelectedOfferItem/c:PaxRefID/text()") == ["PAX1", "PAX2"]
    assert texts(root, "n:Request/c:BookingRef/c:BookingID/text()") == ["ord_42"]
    assert texts(root, "n:Request/c:BookingRef//c:OrgID/text()") == ["SKYFARE"]
    pax = "n:Request/c:DataLists/c:PaxList/c:Pax"
    assert texts(root, f"{pax}/c:PaxID/text()") == ["PAX1", "PAX2"]  # the airline's own ids
    assert texts(root, f"{pax}/c:PTC/text()") == ["ADT", "INF"]
    assert texts(root, f"{pax}/c:Birthdate/text()") == ["1990-01-02", "2026-01-01"]
    assert texts(root, f"{pax}/c:Individual/c:GenderCode/text()") == ["F", "M"]
    assert texts(root, f"{pax}/c:Individual/c:Surname/text()") == ["Lovelace", "Lovelace"]


def test_order_change_pays_the_order_amount_by_settlement_plan_to_ticket_it() -> None:
    root = parsed(REQUESTS["ticket"]())

    assert etree.QName(root).localname == "IATA_OrderChangeRQ"
    assert texts(root, "n:Request/c:Order/c:OrderID/text()") == ["MZ6HK3"]
    details = "n:Request/c:PaymentFunctions/c:PaymentProcessingDetails"
    assert texts(root, f"{details}/c:Amount/text()") == ["123.40"]
    assert texts(root, f"{details}/c:Amount/@CurCode") == ["GBP"]
    assert root.find(f"{details}/c:PaymentMethod/c:SettlementPlan", NSMAP) is not None


def test_price_retrieve_and_cancel_name_what_they_act_on() -> None:
    price = parsed(REQUESTS["price"]())
    retrieve = parsed(REQUESTS["retrieve"]())
    by_id = parsed(REQUESTS["retrieve by id"]())
    quote = parsed(REQUESTS["cancel quote"]())
    cancel = parsed(REQUESTS["cancel"]())

    assert texts(price, "//c:SelectedOffer/c:OfferRefID/text()") == ["OFFER-1"]
    criteria = "n:Request/c:OrderValidationFilterCriteria"
    assert texts(retrieve, f"{criteria}/c:BookingRefFilterCriteria/c:BookingID/text()") == [
        "ord_42"
    ]
    assert texts(by_id, f"{criteria}/c:OrderFilterCriteria/c:OrderID/text()") == ["MZ6HK3"]
    assert texts(quote, "n:Request/c:UpdateOrder/c:CancelOrderRef/c:OrderRefID/text()") == [
        "MZ6HK3"
    ]
    accepted = "n:Request/c:ChangeOrderChoice/c:AcceptCancelledOffer"
    assert texts(cancel, f"{accepted}/c:OfferID/text()") == ["CXL-1"]
    assert texts(cancel, "n:Request/c:Order/c:OrderID/text()") == ["MZ6HK3"]


def test_a_selection_packs_into_one_printable_id_and_back() -> None:
    selected = messages.SelectedOffer("OFF-9", ["I1", "I2"], ["PAX1", "PAX2", "PAX3"])

    back = messages.SelectedOffer.unpack(selected.pack())

    assert selected.pack().isprintable()
    assert (back.offer_id, back.item_ids, back.pax_ids) == (
        "OFF-9",
        ("I1", "I2"),
        ("PAX1", "PAX2", "PAX3"),
    )


def test_seat_availability_names_the_offer_or_the_order() -> None:
    offer = parsed(REQUESTS["offer seats"]())
    order = parsed(REQUESTS["order seats"]())

    core = "n:Request/c:SeatAvailibilityCoreRequest"
    assert texts(offer, f"{core}/c:OfferRequest/c:Offer/c:OfferID/text()") == ["OFFER-1"]
    assert texts(order, f"{core}/c:OrderRequest/c:Order/c:OrderID/text()") == ["MZ6HK3"]


def test_order_create_names_the_adult_an_infant_flies_on_in_the_infants_pax() -> None:
    root = parsed(
        messages.order_create(LAP_PACKED, LAP_PASSENGERS, reference="ord_43", owner_code="VS")
    )

    pax = "n:Request/c:DataLists/c:PaxList/c:Pax"
    assert texts(root, f"{pax}[c:PTC='INF']/c:PaxRefID/text()") == ["PAX2"]
    assert texts(root, f"{pax}[c:PTC='ADT']/c:PaxRefID/text()") == []
    # Without a lap named (an older order), no Pax carries one.
    plain = parsed(messages.order_create(PACKED, PASSENGERS, reference="ord_42", owner_code="VS"))
    assert texts(plain, f"{pax}/c:PaxRefID/text()") == []
