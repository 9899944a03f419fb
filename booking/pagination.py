"""Opaque list cursors over (created_at, id): the position after the last order of a page, and
the list's filters (`status`, `in_flight`).

A client only passes cursors back; they are base64url so they survive a query string untouched,
and anything that does not decode to a position is refused naming the parameter (422). A cursor
is a position, not a page of one filter: passed with another filter (or none) it still means
"older than that order", whether or not that order passes the filter.

`status` takes several values the way every query parameter here takes one: once (kernel/query.py
refuses a repeated parameter), so they are comma-separated (`status=held,confirmed`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable

import msgspec

from booking.model import VISIBLE_STATUSES, OrderStatus, is_order_id
from kernel.errors import FieldError, ValidationFailed
from kernel.query import ascii_int, query_params

LIMIT_DEFAULT = 20
LIMIT_MAX = 200
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_PARAMS = frozenset({"limit", "after", "status", "in_flight"})
STATUS_VALUES = ", ".join(VISIBLE_STATUSES)


class Position(msgspec.Struct, frozen=True):
    created_at: dt.datetime
    id: str


class OrderFilter(msgspec.Struct, frozen=True):
    """Which orders a list shows: any of `statuses` (all visible ones by default) and, unless
    None, only those in flight (True) or only those not (False) — booking/rows.py `IN_FLIGHT`."""

    statuses: tuple[OrderStatus, ...] = VISIBLE_STATUSES
    in_flight: bool | None = None


EVERY_ORDER = OrderFilter()


def encode_cursor(position: Position) -> str:
    micros = (position.created_at - _EPOCH) // dt.timedelta(microseconds=1)
    raw = f"{micros}:{position.id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> Position | None:
    """The position a cursor names, or None when it is not one this API returned."""
    if len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros, sep, order_id = raw.partition(":")
        if not sep or not micros.isdigit() or not is_order_id(order_id):
            return None
        return Position(_EPOCH + dt.timedelta(microseconds=int(micros)), order_id)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
        return None


def parse_page(
    params: Iterable[tuple[str, str]],
) -> tuple[int, Position | None, OrderFilter]:
    """`?limit=&after=&status=&in_flight=` → (limit, position, filter); `ValidationFailed` names
    each bad parameter (unknown, repeated, out of range, not ASCII digits, not a cursor of ours,
    not a listed status, not true or false)."""
    query, errors = query_params(params, _PARAMS)
    limit = LIMIT_DEFAULT
    raw_limit = query.get("limit")
    if raw_limit is not None:
        parsed = ascii_int(raw_limit)
        if parsed is not None and 1 <= parsed <= LIMIT_MAX:
            limit = parsed
        else:
            errors.append(FieldError("query.limit", f"must be an integer from 1 to {LIMIT_MAX}"))
    after = None
    raw_after = query.get("after")
    if raw_after is not None:
        after = decode_cursor(raw_after)
        if after is None:
            errors.append(FieldError("query.after", "not a cursor this API returned"))
    found = OrderFilter(_statuses(query.get("status"), errors), _in_flight(query, errors))
    if errors:
        raise ValidationFailed(errors)
    return limit, after, found


def _statuses(raw: str | None, errors: list[FieldError]) -> tuple[OrderStatus, ...]:
    if raw is None:
        return VISIBLE_STATUSES
    wanted = raw.split(",")
    if not all(value in VISIBLE_STATUSES for value in wanted):
        errors.append(
            FieldError("query.status", f"must be one or more of {STATUS_VALUES}, comma-separated")
        )
        return VISIBLE_STATUSES
    return tuple(s for s in VISIBLE_STATUSES if s in wanted)


def _in_flight(query: dict[str, str], errors: list[FieldError]) -> bool | None:
    raw = query.get("in_flight")
    if raw is None:
        return None
    if raw not in ("true", "false"):
        errors.append(FieldError("query.in_flight", "must be true or false"))
        return None
    return raw == "true"
