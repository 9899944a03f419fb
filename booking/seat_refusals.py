"""Why choosing seats is refused with a 409, as a stable word beside our sentence (pure).

Every 409 the seat routes answer (`POST /v1/orders/{id}/seats`, `GET /v1/seat_maps?order_id=`,
and a new order's `services`) is a `conflict` problem whose `detail` is our English, for people,
reworded at will; its `refusal` member says which refusal it is, for clients to word it by (the
web app: web/src/lib/seatRefusals.ts). A taken seat also names the seats (`seats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from booking.model import Order
from kernel.errors import Conflict

SeatRefusal = Literal[
    "seat_taken",  # someone else holds the seat (`seats` names them): choose another
    "order_closed",  # cancelled, expired, failed, refunded or not yet held: no seats to choose
    "payment_in_progress",  # a held order being paid: its total is what the card is charged
    "order_changed",  # paid, cancelled or changed between our read and the write: look again
    "seat_charge_in_progress",  # an earlier seat change of the order is still being charged
    "seats_not_sold",  # the order's airline sells no seats through us
    "seat_payments_unavailable",  # a seat change that costs money, with payments not enabled
]

NO_SEATS = "this airline sells no seats through Skyfare"
CHARGE_IN_FLIGHT = "a seat change of this order is being paid; wait for it"


def seat_conflict(detail: str, refusal: SeatRefusal) -> Conflict:
    """A 409 of the seat routes: our sentence, and its refusal as a member of its own."""
    return Conflict(detail, refusal=refusal)


def taken(designators: Sequence[str]) -> Conflict:
    return Conflict(
        f"seat {', '.join(designators)} is taken", refusal="seat_taken", seats=list(designators)
    )


def not_open(order: Order, detail: str) -> Conflict:
    """The order, as it is, takes no seat choice: a hold being paid, or one not live."""
    paying = order.status == "held" and order.payment_status == "processing"
    return seat_conflict(detail, "payment_in_progress" if paying else "order_closed")
