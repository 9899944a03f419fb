"""Per-day reports hold every day of their window: a day with nothing is a row of zeros, so a
chart's axis does not jump from the last busy day to the next (docs/api.md, "Reports")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer
from analytics.reports import report
from analytics.store import AnalyticsStore
from tests.support.analytics import DAY, SINCE, publish

# Three days after the scripted day (2026-12-01, the store's first): the days listed.
UNTIL = DAY + dt.timedelta(days=3, hours=2)
DATES = ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]


async def _loaded(client: redis.Redis, streams: tuple[str, str], tmp_path: Path) -> AnalyticsStore:
    await publish(client, streams)
    store = AnalyticsStore(str(tmp_path))
    consumer = AnalyticsConsumer(
        client, store, usage_stream=streams[0], event_stream=streams[1], batch_size=50
    )
    await consumer.catch_up()
    return store


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


def test_an_empty_store_reports_no_days(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))

    assert report(store, "cache", SINCE, UNTIL).rows == ()
