"""Seat choices on an order: the body's checks and when an order may change seats (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from booking.model import Order, Passenger
from booking.seats import OrderSeatDesk, SeatService, parse_choose_seats
from connectors.model import Segment, Slice
from connectors.seat_model import segment_id_of
from kernel.errors import Conflict, ValidationFailed

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
SEGMENT = Segment(
    "BA",
    "BA117",
    "LHR",
    "JFK",
    dt.datetime(2030, 3, 10, 9),
    dt.datetime(2030, 3, 10, 12),
    "777",
    "economy",
)


def _order(departs: dt.datetime = SEGMENT.departing_at, **fields: Any) -> Order:
    segment = Segment(
        "BA", "BA117", "LHR", "JFK", departs, departs + dt.timedelta(hours=8), "777", "economy"
    )
    values: dict[str, Any] = {
        "id": "ord_" + "0" * 24,
        "owner": "alice",
        "booking_reference": "ABC123",
        "type": "hold",
        "status": "held",
        "payment_status": "unpaid",
        "offer_id": "off_x",
        "connector": "rest-britannia",
        "airline_locator": "LOC123",
        "total_amount": Decimal("100.00"),
        "total_currency": "USD",
        "payment_required_by": None,
        "slices": (Slice("LHR", "JFK", "PT8H", (segment,)),),
        "passengers": (
            Passenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),
            Passenger("infant", "Tim", "Lovelace", dt.date(2029, 6, 1), "m"),
        ),
        "ticket_numbers": (),
        "failure_reason": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Order(**values)


def _desk() -> OrderSeatDesk:
    unused: Any = None
    return OrderSeatDesk(unused, unused, {}, timeout_s=1.0, clock=lambda: NOW)


def test_a_body_names_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_choose_seats(
            {"services": [{"type": "bag", "segment_id": "s", "passenger_id": 1, "x": 1}], "y": 2}
        )
    fields = [e.field for e in failed.value.errors]
    assert fields == [
        "y",
        "services[0].passenger_id",
        "services[0].designator",
        "services[0].x",
        "services[0].type",
    ]
    with pytest.raises(ValidationFailed):
        parse_choose_seats({"services": []})
    ok = {"type": "seat", "segment_id": "s", "passenger_id": "pas_1", "designator": "1A"}
    assert parse_choose_seats({"services": [ok]}) == [SeatService("seat", "s", "pas_1", "1A")]


@pytest.mark.parametrize(
    ("order", "allowed"),
    [
        (_order(), True),
        (_order(status="confirmed", payment_status="paid"), False),
        (_order(payment_status="processing"), False),
        # Local 40 h away may be 26 h in UTC: still allowed; 37 h may be 23 h: refused.
        (_order(dt.datetime(2030, 3, 3, 4, 0)), True),
        (_order(dt.datetime(2030, 3, 3, 1, 0)), False),
    ],
)
def test_only_a_held_unpaid_order_well_before_departure_changes_seats(
    order: Order, allowed: bool
) -> None:
    if allowed:
        _desk()._check_changeable(order)
    else:
        with pytest.raises(Conflict):
            _desk()._check_changeable(order)


def test_services_must_name_the_orders_segments_and_seated_passengers() -> None:
    order = _order()
    segment = segment_id_of(order.slices[0].segments[0])
    good = SeatService("seat", segment, "pas_1", "14c")
    assert [s.designator for s in _desk()._selections(order, [good])] == ["14C"]
    with pytest.raises(ValidationFailed) as failed:
        _desk()._selections(
            order,
            [
                SeatService("seat", "seg_other", "pas_1", "1A"),
                SeatService("seat", segment, "pas_2", "1A"),  # the infant
                SeatService("seat", segment, "pas_7", "1A"),
            ],
        )
    assert [e.field for e in failed.value.errors] == [
        "services[0].segment_id",
        "services[1].passenger_id",
        "services[2].passenger_id",
    ]
