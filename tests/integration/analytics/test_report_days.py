"""Per-day reports hold every day of their window: a day with nothing is a row of zeros, so a
chart's axis does not jump from the last busy day to the next (docs/api.md, "Reports")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import redis.asyncio as redis

from analytics.publisher import UsageBuffer
from analytics.reports import report
from analytics.store import AnalyticsStore
from kernel.usage import BreakerEvent
from tests.support.analytics import DAY, SINCE, loaded_store

# The production bound on a batch is 1 s; a busy machine's Redis (Cluster) can take longer,
# and these tests are about what is published, not how fast.
PATIENT_S = 30.0

# Three days after the scripted day (2026-12-01, the store's first): the days listed.
UNTIL = DAY + dt.timedelta(days=3, hours=2)
DATES = ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]


async def _loaded(client: redis.Redis, streams: tuple[str, str], tmp_path: Path) -> AnalyticsStore:
    return await loaded_store(client, streams, str(tmp_path))


async def test_per_day_reports_hold_every_day_of_the_window_with_zeros(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    store = await _loaded(redis_client, streams, tmp_path)

    breakers = report(store, "breakers", SINCE, UNTIL).rows
    cache = report(store, "cache", SINCE, UNTIL).rows
    revenue = report(store, "revenue", SINCE, UNTIL).rows
    searches = report(store, "searches", SINCE, UNTIL).rows
    partners = report(store, "partners", SINCE, UNTIL).rows

    assert breakers == tuple((d, "soap-nordic", 1 if d == DATES[0] else 0) for d in DATES)
    assert [row[0] for row in cache] == DATES
    assert cache[1:] == tuple((d, 0, 0, None) for d in DATES[1:])  # no ratio of nothing
    assert revenue[0] == (DATES[0], "EUR", 2, "501.00", 1, "75.15")
    assert revenue[1:] == tuple((d, "EUR", 0, "0.00", 0, "0.00") for d in DATES[1:])
    # Each channel seen in the window has a row every day: a stacked chart's series line up.
    assert len(searches) == len(DATES) * 5
    assert sum(row[2] for row in searches) == 30
    assert ("2026-12-02", "get", 0) in searches
    assert [row[:2] for row in partners] == [(d, "acme") for d in DATES]


async def test_a_quiet_window_holds_its_days_and_none_before_the_store_began(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    store = await _loaded(redis_client, streams, tmp_path)
    quiet = DAY + dt.timedelta(days=1)

    breakers = report(store, "breakers", quiet, UNTIL).rows
    cache = report(store, "cache", quiet, UNTIL).rows
    # 9999 days back: from the store's first day on, not 27 years of zeros.
    everything = report(store, "cache", SINCE - dt.timedelta(days=9999), UNTIL).rows

    assert breakers == tuple((d, None, 0) for d in DATES[1:])
    assert cache == tuple((d, 0, 0, None) for d in DATES[1:])
    assert [row[0] for row in everything] == DATES


async def test_a_day_ahead_of_now_is_reached_by_every_day_between(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    # An opening stamped by a clock three days ahead of the reports' "now" (the scripted day's
    # evening): the days up to it are listed too, not that day alone after a gap.
    ahead = BreakerEvent(at=(DAY + dt.timedelta(days=3)).timestamp(), connector="soap-nordic",
                         state="open")  # fmt: skip
    buffer = UsageBuffer(redis_client, streams[0], maxlen=10_000, timeout_s=PATIENT_S)
    buffer.emit(ahead)
    await buffer.drain()
    store = await _loaded(redis_client, streams, tmp_path)
    now = DAY + dt.timedelta(hours=12)

    breakers = report(store, "breakers", SINCE, now).rows
    cache = report(store, "cache", SINCE, now).rows

    assert breakers == tuple(
        (d, "soap-nordic", 1 if d in (DATES[0], DATES[3]) else 0) for d in DATES
    )
    assert [row[0] for row in cache] == DATES


def test_an_empty_store_reports_no_days(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))

    assert report(store, "cache", SINCE, UNTIL).rows == ()
