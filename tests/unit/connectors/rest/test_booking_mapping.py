"""The REST hold body: the adult holding an infant names it (`lap_infant`, sim/REST_API.md)."""

from __future__ import annotations

import datetime as dt

import msgspec

from connectors.model import HoldPassenger
from connectors.rest.mapping import to_booking_request


def test_the_adult_names_the_infant_on_their_lap_by_its_index_and_no_one_else_says_anything() -> (
    None
):
    passengers = [
        HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),
        HoldPassenger("adult", "Charles", "Babbage", dt.date(1988, 1, 1), "m", lap_infant=2),
        HoldPassenger("infant", "Tim", "Babbage", dt.date(2026, 6, 1), "m"),
    ]

    body = msgspec.json.decode(
        msgspec.json.encode(to_booking_request("fare-1", passengers, reference="ord_1"))
    )

    assert [p.get("lap_infant") for p in body["passengers"]] == [None, 2, None]
    assert ["lap_infant" in p for p in body["passengers"]] == [False, True, False]
