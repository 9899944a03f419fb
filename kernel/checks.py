"""What every request's field checks share: collect each bad field, then fail once (pure).

`FieldChecks` records a `FieldError` per bad field, so one 422 names every one of them; each
check returns the normalized value, or None after recording why it is bad. The search request
(search/checks.py) and the profile documents (users/checks.py) extend it with their own rules.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import airportsdata

from kernel.errors import FieldError, ValidationFailed

MISSING: Any = object()  # a field absent from the body (unlike an explicit null)


@functools.cache
def known_airports() -> frozenset[str]:
    """Every IATA airport code; loaded on first use (about 50 ms), then kept."""
    return frozenset(airportsdata.load("IATA"))


def ascii_upper(raw: str) -> str:
    """`raw` upper-cased if it is ASCII, else "" (never a valid code).

    Codes are compared case-insensitively on ASCII only: `str.upper()` maps "ß" to "SS" and "ﬀ"
    to "FF", so "ßa" would become the real airport SSA and "ß" the carrier SS.
    """
    return raw.upper() if raw.isascii() else ""


def calendar_date(raw: str) -> dt.date | None:
    """`raw` as a date if it is one written YYYY-MM-DD, else None: `date.fromisoformat` alone
    also takes `20261220` and ISO week dates (`1990-W50-1`, ten characters like a date)."""
    if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


class FieldChecks:
    """Collects the field errors of one request; each check returns the value or None."""

    __slots__ = ("errors", "today")

    def __init__(self, today: dt.date) -> None:
        self.errors: list[FieldError] = []
        self.today = today

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field=field, message=message))

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    def string(self, value: Any, field: str) -> str | None:
        if value is MISSING:
            self.fail(field, "required")
        elif type(value) is not str:
            self.fail(field, "must be a string")
        else:
            return value
        return None

    def date(self, value: Any, field: str) -> dt.date | None:
        raw = self.string(value, field)
        if raw is None:
            return None
        day = calendar_date(raw)
        if day is None:
            self.fail(field, "must be a date YYYY-MM-DD")
        return day

    def airport(self, value: Any, field: str) -> str | None:
        raw = self.string(value, field)
        if raw is None:
            return None
        code = ascii_upper(raw)
        if len(code) != 3 or not code.isalpha():
            self.fail(field, "must be a 3-letter IATA airport code")
        elif code not in known_airports():
            self.fail(field, f"unknown airport {code!r}")
        else:
            return code
        return None
