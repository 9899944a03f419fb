"""Seats per cabin per flight per date: a seeded initial load plus what holds took since.

Only what holds took is stored; the initial load is recomputed from the seed when read. Every
method is synchronous, so a hold over several legs is atomic with respect to the event loop: no
other request runs between its check and its take.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence

from sim.catalog import Cabin
from sim.ledger import SeatLedger
from sim.schedule import Flight

LegKey = tuple[str, str, int, Cabin]  # carrier, number, date ordinal, cabin
INITIAL_KEPT = 1 << 16  # initial loads remembered: each a hash of the seed and the leg


def leg_key(flight: Flight, day: dt.date, cabin: Cabin) -> LegKey:
    return (flight.carrier, flight.number, day.toordinal(), cabin)


def unit_hash(*parts: object) -> float:
    """A stable number in [0, 1) for `parts` (unlike `hash()`, the same in every process)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class Inventory:
    """Seat counts shared by every seller of a flight (an operator and its resellers)."""

    def __init__(self, seed: int, opened_on: dt.date) -> None:
        self._seed = seed
        self._opened_on = opened_on  # initial loads are drawn relative to this day, once
        self._taken: dict[LegKey, int] = {}
        self._pinned_load: dict[LegKey, float] = {}  # legs set by `set_seats_left`
        self._initial: dict[LegKey, int] = {}  # `_initial_sold`, computed once per leg
        self.ledger = SeatLedger()  # which seats were chosen, by whom (sim/seatmap.py)
        self.version = 0  # bumped by every change of seats or prices (searches keep per version)

    def draw(self, key: LegKey, *salt: object) -> float:
        """A stable number in [0, 1) for the leg `key`, seeded by its days from the opening day
        rather than its calendar date: the world (loads, prices, which seats are taken) is the
        same on whichever day the sim is opened, so what a test finds N days ahead does not
        depend on the day it runs."""
        carrier, number, ordinal, cabin = key
        return unit_hash(
            self._seed, carrier, number, ordinal - self._opened_on.toordinal(), cabin, *salt
        )

    def capacity(self, flight: Flight, cabin: Cabin) -> int:
        return flight.capacity.get(cabin, 0)

    def seats_left(self, flight: Flight, day: dt.date, cabin: Cabin) -> int:
        capacity = self.capacity(flight, cabin)
        if capacity == 0:
            return 0
        return capacity - self._sold_on(leg_key(flight, day, cabin), capacity)

    def load_factor(self, flight: Flight, day: dt.date, cabin: Cabin) -> float:
        capacity = self.capacity(flight, cabin)
        if capacity == 0:
            return 1.0
        key = leg_key(flight, day, cabin)
        pinned = self._pinned_load.get(key)
        if pinned is not None:
            return pinned
        return self._sold_on(key, capacity) / capacity

    def set_seats_left(self, flight: Flight, day: dt.date, cabin: Cabin, seats: int) -> None:
        """Leave exactly `seats` for sale on this leg (a test control, `/_sim/inventory`).

        The leg's price is frozen at today's: like the last seats of one fare class, they all sell
        at one price, so offers quoted before stay valid while seats last.
        """
        capacity = self.capacity(flight, cabin)
        key = leg_key(flight, day, cabin)
        self._pinned_load[key] = self.load_factor(flight, day, cabin)
        self._taken[key] = capacity - seats - self._initial_sold(key, capacity)
        self.version += 1

    def take(self, legs: Sequence[tuple[Flight, dt.date]], cabin: Cabin, seats: int) -> bool:
        """Take `seats` on every leg, or on none when one leg has fewer left."""
        if any(self.seats_left(f, d, cabin) < seats for f, d in legs):
            return False
        for f, d in legs:
            key = leg_key(f, d, cabin)
            self._taken[key] = self._taken.get(key, 0) + seats
        self.version += 1
        return True

    def give_back(self, legs: Sequence[tuple[Flight, dt.date]], cabin: Cabin, seats: int) -> None:
        for f, d in legs:
            key = leg_key(f, d, cabin)
            self._taken[key] = self._taken.get(key, 0) - seats
        self.version += 1

    def _sold_on(self, key: LegKey, capacity: int) -> int:
        return self._initial_sold(key, capacity) + self._taken.get(key, 0)

    def _initial_sold(self, key: LegKey, capacity: int) -> int:
        """Between a third and nearly full, fuller as departure nears (as bookings build up)."""
        sold = self._initial.get(key)
        if sold is None:
            if len(self._initial) >= INITIAL_KEPT:
                self._initial.clear()  # a bound: recomputed on demand, the same
            days_out = max(0, key[2] - self._opened_on.toordinal())
            load = 0.3 + 0.45 * self.draw(key) + 0.2 * math.exp(-days_out / 10)
            sold = self._initial[key] = min(capacity - 1, int(capacity * load))
        return sold
