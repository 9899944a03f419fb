from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sim.airports import Airport
from sim.schedule import Flight, Schedule
from sim.world import World


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


def airport(code: str, tz: str, lat: float = 0.0, lon: float = 0.0) -> Airport:
    return Airport(code, code, code, "XX", lat, lon, ZoneInfo(tz))


def flight(origin: str, destination: str, departs: str, block: int, **fields: object) -> Flight:
    hours, minutes = map(int, departs.split(":"))
    values: dict[str, object] = {
        "carrier": "BA",
        "number": "1",
        "origin": origin,
        "destination": destination,
        "departs_minute": hours * 60 + minutes,
        "block_minutes": block,
        "distance_km": 5000.0,
        "equipment": "777",
    }
    values.update(fields)
    return Flight(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def world() -> World:
    """A world to read (never change) in unit tests: building one is pure but takes ~10 ms."""
    return World(42)


@pytest.fixture(scope="session")
def schedule(world: World) -> Schedule:
    return world.schedule


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC))
