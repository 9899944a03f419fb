"""The search request and response (docs/api.md), as frozen Structs that encode straight to JSON.

`SearchRequest` is what `search.validation` produces from a POST body or a GET query: validated,
codes upper-cased, defaults filled in. It is also the request schema of the OpenAPI document, so
its field names and constraints are those of the public body.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from connectors.model import CabinClass, FlightQuery, Offer, Passengers, SliceQuery
from connectors.resilience import ConnectorStatus
from kernel.currencies import PRICED_CURRENCIES, PricedCurrency

SortKey = Literal["price", "duration", "departure"]
ConnectorOutcome = Literal["ok", "timeout", "error", "circuit_open", "skipped"]
CacheState = Literal["hit", "miss", "stale"]

SORT_KEYS: tuple[SortKey, ...] = ("price", "duration", "departure")
# What the airlines sell in (kernel/currencies.py: profiles may prefer only these, too).
CURRENCIES: frozenset[str] = PRICED_CURRENCIES
MAX_SLICES = 6
MAX_CONNECTIONS = 2
MAX_SEATED = 9
MAX_DAYS_AHEAD = 361
LIMIT_MAX = 500
DEADLINE_MS_MIN = 100
DEADLINE_MS_MAX = 10_000

CarrierCode = Annotated[str, msgspec.Meta(pattern="^[A-Z0-9]{2}$")]


# Money as the API writes it: ASCII digits, and a point and digits if any (no sign, exponent,
# spaces or grouping); search/checks.py refuses anything else.
MONEY_PATTERN = r"[0-9]+(?:\.[0-9]+)?"
_MAX_PRICE = (
    "A positive decimal string in `currency` (ASCII digits and a point: no exponent, sign or "
    "spaces), with at most its decimal places (2 for EUR, GBP and USD): the offers' total is "
    "at most this"
)


class SearchRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A validated, normalized search (docs/api.md "Search")."""

    slices: Annotated[tuple[SliceQuery, ...], msgspec.Meta(min_length=1, max_length=MAX_SLICES)]
    passengers: Passengers = Passengers()
    cabin_class: CabinClass = "economy"
    max_connections: Annotated[int, msgspec.Meta(ge=0, le=MAX_CONNECTIONS)] = 1
    currency: PricedCurrency = "USD"
    sort: SortKey = "price"
    limit: Annotated[int, msgspec.Meta(ge=1, le=LIMIT_MAX)] = 50
    airlines: tuple[CarrierCode, ...] | None = None  # sorted, without duplicates
    # > 0, in the currency's minor units (search/checks.py): msgspec constrains only numbers.
    max_price: (
        Annotated[
            Decimal,
            msgspec.Meta(
                description=_MAX_PRICE,
                examples=["500.00"],
                extra_json_schema={"pattern": f"^{MONEY_PATTERN}$", "maxLength": 20},
            ),
        ]
        | None
    ) = None
    deadline_ms: Annotated[int, msgspec.Meta(ge=DEADLINE_MS_MIN, le=DEADLINE_MS_MAX)] | None = None
    # false: search the airlines even when a cached answer exists (the answer is still cached)
    cache: bool = True

    def flight_query(self) -> FlightQuery:
        """What every connector is asked: the filters and the ranking stay with us."""
        return FlightQuery(
            slices=self.slices,
            passengers=self.passengers,
            cabin_class=self.cabin_class,
            max_connections=self.max_connections,
            currency=self.currency,
        )


class ConnectorReport(msgspec.Struct, frozen=True):
    """How one connector that serves the route did in one search."""

    name: str
    status: ConnectorOutcome
    offers: int
    latency_ms: int


# A string, not an enum: a client generated from the document must not break on a new code.
WarningCode = Annotated[
    str,
    msgspec.Meta(
        description="What the warning is about, for programs; today only `route_not_served` "
        "(no airline Skyfare searches serves the route: none was asked). Others may come: "
        "a code not known to the client is read from `detail`",
        examples=["route_not_served"],
    ),
]


class SearchWarning(msgspec.Struct, frozen=True):
    """What the offers alone cannot tell (as Amadeus' `warnings`): `code` for programs, `detail`
    for people."""

    code: WarningCode
    detail: str


# The answer of a route no connector serves: its `offers: []` and `connectors: []` would read
# like airlines asked that had nothing, which a retry on another date might change.
ROUTE_NOT_SERVED = SearchWarning(
    "route_not_served",
    "No airline Skyfare searches serves this route, so none was asked: "
    "no date, cabin or filter would find offers for it.",
)


class SearchMeta(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    took_ms: int
    cache: CacheState
    # Present (true) only when the shared fare cache (Redis) could not be reached: the answer
    # is live and was not cached for other processes.
    cache_unavailable: bool = False
    partial: bool
    connectors: tuple[ConnectorReport, ...]
    # Absent when there is nothing to say (today: present only for a route nobody serves).
    warnings: tuple[SearchWarning, ...] = ()


class SearchResponse(msgspec.Struct, frozen=True):
    search_id: str
    offers: tuple[Offer, ...]
    meta: SearchMeta


class ConnectorLine(msgspec.Struct, frozen=True):
    """One NDJSON line of a streamed search: a connector's own offers, ranked, as it answers."""

    connector: str
    status: ConnectorOutcome
    offers: tuple[Offer, ...]


class DoneLine(msgspec.Struct, frozen=True, kw_only=True):
    """The last NDJSON line of a streamed search."""

    done: bool = True
    search_id: str
    meta: SearchMeta


class ConnectorsResponse(msgspec.Struct, frozen=True):
    """`GET /v1/connectors`."""

    connectors: tuple[ConnectorStatus, ...]
