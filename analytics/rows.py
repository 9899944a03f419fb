"""Stream entries → table rows (pure): usage events (kernel/usage.py) and order events.

Order events are decoded into a view of their own that holds no personal data: the contact
(names, email, phone) and the booking reference are never read, so they cannot reach the store,
and the owner (the token's `sub`) is stored only as its keyed hash, `traveler_hash`, the same a
signed-in traveler's searches carry (kernel/usage.py): conversion per traveler, nobody named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import msgspec

from kernel.usage import (
    BreakerEvent,
    HitsEvent,
    RepriceEvent,
    SearchEvent,
    decode_usage,
    traveler_hash,
)

Row = tuple[Any, ...]
# Tables and their columns, in insert order; every table starts with the stream position.
POSITION = ("stream", "stream_id", "ms", "seq", "occurred_at", "date")
POSITION_TYPES = ("VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "TIMESTAMP", "DATE")
# Not a table: the `hits` entries of a batch, one compact row each (`hit_row`), which the store
# expands into `searches` and `connector_calls` rows (analytics/hits.py).
HITS = "hits"
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "searches": (
        ("channel", "VARCHAR"), ("partner", "VARCHAR"), ("origin", "VARCHAR"),
        ("destination", "VARCHAR"), ("route", "VARCHAR"), ("slices", "INTEGER"),
        ("departure_date", "VARCHAR"), ("adults", "INTEGER"), ("children", "INTEGER"),
        ("infants", "INTEGER"), ("cabin", "VARCHAR"), ("offers", "INTEGER"),
        ("cheapest_amount", "DECIMAL(18,2)"), ("currency", "VARCHAR"), ("took_ms", "INTEGER"),
        ("cache", "VARCHAR"), ("traveler_hash", "VARCHAR"),
    ),
    "connector_calls": (
        ("connector", "VARCHAR"), ("status", "VARCHAR"), ("offers", "INTEGER"),
        ("latency_ms", "INTEGER"), ("channel", "VARCHAR"),
    ),
    "reprices": (
        ("stage", "VARCHAR"), ("connector", "VARCHAR"), ("outcome", "VARCHAR"),
        ("source", "VARCHAR"), ("amount", "DECIMAL(18,2)"), ("change", "DECIMAL(18,2)"),
        ("currency", "VARCHAR"), ("traveler_hash", "VARCHAR"),
    ),
    "breakers": (("connector", "VARCHAR"), ("state", "VARCHAR")),
    "order_events": (
        ("event_id", "VARCHAR"), ("type", "VARCHAR"), ("order_id", "VARCHAR"),
        ("status", "VARCHAR"), ("payment_status", "VARCHAR"),
        ("total_amount", "DECIMAL(18,2)"), ("currency", "VARCHAR"),
        # Added later: `AnalyticsStore` adds them to an older file (new columns go last).
        ("route", "VARCHAR"), ("traveler_hash", "VARCHAR"),
        # What a refund gave back (`payment.refunded`): a cancellation on its fare's terms
        # returns part of `total_amount`. Null in rows loaded before it was kept.
        ("refund_amount", "DECIMAL(18,2)"),
        # What the event charged beyond the order's total: a change's fare difference
        # (`order.changed`), a seat bought on a paid order (`order.seats_changed`, and
        # `order.seat_change_refunded`: charged, then given back). Null in rows loaded before.
        ("charged_amount", "DECIMAL(18,2)"),
    ),
}  # fmt: skip
# The usage event versions these rows read (kernel/usage.py VERSION).
VERSIONS = (1, 2)


class _OrderView(msgspec.Struct, frozen=True):
    id: str
    status: str
    payment_status: str
    total_amount: Decimal
    total_currency: str
    route: str | None = None
    refund_amount: Decimal | None = None
    charged_amount: Decimal | None = None
    seat_charge_amount: Decimal | None = None


class _OrderEventView(msgspec.Struct, frozen=True):
    id: str
    type: str
    occurred_at: dt.datetime
    order: _OrderView
    owner: str | None = None


_order_decoder = msgspec.json.Decoder(_OrderEventView)


def split_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _position(stream: str, entry_id: str, at: dt.datetime) -> Row:
    """The position columns. (The events of a `hits` entry are keyed `<entry id>.<index>`,
    unique like an entry's, with the entry's `ms`/`seq`: analytics/hits.py.)"""
    ms, seq = split_id(entry_id)
    return (stream, entry_id, ms, seq, at, at.date())


def _utc(unix_s: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix_s, dt.UTC).replace(tzinfo=None)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def usage_rows(stream: str, entry_id: str, data: bytes, rows: dict[str, list[Row]]) -> None:
    """Add the rows of one usage entry to `rows`; an entry that is no known event adds none."""
    try:
        event = decode_usage(data)
    except (msgspec.DecodeError, ValueError):
        return
    if event.version not in VERSIONS:
        return
    if isinstance(event, HitsEvent):
        rows[HITS].append(hit_row(stream, entry_id, event))
        return
    pos = _position(stream, entry_id, _utc(event.at))
    if isinstance(event, SearchEvent):
        _search_rows(pos, event, rows)
    elif isinstance(event, RepriceEvent):
        rows["reprices"].append((*pos, event.stage, event.connector, event.outcome, event.source,
            _decimal(event.amount), _decimal(event.change), event.currency,
            event.traveler_hash))  # fmt: skip
    elif isinstance(event, BreakerEvent):
        rows["breakers"].append((*pos, event.connector, event.state))


def _search_columns(event: SearchEvent) -> Row:
    """A search's columns of `searches` after the position, in `TABLES` order."""
    first = event.slices[0] if event.slices else None
    origin = first.origin if first else None
    destination = first.destination if first else None
    route = f"{origin}-{destination}" if first else None  # an `invalid` bulk query has none
    return (event.channel, event.partner, origin, destination, route,
        len(event.slices), first.departure_date if first else None, event.adults,
        event.children, event.infants, event.cabin, event.offers,
        _decimal(event.cheapest_amount), event.currency, event.took_ms, event.cache,
        event.traveler_hash)  # fmt: skip


