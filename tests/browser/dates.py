"""Dates as the web app writes them (web/src/lib/format.ts), for the browser tests to expect."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from playwright.sync_api import Page


def moment_words(instant: str, zone: str) -> str:
    """A moment of ours (an RFC 3339 stamp) as the app shows it in `zone`:
    `Sun 6 Dec 2026, 09:13 CET`."""
    at = dt.datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return f"{at:%a} {at.day} {at:%b} {at.year}, {at:%H:%M} {at.tzname()}"


def browser_zone(page: Page) -> str:
    """The IANA zone the page's browser runs in."""
    return str(page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone"))
