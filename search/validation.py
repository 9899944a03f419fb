"""Search request validation: a POST body or a GET query → `SearchRequest`, naming every bad field.

msgspec's typed decoding stops at the first error, and the API wants all of them in one 422, so the
body is decoded loosely (plain JSON values) and checked field by field (`search.checks`). Pure and
allocation-light: this runs on every search. Dates are judged against `today` (UTC, injected), as
the airlines sell from today (UTC) to `MAX_DAYS_AHEAD` days ahead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from connectors.model import CABIN_CLASSES, Passengers, SliceQuery
from kernel.checks import MISSING, known_airports
from kernel.http import json_object
from search.checks import Checks
from search.model import (
    LIMIT_MAX,
    MAX_CONNECTIONS,
    MAX_SEATED,
    MAX_SLICES,
    SORT_KEYS,
    SearchRequest,
)

__all__ = ["known_airports", "parse_search_body", "parse_search_query", "validate_search"]


BODY_FIELDS = frozenset(SearchRequest.__struct_fields__)
_SLICE_FIELDS = frozenset(SliceQuery.__struct_fields__)
_PASSENGER_FIELDS = frozenset(Passengers.__struct_fields__)
QUERY_FIELDS = frozenset(
    {"origin", "destination", "departure_date", "return_date", "adults", "children", "infants"}
    | {"cabin_class", "sort", "limit", "currency", "max_connections", "cache"}
)


def parse_search_body(body: bytes, *, today: dt.date) -> SearchRequest:
    """`POST /v1/search`: `BadRequest` unless a JSON object; `ValidationFailed` names each field."""
    return validate_search(json_object(body), today=today)


def validate_search(data: dict[str, Any], *, today: dt.date) -> SearchRequest:
    """Validate a decoded search body (plain JSON values); see `parse_search_body`."""
    check = Checks(today)
    check.unknown(data, BODY_FIELDS)
    get = _given(data).get
    currency = check.currency(get("currency", "USD"), "currency")  # max_price is in it
    return check.result(
        slices=_slices(check, get("slices", MISSING)),
        passengers=_passengers(check, get("passengers", MISSING)),
        cabin_class=check.choice(get("cabin_class", "economy"), "cabin_class", CABIN_CLASSES),
        max_connections=check.integer(
            get("max_connections", 1), "max_connections", 0, MAX_CONNECTIONS
        ),
        currency=currency,
        sort=check.choice(get("sort", "price"), "sort", SORT_KEYS),
        limit=check.integer(get("limit", 50), "limit", 1, LIMIT_MAX),
        airlines=check.airlines(get("airlines"), "airlines"),
        max_price=check.price(get("max_price"), "max_price", currency),
        deadline_ms=check.deadline(get("deadline_ms"), "deadline_ms"),
        cache=check.boolean(get("cache", True), "cache"),
    )


def _given(members: dict[str, Any]) -> dict[str, Any]:
    # One rule for every member of the body: null is as if it were left out, so an optional
    # one takes its default (as `max_price`, `airlines` and `deadline_ms` always did, and as
    # null unsets a profile's field) and a required one is "required".
    if None not in members.values():
        return members  # the common body: no copy
    return {name: value for name, value in members.items() if value is not None}


def _slices(check: Checks, value: Any) -> tuple[SliceQuery, ...]:
    if value is MISSING or type(value) is not list:
        check.fail("slices", "required" if value is MISSING else "must be an array")
        return ()
    if not 1 <= len(value) <= MAX_SLICES:
        check.fail("slices", f"must hold 1 to {MAX_SLICES} slices")
        return ()
    slices = []
    previous: dt.date | None = None
    for i, item in enumerate(value):
        prefix = f"slices[{i}]."
        if type(item) is not dict:
            check.fail(prefix[:-1], "must be an object")
            continue
        check.unknown(item, _SLICE_FIELDS, prefix)
        got = _given(item).get
        found = check.slice(
            got("origin", MISSING), got("destination", MISSING),
            got("departure_date", MISSING), prefix, previous,
        )  # fmt: skip
        if found is not None:
            slices.append(found)
            previous = found.departure_date
    return tuple(slices)


def _passengers(check: Checks, value: Any) -> Passengers | None:
    if value is MISSING:
        return Passengers()
    if type(value) is not dict:
        check.fail("passengers", "must be an object")
        return None
    check.unknown(value, _PASSENGER_FIELDS, "passengers.")
    get = _given(value).get
    return check.passengers(
        check.integer(get("adults", 1), "passengers.adults", 1, MAX_SEATED),
        check.integer(get("children", 0), "passengers.children", 0, MAX_SEATED - 1),
        check.integer(get("infants", 0), "passengers.infants", 0, MAX_SEATED),
        "passengers.",
    )


def parse_search_query(params: Iterable[tuple[str, str]], *, today: dt.date) -> SearchRequest:
    """`GET /v1/search`: a one-way or round trip from query parameters; fields named `query.<p>`."""
    check = Checks(today)
    query = check.query_params(params, QUERY_FIELDS)
    get = query.get
    outbound = check.slice(
        get("origin", MISSING), get("destination", MISSING), get("departure_date", MISSING),
        "query.", None,
    )  # fmt: skip
    slices: tuple[SliceQuery, ...] = () if outbound is None else (outbound,)
    if "return_date" in query:
        back = check.date(query["return_date"], "query.return_date")
        if back is not None and outbound is not None:
            if back < outbound.departure_date:
                check.fail("query.return_date", "must not be before the departure date")
            else:
                slices += (SliceQuery(outbound.destination, outbound.origin, back),)
    return check.result(
        slices=slices,
        passengers=check.passengers(
            check.query_integer(get("adults"), "query.adults", 1, MAX_SEATED, 1),
            check.query_integer(get("children"), "query.children", 0, MAX_SEATED - 1, 0),
            check.query_integer(get("infants"), "query.infants", 0, MAX_SEATED, 0),
            "query.",
        ),
        cabin_class=check.choice(get("cabin_class", "economy"), "query.cabin_class", CABIN_CLASSES),
        max_connections=check.query_integer(
            get("max_connections"), "query.max_connections", 0, MAX_CONNECTIONS, 1
        ),
        currency=check.currency(get("currency", "USD"), "query.currency"),
        sort=check.choice(get("sort", "price"), "query.sort", SORT_KEYS),
        limit=check.query_integer(get("limit"), "query.limit", 1, LIMIT_MAX, 50),
        cache=check.query_boolean(get("cache"), "query.cache"),
    )
