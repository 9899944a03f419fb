"""Bulk fares (docs/api.md "Bulk fares"): the request, its validation, and the NDJSON lines.

The envelope (`queries`, `max_age_s`, `mode`) is validated whole: any error there is a 422. Each
query is validated on its own as the batch is answered, so a bad one becomes its own `invalid`
line and the others are still answered. Pure: `today` is injected.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from connectors.model import CABIN_CLASSES, AirportCode, CabinClass, Passengers, SliceQuery
from kernel.checks import MISSING
from kernel.errors import FieldError, ValidationFailed
from kernel.http import MAX_JSON_DEPTH, has_escaped_nul, json_object
from kernel.json_body import member_count
from search.checks import Checks
from search.fare_index import CheapestFare, IndexSlot, slot
from search.model import MAX_SEATED, SearchRequest, SearchWarning

MAX_QUERIES = 1000
DEFAULT_MAX_AGE_S = 3600
MAX_AGE_S_MAX = 7 * 86_400
Mode = Literal["cached", "live"]
Status = Literal["ok", "not_cached", "invalid", "error"]

_QUERY_FIELDS = frozenset(
    {"origin", "destination", "departure_date", "return_date", "cabin_class", "adults"}
)
_ENVELOPE_FIELDS = frozenset({"queries", "max_age_s", "mode"})
_encoder = msgspec.json.Encoder()


class BulkQueryBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One query of the request body (the OpenAPI schema; validation is `validate_query`)."""

    origin: AirportCode
    destination: AirportCode
    departure_date: dt.date
    return_date: dt.date | None = None
    cabin_class: CabinClass = "economy"
    adults: Annotated[int, msgspec.Meta(ge=1, le=MAX_SEATED)] = 1


# Any item is accepted into the batch: one that is not a valid BulkQueryBody gets its own
# `invalid` line and does not fail the others, so the document says "a BulkQueryBody, or not".
AnyQuery = Annotated[
    Any,
    msgspec.Meta(
        extra_json_schema={
            "anyOf": [{"$ref": "#/components/schemas/BulkQueryBody"}, {}],
            "description": "A BulkQueryBody; anything else is answered by its own `invalid`"
            " line, and the rest of the batch goes on.",
        }
    ),
]


class BulkRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """`POST /v1/fares/bulk`."""

    queries: Annotated[tuple[AnyQuery, ...], msgspec.Meta(min_length=1, max_length=MAX_QUERIES)]
    max_age_s: Annotated[int, msgspec.Meta(ge=0, le=MAX_AGE_S_MAX)] = DEFAULT_MAX_AGE_S
    mode: Mode = "cached"


class Envelope(msgspec.Struct, frozen=True):
    """A validated envelope; `queries` are still raw JSON values (validated one by one).
    `keys`, when given, are equal for queries of the same JSON text (see `query_key`)."""

    queries: list[Any]
    max_age_s: int
    mode: Mode
    keys: list[bytes] | None = None


class _Batch(msgspec.Struct, forbid_unknown_fields=True):
    """The envelope of a well-formed request, its queries left as JSON text (`parse_envelope`)."""

    queries: Annotated[list[msgspec.Raw], msgspec.Meta(min_length=1, max_length=MAX_QUERIES)]
    # Unset when absent: the members the body holds are counted (`_well_formed`).
    max_age_s: Annotated[int, msgspec.Meta(ge=0, le=MAX_AGE_S_MAX)] | UnsetType = UNSET
    mode: Mode | UnsetType = UNSET


_batch = msgspec.json.Decoder(_Batch)
_any_json = msgspec.json.Decoder()
# A query is the third level of the body: one with more brackets than this might nest past
# `MAX_JSON_DEPTH`, which `json_object` judges.
_MAX_QUERY_BRACKETS = MAX_JSON_DEPTH - 2


class BulkQuery(msgspec.Struct, frozen=True):
    """A validated query: a one-way or return trip, adults only."""

    origin: str
    destination: str
    departure_date: dt.date
    return_date: dt.date | None
    cabin_class: CabinClass
    adults: int

    def slot(self, scope: str) -> IndexSlot:
        return slot(
            scope, self.origin, self.destination, self.departure_date, self.return_date,
            self.cabin_class, self.adults,
        )  # fmt: skip

    def search_request(self, *, cache: bool = True) -> SearchRequest:
        slices: tuple[SliceQuery, ...] = (
            SliceQuery(self.origin, self.destination, self.departure_date),
        )
        if self.return_date is not None:
            slices += (SliceQuery(self.destination, self.origin, self.return_date),)
        return SearchRequest(
            slices=slices,
            passengers=Passengers(adults=self.adults),
            cabin_class=self.cabin_class,
            cache=cache,
        )


class Price(msgspec.Struct, frozen=True):
    amount: Decimal  # encoded as a string, like every amount of the API
    currency: str
    offer_id: str


class BulkLine(msgspec.Struct, frozen=True, omit_defaults=True):
    """One NDJSON line: `index` is the query's position in the request."""

    index: int
    status: Status
    cheapest: Price | None = None
    offers: int | None = None
    cached_at: dt.datetime | None = None
    errors: tuple[FieldError, ...] | None = None
    detail: str | None = None
    # As a search's `meta.warnings`: today `route_not_served`, on a miss no search would fill.
    warnings: tuple[SearchWarning, ...] = ()


def parse_envelope(body: bytes) -> Envelope:
    """`BadRequest` unless a JSON object; `ValidationFailed` names each bad envelope field."""
    return _well_formed(body) or _checked(body)


