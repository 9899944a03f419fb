"""The reports: named SQL over the store, each a table of plain values (JSON- and rich-ready).

Every report takes `since` (a UTC datetime): only what happened at or after it counts.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import msgspec

from analytics.rows import TABLES
from analytics.store import AnalyticsStore


class Report(msgspec.Struct, frozen=True):
    """One report: its name, what it shows, its columns and rows (values: str, int, float)."""

    name: str
    title: str
    since: dt.datetime
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


# A partner's query answered `invalid` is a row of `searches` (cache 'invalid', no route) but
# no search: the reports of searches leave it out, and `partners` counts it. IS DISTINCT FROM,
# not <>: a row with no `cache` (none is written so; a file from before it was a column) stays.
_SEARCHED = "cache IS DISTINCT FROM 'invalid'"
# Order events that charged the card beyond the order's total (analytics/rows.py
# `charged_amount`), and those that gave money back without a `payment.refunded`.
_CHARGES = "('order.changed', 'order.seats_changed', 'order.seat_change_refunded')"
_GIVEN_BACK = (
    "(type = 'order.changed' AND refund_amount IS NOT NULL) OR type = 'order.seat_change_refunded'"
)
# The order events since `$since`, each event once: delivery is at least once (booking/events.py),
# and an event the relay published twice is two stream entries, two rows. Counts of distinct
# orders need no such care; sums of money do.
_ONCE_EACH = (
    "(SELECT * FROM order_events WHERE occurred_at >= $since "
    "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ms, seq) = 1)"
)
# Each order's first event that shows it paid: no event says "captured" (the capture's own
# change emits none), so that is where the order's money came in.
_FIRST_PAID = (
    "SELECT event_id, order_id, occurred_at FROM order_events "
    "WHERE payment_status IN ('paid', 'refunded') "
    "QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY occurred_at, ms, seq) = 1"
)


def _store_day(aggregate: str) -> str:
    """The store's first (`min`) or last (`max`) day, null while it holds nothing (DuckDB
    answers both from its statistics: ~3 ms over 20 M rows)."""
    return (
        f"(SELECT {aggregate}(date) FROM ("
        + " UNION ALL ".join(f"SELECT {aggregate}(date) AS date FROM {table}" for table in TABLES)
        + "))"
    )


_KNOWN_FROM = _store_day("min")
_KNOWN_TO = _store_day("max")


def _every_day(
    query: str, *, key: str | None = None, zeros: tuple[str, ...], others: tuple[str, ...] = ()
) -> str:
    """`query` (rows per `date`, and per `key`) with a row for every day of the window, `$first`
    to `$last`, or on to the store's last day where that is later (an event stamped by a clock
    ahead of this one's): a day without data holds 0 in each of `zeros` (null in `others`).
    Without them a chart's axis went from the last busy day to the next, and a quiet day read
    as no day. The days between today and a future day were left out too, that day listed
    alone in the one report whose data held it: the store's last day, not the report's data's,
    so every per-day report ends on the same day. Each `key` seen in the window
    gets a row every day, so a chart's series line up; a window without data at all has one
    row a day, its key null. Days before the store's first row are not listed: it knows
    nothing of them (and `since=9999d` would be 27 years of zeros)."""
    keyed = () if key is None else (key,)
    join = "" if key is None else f" AND data.{key} IS NOT DISTINCT FROM keys.{key}"
    keys = (
        ""
        if key is None
        else f", keys AS (SELECT DISTINCT {key} FROM data "
        f"UNION ALL SELECT NULL WHERE NOT EXISTS (SELECT 1 FROM data)) "
    )
    values = [f"coalesce(data.{c}, 0) AS {c}" for c in zeros] + [f"data.{c}" for c in others]
    return (
        f"WITH data AS ({query}), days AS (SELECT CAST(d AS DATE) AS date FROM generate_series("
        f"(SELECT CAST(greatest(CAST($first AS DATE), known) AS TIMESTAMP) FROM "
        f"(SELECT {_KNOWN_FROM} AS known) WHERE known IS NOT NULL), "
        # greatest() skips a null: an empty store, no later day.
        f"greatest(CAST($last AS TIMESTAMP), CAST({_KNOWN_TO} AS TIMESTAMP)), "
        "INTERVAL 1 DAY) AS t(d) "
        f"UNION SELECT date FROM data){keys}"
        f"SELECT days.date, {', '.join([*(f'keys.{k}' for k in keyed), *values])} FROM days "
        f"{'' if key is None else 'CROSS JOIN keys '}"
        f"LEFT JOIN data ON data.date = days.date{join} "
        f"ORDER BY {', '.join(['days.date', *(f'keys.{k}' for k in keyed)])}"
    )


_SQL: dict[str, tuple[str, str]] = {
    "searches": (
        "Searches per day and channel",
        _every_day(
            "SELECT date, channel, count(*) AS searches FROM searches WHERE occurred_at >= $since "
            f"AND {_SEARCHED} GROUP BY date, channel",
            key="channel",
            zeros=("searches",),
        ),
    ),
    "routes": (
        "Top routes by searches, and how many the fare cache answered",
        "SELECT route, count(*) AS searches, "
        "count(*) FILTER (WHERE cache IN ('hit', 'stale')) AS from_cache "
        f"FROM searches WHERE occurred_at >= $since AND {_SEARCHED} "
        "GROUP BY route ORDER BY searches DESC, route LIMIT 20",
    ),
    # Each partner's usage (bulk queries, calendar months): a query is counted whatever its
    # line said, `invalid` and `error` ones too (the partner sent them).
    "partners": (
        "Partners' queries per day: from the cache, missed, failed (error) and invalid",
        _every_day(
            "SELECT date, partner, count(*) AS queries, "
            "count(*) FILTER (WHERE cache IN ('hit', 'stale')) AS from_cache, "
            "count(*) FILTER (WHERE cache IN ('miss', 'live')) AS misses, "
            "count(*) FILTER (WHERE cache = 'error') AS errors, "
            "count(*) FILTER (WHERE cache = 'invalid') AS invalid "
            "FROM searches WHERE occurred_at >= $since AND partner IS NOT NULL "
            "GROUP BY date, partner",
            key="partner",
            zeros=("queries", "from_cache", "misses", "errors", "invalid"),
        ),
    ),
    # A booking is an order that was paid and ticketed (`order.confirmed`), refunded later or
    # not; a hold that never got paid is not one. Routes as searches name them: the first
    # slice's ORIGIN-DESTINATION (orders from before events carried it have none).
    "bookings": (
        "Top routes by bookings (ticketed orders), and their holds",
        "SELECT route, "
        "count(DISTINCT order_id) FILTER (WHERE type = 'order.confirmed') AS bookings, "
        "count(DISTINCT order_id) FILTER (WHERE type = 'order.held') AS holds "
        "FROM order_events WHERE occurred_at >= $since AND route IS NOT NULL "
        "GROUP BY route ORDER BY bookings DESC, holds DESC, route LIMIT 20",
    ),
    # Searches of every channel (partners' looks too) per booking; no ratio without a booking.
    "look_to_book": (
        "Look-to-book ratio per route: searches per booking",
        "WITH s AS (SELECT route, count(*) AS searches FROM searches WHERE occurred_at >= $since "
        f"  AND {_SEARCHED} GROUP BY route), "
        "b AS (SELECT route, count(DISTINCT order_id) AS bookings FROM order_events "
        "  WHERE occurred_at >= $since AND type = 'order.confirmed' AND route IS NOT NULL "
        "  GROUP BY route) "
        "SELECT coalesce(s.route, b.route) AS route, coalesce(s.searches, 0) AS searches, "
        "coalesce(b.bookings, 0) AS bookings, "
        "CASE WHEN b.bookings > 0 THEN round(coalesce(s.searches, 0) / b.bookings, 2) END "
        "AS look_to_book "
        "FROM s FULL OUTER JOIN b ON s.route = b.route "
        "ORDER BY searches DESC, bookings DESC, route LIMIT 20",
    ),
    "cache": (
        "Cache hit ratio per day, and searches saved from the airlines",
        _every_day(
            "SELECT date, count(*) AS searches, "
            "count(*) FILTER (WHERE cache IN ('hit', 'stale')) AS saved, "
            "round(count(*) FILTER (WHERE cache IN ('hit', 'stale')) / count(*), 4) AS hit_ratio "
            "FROM searches WHERE occurred_at >= $since AND channel IN ('get', 'post') "
            "GROUP BY date",
            zeros=("searches", "saved"),
            others=("hit_ratio",),  # no ratio of no searches: null
        ),
    ),
    "airlines": (
        "Each airline's latency (p50, p95 ms), timeout and error rates in live searches",
        "SELECT connector, count(*) AS calls, "
        # quantile_cont interpolates in floats (82.49999999999999 for 82.5): to a tenth of a ms.
        "round(quantile_cont(latency_ms, 0.5), 1) AS p50_ms, "
        "round(quantile_cont(latency_ms, 0.95), 1) AS p95_ms, "
        "round(count(*) FILTER (WHERE status = 'timeout') / count(*), 4) AS timeout_rate, "
        "round(count(*) FILTER (WHERE status = 'error') / count(*), 4) AS error_rate "
        "FROM connector_calls WHERE occurred_at >= $since GROUP BY connector ORDER BY connector",
    ),
    "breakers": (
        "Circuit breaker openings per day and airline",
        _every_day(
            "SELECT date, connector, count(*) AS openings FROM breakers "
            "WHERE occurred_at >= $since AND state = 'open' GROUP BY date, connector",
            key="connector",
            zeros=("openings",),
        ),
    ),
    "price_accuracy": (
        "Share of re-priced offers whose price held, per airline, stage and source",
        "SELECT connector, stage, source, count(*) AS checks, "
        "count(*) FILTER (WHERE outcome = 'held') AS held, "
        "round(count(*) FILTER (WHERE outcome = 'held') / count(*), 4) AS held_ratio "
        "FROM reprices WHERE occurred_at >= $since GROUP BY connector, stage, source "
        "ORDER BY connector, stage, source",
    ),
    # Revenue: what cards were charged. An order's total where it was first seen paid (its
    # `order.confirmed`; a payment taken when ticketing then failed, or after the order had
    # ended, is seen paid only on the way to its refund), and what was charged later (a
    # change's fare difference, a seat bought on a paid order), as a cancellation's refund
    # gives those back too. Refunded: what each refund gave back (a cancelled non-refundable
    # fare returns its taxes, not the order's total; rows from before that was kept count the
    # total, as they did), and a cheaper change's difference. A seat charge the airline then
    # refused is both.
    "revenue": (
        "Revenue (orders paid, changes and seats charged) and refunds per day and currency",
        _every_day(
            f"WITH paid AS ({_FIRST_PAID}) "
            "SELECT date, currency, count(*) FILTER (WHERE type = 'order.confirmed') AS confirmed, "
            "coalesce(sum(CASE WHEN event_id IN (SELECT event_id FROM paid) THEN total_amount "
            f"WHEN type IN {_CHARGES} THEN charged_amount END), 0) AS revenue, "
            f"count(*) FILTER (WHERE type = 'payment.refunded' OR ({_GIVEN_BACK})) AS refunds, "
            "coalesce(sum(CASE WHEN type = 'payment.refunded' THEN coalesce(refund_amount, "
            f"total_amount) WHEN {_GIVEN_BACK} THEN coalesce(refund_amount, charged_amount) "
            f"END), 0) AS refunded FROM {_ONCE_EACH} GROUP BY date, currency",
            key="currency",
            zeros=("confirmed", "revenue", "refunds", "refunded"),
        ),
    ),
    # Re-price: a traveler looking at an offer (`GET /v1/offers/{id}`, stage `offer`). The
    # re-price `POST /v1/orders` does first (stage `order`) is the booking's own step, counted
    # by `hold`: with it, every booking counted twice before it was held (price_accuracy
    # shows both stages).
    "funnel": (
        "Conversion funnel: search, re-price (offers looked at), hold, paid, ticketed",
        "SELECT 'search' AS step, count(*) AS count FROM searches WHERE occurred_at >= $since "
        f"AND {_SEARCHED} "
        "UNION ALL SELECT 're-price', count(*) FROM reprices WHERE occurred_at >= $since "
        "  AND stage = 'offer' "
        "UNION ALL SELECT 'hold', count(DISTINCT order_id) FROM order_events "
        "  WHERE occurred_at >= $since AND type = 'order.held' "
        # Paid where first seen paid: a later event repeats the snapshot (an agent's reply, a
        # corrected name, a cancellation), and counted by those an order paid last week was
        # paid again today.
        f"UNION ALL SELECT 'paid', count(*) FROM ({_FIRST_PAID}) WHERE occurred_at >= $since "
        "UNION ALL SELECT 'ticketed', count(DISTINCT order_id) FROM order_events "
        "  WHERE occurred_at >= $since AND type = 'order.confirmed'",
    ),
}
NAMES: tuple[str, ...] = tuple(_SQL)
_SINCE = re.compile(r"([1-9][0-9]{0,3})([dh])")


def parse_since(text: str, now: dt.datetime) -> dt.datetime | None:
    """`7d`, `24h` (1 to 9999) → when the window starts (UTC); None when malformed. Days start
    at UTC midnight, that many days before today's: the rows of the per-day reports are whole
    days (today's so far), where `now` - 7 days made the first one a part of its day, which
    read as a quiet day. Hours are exact."""
    found = _SINCE.fullmatch(text)  # `match` and `$` let a trailing newline in
    if found is None:
        return None
    amount, unit = int(found[1]), found[2]
    if unit == "h":
        return now - dt.timedelta(hours=amount)
    today = now.astimezone(dt.UTC).date()
    return dt.datetime.combine(today - dt.timedelta(days=amount), dt.time(), dt.UTC)


def report(store: AnalyticsStore, name: str, since: dt.datetime, until: dt.datetime) -> Report:
    """What happened from `since` on; `until` (now) ends the days the per-day reports list.
    Raises KeyError for an unknown name (`NAMES` are the known ones)."""
    title, sql = _SQL[name]
    naive = since.astimezone(dt.UTC).replace(tzinfo=None)
    values = {
        "since": naive,
        "first": dt.datetime.combine(naive.date(), dt.time()),
        "last": until.astimezone(dt.UTC).replace(tzinfo=None),
    }
    names, rows = store.query(sql, {k: v for k, v in values.items() if f"${k}" in sql})
    return Report(
        name=name,
        title=title,
        since=since,
        columns=tuple(names),
        rows=tuple(tuple(_plain(v) for v in row) for row in rows),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
