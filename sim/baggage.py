"""What a fare includes in bags: a pure rule of the carrier that flies a leg and its cabin.

Every sim airline files the same kind of allowance (pieces, the checked bags' weight limit);
Liberty sells economy without a checked bag, as US carriers' basic fares do, so one airline's
economy is "carry-on only". Which airlines *tell* Skyfare is each protocol's business.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.catalog import Cabin


class Allowance(NamedTuple):
    """Included per passenger on one leg."""

    checked: int  # pieces
    checked_kg: int  # the most one checked piece may weigh
    carry_on: int  # pieces


_BY_CABIN: dict[Cabin, Allowance] = {
    "Y": Allowance(checked=1, checked_kg=23, carry_on=1),
    "W": Allowance(checked=2, checked_kg=23, carry_on=1),
    "C": Allowance(checked=2, checked_kg=32, carry_on=2),
    "F": Allowance(checked=3, checked_kg=32, carry_on=2),
}
_CARRY_ON_ONLY_ECONOMY = frozenset({"AA"})


def allowance(carrier: str, cabin: Cabin) -> Allowance:
    """The bags included on a leg flown by `carrier` in `cabin`."""
    if cabin == "Y" and carrier in _CARRY_ON_ONLY_ECONOMY:
        return Allowance(checked=0, checked_kg=0, carry_on=1)
    return _BY_CABIN[cabin]
