"""Dates and instants in the words the traveler reads them in, in mail and history alike:
`06 Dec 2026`, `06 Dec 2026, 14:00 UTC` (one wording, so a change's mail and its history entry
say a date the way every other mail does)."""

from __future__ import annotations

import datetime as dt


def day_words(day: dt.date) -> str:
    """`06 Dec 2026`: a calendar day as written (a flight's local departure keeps its own day)."""
    return day.strftime("%d %b %Y")


def utc_words(moment: dt.datetime) -> str:
    """`06 Dec 2026, 14:00 UTC`: an instant of ours (a deadline), in the zone all readers share."""
    moment = moment.astimezone(dt.UTC)
    return f"{day_words(moment)}, {moment:%H:%M} UTC"
