"""Reading the API's seat maps in tests: the seat elements, and the ones a passenger may buy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def seat_elements(seat_map: dict[str, Any]) -> list[dict[str, Any]]:
    """Every seat element of one segment's map, row by row."""
    return [
        e
        for c in seat_map["cabins"]
        for r in c["rows"]
        for s in r["sections"]
        for e in s["elements"]
        if e["type"] == "seat"
    ]


def price_of(element: dict[str, Any], passenger_id: str = "pas_1") -> Decimal | None:
    """What `passenger_id` pays for the seat; None when they may not buy it."""
    for service in element.get("available_services", ()):
        if service["passenger_id"] == passenger_id:
            return Decimal(service["total_amount"])
    return None
