"""The statements behind a list of orders (`GET /v1/orders`): one for each shape of the list.

A list is a traveler's own orders or, for the support role, everyone's, and a first page or one
after a cursor. One statement for all four (`$1 IS NULL OR o.owner = $1`, `$3 IS NULL OR …`)
gets one generic plan for all four once PostgreSQL settles on one, and that plan can use neither
the owner's index nor a range on the cursor. Everyone's list had no index at all: it sorted the
whole table for every page (97 ms at 300,000 orders, and growing with them).

So each shape has its own statement, each on an index that hands its rows over already in the
list's order (newest first, by `(created_at, id)`):
- a traveler's: `orders_owner_newest`;
- everyone's: `orders_newest` (0152), partial on the statuses a list can show. Its predicate is
  written out in the statement too, since a parameter (`$1`) cannot imply it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from booking.model import VISIBLE_STATUSES
from booking.pagination import OrderFilter
from booking.rows import IN_FLIGHT, SELECT_ORDER
from kernel.cursors import Position

# `orders_newest`'s predicate (booking/sql/0152_orders_newest.sql), word for word.
_VISIBLE = "o.status IN ({})".format(", ".join(f"'{status}'" for status in VISIBLE_STATUSES))

ListArgument = str | int | bool | list[str] | dt.datetime | None


@cache
def _statement(*, by_owner: bool, after: bool) -> str:
    where = [_VISIBLE, "o.status = ANY($1::text[])", f"($2::boolean IS NULL OR {IN_FLIGHT} = $2)"]
    if by_owner:
        where.append("o.owner = $4")
    if after:
        first = 5 if by_owner else 4
        where.append(f"(o.created_at, o.id) < (${first}::timestamptz, ${first + 1}::text)")
    return (
        f"{SELECT_ORDER} WHERE {' AND '.join(where)} ORDER BY o.created_at DESC, o.id DESC LIMIT $3"
    )


def list_statement(
    *, owner: str | None, limit: int, after: Position | None, only: OrderFilter
) -> tuple[str, list[ListArgument]]:
    """The statement for this list and its arguments: `owner` None lists everyone's orders."""
    arguments: list[ListArgument] = [list(only.statuses), only.in_flight, limit]
    if owner is not None:
        arguments.append(owner)
    if after is not None:
        arguments += [after.created_at, after.id]
    return _statement(by_owner=owner is not None, after=after is not None), arguments
