"""The codes of an order's history entries: a stable vocabulary beside the free-text reason.

Each code names one kind of change whatever its sentence says; clients choose their words by it
and show the reason's text for a code they do not know, or for none (a reason of a shape the
database function does not list). The codes are derived from the reasons in PostgreSQL, by
`order_history_code()` (booking/sql/0140_order_history_codes.sql, replaced by the newest migration
that defines it: 0150), which lists each reason's shape and its writer's code;
tests/integration/booking/test_history_codes.py keeps the two lists and the writers' sentences in
step.
"""

from __future__ import annotations

from typing import Literal

HistoryCode = Literal[
    "created",  # the order was made (pending)
    "held",  # the airline holds the seats
    "payment_started",
    "payment_captured",
    "ticketed",  # paid and ticketed: confirmed
    "cancelled_by_traveler",
    "cancelled_by_support",
    "cancelled_as_quoted",  # on the terms of a cancellation quote
    "card_refused",  # the reason ends with the gateway's code
    "payment_failed",  # the reason ends with the gateway's code
    "captured_after_end",  # the card was charged after the order ended
    "found_by_reconciler",  # our checks with the airline found the order had moved
    "released_unpaid",  # not paid in time: the airline released the seats
    "ticketing_failed_refunded",
    "ticketing_failed",
    "airline_refused",  # the airline refused the hold or a seat (the order failed)
    "refund_retrying",  # the gateway refused a refund; it is retried
    "refund_owed",
    "nothing_to_refund",
    "refunded",
    "refunded_by_gateway",
    "late_payment_refunded",  # a payment that came after the order ended, refunded
    "flight_changed",
    "change_failed",
    "seat_change_refunded",  # a seat change refused after payment, its charge refunded
    "seats_chosen",  # seats where the order had none on those flights (a first choice)
    "seats_changed",  # seats replacing the ones held (and every seat entry written before 0148)
    "seats_chosen_and_changed",  # one request doing both: the reason says which seat was which
    "name_corrected",
]
