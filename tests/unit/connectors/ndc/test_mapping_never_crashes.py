"""A well-formed answer the schemas would refuse is the airline's error, never a crash.

Each recorded 21.3 answer is mapped once with each of its elements removed, and once with each
element's text replaced by garbage: the mapping reads it or raises `ConnectorUnavailable`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from connectors import errors
from connectors.model import Owner
from connectors.ndc import mapping, seat_orders

SAMPLES = Path(__file__).parent / "samples"
OWNER = Owner("VS", "Crimson Atlantic")
SEAT_OFFER = seat_orders.seat_offer(
    mapping.parse((SAMPLES / "seat_availability_order_rs.xml").read_bytes(), airline="x"),
    airline="x",
)
MAPPINGS: dict[str, Callable[[etree._Element], Any]] = {
    "air_shopping_connections_rs.xml": lambda r: mapping.to_offers(r, source="x", owner=OWNER),
    "offer_price_changed_rs.xml": lambda r: mapping.to_priced_offer(r, source="x", owner=OWNER),
    "order_view_ticketed_rs.xml": lambda r: mapping.to_hold(r, airline="x"),
    "order_reshop_cancel_rs.xml": lambda r: mapping.to_cancel_offer(r, airline="x"),
    "error_price_changed_rs.xml": lambda r: mapping.raise_for_errors(r, airline="x"),
    "order_view_seats_rs.xml": lambda r: seat_orders.to_selections(r, SEAT_OFFER, airline="x"),
}


def variants(root: etree._Element) -> list[etree._Element]:
    """The answer without each of its elements, and with each one's text made garbage."""
    found = []
    for index in range(sum(1 for _ in root.iter()) - 1):
        for change in ("remove", "garble"):
            variant = copy.deepcopy(root)
            element = list(variant.iter())[index + 1]
            if change == "remove":
                parent = element.getparent()
                assert parent is not None
                parent.remove(element)
            elif element.text is not None and element.text.strip():
                element.text = "\u00e9?"
            else:
                continue
            found.append(variant)
    return found


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_every_broken_variant_is_read_or_the_connector_being_unavailable(name: str) -> None:
    read = MAPPINGS[name]
    root = mapping.parse((SAMPLES / name).read_bytes(), airline="x")
    outcomes = {"read": 0, "unavailable": 0, "rejected": 0}

    for variant in variants(root):
        try:
            read(variant)
        except errors.ConnectorUnavailable:
            outcomes["unavailable"] += 1
        except errors.SupplierRejected:  # an Error answer still is one
            outcomes["rejected"] += 1
        else:
            outcomes["read"] += 1

    # Both outcomes happen: optional parts go missing quietly, required ones do not.
    assert outcomes["unavailable"] > 0
    assert outcomes["read"] + outcomes["rejected"] > 0
