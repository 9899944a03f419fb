"""Seat maps: each seat's state on one flight instance, its price and who may sit in it.

Occupancy is the inventory's: a leg with `n` seats sold shows `n` seats taken. Seats travellers
chose (`SeatLedger`) are taken by name; the rest of what was sold (the initial load, holds that
chose no seat) fill the cabin in a stable order seeded per leg, a few blocked seats first. So a
seat chosen through one protocol is taken for every other, and the map agrees with the counts.
Every function is synchronous: a choice is checked and recorded without another request between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sim.cabins import CabinLayout, Spot, cabin_layout
from sim.catalog import Cabin
from sim.fares import PAX_SHARE, RATES, PaxType
from sim.inventory import Inventory, leg_key
from sim.schedule import Flight

SeatState = Literal["available", "occupied", "blocked"]
BLOCKED_SHARE = 0.02  # seats out of service (a broken recline, crew rest)
EXTRA_LEGROOM_USD = 45.0
PREFERRED_USD = 12.0  # window or aisle in economy
# The rules a seat can break for a passenger, named in the 422 a refused choice answers.
EXIT_ROW_CHILD = "exit_row_child"
EXIT_ROW_INFANT = "exit_row_infant"


@dataclass(frozen=True)
class LegSeats:
    """One leg's cabin with each seat's state (`states`) and the seats `reference` holds."""

    flight: Flight
    day: dt.date
    cabin: Cabin
    layout: CabinLayout
    states: Mapping[str, SeatState]
    mine: Mapping[str, int]  # designator → passenger index, for the booking asking


def leg_seats(
    inventory: Inventory,
    flight: Flight,
    day: dt.date,
    cabin: Cabin,
    *,
    reference: str | None = None,
) -> LegSeats:
    plan = cabin_layout(flight.equipment, cabin)
    if plan is None:
        raise KeyError(f"{flight.equipment} has no cabin {cabin}")
    key = leg_key(flight, day, cabin)
    chosen = inventory.ledger.chosen(key)
    sold = inventory.capacity(flight, cabin) - inventory.seats_left(flight, day, cabin)
    spots = plan.spots
    blocked = {
        s.designator for s in spots if inventory.draw(key, "blocked", s.designator) < BLOCKED_SHARE
    }
    order = sorted(
        (s.designator for s in spots),
        key=lambda d: (d not in blocked, inventory.draw(key, "fill", d)),
    )
    states: dict[str, SeatState] = {s.designator: "available" for s in spots}
    for designator in chosen:
        states[designator] = "occupied"
    unplaced = max(0, sold - len(chosen))
    for designator in order:
        if designator in chosen:
            continue
        if designator in blocked:
            states[designator] = "blocked"
        elif unplaced > 0:
            states[designator] = "occupied"
        else:
            break
        unplaced -= 1
    mine = {d: p for d, (ref, p) in chosen.items() if reference is not None and ref == reference}
    return LegSeats(flight, day, cabin, plan, states, mine)


def seat_price_cents(spot: Spot, cabin: Cabin, pax: PaxType, currency: str) -> int:
    """Free in economy's middle seats and in the front cabins but for their first row (its extra
    legroom sells as in economy); a passenger type pays its share."""
    if pax == "INF" or (cabin != "Y" and not spot.extra_legroom):
        return 0
    if spot.extra_legroom:
        usd = EXTRA_LEGROOM_USD
    elif spot.window or spot.aisle:
        usd = PREFERRED_USD
    else:
        return 0
    return round(usd * RATES[currency] * PAX_SHARE[pax] * 100)


def restriction(spot: Spot, pax: PaxType, carries_infant: bool) -> str | None:
    """The rule that keeps this passenger out of `spot`, or None when they may sit there."""
    if spot.exit_row and pax == "CHD":
        return EXIT_ROW_CHILD
    if spot.exit_row and carries_infant:
        return EXIT_ROW_INFANT
    return None


def passenger_types(adults: int, children: int, infants: int) -> tuple[PaxType, ...]:
    """Passengers in the order the airline numbers them: adults, children, infants."""
    adult: tuple[PaxType, ...] = ("ADT",)
    child: tuple[PaxType, ...] = ("CHD",)
    infant: tuple[PaxType, ...] = ("INF",)
    return adult * adults + child * children + infant * infants
