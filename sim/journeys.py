"""Journeys one carrier can sell between two airports on a day: nonstop, or one stop at a hub."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sim.schedule import LegInstance, Schedule

MIN_CONNECTION = dt.timedelta(minutes=60)
MAX_CONNECTION = dt.timedelta(hours=6)

Journey = tuple[LegInstance, ...]


def connects(arriving: LegInstance, departing: LegInstance) -> bool:
    """Whether a traveller can make `departing` after `arriving` at the same airport."""
    return MIN_CONNECTION <= departing.depart_utc - arriving.arrive_utc <= MAX_CONNECTION


def duration_minutes(journey: Journey) -> int:
    """Elapsed time from first departure to last arrival, across time zones."""
    return int((journey[-1].arrive_utc - journey[0].depart_utc).total_seconds() // 60)


def journeys(
    schedule: Schedule,
    carrier: str,
    hubs: Iterable[str],
    origin: str,
    destination: str,
    day: dt.date,
    *,
    max_stops: int,
) -> list[Journey]:
    """Every nonstop of `carrier` leaving `origin` on local `day`, then (if `max_stops` allows)
    every connection through one of its hubs within the connection window."""
    found: list[Journey] = [
        (schedule.instance(f, day),) for f in schedule.on_route(carrier, origin, destination)
    ]
    if max_stops < 1:
        return found
    for hub in hubs:
        if hub in (origin, destination) or not schedule.serves(carrier, hub, destination):
            continue
        onward = schedule.on_route(carrier, hub, destination)
        for first in schedule.on_route(carrier, origin, hub):
            arriving = schedule.instance(first, day)
            # The onward flight leaves on the local arrival day or the day after.
            for onward_day in (arriving.arrive_local.date(), arriving.arrive_local.date() + _DAY):
                for second in onward:
                    departing = schedule.instance(second, onward_day)
                    if connects(arriving, departing):
                        found.append((arriving, departing))
    return found


_DAY = dt.timedelta(days=1)
