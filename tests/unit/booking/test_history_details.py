"""A history step as its writer builds it (booking/history_details.py): its reason and its details
from the same values, the details stored with the step. They are the fields a client got when
they were read back from the reason (booking/history_reasons.py), so the web app words a step
written since as one written before; and unlike those, nothing in a name or a sentence can
split them wrongly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from booking.amendments import corrected
from booking.change_terms import changed_flight, summary
from booking.history_details import (
    NOTE_MAX,
    HistoryAmount,
    HistoryDetails,
    HistoryName,
    HistorySeat,
    HistoryStep,
    details_json,
    noted,
    stored_details,
)
from booking.history_reasons import read_details
from booking.model import OrderSeat
from booking.seat_history import seat_details, seat_notes, seat_reason
from connectors.model import Segment, Slice
from connectors.seat_model import segment_id_of
from payment.ledger import NOTHING as NONE
from payment.refund_steps import (
    nothing_to_refund,
    refund_owed,
    refund_retrying,
    refunded,
    refunded_given,
)
from tests.unit.booking.test_history_reasons import TWO
from tests.unit.booking.test_order_seats import SEGMENT, _order

PARTS = [("och_0123", Decimal("80.00")), ("pay_9af5", Decimal("9.28")), ("sch_77", Decimal("3"))]
# A cancellation's parts, with what the gateway's dashboard gave back of each itself (0214).
GIVEN = [("pay_9af5", Decimal("100.00"), Decimal("10.00")), ("sch_77", Decimal("30.00"), NONE)]


def _as_read(code: str, step: HistoryStep) -> None:
    """`step`'s details are there, survive their column, and are what its reason reads as."""
    assert step.details is not None
    stored = details_json(step.details)
    assert stored is not None
    assert stored_details(stored) == step.details
    assert read_details(code, step.reason, TWO) == step.details


@pytest.mark.parametrize(
    ("code", "step"),
    [
        ("refund_owed", refund_owed(PARTS, "USD")),
        ("refund_owed", refund_owed(PARTS[:1], "USD", why="the flight change och_0123 cost less")),
        ("refunded", refunded("the order was cancelled", PARTS, "USD")),
        ("refunded", refunded("the flight change och_1 was not made, given back", PARTS, "USD")),
        ("refund_retrying", refund_retrying(PARTS[1:2], "USD", gateway_said="Do Not Honor")),
        (
            "refund_retrying",
            refund_retrying(
                PARTS[2:],
                "USD",
                gateway_said="amount_too_large: 1.00 USD of it given back at the gateway"
                " already, 2.00 USD left",
            ),
        ),
        ("nothing_to_refund", nothing_to_refund("the order was cancelled", "a 0.00 USD fare")),
        ("refunded", refunded_given("the order was cancelled", GIVEN, "USD")),
    ],
)
def test_a_refund_step_holds_the_amounts_and_words_its_reason_names(
    code: str, step: HistoryStep
) -> None:
    _as_read(code, step)


def test_a_refund_says_how_much_of_an_amount_the_gateway_gave_back_itself() -> None:
    step = refunded_given("the order was cancelled", GIVEN, "USD")
    assert step.reason == (
        "the order was cancelled: refunded 100.00 USD to pay_9af5 (10.00 USD of it by the"
        " gateway), 30.00 USD to sch_77"
    )
    assert step.details == HistoryDetails(
        amounts=(
            HistoryAmount("100.00", "USD", "booking", by_gateway="10.00"),
            HistoryAmount("30.00", "USD", "seats"),
        ),
        note="the order was cancelled",
    )
    assert msgspec.json.encode(HistoryAmount("30.00", "USD", "seats")) == (  # none: absent
        b'{"amount":"30.00","currency":"USD","charge":"seats"}'
    )


def test_a_refund_names_what_each_amount_had_paid_for() -> None:
    assert refund_owed(PARTS, "EUR").details == HistoryDetails(
        amounts=(
            HistoryAmount("80.00", "EUR", "flight_change"),
            HistoryAmount("9.28", "EUR", "booking"),
            HistoryAmount("3", "EUR", "seats"),
        )
    )


def test_seat_steps_of_each_shape_name_the_seats_and_whose_they_are() -> None:
    segment = segment_id_of(SEGMENT)
    held = _order(passengers=TWO, seats=(OrderSeat(segment, "pas_1", "3A", Decimal(30), "USD"),))
    fresh = _order(passengers=TWO)
    ada = OrderSeat(segment, "pas_1", "14C", Decimal(0), "USD")
    charles = OrderSeat(segment, "pas_2", "3B", Decimal(0), "USD")
    for code, order, seats in [
        ("seats_chosen_and_changed", held, [ada, charles]),
        ("seats_chosen", fresh, [ada, charles]),
        ("seats_changed", held, [ada]),
    ]:
        notes = seat_notes(order, seats)
        step = HistoryStep(seat_reason(order, seats, notes), seat_details(order, seats, notes))
        _as_read(code, step)
    notes = seat_notes(held, [ada, charles])
    assert seat_details(held, [ada, charles], notes) == HistoryDetails(
        seats=(
            HistorySeat("14C", "Ada Lovelace", "replaced", "3A"),
            HistorySeat("3B", "Charles Babbage", "chosen"),
        )
    )


def test_a_flight_change_step_holds_the_new_flight_and_the_seats_released() -> None:
    leg = Segment("BA", "BA117", "LHR", "JFK", dt.datetime(2026, 12, 21, 8, 25),
                  dt.datetime(2026, 12, 21, 11, 35), "777", "economy")  # fmt: skip
    on = msgspec.structs.replace(leg, flight_number="AA100", origin="JFK", destination="BOS")
    new = Slice("LHR", "BOS", "PT9H", (leg, on))
    released = [OrderSeat("seg", "pas_1", d, Decimal(0), "USD") for d in ("14C", "14D")]
    flight = changed_flight(1, new, released)
    reason = f"slice 2 changed to {summary(new)}; seats 14C, 14D released (och_1)"
    _as_read("flight_changed", HistoryStep(reason, HistoryDetails(flight=flight)))
    assert (flight.slice, flight.departure_date, flight.flights) == (
        2,
        dt.date(2026, 12, 21),
        ("BA117", "AA100"),
    )


def test_a_name_with_to_in_it_keeps_both_names_where_its_reason_splits_wrongly() -> None:
    step = corrected(1, "Anne to Smyth", "Anne to Smith")
    assert step.details == HistoryDetails(name=HistoryName(1, "Anne to Smyth", "Anne to Smith"))
    # What the reason alone reads as: why the details are stored, not read back.
    read = read_details("name_corrected", step.reason, TWO)
    assert read == HistoryDetails(name=HistoryName(1, "Anne to Smyth to Anne", "Smith"))
    _as_read("name_corrected", corrected(2, "Charles Babage", "Charles Babbage"))


def test_a_note_is_kept_as_written_up_to_a_reasons_length() -> None:
    assert noted("the airline refused: sold out") == HistoryDetails(
        note="the airline refused: sold out"
    )
    assert noted("x" * 2000).note == "x" * NOTE_MAX
    assert details_json(None) is None