def _well_formed(body: bytes) -> Envelope | None:
    """The envelope of a body that `_checked` would take, or None (for `_checked` to name
    what is wrong): decoded as JSON text per query, each distinct query decoded once and shared
    by its repeats (a partner's 1000 queries repeat ~100; a Python object each cost more than
    the rest of the batch's answer, issue 18)."""
    try:
        batch = _batch.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return None
    if has_escaped_nul(body):
        return None
    keys = list(map(bytes, batch.queries))
    decoded: dict[bytes, Any] = {}
    colons: dict[bytes, int] = {}
    for key in keys:
        if key not in decoded:
            if key.count(b"{") + key.count(b"[") > _MAX_QUERY_BRACKETS:
                return None
            try:
                decoded[key] = query = _any_json.decode(key)
            except msgspec.DecodeError:
                return None
            colons[key] = count = key.count(b":")
            # A member name given twice (here or in the envelope) is `json_object`'s to name
            # (kernel/json_body.py). A flat query has a colon per member: no walk needed.
            flat = type(query) is dict and len(query) == count
            if not flat and member_count(query) != count:
                return None
    max_age_s, mode = batch.max_age_s, batch.mode
    envelope = 1 + (max_age_s is not UNSET) + (mode is not UNSET)
    if body.count(b":") != envelope + sum(map(colons.__getitem__, keys)):
        return None
    if max_age_s is UNSET:
        max_age_s = DEFAULT_MAX_AGE_S
    if mode is UNSET:
        mode = "cached"
    return Envelope([decoded[k] for k in keys], max_age_s, mode, keys)


def _checked(body: bytes) -> Envelope:
    data = json_object(body)
    check = Checks(dt.date.min)
    check.unknown(data, _ENVELOPE_FIELDS)
    queries = data.get("queries", MISSING)
    if queries is MISSING or type(queries) is not list:
        check.fail("queries", "required" if queries is MISSING else "must be an array")
    elif not 1 <= len(queries) <= MAX_QUERIES:
        check.fail("queries", f"must hold 1 to {MAX_QUERIES} queries, got {len(queries)}")
    max_age_s = check.integer(
        data.get("max_age_s", DEFAULT_MAX_AGE_S), "max_age_s", 0, MAX_AGE_S_MAX
    )
    mode = check.choice(data.get("mode", "cached"), "mode", ("cached", "live"))
    if check.errors:
        raise ValidationFailed(check.errors)
    assert max_age_s is not None
    return Envelope(queries, max_age_s, mode)


def validate_query(value: Any, today: dt.date) -> BulkQuery | tuple[FieldError, ...]:
    """The query, or why it is invalid (fields named as in the query: `origin`, `adults`, ...;
    `query` when it is not an object at all)."""
    check = Checks(today)
    if type(value) is not dict:
        return (FieldError(field="query", message="must be an object"),)
    check.unknown(value, _QUERY_FIELDS)
    get = value.get
    out = check.slice(
        get("origin", MISSING),
        get("destination", MISSING),
        get("departure_date", MISSING),
        "",
        None,
    )
    back = get("return_date")
    return_date = None if back is None else check.date(back, "return_date")
    if return_date is not None and out is not None and return_date < out.departure_date:
        check.fail("return_date", "must not be before the departure date")
    cabin = check.choice(get("cabin_class", "economy"), "cabin_class", CABIN_CLASSES)
    adults = check.integer(get("adults", 1), "adults", 1, MAX_SEATED)
    if check.errors or out is None or adults is None:
        return tuple(check.errors)
    return BulkQuery(out.origin, out.destination, out.departure_date, return_date, cabin, adults)


def fare_line(index: int, fare: CheapestFare) -> BulkLine:
    return BulkLine(
        index=index,
        status="ok",
        cheapest=Price(fare.amount, fare.currency, fare.offer_id),
        offers=fare.offers,
        cached_at=dt.datetime.fromtimestamp(fare.cached_at, dt.UTC),
    )


def encode_line(line: BulkLine) -> bytes:
    return _encoder.encode(line) + b"\n"


def line_tail(line: BulkLine) -> bytes:
    """`line`'s encoding after its index, newline included: the line of any `index` with the
    same answer is `indexed(index, tail)`, so a query repeated in a batch is encoded once."""
    encoded = _encoder.encode(line)
    return encoded[encoded.index(b",") :] + b"\n"  # `index` is the first field


def indexed(index: int, tail: bytes) -> bytes:
    return index_head(index) + tail


# Each line's bytes before its tail, formatted once per process: a 1000-query batch joins them
# with the tails instead of formatting 1000 lines (issue 18).
_HEADS = tuple(b'{"index":%d' % i for i in range(MAX_QUERIES))


def index_head(index: int) -> bytes:
    """`{"index":N`, the bytes of line N before its `line_tail`."""
    return _HEADS[index] if index < MAX_QUERIES else b'{"index":%d' % index


# The JSON value types a query key may hold: types whose equal values are the same JSON (1, 1.0
# and true are equal in Python but not to `validate_query`).
_KEYABLE = frozenset({str, int, type(None)})
QueryKey = tuple[tuple[str, Any], ...]


def query_key(value: Any) -> QueryKey | None:
    """For an `Envelope` without `keys`: a key equal for queries `validate_query` answers
    alike (same fields, values of the same types, in the same order), or None for one to
    answer on its own. A partner refreshing its popular routes repeats queries: each distinct
    one is validated, looked up, encoded once."""
    if type(value) is not dict:
        return None
    items = tuple(value.items())
    for _, field in items:
        if type(field) not in _KEYABLE:
            return None
    return items
