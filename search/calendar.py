"""The fare calendar (`GET /v1/fares/calendar`, docs/api.md): the cheapest cached fare per day.

Pure: the query is validated against `today` (UTC, injected) and the month is built from what
the fare index holds for it (`FareIndex.month`), `null` for each day without a fare.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping

import msgspec

from connectors.model import CABIN_CLASSES, CabinClass
from kernel.checks import MISSING
from kernel.currencies import PricedCurrency
from kernel.errors import ValidationFailed
from kernel.query import ascii_int
from search.bulk import Price
from search.checks import Checks
from search.fare_index import CheapestFare, month_key
from search.model import MAX_SEATED

_PARAMS = frozenset({"origin", "destination", "month", "cabin_class", "adults", "currency"})


class CalendarQuery(msgspec.Struct, frozen=True):
    origin: str
    destination: str
    month: str  # YYYY-MM
    cabin_class: CabinClass
    adults: int
    currency: PricedCurrency = "USD"

    def key(self, scope: str) -> str:
        return month_key(
            scope, self.origin, self.destination, self.cabin_class, self.adults, self.month,
            self.currency,
        )  # fmt: skip


class CalendarDay(msgspec.Struct, frozen=True):
    cheapest: Price
    offers: int
    cached_at: dt.datetime


class CalendarResponse(msgspec.Struct, frozen=True):
    """Every day of the month, in order: its cheapest cached one-way fare, or null. Each fare is
    one a search in `currency` found (priced by the airline in it, as search asks them)."""

    origin: str
    destination: str
    month: str
    cabin_class: CabinClass
    adults: int
    days: dict[str, CalendarDay | None]
    currency: PricedCurrency = "USD"


def parse_calendar_query(params: Iterable[tuple[str, str]], *, today: dt.date) -> CalendarQuery:
    """Raises `ValidationFailed` naming each bad parameter as `query.<name>`."""
    check = Checks(today)
    query = check.query_params(params, _PARAMS)
    origin = check.airport(query.get("origin", MISSING), "query.origin")
    destination = check.airport(query.get("destination", MISSING), "query.destination")
    if origin is not None and origin == destination:
        check.fail("query.destination", "must differ from the origin")
    month = _month(check, query.get("month", MISSING))
    cabin = check.choice(query.get("cabin_class", "economy"), "query.cabin_class", CABIN_CLASSES)
    adults = check.query_integer(query.get("adults"), "query.adults", 1, MAX_SEATED, 1)
    currency = check.currency(query.get("currency", "USD"), "query.currency")
    if check.errors:
        raise ValidationFailed(check.errors)
    assert origin is not None
    assert destination is not None
    assert month is not None
    assert adults is not None
    return CalendarQuery(origin, destination, month, cabin, adults, currency)


def _month(check: Checks, value: str) -> str | None:
    field = "query.month"
    if value is MISSING:
        check.fail(field, "required")
        return None
    try:
        year, month = ascii_int(value[:4]), ascii_int(value[5:])
        if len(value) != 7 or value[4] != "-" or year is None or month is None:
            raise ValueError(value)
        first = dt.date(year, month, 1)
    except ValueError:
        check.fail(field, "must be a month YYYY-MM")
        return None
    if first < check.today.replace(day=1):
        check.fail(field, "month is in the past")
    elif first > check.last_day:
        check.fail(field, "month is beyond the bookable range")
    else:
        return value
    return None


def build_calendar(query: CalendarQuery, fares: Mapping[str, CheapestFare]) -> CalendarResponse:
    year, month = int(query.month[:4]), int(query.month[5:])
    days: dict[str, CalendarDay | None] = {}
    for day in range(1, calendar.monthrange(year, month)[1] + 1):
        date = f"{query.month}-{day:02d}"
        fare = fares.get(date)  # a return trip's field is "<date>/<return>": never matched here
        days[date] = None if fare is None else _day(fare)
    return CalendarResponse(
        query.origin, query.destination, query.month, query.cabin_class, query.adults, days,
        query.currency,
    )  # fmt: skip


def _day(fare: CheapestFare) -> CalendarDay:
    return CalendarDay(
        Price(fare.amount, fare.currency, fare.offer_id),
        fare.offers,
        dt.datetime.fromtimestamp(fare.cached_at, dt.UTC),
    )
