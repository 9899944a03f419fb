"""PostgreSQL stopped under load (a fast shutdown: every session is ended, as a restart or a
failover does) and started again, with no process of ours restarted: order routes answer 503
with `Retry-After` and never 500, searches go on, no order is half-written, and the pool
reconnects by itself (DESIGN.md "Reliability rules").

The test owns its PostgreSQL (an embedded server in a temporary directory); the machine's
PostgreSQL is never touched.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import msgspec
import pytest

from skyfare.embedded import EmbeddedPostgres
from skyfare.settings import Settings
from tests.support.booking import booking_app
from tests.support.faults import Load, driving, report

pytestmark = pytest.mark.slow

ORDER_ROUTES = ("order", "orders")
# Every order row comes with its history and its outbox event, or not at all.
_HALF_WRITTEN = """
SELECT o.id FROM orders o
WHERE NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = o.id)
   OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_id = o.id)
   OR NOT EXISTS (SELECT 1 FROM order_passengers p WHERE p.order_id = o.id)"""


async def _restart(load: Load, server: EmbeddedPostgres, url: str) -> tuple[float, float, float]:
    """Stop PostgreSQL once orders go through; start it again once the outage has seen orders
    and searches. When it was down, when its start began, and when it accepted connections."""
    await load.until(lambda t: t.count("order", 201) >= 2)
    await asyncio.to_thread(server.stop)
    down_at = time.monotonic()
    await load.until(
        lambda t: t.count("order", since=down_at) >= 8 and t.count("search", since=down_at) >= 20
    )
    starting_at = time.monotonic()
    assert await asyncio.to_thread(server.start) == url  # the same address: the app's URL
    return down_at, starting_at, time.monotonic()


async def test_postgres_restarted_mid_load_answers_503_and_recovers_without_a_restart(
    settings: Settings, tmp_path: Path
) -> None:
    server = EmbeddedPostgres(tmp_path / "postgres")
    url = await asyncio.to_thread(server.start)
    # A database that is down refuses at once; 2 s bounds a wait on one that hangs.
    configured = msgspec.structs.replace(settings, database_url=url, db_timeout_s=2.0)
    try:
        async with booking_app(configured) as env:
            async with driving(env.client, env.sim) as load:
                down_at, starting_at, back_at = await _restart(load, server, url)
                await load.until(lambda t: t.count("order", 201, since=back_at) >= 2)
            tally = load.tally
            created = sorted(tally.created())
            async with asyncpg.create_pool(url, min_size=0, max_size=1) as db:
                found = await db.fetchval("SELECT count(*) FROM orders WHERE id = ANY($1)", created)
                half_written = await db.fetch(_HALF_WRITTEN)
    finally:
        await asyncio.to_thread(server.stop)

    outage = [a for kind in ORDER_ROUTES for a in tally.of(kind, since=down_at, until=starting_at)]
    assert outage, "no order request during the outage"
    assert {a.status for a in outage} == {503}
    assert all(a.retry_after and int(a.retry_after) >= 1 for a in outage)
    assert {a.status for a in tally.answers if a.kind not in ORDER_ROUTES} == {200}
    assert set(tally.figures()["errors"]) <= {"503"}, tally.figures()
    assert tally.figures()["no_answer"] == 0
    assert found == len(created)  # every 201 is an order
    assert half_written == []
    recovered = min(
        a.at for a in tally.answers if a.kind == "order" and a.status == 201 and a.at >= back_at
    )
    report(
        "postgres",
        tally,
        orders_created=len(created),
        orders_lost=len(created) - found,
        orders_half_written=len(half_written),
        outage_s=back_at - down_at,
        recover_s=recovered - back_at,
    )
