"""Field checks of a search request: each normalizes one JSON value or records why it is bad.

`Checks` collects every `FieldError` of one request, so the caller can name all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from connectors.model import Passengers, SliceQuery
from kernel import query as kernel_query
from kernel.checks import MISSING, FieldChecks, ascii_upper
from kernel.currencies import MINOR_UNITS, priced_currencies_text
from kernel.errors import ValidationFailed, clipped
from search.model import (
    CURRENCIES,
    DEADLINE_MS_MAX,
    DEADLINE_MS_MIN,
    MAX_DAYS_AHEAD,
    MAX_SEATED,
    MONEY_PATTERN,
    SearchRequest,
)

MAX_AIRLINES = 100
# A money amount as the API writes one: ASCII digits, then a point and digits if any.
PLAIN_DECIMAL = re.compile(MONEY_PATTERN)
NOT_MONEY = 'must be a positive decimal string of digits and a point, e.g. "500.00"'


class Checks(FieldChecks):
    """The search request's checks; each returns the normalized value or None."""

    __slots__ = ("last_day",)

    def __init__(self, today: dt.date) -> None:
        super().__init__(today)
        self.last_day = today + dt.timedelta(days=MAX_DAYS_AHEAD)

    def query_params(
        self, params: Iterable[tuple[str, str]], known: frozenset[str]
    ) -> dict[str, str]:
        """Query parameters by name; each unknown or repeated one is failed as `query.<name>`."""
        query, errors = kernel_query.query_params(params, known)
        self.errors.extend(errors)
        return query

    def unknown(self, given: Iterable[str], known: frozenset[str], prefix: str = "") -> None:
        for name in given:
            if name not in known:
                self.fail(prefix + name, "unknown field")

    def date(self, value: Any, field: str) -> dt.date | None:
        """A departure date: YYYY-MM-DD, from today to the end of the booking horizon."""
        day = super().date(value, field)
        if day is None:
            return None
        if day < self.today:
            self.fail(field, "date is in the past")
        elif day > self.last_day:
            self.fail(field, f"date is more than {MAX_DAYS_AHEAD} days ahead")
        else:
            return day
        return None

    def integer(self, value: Any, field: str, low: int, high: int) -> int | None:
        # `type() is int`: JSON true decodes to a bool, which isinstance() would take for 1.
        if value is MISSING:
            self.fail(field, "required")
        elif type(value) is not int:
            self.fail(field, "must be an integer")
        elif not low <= value <= high:
            self.fail(field, f"must be between {low} and {high}")
        else:
            return value
        return None

    def query_integer(
        self, value: str | None, field: str, low: int, high: int, default: int
    ) -> int | None:
        if value is None:
            return default
        return self.integer(kernel_query.ascii_int(value), field, low, high)

    def boolean(self, value: Any, field: str) -> bool:
        if type(value) is not bool:
            self.fail(field, "must be true or false")
            return True
        return value

    def query_boolean(self, value: str | None, field: str) -> bool:
        if value is None:
            return True
        if value not in ("true", "false"):
            self.fail(field, "must be true or false")
        return value != "false"

    def choice(self, value: Any, field: str, options: tuple[str, ...]) -> Any:
        if type(value) is not str:
            self.fail(field, "must be a string")
        elif value not in options:
            self.fail(
                field, f"unknown value {clipped(value)!r}, expected one of: {', '.join(options)}"
            )
        else:
            return value
        return None

    def currency(self, value: Any, field: str) -> Any:
        raw = self.string(value, field)
        if raw is None:
            return None
        code = ascii_upper(raw)
        if len(code) != 3 or not code.isalpha():
            self.fail(field, "must be an ISO 4217 currency code")
        elif code not in CURRENCIES:
            expected = priced_currencies_text()
            self.fail(field, f"unsupported currency {code!r}, expected one of: {expected}")
        else:
            return code
        return None

    def airlines(self, value: Any, field: str) -> tuple[str, ...] | None:
        if value is None:
            return None
        if type(value) is not list:
            self.fail(field, "must be an array of carrier codes")
            return None
        if not 1 <= len(value) <= MAX_AIRLINES:
            self.fail(field, f"must hold 1 to {MAX_AIRLINES} carrier codes")
            return None
        codes = set()
        for i, item in enumerate(value):
            code = ascii_upper(item) if type(item) is str else ""
            if len(code) != 2 or not code.isalnum():
                self.fail(f"{field}[{i}]", "must be a 2-character IATA carrier code")
            else:
                codes.add(code)
        return tuple(sorted(codes))

    def price(self, value: Any, field: str, currency: str | None) -> Decimal | None:
        """A positive decimal string with no more decimal places than `currency` has (None:
        the currency is itself invalid, so its places are not judged)."""
        if value is None:
            return None
        # Only as the API writes money: Decimal() also reads "1e3", " 500", "5_00", "+5", ".5"
        # and non-ASCII digits ("５００"), none of which any number of this API may be.
        if type(value) is not str or len(value) > 20 or PLAIN_DECIMAL.fullmatch(value) is None:
            self.fail(field, NOT_MONEY)
            return None
        amount = Decimal(value)
        if amount <= 0:
            self.fail(field, NOT_MONEY)
            return None
        places = None if currency is None else MINOR_UNITS[currency]
        # By value ("900.100" is 900.1), from the exponent: quantizing "1E+99" to cents would
        # need more digits than the decimal context has, and raise.
        exponent = amount.normalize().as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            self.fail(field, f"must have at most {places} decimal places in {currency}")
            return None
        return amount

    def deadline(self, value: Any, field: str) -> int | None:
        if value is None:
            return None
        return self.integer(value, field, DEADLINE_MS_MIN, DEADLINE_MS_MAX)

    def slice(
        self, origin: Any, destination: Any, date: Any, prefix: str, after: dt.date | None
    ) -> SliceQuery | None:
        """One slice; `after` is the previous slice's date, which this one may not precede."""
        origin_code = self.airport(origin, prefix + "origin")
        destination_code = self.airport(destination, prefix + "destination")
        day = self.date(date, prefix + "departure_date")
        # Each check on its own: a 422 names every bad field, not the first one found.
        valid = True
        if origin_code is not None and origin_code == destination_code:
            self.fail(prefix + "destination", "must differ from the origin")
            valid = False
        if day is not None and after is not None and day < after:
            self.fail(prefix + "departure_date", "must not be before the previous slice's date")
            valid = False
        if not valid or origin_code is None or destination_code is None or day is None:
            return None
        return SliceQuery(origin_code, destination_code, day)

    def passengers(
        self, adults: int | None, children: int | None, infants: int | None, prefix: str
    ) -> Passengers | None:
        if adults is None or children is None or infants is None:
            return None
        valid = True
        if infants > adults:
            self.fail(prefix + "infants", "must not outnumber adults (each infant needs a lap)")
            valid = False
        if adults + children > MAX_SEATED:
            self.fail(prefix + "children", f"at most {MAX_SEATED} seated passengers in all")
            valid = False
        return Passengers(adults, children, infants) if valid else None

    def result(self, **fields: Any) -> SearchRequest:
        if self.errors:
            raise ValidationFailed(self.errors)
        return SearchRequest(**fields)
