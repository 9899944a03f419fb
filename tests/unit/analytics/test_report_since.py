"""`since` of the reports: days start at UTC midnight, hours are exact, anything else is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.reports import parse_since

NOW = dt.datetime(2026, 12, 6, 18, 50, 22, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Whole days: the first row of a per-day report is never a part of a day.
        ("1d", dt.datetime(2026, 12, 5, tzinfo=dt.UTC)),
        ("7d", dt.datetime(2026, 11, 29, tzinfo=dt.UTC)),
        ("24h", dt.datetime(2026, 12, 5, 18, 50, 22, tzinfo=dt.UTC)),
        ("1h", dt.datetime(2026, 12, 6, 17, 50, 22, tzinfo=dt.UTC)),
    ],
)
def test_days_start_at_utc_midnight_and_hours_are_exact(text: str, expected: dt.datetime) -> None:
    assert parse_since(text, NOW) == expected


def test_days_count_from_the_utc_date_whatever_the_clock_s_zone() -> None:
    # 01:30 in Tokyo is still the 5th in UTC: one day back is the 4th's midnight.
    tokyo = dt.datetime(2026, 12, 6, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert parse_since("1d", tokyo) == dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["7d\n", "0d", "10000d", "7D", " 7d", "07d", "7w", "", "٧d"])
def test_anything_but_a_span_is_refused(text: str) -> None:
    assert parse_since(text, NOW) is None