def _connector_columns(event: SearchEvent) -> list[Row]:
    """Each airline call's columns of `connector_calls` after the position but the channel."""
    return [(c.name, c.status, c.offers, c.latency_ms) for c in event.connectors]


def _search_rows(pos: Row, event: SearchEvent, rows: dict[str, list[Row]]) -> None:
    rows["searches"].append((*pos, *_search_columns(event)))
    for call in _connector_columns(event):
        rows["connector_calls"].append((*pos, *call, event.channel))


def hit_row(stream: str, entry_id: str, event: HitsEvent) -> Row:
    """A `hits` entry as one row: (stream, entry id, ms, seq, the search's columns, its airline
    calls' columns, each hit's `at` (Unix seconds), each hit's `took_ms`). Its hits differ only in
    those two, so the store hands DuckDB the rest once and DuckDB repeats it per hit: as a row
    of 23 values per hit it cost the consumer ~19 µs a cached search, about what the API worker
    spent answering it, on the same cores (bench/results/2026-12-04-two-workers.md)."""
    ms, seq = split_id(entry_id)
    search = event.search
    return (stream, entry_id, ms, seq, _search_columns(search), _connector_columns(search),
        event.at, event.took_ms)  # fmt: skip


class OrderRows:
    """Adds the row of one order event (a `Parse`); an undecodable entry adds none. `key`: the
    secret owners are hashed with (settings `usage_hash_secret`, as the search side's)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, stream: str, entry_id: str, data: bytes, rows: dict[str, list[Row]]) -> None:
        try:
            event = _order_decoder.decode(data)
        except (msgspec.DecodeError, ValueError):
            return
        at = event.occurred_at.astimezone(dt.UTC).replace(tzinfo=None)
        order = event.order
        owner = None if event.owner is None else traveler_hash(self._key, event.owner)
        # One event charges for a change or for seats, never both.
        charged = order.charged_amount if order.charged_amount is not None else (
            order.seat_charge_amount)  # fmt: skip
        rows["order_events"].append((*_position(stream, entry_id, at), event.id, event.type,
            order.id, order.status, order.payment_status, order.total_amount,
            order.total_currency, order.route, owner, order.refund_amount,
            charged))  # fmt: skip


def empty_rows() -> dict[str, list[Row]]:
    return {**{table: [] for table in TABLES}, HITS: []}


def columns(table: str) -> Iterable[str]:
    return (*POSITION, *(name for name, _ in TABLES[table]))
