"""The simulated world: real airports, every airline's timetable, shared seats, the sellers.

Built once per sim from a seed; everything in it is deterministic for that seed and start day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from sim.airline import SimAirline
from sim.airports import load_airports
from sim.bookings import BookingDesk, TicketStock
from sim.catalog import AIRLINES, airport_codes, operators
from sim.inventory import Inventory
from sim.schedule import Schedule, build_schedule


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class World:
    """Airports, schedule, inventory and one `SimAirline` per slug."""

    def __init__(
        self,
        seed: int = 42,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        secret: bytes | None = None,
    ) -> None:
        self.seed = seed
        self.clock = clock
        airports = load_airports(airport_codes())
        by_code = {spec.code: spec for spec in operators()}
        self.schedule: Schedule = build_schedule(seed, operators(), airports)
        self.inventory = Inventory(seed, clock().date())
        stock = TicketStock()
        # Derived from the seed by default, so a restarted sim still honours the fare ids it gave.
        key = secret or hashlib.sha256(f"skyfare-sim:{seed}".encode()).digest()
        self.airlines: dict[str, SimAirline] = {
            spec.slug: SimAirline(
                spec,
                schedule=self.schedule,
                inventory=self.inventory,
                desk=BookingDesk(self.inventory, stock),
                operators=by_code,
                secret=key,
                seed=seed,
                clock=clock,
            )
            for spec in AIRLINES
        }

    def expire_holds(self) -> int:
        """Return the seats of every hold past its `pay_by`; how many expired."""
        now = self.clock()
        return sum(airline.desk.expire_due(now) for airline in self.airlines.values())
