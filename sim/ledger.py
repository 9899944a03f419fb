"""Seats travellers chose, per flight leg: kept beside the seat counts (`Inventory.ledger`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

LegKey = tuple[str, str, int, str]  # carrier, number, date ordinal, cabin (as `sim.inventory`)


class SeatLedger:
    """Seats travellers chose, per leg: designator → (booking reference, passenger index)."""

    def __init__(self) -> None:
        self._chosen: dict[LegKey, dict[str, tuple[str, int]]] = {}

    def chosen(self, key: LegKey) -> Mapping[str, tuple[str, int]]:
        return self._chosen.get(key, {})

    def seat_of(self, key: LegKey, reference: str, passenger: int) -> str | None:
        for designator, holder in self._chosen.get(key, {}).items():
            if holder == (reference, passenger):
                return designator
        return None

    def assign(self, key: LegKey, designator: str, reference: str, passenger: int) -> None:
        seats = self._chosen.setdefault(key, {})
        old = self.seat_of(key, reference, passenger)
        if old is not None:
            del seats[old]
        seats[designator] = (reference, passenger)

    def release(self, reference: str, keys: Iterable[LegKey]) -> None:
        for key in keys:
            seats = self._chosen.get(key)
            if seats:
                for designator in [d for d, (ref, _) in seats.items() if ref == reference]:
                    del seats[designator]
