"""Reading connectors' seat maps in tests: which seats a leg shows free, and in what state."""

from __future__ import annotations

from connectors.seat_model import LegSeatMap, SeatFacts


def seats(leg: LegSeatMap) -> dict[str, SeatFacts]:
    """Every seat of the leg by designator."""
    return {
        p.seat.designator: p.seat
        for c in leg.cabins
        for r in c.rows
        for s in r.sections
        for p in s
        if p.seat is not None
    }


def free_seats(leg: LegSeatMap, *, exit_row: bool = False) -> list[str]:
    """The available seats of the leg, in map order: exit-row seats only, or none of them."""
    return [
        d
        for d, seat in seats(leg).items()
        if seat.available and ("exit_row" in seat.characteristics) == exit_row
    ]


def available(leg: LegSeatMap, designator: str) -> bool:
    return seats(leg)[designator].available
