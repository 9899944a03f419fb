"""Seat choices on an order: the body's checks and when an order may change seats (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from booking.model import Order, OrderSeat, Passenger, PaymentMethod, SeatService
from booking.seat_history import seat_notes, seat_reason
from booking.seat_pricing import selections_of
from booking.seats import (
    ChooseSeatsRequest,
    OrderSeatDesk,
    _difference,
    parse_choose_seats,
)
from connectors.model import Segment, Slice
from connectors.seat_model import segment_id_of
from kernel.errors import Conflict, ValidationFailed
from tests.support.orders import stored_order

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
        "booking_reference": "ABC123",
        "status": "held",
        "connector": "rest-britannia",
        "airline_locator": "LOC123",
        "total_amount": Decimal("100.00"),
        "slices": (Slice("LHR", "JFK", "PT8H", (segment,)),),
        "passengers": (
            Passenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),
            Passenger("infant", "Tim", "Lovelace", dt.date(2029, 6, 1), "m"),
        ),
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return stored_order(**values)


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
    ok = {"type": "seat", "segment_id": "s", "passenger_id": "pas_1", "designator": "1a"}
    assert parse_choose_seats({"services": [ok]}) == ChooseSeatsRequest(
        (SeatService("seat", "s", "pas_1", "1A"),)
    )
    paid = parse_choose_seats({"services": [ok], "payment": {"card_token": "tok_visa"}})
    assert paid.payment == PaymentMethod("tok_visa")


def test_a_bad_designator_or_passenger_id_or_card_is_named() -> None:
    bad = {"type": "seat", "segment_id": "s", "passenger_id": "p1", "designator": "C14"}
    with pytest.raises(ValidationFailed) as failed:
        parse_choose_seats({"services": [bad], "payment": {"card": "x"}})
    assert [e.field for e in failed.value.errors] == [
        "services[0].passenger_id",
        "services[0].designator",
        "payment.card",
        "payment.card_token",
    ]


@pytest.mark.parametrize(
    ("order", "allowed"),
    [
        (_order(), True),
        (_order(payment_status="failed"), True),
        (_order(status="confirmed", payment_status="paid"), True),
        (_order(status="cancelled", payment_status="refunded"), False),
        (_order(payment_status="processing"), False),
        # Local 40 h away may be 26 h in UTC: still allowed; 37 h may be 23 h: refused.
        (_order(dt.datetime(2030, 3, 3, 4, 0)), True),
        (_order(dt.datetime(2030, 3, 3, 1, 0)), False),
    ],
)
def test_only_a_held_or_confirmed_order_well_before_departure_changes_seats(
    order: Order, allowed: bool
) -> None:
    if allowed:
        _desk()._check_changeable(order)
    else:
        with pytest.raises((Conflict, ValidationFailed)):
            _desk()._check_changeable(order)


def test_within_24_hours_the_refusal_is_a_422_naming_the_rule() -> None:
    order = _order(dt.datetime(2030, 3, 2, 20, 0), status="confirmed", payment_status="paid")
    with pytest.raises(ValidationFailed) as failed:
        _desk()._check_changeable(order)
    assert failed.value.errors[0].message.startswith("change_cutoff_24h")
    assert "change_cutoff_24h" in failed.value.detail
    assert failed.value.extensions == {"rule": "change_cutoff_24h"}  # for clients to word


def test_a_change_costs_what_it_adds_net_and_a_cheaper_seat_refunds_nothing() -> None:
    segment = segment_id_of(SEGMENT)
    held = (OrderSeat(segment, "pas_1", "3A", Decimal("30.00"), "USD"),)
    order = _order(seats=held)
    swap = [OrderSeat(segment, "pas_1", "14C", Decimal("0.00"), "USD")]
    assert _difference(order, swap) == 0
    assert _difference(order, swap, net=True) == Decimal("-30.00")
    dearer = [OrderSeat(segment, "pas_1", "1A", Decimal("45.00"), "USD")]
    assert _difference(order, dearer) == Decimal("15.00")
    fresh = [OrderSeat("seg_other", "pas_1", "1A", Decimal("12.00"), "USD")]
    assert _difference(_order(), fresh) == Decimal("12.00")


def _reason(order: Order, seats: list[OrderSeat]) -> str:
    return seat_reason(order, seats, seat_notes(order, seats))


def test_seats_where_the_order_had_none_are_chosen_and_replacing_one_a_change() -> None:
    # The history titles the first "Seats chosen", a replacement "Seats changed" (by the codes
    # PostgreSQL derives from these shapes: booking/sql/0150).
    segment = segment_id_of(SEGMENT)
    two = (
        Passenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),
        Passenger("adult", "Charles", "Babbage", dt.date(1991, 12, 26), "m"),
    )
    fresh = _order(passengers=two)
    at_booking = _order(
        passengers=two, seats=(OrderSeat(segment, "pas_1", "3A", Decimal(30), "USD"),)
    )
    ada = OrderSeat(segment, "pas_1", "14C", Decimal(0), "USD")
    again = OrderSeat(segment, "pas_1", "3A", Decimal(30), "USD")
    charles = OrderSeat(segment, "pas_2", "3B", Decimal(0), "USD")
    back = OrderSeat("seg_back", "pas_1", "9F", Decimal(0), "USD")

    assert _reason(fresh, [ada]) == "seats chosen: 14C (Ada Lovelace)"
    assert _reason(at_booking, [ada]) == "seats 14C (Ada Lovelace)"
    # A seat asked again as held replaces nothing; a seat on another flight has none to replace.
    assert (
        _reason(at_booking, [again, charles])
        == "seats chosen: 3A (Ada Lovelace), 3B (Charles Babbage)"
    )
    assert _reason(at_booking, [again, ada]) == "seats 3A (Ada Lovelace), 14C (Ada Lovelace)"
    # One request doing both says which seat was which (it read "seats …" as a whole: a change).
    assert _reason(at_booking, [ada, charles, back]) == (
        "seats chosen and changed: 14C (Ada Lovelace) in place of 3A, 3B (Charles Babbage) chosen,"
        " 9F (Ada Lovelace) chosen"
    )


def test_services_must_name_the_orders_segments_and_seated_passengers() -> None:
    order = _order()
    segment = segment_id_of(order.slices[0].segments[0])
    types = [p.type for p in order.passengers]
    good = SeatService("seat", segment, "pas_1", "14c")
    assert [s.designator for s in selections_of(order.slices, types, [good])] == ["14C"]
    with pytest.raises(ValidationFailed) as failed:
        selections_of(
            order.slices,
            types,
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


def test_one_seat_asked_for_two_passengers_is_named_before_the_airline_is_asked() -> None:
    order = _order(passengers=(_order().passengers[0],) * 2)
    segment = segment_id_of(order.slices[0].segments[0])
    types = [p.type for p in order.passengers]
    with pytest.raises(ValidationFailed) as failed:
        selections_of(
            order.slices,
            types,
            [
                SeatService("seat", segment, "pas_1", "14c"),
                SeatService("seat", segment, "pas_2", "14C"),
            ],
        )
    assert [e.field for e in failed.value.errors] == ["services[1].designator"]


def test_a_seat_field_or_card_sent_wrong_is_not_called_missing() -> None:
    # "required" tells a client it left the field out; one it sent wrong must read "must be".
    seat = {"type": "seat", "segment_id": 7, "passenger_id": "pas_1"}
    with pytest.raises(ValidationFailed) as failed:
        parse_choose_seats(
            {"services": [seat, "1A"], "payment": {"card_token": 42, "amount": "1.00"}}
        )
    assert {e.field: e.message for e in failed.value.errors} == {
        "services[0].segment_id": "must be a string",
        "services[0].designator": "required: a string",
        "services[1]": "must be an object",
        "payment.card_token": "must be a card token",
        "payment.amount": "unknown field",
    }
