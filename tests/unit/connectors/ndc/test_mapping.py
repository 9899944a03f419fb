"""NDC answers → domain, against payloads recorded from the simulated NDC airline (samples/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connectors import errors, offer_ids
from connectors.model import BaggageAllowance, Owner, Passengers
from connectors.ndc import mapping, schemas
from connectors.ndc.messages import SelectedOffer
from tests.support.ndc_exchanges import schema_folder

SAMPLES = Path(__file__).parent / "samples"
CRIMSON = Owner("VS", "Crimson Atlantic")
SOURCE = "ndc-crimson"


def sample(name: str) -> etree._Element:
    return mapping.parse((SAMPLES / name).read_bytes(), airline=SOURCE)


def test_round_trip_offer_maps_prices_times_durations_and_passengers() -> None:
    [offer] = mapping.to_offers(
        sample("air_shopping_round_trip_rs.xml"), source=SOURCE, owner=CRIMSON
    )

    source, packed = offer_ids.decode(offer.id)
    selected = SelectedOffer.unpack(packed)
    assert source == SOURCE
    assert selected.offer_id.startswith("mJKRk6JWU6M")
    # What OfferPrice and OrderCreate must name back: the offer's items and the airline's paxs.
    assert selected.item_ids == ("mJKRk6JWU6Mx-1",)
    assert selected.pax_ids == ("PAX1", "PAX2", "PAX3", "PAX4")
    assert (offer.total_amount, offer.base_amount, offer.tax_amount) == (
        Decimal("3453.16"),
        Decimal("3007.00"),
        Decimal("446.16"),
    )
    assert offer.total_currency == "GBP"
    assert offer.expires_at == dt.datetime(2026, 11, 24, 12, 30, tzinfo=dt.UTC)
    assert offer.owner == CRIMSON
    assert offer.passengers == Passengers(adults=2, children=1, infants=1)
    assert offer.seats_remaining == 62
    assert (offer.conditions.refundable, offer.conditions.changeable) == (False, False)
    outbound, inbound = offer.slices
    assert (outbound.origin, outbound.destination, outbound.duration) == ("LHR", "JFK", "PT7H45M")
    [segment] = outbound.segments
    assert (segment.flight_number, segment.aircraft, segment.cabin_class) == (
        "VS154",
        "789",
        "economy",
    )
    assert segment.departing_at == dt.datetime(2026, 12, 24, 6, 40)  # local, naive
    assert segment.arriving_at == dt.datetime(2026, 12, 24, 9, 25)
    # Overnight east-bound: lands on the next local day, 6h55 elapsed across five time zones.
    assert inbound.segments[0].arriving_at == dt.datetime(2027, 1, 1, 10, 20)
    assert inbound.duration == "PT6H55M"


def test_connection_segments_are_resolved_through_the_journey_list() -> None:
    [offer] = mapping.to_offers(
        sample("air_shopping_connections_rs.xml"), source=SOURCE, owner=CRIMSON
    )

    [journey] = offer.slices
    first, second = journey.segments
    assert (journey.origin, journey.destination) == ("JFK", "DEL")
    assert first.destination == second.origin == "LHR"
    assert {first.cabin_class, second.cabin_class} == {"business"}
    assert (offer.conditions.refundable, offer.conditions.changeable) == (False, True)


def test_an_airline_that_leaves_out_what_21_3_makes_optional_is_still_read() -> None:
    """No AugmentationPoint (seats left), no BaseAmount, no restrictions: defaults, not errors."""
    root = sample("air_shopping_round_trip_rs.xml")
    for optional in root.xpath(
        "//n:AugmentationPoint | //c:TotalPrice/c:BaseAmount | //c:CancelRestrictions",
        namespaces={"n": mapping.NS, "c": mapping.CNS},
    ):
        optional.getparent().remove(optional)

    [offer] = mapping.to_offers(root, source=SOURCE, owner=CRIMSON)

    assert offer.seats_remaining == mapping.DEFAULT_SEATS
    assert offer.base_amount == offer.total_amount - offer.tax_amount == Decimal("3007.00")
    assert not offer.conditions.refundable


def test_a_shopping_answer_without_offers_is_no_offers() -> None:
    assert (
        mapping.to_offers(sample("air_shopping_empty_rs.xml"), source=SOURCE, owner=CRIMSON) == []
    )


def test_offer_price_answer_is_a_priced_offer_flagged_only_with_a_price_changed_warning() -> None:
    same = mapping.to_priced_offer(sample("offer_price_rs.xml"), source=SOURCE, owner=CRIMSON)
    moved = mapping.to_priced_offer(
        sample("offer_price_changed_rs.xml"), source=SOURCE, owner=CRIMSON
    )

    assert not same.price_changed
    assert moved.price_changed
    assert same.total_amount == Decimal("3453.16")


def test_order_views_map_to_holds_through_their_lifecycle() -> None:
    held = mapping.to_hold(sample("order_view_held_rs.xml"), airline=SOURCE)
    ticketed = mapping.to_hold(sample("order_view_ticketed_rs.xml"), airline=SOURCE)
    cancelled = mapping.to_hold(sample("order_cancel_rs.xml"), airline=SOURCE)

    assert (held.locator, held.reference, held.status) == ("MZ6HK3", "ord_sample", "held")
    assert held.payment_required_by == dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    assert (held.total_amount, held.total_currency) == (Decimal("3453.16"), "GBP")
    assert held.ticket_numbers == ()
    assert ticketed.status == "ticketed"
    assert ticketed.ticket_numbers == tuple(f"932-230000000{n}" for n in range(1, 5))
    assert cancelled.status == "cancelled"


def test_a_cancellation_quote_names_the_offer_to_accept() -> None:
    quote = sample("order_reshop_cancel_rs.xml")

    assert mapping.to_cancel_offer(quote, airline=SOURCE) == "CXL-MZ6HK3"
    with pytest.raises(errors.ConnectorUnavailable, match="malformed"):
        mapping.to_cancel_offer(sample("order_view_held_rs.xml"), airline=SOURCE)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("error_offer_expired_rs.xml", errors.OfferExpired),
        ("error_offer_not_found_rs.xml", errors.OfferNotFound),
        ("error_sold_out_rs.xml", errors.SoldOut),
        ("error_order_not_found_rs.xml", errors.HoldNotFound),
    ],
)
def test_ndc_error_codes_become_supplier_rejections(
    name: str, expected: type[errors.SupplierRejected], caplog: pytest.LogCaptureFixture
) -> None:
    root = sample(name)
    code = root.findtext(f"{{{mapping.NS}}}Error/{{{mapping.CNS}}}Code")
    text = root.findtext(f"{{{mapping.NS}}}Error/{{{mapping.CNS}}}DescText")

    with caplog.at_level("INFO", logger="connectors.ndc.reading"), pytest.raises(expected):
        mapping.raise_for_errors(root, airline=SOURCE)

    # The airline's own code and text are in the log, for whoever reads it.
    assert code
    assert text
    assert f"{code}: {text}" in caplog.text


def test_price_changed_error_carries_the_new_total() -> None:
    with pytest.raises(errors.PriceChanged) as raised:
        mapping.raise_for_errors(sample("error_price_changed_rs.xml"), airline=SOURCE)

    assert (raised.value.new_amount, raised.value.currency) == (Decimal("3453.16"), "GBP")


def test_an_answer_without_errors_raises_nothing() -> None:
    mapping.raise_for_errors(sample("order_view_held_rs.xml"), airline=SOURCE)


def test_network_lists_the_carrier_and_its_airports() -> None:
    owner, airports = mapping.to_network(sample("network_rs.xml"), airline=SOURCE)

    assert owner == CRIMSON
    assert {"LHR", "MAN", "JFK", "DEL"} <= airports
    assert "FRA" not in airports


def test_truncated_xml_is_the_connector_being_unavailable() -> None:
    with pytest.raises(errors.ConnectorUnavailable, match="unparseable"):
        sample("malformed_truncated.xml")


def test_well_formed_answer_of_the_wrong_shape_is_the_connector_being_unavailable() -> None:
    with pytest.raises(errors.ConnectorUnavailable, match="malformed"):
        mapping.to_offers(sample("unexpected_shape_rs.xml"), source=SOURCE, owner=CRIMSON)
    with pytest.raises(errors.ConnectorUnavailable, match="malformed"):
        mapping.to_hold(sample("air_shopping_empty_rs.xml"), airline=SOURCE)


def test_entities_are_neither_expanded_nor_fetched() -> None:
    owner, _ = mapping.to_network(sample("entity_expansion.xml"), airline=SOURCE)

    assert "root" not in owner.iata_code
    assert "lol" not in owner.name


NOT_NDC = {"network_rs.xml", "unexpected_shape_rs.xml"}  # ours, and a deliberately wrong one


@pytest.mark.parametrize(
    "name", sorted(p.name for p in SAMPLES.glob("*_rs.xml") if p.name not in NOT_NDC)
)
def test_every_recorded_answer_is_valid_ndc_21_3(name: str) -> None:
    assert schemas.problems(sample(name), schema_folder()) == []


def test_baggage_allowances_reach_every_segment_they_are_associated_with() -> None:
    [offer] = mapping.to_offers(
        sample("air_shopping_round_trip_rs.xml"), source=SOURCE, owner=CRIMSON
    )
    included = (
        BaggageAllowance("checked", 1, max_weight_kg=23),
        BaggageAllowance("carry_on", 1),
    )
    assert [s.baggages for sl in offer.slices for s in sl.segments] == [included, included]


def test_baggage_weight_in_pounds_is_read_as_whole_kilograms_rounded_down() -> None:
    root = sample("offer_price_rs.xml")
    for weight in root.iter(f"{{{mapping.CNS}}}WeightAllowance"):
        weight[0].text, weight[1].text = "50", "LBR"
    priced = mapping.to_priced_offer(root, source=SOURCE, owner=CRIMSON)
    checked = priced.slices[0].segments[0].baggages[0]  # type: ignore[index]
    assert (checked.type, checked.max_weight_kg) == ("checked", 22)


def test_segments_of_an_offer_without_baggage_associations_have_baggage_unknown() -> None:
    root = sample("offer_price_rs.xml")
    for association in list(root.iter(f"{{{mapping.CNS}}}BaggageAssociations")):
        association.getparent().remove(association)  # type: ignore[union-attr]
    priced = mapping.to_priced_offer(root, source=SOURCE, owner=CRIMSON)
    assert all(s.baggages is None for sl in priced.slices for s in sl.segments)


def test_a_zero_piece_allowance_includes_nothing_of_that_kind() -> None:
    root = sample("offer_price_rs.xml")
    for quantity in root.iter(f"{{{mapping.CNS}}}TotalQty"):
        quantity.text = "0"
    priced = mapping.to_priced_offer(root, source=SOURCE, owner=CRIMSON)
    assert all(s.baggages == () for sl in priced.slices for s in sl.segments)


def test_baggage_associated_by_journey_or_with_no_flights_covers_their_segments() -> None:
    root = sample("offer_price_rs.xml")
    checked, carry_on = root.iter(f"{{{mapping.CNS}}}BaggageAssociations")
    flights = checked.find(f"{{{mapping.CNS}}}OfferFlightAssociations")
    assert flights is not None
    flights.clear()  # the checked bag by journey: PaxJourneyRef/PaxJourneyRefID PJ1
    journey = etree.SubElement(flights, f"{{{mapping.CNS}}}PaxJourneyRef")
    etree.SubElement(journey, f"{{{mapping.CNS}}}PaxJourneyRefID").text = "PJ1"
    carry_on.remove(carry_on.find(f"{{{mapping.CNS}}}OfferFlightAssociations"))  # every flight
    priced = mapping.to_priced_offer(root, source=SOURCE, owner=CRIMSON)
    outbound, inbound = (sl.segments[0].baggages for sl in priced.slices)
    assert outbound == (
        BaggageAllowance("checked", 1, max_weight_kg=23),
        BaggageAllowance("carry_on", 1),
    )
    assert inbound == (BaggageAllowance("carry_on", 1),)
