"""The tests' days against the sims stay the same days when a run passes midnight UTC."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import flights


def test_a_day_asked_after_midnight_is_the_day_asked_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `LHR_JFK` is built at import; a test then asked `query(("LHR", "JFK", 30))` after midnight
    # and held a group on the next day's flight, which moved no price (six sim tests failed).
    real = dt.datetime

    class AfterMidnight(real):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> AfterMidnight:
            moved = real.now(tz) + dt.timedelta(days=1)
            return cls.fromtimestamp(moved.timestamp(), tz)

    monkeypatch.setattr(dt, "datetime", AfterMidnight)

    assert flights.query(("LHR", "JFK", 30)) == flights.LHR_JFK
    assert flights.in_days(30) == flights.LHR_JFK.slices[0].departure_date.isoformat()
