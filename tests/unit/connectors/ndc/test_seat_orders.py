"""NDC 21.3 seat selection, pure: the seat offer read from an order's SeatAvailabilityRS, the
OrderChangeRQ accepting seats of it (valid against IATA's schema), the seats read back from the
OrderViewRS, and the airline's refusals. Samples recorded by record_samples.py: an adult and a
child on LHR-JFK, who got seats 17A and 17K."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from connectors import errors
from connectors.ndc import schemas
from connectors.ndc.mapping import raise_for_errors
from connectors.ndc.messages import CNS, NS
from connectors.ndc.seat_orders import order_change_seats, seat_offer, to_selections
from connectors.seat_model import SeatSelection
from tests.support.ndc_exchanges import schema_folder

SAMPLES = Path(__file__).parent / "samples"
NSMAP = {"n": NS, "c": CNS}
CHOSEN = (SeatSelection(0, 0, "17A"), SeatSelection(0, 1, "17K"))


def _root(name: str) -> etree._Element:
    return etree.fromstring((SAMPLES / name).read_bytes())


OFFER = seat_offer(_root("seat_availability_order_rs.xml"), airline="ndc-crimson")


def _request(*selections: SeatSelection) -> etree._Element:
    payload = order_change_seats(
        "EPUARD", OFFER, selections, owner_code="VS", airline="ndc-crimson"
    )
    return etree.fromstring(payload)


def test_the_seat_offer_names_passengers_segments_and_the_items_pricing_each_seat() -> None:
    assert OFFER.offer_id == "SEATS-VS"
    assert OFFER.pax_ids == ("PAX1", "PAX2")
    assert OFFER.segment_ids == ("SEG1",)
    status, items = OFFER.seats[0]["17A"]
    assert status == "F"
    assert [OFFER.eligible[i] for i in items] == [frozenset({"PAX1"}), frozenset({"PAX2"})]


def test_the_order_change_accepts_one_item_per_seat_and_is_valid_ndc_21_3() -> None:
    root = _request(*CHOSEN)

    assert schemas.problems(root, schema_folder()) == []
    offer = "n:Request/c:ChangeOrderChoice/c:AcceptSelectedQuotedOfferList/c:SelectedPricedOffer"
    assert root.xpath(f"{offer}/c:OfferRefID/text()", namespaces=NSMAP) == ["SEATS-VS"]
    items = root.xpath(f"{offer}/c:SelectedOfferItem", namespaces=NSMAP)
    assert [i.xpath("c:PaxRefID/text()", namespaces=NSMAP) for i in items] == [["PAX1"], ["PAX2"]]
    assert [
        i.xpath("c:SelectedSeat/c:SeatRowNumber/text()", namespaces=NSMAP)
        + i.xpath("c:SelectedSeat/c:ColumnID/text()", namespaces=NSMAP)
        for i in items
    ] == [["17", "A"], ["17", "K"]]
    # Each item is the one the airline offered that seat to that passenger with.
    for item, selection in zip(items, CHOSEN, strict=True):
        (item_id,) = item.xpath("c:OfferItemRefID/text()", namespaces=NSMAP)
        assert item_id in OFFER.seats[0][selection.designator][1]
        assert OFFER.pax_ids[selection.passenger] in OFFER.eligible[item_id]
    assert root.xpath("n:Request/c:Order/c:OrderID/text()", namespaces=NSMAP) == ["EPUARD"]


def test_a_seat_the_map_shows_taken_or_lacks_is_refused_before_asking() -> None:
    taken = next(d for d, (status, _) in OFFER.seats[0].items() if status != "F")

    with pytest.raises(errors.SeatUnavailable, match=taken):
        _request(SeatSelection(0, 0, taken))
    with pytest.raises(errors.InvalidRequest, match="99Z"):
        _request(SeatSelection(0, 0, "99Z"))
    with pytest.raises(errors.InvalidRequest):
        _request(SeatSelection(1, 0, "17A"))  # the order has one leg


def test_the_order_view_lists_every_seat_the_order_holds() -> None:
    root = _root("order_view_seats_rs.xml")

    assert schemas.problems(root, schema_folder()) == []
    assert to_selections(root, OFFER, airline="ndc-crimson") == CHOSEN


@pytest.mark.parametrize(
    ("sample", "error", "rule"),
    [
        ("error_seat_unavailable_rs.xml", errors.SeatUnavailable, None),
        ("error_seat_restricted_rs.xml", errors.SeatRestricted, "exit_row_child"),
    ],
)
def test_the_airlines_seat_refusals_are_the_connectors_seat_errors(
    sample: str, error: type[errors.SupplierRejected], rule: str | None
) -> None:
    root = _root(sample)
    assert schemas.problems(root, schema_folder()) == []

    with pytest.raises(error) as refused:
        raise_for_errors(root, airline="ndc-crimson")

    if rule is not None:
        assert isinstance(refused.value, errors.SeatRestricted)
        assert refused.value.rule == rule
