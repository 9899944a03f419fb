"""A list of orders reads an index in the list's order, never a sort of the table: for a traveler
and for the support role (everyone's orders), first page and after a cursor, with the plan
PostgreSQL keeps once it settles on a generic one (booking/order_lists.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from booking.pagination import OrderFilter
from booking.repository import PgOrderRepository
from kernel.cursors import Position
from tests.support.orders import HOLD, new_order

# Enough orders that reading the whole table is dearer than an index for a page, and alice's
# 120 enough for two pages of every filter below.
ORDERS = 6000
VISIBLE = ("held", "confirmed", "cancelled", "expired")

# Copies of one order: ids, references and creation times of their own, statuses in turn, one
# in 50 of them alice's, the others of 49 other travelers.
_COPIES = """
INSERT INTO orders
SELECT (jsonb_populate_record(o, jsonb_build_object(
    'id', 'ord_' || lpad(to_hex(g), 24, '0'),
    'booking_reference', upper(lpad(to_hex(g), 6, '0')),
    'owner', CASE WHEN g % 50 = 0 THEN 'alice' ELSE 'traveler-' || g % 50 END,
    'status', ($2::text[])[1 + g % cardinality($2::text[])],
    'created_at', o.created_at - make_interval(secs => g)
))).*
FROM orders o, generate_series(1, $3) g WHERE o.id = $1
"""


@pytest.fixture
def sent_lists(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """Each list statement asyncpg sends from here on, with its arguments."""
    sent: list[tuple[str, list[Any]]] = []
    Connection = asyncpg.connection.Connection
    extended: Any = Connection._execute  # type: ignore[attr-defined]

    async def noted(self: object, query: str, args: list[Any], *rest: object, **kw: object) -> Any:
        if "ORDER BY o.created_at DESC" in query:
            sent.append((query, list(args)))
        return await extended(self, query, args, *rest, **kw)

    monkeypatch.setattr(Connection, "_execute", noted)
    return sent


async def _generic_plan(pool: asyncpg.Pool, statement: str, args: list[Any]) -> dict[str, Any]:
    """The plan PostgreSQL gives `statement` without looking at its arguments' values. One
    transaction, so it holds through PgBouncer in transaction mode too."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE order_list AS {statement}")
        types = await conn.fetchval(
            "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = 'order_list'"
        )
        literals = [
            await conn.fetchval(f"SELECT quote_nullable($1::{kind}) || '::{kind}'", value)
            for value, kind in zip(args, types, strict=True)
        ]
        explained = await conn.fetchval(
            f"EXPLAIN (FORMAT JSON) EXECUTE order_list({', '.join(literals)})"
        )
        await conn.execute("DEALLOCATE order_list")
    plan: dict[str, Any] = json.loads(explained)[0]["Plan"]
    return plan


def _scans_of_orders(
    plan: dict[str, Any], above: tuple[str, ...] = ()
) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """Each node that reads `orders`, with the types of the nodes above it (the subqueries of a
    row's passengers, seats and decline code read other tables, each sorted its own way)."""
    if plan.get("Relation Name") == "orders":
        yield plan, above
    for child in plan.get("Plans", ()):
        yield from _scans_of_orders(child, (*above, plan["Node Type"]))


@pytest.mark.parametrize(
    ("owner", "index"), [("alice", "orders_owner_newest"), (None, "orders_newest")]
)
@pytest.mark.parametrize("only", [OrderFilter(), OrderFilter(statuses=("held",), in_flight=True)])
async def test_a_page_of_orders_is_read_from_an_index_in_the_lists_order(
    repository: PgOrderRepository,
    booking_pool: asyncpg.Pool,
    sent_lists: list[tuple[str, list[Any]]],
    owner: str | None,
    index: str,
    only: OrderFilter,
) -> None:
    model = await repository.create(new_order("alice"), actor="alice")
    await repository.transition(model.id, HOLD, actor="booking")
    await booking_pool.execute(_COPIES, model.id, [*VISIBLE, "pending", "failed"], ORDERS)
    await booking_pool.execute("ANALYZE orders")

    first = await repository.list_orders(owner=owner, limit=20, only=only)
    after = Position(first[-1].created_at, first[-1].id)
    second = await repository.list_orders(owner=owner, limit=20, after=after, only=only)

    assert len(first) == len(second) == 20
    assert {o.status for o in (*first, *second)} <= set(only.statuses)
    assert owner is None or {o.owner for o in (*first, *second)} == {owner}
    assert len(sent_lists) == 2
    for statement, args in sent_lists:
        [(scan, above)] = _scans_of_orders(await _generic_plan(booking_pool, statement, args))
        assert (scan["Node Type"], scan.get("Index Name")) == ("Index Scan", index), statement
        assert not {"Sort", "Incremental Sort"} & set(above), (above, statement)
