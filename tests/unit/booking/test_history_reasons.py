"""A history step's details read back from its reason (booking/history_reasons.py), for the
steps written before their details were stored (booking/sql/0154): the writers make the reasons
here, worded as they were, and the reader must go on reading them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from booking.change_terms import summary
from booking.history_details import (
    HistoryAmount,
    HistoryDetails,
    HistoryFlight,
    HistoryName,
    HistorySeat,
)
from booking.history_reasons import read_details as details_of
from booking.model import OrderSeat, Passenger
from booking.seat_history import seat_notes, seat_reason
from connectors.model import Segment, Slice
from connectors.seat_model import segment_id_of
from payment.ledger import describe
from tests.unit.booking.test_order_seats import SEGMENT, _order

ADA = Passenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f")
CHARLES = Passenger("adult", "Charles", "Babbage", dt.date(1991, 12, 26), "m")
TWO = (ADA, CHARLES)


def test_a_refund_names_each_amount_and_what_it_paid_for() -> None:
    where = describe([("och_0123", Decimal("80.00")), ("pay_9af5", Decimal("9.28"))], "USD")
    owed = details_of("refund_owed", f"refund owed: {where}", TWO)
    assert owed == HistoryDetails(
        amounts=(
            HistoryAmount("80.00", "USD", "flight_change"),
            HistoryAmount("9.28", "USD", "booking"),
        )
    )
    cheaper = f"the flight change och_1 cost 80.00 USD less: refund owed: {where}"
    assert details_of("refund_owed", cheaper, TWO) == owed  # not the change's own amount
    seats = describe([("sch_77", Decimal("30.00"))], "EUR")
    refunded = details_of("refunded", f"the order was cancelled: refunded {seats}", TWO)
    assert refunded == HistoryDetails(
        amounts=(HistoryAmount("30.00", "EUR", "seats"),), note="the order was cancelled"
    )
    retried = f"refund of {seats} refused by the payment gateway (Do Not Honor); it is retried"
    assert details_of("refund_retrying", retried, TWO) == HistoryDetails(
        amounts=(HistoryAmount("30.00", "EUR", "seats"),)
    )


def test_seats_name_their_passengers_and_say_which_were_new() -> None:
    segment = segment_id_of(SEGMENT)
    held = _order(passengers=TWO, seats=(OrderSeat(segment, "pas_1", "3A", Decimal(30), "USD"),))
    ada = OrderSeat(segment, "pas_1", "14C", Decimal(0), "USD")
    charles = OrderSeat(segment, "pas_2", "3B", Decimal(0), "USD")
    reason = seat_reason(held, [ada, charles], seat_notes(held, [ada, charles]))
    assert details_of("seats_chosen_and_changed", reason, TWO) == HistoryDetails(
        seats=(
            HistorySeat("14C", "Ada Lovelace", "replaced", "3A"),
            HistorySeat("3B", "Charles Babbage", "chosen"),
        )
    )
    fresh = _order(passengers=TWO)
    reason = seat_reason(fresh, [ada, charles], seat_notes(fresh, [ada, charles]))
    assert details_of("seats_chosen", reason, TWO) == HistoryDetails(
        seats=(HistorySeat("14C", "Ada Lovelace"), HistorySeat("3B", "Charles Babbage"))
    )
    # Steps written before seats were named by passenger name: by the order's passengers.
    old = details_of("seats_changed", "seats 14C (pas_1), 14D (pas_2)", TWO)
    assert old == HistoryDetails(
        seats=(HistorySeat("14C", "Ada Lovelace"), HistorySeat("14D", "Charles Babbage"))
    )


def test_a_flight_change_gives_the_new_flight_and_the_seats_released() -> None:
    leg = Segment("BA", "BA117", "LHR", "JFK", dt.datetime(2026, 12, 21, 8, 25),
                  dt.datetime(2026, 12, 21, 11, 35), "777", "economy")  # fmt: skip
    on = msgspec.structs.replace(leg, flight_number="AA100", origin="JFK", destination="BOS")
    reason = f"slice 2 changed to {summary(Slice('LHR', 'BOS', 'PT9H', (leg, on)))}"
    changed = details_of("flight_changed", f"{reason}; seats 14C, 14D released (och_1)", TWO)
    assert changed == HistoryDetails(
        flight=HistoryFlight(
            2, "LHR", "BOS", dt.date(2026, 12, 21), "08:25", ("BA117", "AA100"), ("14C", "14D")
        )
    )
    assert msgspec.json.decode(msgspec.json.encode(changed))["flight"]["departure_date"] == (
        "2026-12-21"
    )
    # The first shape of all ("slice 1 changed to BA117 LHR 2026-12-20 08:25"): no fields.
    assert (
        details_of("flight_changed", "slice 1 changed to BA117 LHR 2026-12-20 08:25", TWO) is None
    )


def test_words_from_elsewhere_are_a_note_and_a_name_correction_its_two_names() -> None:
    airline = (
        "ticketing failed after payment (TKT-ERR 7781: not ticketable); the payment was refunded"
    )
    assert details_of("ticketing_failed_refunded", airline, TWO) == HistoryDetails(
        note="TKT-ERR 7781: not ticketable"
    )
    failed = details_of("change_failed", "change och_1 failed: the airline refused: sold out", TWO)
    assert failed == HistoryDetails(note="the airline refused: sold out")
    corrected = "passenger 2 name corrected from Charles Babage to Charles Babbage"
    assert details_of("name_corrected", corrected, TWO) == HistoryDetails(
        name=HistoryName(2, "Charles Babage", "Charles Babbage")
    )


def test_a_step_without_details_or_without_a_code_has_none() -> None:
    assert details_of("created", "created", TWO) is None
    assert details_of(None, "a reason nobody wrote yet", TWO) is None
