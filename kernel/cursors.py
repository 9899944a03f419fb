"""Cursor pagination, as every list of the API pages (Duffel's): `?limit=&after=<cursor>`, newest
first, answered with `meta: {"limit", "after"}`; pass `meta.after` back as `?after=` for the next,
older page (null on the last).

A cursor is an opaque position over (created_at, id): the item after which the next page starts.
It is base64url, so it survives a query string untouched; anything that does not decode to a
position with an id of the list's kind (`is_id`) is refused naming the parameter (422).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import msgspec

from kernel.errors import FieldError, ValidationFailed
from kernel.query import ascii_int, query_params

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PAGE_PARAMETERS = frozenset({"limit", "after"})
_Item = TypeVar("_Item")


class Position(msgspec.Struct, frozen=True):
    created_at: dt.datetime
    id: str


class ListMeta(msgspec.Struct, frozen=True):
    """Duffel's pagination: pass `after` back as `?after=` for the next (older) page; null on
    the last page."""

    limit: int
    after: str | None


def encode_cursor(position: Position) -> str:
    micros = (position.created_at - _EPOCH) // dt.timedelta(microseconds=1)
    raw = f"{micros}:{position.id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, is_id: Callable[[str], bool]) -> Position | None:
    """The position a cursor names, or None when it is not one this list returned."""
    if len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros, sep, item_id = raw.partition(":")
        if not sep or not micros.isdigit() or not is_id(item_id):
            return None
        return Position(_EPOCH + dt.timedelta(microseconds=int(micros)), item_id)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
        return None


def page_parameters(
    query: dict[str, str],
    errors: list[FieldError],
    *,
    is_id: Callable[[str], bool],
    default: int,
    maximum: int,
) -> tuple[int, Position | None]:
    """`limit` (1 to `maximum`, `default` when absent) and `after` of a list's parameters (read
    once each: kernel/query.py); an error appended to `errors` for each that is bad."""
    limit = default
    raw_limit = query.get("limit")
    if raw_limit is not None:
        parsed = ascii_int(raw_limit)
        if parsed is not None and 1 <= parsed <= maximum:
            limit = parsed
        else:
            errors.append(FieldError("query.limit", f"must be an integer from 1 to {maximum}"))
    after = None
    raw_after = query.get("after")
    if raw_after is not None:
        after = decode_cursor(raw_after, is_id)
        if after is None:
            errors.append(FieldError("query.after", "not a cursor this API returned"))
    return limit, after


def parse_list_page(
    params: Iterable[tuple[str, str]],
    *,
    is_id: Callable[[str], bool],
    default: int,
    maximum: int,
) -> tuple[int, Position | None]:
    """`?limit=&after=` of a list that takes nothing else; `ValidationFailed` names each bad,
    unknown or repeated parameter."""
    query, errors = query_params(params, PAGE_PARAMETERS)
    page = page_parameters(query, errors, is_id=is_id, default=default, maximum=maximum)
    if errors:
        raise ValidationFailed(errors)
    return page


def one_page(
    items: Sequence[_Item], limit: int, position: Callable[[_Item], Position]
) -> tuple[list[_Item], Position | None]:
    """A page of `limit` items from `limit + 1` fetched, and where the next page starts (None:
    this is the last)."""
    if len(items) <= limit:
        return list(items), None
    return list(items[:limit]), position(items[limit - 1])
