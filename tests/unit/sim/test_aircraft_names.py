"""Every aircraft type the simulated airlines fly is named by the web app (web/src/lib/aircraft.ts):
a fleet change in sim/catalog.py without a name there would show travelers "aircraft 32N"."""

from __future__ import annotations

import re
from pathlib import Path

from sim.catalog import AIRLINES, CAPACITY
from sim.schedule import Schedule

TABLE = Path(__file__).resolve().parents[3] / "web" / "src" / "lib" / "aircraft.ts"
# One entry per line in the table's object literal: `"789": "Boeing 787-9",`
_ENTRY = re.compile(r'^\s*"([0-9A-Z]{3})": "([^"]+)",$', re.MULTILINE)


def named_codes() -> dict[str, str]:
    return dict(_ENTRY.findall(TABLE.read_text()))


def test_the_table_is_read() -> None:
    assert named_codes()["789"] == "Boeing 787-9"


def test_every_aircraft_the_sims_fly_is_named_in_the_web_app(schedule: Schedule) -> None:
    flown = {flight.equipment for flight in schedule.flights}
    fleets = {code for spec in AIRLINES for code in spec.fleet}

    assert flown <= fleets  # the schedule flies the fleets, nothing else
    assert sorted((fleets | set(CAPACITY)) - set(named_codes())) == []
