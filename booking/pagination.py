"""The orders list's page (kernel/cursors.py: `?limit=&after=`, the position after the last
order of a page) and its filters (`status`, `in_flight`).

A cursor is a position, not a page of one filter: passed with another filter (or none) it still
means "older than that order", whether or not that order passes the filter.

`status` takes several values the way every query parameter here takes one: once (kernel/query.py
refuses a repeated parameter), so they are comma-separated (`status=held,confirmed`).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from booking.model import VISIBLE_STATUSES, OrderStatus, is_order_id
from kernel.cursors import PAGE_PARAMETERS, Position, page_parameters
from kernel.errors import FieldError, ValidationFailed
from kernel.query import query_params

LIMIT_DEFAULT = 20
LIMIT_MAX = 200
_PARAMS = PAGE_PARAMETERS | {"status", "in_flight"}
STATUS_VALUES = ", ".join(VISIBLE_STATUSES)


class OrderFilter(msgspec.Struct, frozen=True):
    """Which orders a list shows: any of `statuses` (all visible ones by default) and, unless
    None, only those in flight (True) or only those not (False) — booking/rows.py `IN_FLIGHT`."""

    statuses: tuple[OrderStatus, ...] = VISIBLE_STATUSES
    in_flight: bool | None = None


EVERY_ORDER = OrderFilter()


def parse_page(
    params: Iterable[tuple[str, str]],
) -> tuple[int, Position | None, OrderFilter]:
    """`?limit=&after=&status=&in_flight=` → (limit, position, filter); `ValidationFailed` names
    each bad parameter (unknown, repeated, out of range, not ASCII digits, not a cursor of ours,
    not a listed status, not true or false)."""
    query, errors = query_params(params, _PARAMS)
    limit, after = page_parameters(
        query, errors, is_id=is_order_id, default=LIMIT_DEFAULT, maximum=LIMIT_MAX
    )
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
