"""Cabin layouts per aircraft type: rows, seat letters, aisles, exit rows, wings and facilities.

A layout seats exactly the aircraft's capacity per cabin (`sim.catalog.CAPACITY`), so a seat map
and the seat counts search and holds use describe the same cabin: the last row of a cabin may be
short, its missing places drawn as empty. Rows are numbered from the front across cabins, and
some types skip row 13 as many airlines do.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sim.catalog import CAPACITY, Cabin

CABIN_ORDER: tuple[Cabin, ...] = ("F", "C", "W", "Y")
NARROW_BODIES = frozenset({"320", "321"})
NO_ROW_13 = frozenset({"320", "777", "789", "748", "351"})

# Seat letters per section (a section break is an aisle), by cabin, narrow- or wide-body.
_NARROW: dict[Cabin, tuple[str, ...]] = {"C": ("AC", "DF"), "Y": ("ABC", "DEF")}
_WIDE: dict[Cabin, tuple[str, ...]] = {
    "F": ("A", "EF", "K"),
    "C": ("A", "DG", "K"),
    "W": ("AC", "DEF", "HK"),
    "Y": ("ABC", "DEF", "HJK"),
}
_WIDE_TEN_ABREAST = frozenset({"777", "748"})


@dataclass(frozen=True)
class Spot:
    """One seat of a layout and what it is like (its state depends on the flight)."""

    designator: str
    row: int
    letter: str
    section: int
    window: bool
    aisle: bool
    exit_row: bool
    extra_legroom: bool
    bassinet: bool


@dataclass(frozen=True)
class Row:
    number: int
    sections: tuple[tuple[Spot | None, ...], ...]  # None: a place without a seat (short row)
    exit_row: bool
    wing: bool
    facilities: tuple[str, ...] = ()  # galley / lavatory in front of the row (a cabin's front)


@dataclass(frozen=True)
class CabinLayout:
    cabin: Cabin
    rows: tuple[Row, ...]

    @property
    def spots(self) -> tuple[Spot, ...]:
        return tuple(s for row in self.rows for sec in row.sections for s in sec if s is not None)


def _sections(equipment: str, cabin: Cabin) -> tuple[str, ...]:
    if equipment in NARROW_BODIES:
        return _NARROW[cabin]
    sections = _WIDE[cabin]
    if cabin == "Y" and equipment in _WIDE_TEN_ABREAST:
        return ("ABC", "DEFG", "HJK")
    return sections


@functools.cache
def layout(equipment: str) -> tuple[CabinLayout, ...]:
    """The cabins of `equipment`, front to back."""
    capacity = CAPACITY[equipment]
    cabins = []
    number = 1
    for cabin in CABIN_ORDER:
        seats = capacity.get(cabin, 0)
        if seats == 0:
            continue
        sections = _sections(equipment, cabin)
        abreast = sum(len(s) for s in sections)
        count = -(-seats // abreast)
        numbers: list[int] = []
        while len(numbers) < count:
            if not (number == 13 and equipment in NO_ROW_13):
                numbers.append(number)
            number += 1
        exits = _exit_rows(numbers, cabin)
        wing_from, wing_to = len(numbers) // 3, 2 * len(numbers) // 3
        rows = []
        left = seats
        for index, row_number in enumerate(numbers):
            places = []
            for s_index, letters in enumerate(sections):
                section: list[Spot | None] = []
                for l_index, letter in enumerate(letters):
                    if left == 0:
                        section.append(None)
                        continue
                    left -= 1
                    section.append(
                        Spot(
                            designator=f"{row_number}{letter}",
                            row=row_number,
                            letter=letter,
                            section=s_index,
                            window=(s_index == 0 and l_index == 0)
                            or (s_index == len(sections) - 1 and l_index == len(letters) - 1),
                            aisle=(l_index == len(letters) - 1 and s_index < len(sections) - 1)
                            or (l_index == 0 and s_index > 0),
                            exit_row=row_number in exits,
                            extra_legroom=row_number in exits or index == 0,
                            bassinet=index == 0 and s_index == len(sections) // 2,
                        )
                    )
                places.append(tuple(section))
            rows.append(
                Row(
                    number=row_number,
                    sections=tuple(places),
                    exit_row=row_number in exits,
                    wing=wing_from <= index < wing_to,
                    facilities=("galley", "lavatory") if index == 0 else (),
                )
            )
        cabins.append(CabinLayout(cabin, tuple(rows)))
    return tuple(cabins)


def _exit_rows(numbers: list[int], cabin: Cabin) -> frozenset[int]:
    """Over-wing exits in economy (the middle of the cabin); none in the front cabins."""
    if cabin != "Y" or len(numbers) < 6:
        return frozenset()
    middle = len(numbers) // 2
    return frozenset({numbers[middle - 1], numbers[middle]})


def cabin_layout(equipment: str, cabin: Cabin) -> CabinLayout | None:
    for candidate in layout(equipment):
        if candidate.cabin == cabin:
            return candidate
    return None
