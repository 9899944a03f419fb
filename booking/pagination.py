"""Opaque list cursors over (created_at, id): the position after the last order of a page.

A client only passes them back; they are base64url so they survive a query string untouched, and
anything that does not decode to a position is refused naming the parameter (422).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable

import msgspec

from booking.model import is_order_id
from kernel.errors import FieldError, ValidationFailed
from kernel.query import ascii_int, query_params

LIMIT_DEFAULT = 20
LIMIT_MAX = 200
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_PARAMS = frozenset({"limit", "after"})


class Position(msgspec.Struct, frozen=True):
    created_at: dt.datetime
    id: str


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


def parse_page(params: Iterable[tuple[str, str]]) -> tuple[int, Position | None]:
    """`?limit=&after=` → (limit, position); `ValidationFailed` names each bad parameter
    (unknown, repeated, out of range, not ASCII digits, not a cursor of ours)."""
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
    if errors:
        raise ValidationFailed(errors)
    return limit, after
