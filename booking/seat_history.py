"""How a choice of seats is told (pure): the history row's reason and details, and the mail's
seat notes.

Each seat asked for either takes a flight's seat for a passenger who had none there (chosen: none
at booking or since, or the airline released it with a changed flight), asks again for the one
held (kept), or replaces another (changed). The reason has one of three shapes, each its own
history code (`order_history_code()`, booking/sql/0150):

- every seat chosen or kept: `seats chosen: 14C (Ada Lovelace), 14D (Charles Babbage)`
  (`seats_chosen`);
- every seat changed or kept: `seats 14C (Ada Lovelace)` (`seats_changed`; the shape every seat
  row had before first choices were told apart);
- both in one request: `seats chosen and changed: 14C (Ada Lovelace) chosen, 15D (Charles
  Babbage) in place of 12A` (`seats_chosen_and_changed`), each seat saying which it was, so a
  traveler's first seat is not told as a change because a companion's seat was.
"""

from __future__ import annotations

from collections.abc import Sequence

from booking.events import SeatNote
from booking.history_details import HistoryDetails, HistorySeat, SeatChange
from booking.model import Order, OrderSeat
from connectors.seat_model import segment_id_of
from seats.view import passenger_index


def _held(order: Order) -> dict[tuple[str, str], str]:
    return {(s.segment_id, s.passenger_id): s.designator for s in order.seats}


def seat_notes(order: Order, seats: Sequence[OrderSeat]) -> tuple[SeatNote, ...]:
    """The seats as a mail names them, by `order`'s flights and passengers; `order` as it was
    before `seats` were given, so each note names the seat it replaced, if any."""
    flights = {
        segment_id_of(s): f"{s.flight_number} {s.origin}-{s.destination}"
        for sl in order.slices
        for s in sl.segments
    }
    held = _held(order)
    notes = []
    for seat in seats:
        index = passenger_index(seat.passenger_id)
        assert index is not None  # checked when the seat was asked for
        pax = order.passengers[index]
        before = held.get((seat.segment_id, seat.passenger_id))
        notes.append(
            SeatNote(
                flights.get(seat.segment_id, "?"),
                f"{pax.given_name} {pax.family_name}",
                seat.designator,
                replaced=None if before in (None, seat.designator) else before,
            )
        )
    return tuple(notes)


def _chosen(order: Order, seats: Sequence[OrderSeat]) -> list[bool]:
    """Which of `seats` a passenger had none of on that flight (`order` as it was before)."""
    held = _held(order)
    return [(s.segment_id, s.passenger_id) not in held for s in seats]


def seat_reason(order: Order, seats: Sequence[OrderSeat], notes: Sequence[SeatNote]) -> str:
    """The history row's reason for giving `seats` (noted as `notes`, in the same order) to
    `order` as it was before them."""
    chosen = _chosen(order, seats)
    listed = [f"{n.designator} ({n.passenger})" for n in notes]
    if not any(n.replaced is not None for n in notes):
        return f"seats chosen: {', '.join(listed)}"
    if not any(chosen):
        return f"seats {', '.join(listed)}"
    told = [
        f"{seat} {_WORDS[_change(n, new)]}{n.replaced or ''}"
        for seat, n, new in zip(listed, notes, chosen, strict=True)
    ]
    return f"seats chosen and changed: {', '.join(told)}"


def seat_details(
    order: Order, seats: Sequence[OrderSeat], notes: Sequence[SeatNote]
) -> HistoryDetails:
    """The same step's details: each seat and whose it is, and, when the request both chose and
    changed seats, which each was (as its reason says it)."""
    chosen = _chosen(order, seats)
    both = any(chosen) and any(n.replaced is not None for n in notes)
    return HistoryDetails(
        seats=tuple(
            HistorySeat(n.designator, n.passenger, _change(n, new), n.replaced)
            if both
            else HistorySeat(n.designator, n.passenger)
            for n, new in zip(notes, chosen, strict=True)
        )
    )


_WORDS: dict[SeatChange, str] = {"chosen": "chosen", "kept": "kept", "replaced": "in place of "}


def _change(note: SeatNote, new: bool) -> SeatChange:
    if note.replaced is not None:
        return "replaced"
    return "chosen" if new else "kept"
