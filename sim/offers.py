"""Combining per-journey options into fares: the cheapest first, a bounded number of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sim.fares import Money
from sim.journeys import MIN_CONNECTION, Journey, duration_minutes

MAX_FARES = 50
# Fares are additive, so keeping the cheapest partial combinations keeps the cheapest fares; the
# margin covers partial combinations dropped later because the next journey leaves too early.
BEAM = 4 * MAX_FARES

Ident = tuple[tuple[str, str, int], ...]  # (carrier, number, date ordinal) per leg


class Option(NamedTuple):
    """One journey a seller offers, priced for all travellers."""

    legs: Journey
    money: Money
    seats_left: int
    duration: int
    ident: Ident

    @classmethod
    def of(cls, legs: Journey, money: Money, seats_left: int) -> Option:
        ident = tuple((g.flight.carrier, g.flight.number, g.date.toordinal()) for g in legs)
        return cls(legs, money, seats_left, duration_minutes(legs), ident)


def _rank(combo: tuple[Option, ...]) -> tuple[int, int, tuple[Ident, ...]]:
    return (
        sum(o.money.total for o in combo),
        sum(o.duration for o in combo),
        tuple(o.ident for o in combo),
    )


def _in_order(previous: Option, following: Option) -> bool:
    return following.legs[0].depart_utc - previous.legs[-1].arrive_utc >= MIN_CONNECTION


def combine(per_journey: Sequence[Sequence[Option]]) -> list[tuple[Option, ...]]:
    """Combinations with one option per journey, each journey leaving after the previous one
    lands; cheapest first, then shortest, then by flight (deterministic); at most `BEAM`."""
    combos: list[tuple[Option, ...]] = [()]
    for options in per_journey:
        extended = [
            (*combo, option)
            for combo in combos
            for option in options
            if not combo or _in_order(combo[-1], option)
        ]
        extended.sort(key=_rank)
        combos = extended[:BEAM]
    return combos
