"""Redis SIGKILLed under load and started again, with no process of ours restarted: searches
answer all along (uncached while it is down), the fare cache comes back by itself, and every
order event committed meanwhile reaches the event stream once (DESIGN.md "Reliability rules").

The test owns its Redis (an embedded redis-server with the append-only file on, as a Redis that
holds an event stream runs); the machine's Redis is never touched.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import msgspec
import pytest
import redis.asyncio as redis

from skyfare.embedded import EmbeddedRedis
from skyfare.settings import Settings
from tests.support.airline_orders import until
from tests.support.booking import booking_app
from tests.support.faults import Load, Tally, driving, report

pytestmark = pytest.mark.slow


async def _kill_and_restart(load: Load, server: EmbeddedRedis) -> tuple[float, float, float]:
    """Kill Redis once the cache serves hits and orders go through; start it again once the
    outage has seen searches and orders. When it was dead, when its start began, and when it
    answered again."""
    await load.until(lambda t: t.count("order", 201) >= 2 and _hits(t, 0.0) > 0)
    await asyncio.to_thread(server.kill)
    dead_at = time.monotonic()
    await load.until(
        lambda t: (
            t.count("order", 201, since=dead_at) >= 5 and t.count("search", since=dead_at) >= 40
        )
    )
    await asyncio.to_thread(server.stop)  # reaps the killed process
    starting_at = time.monotonic()
    await asyncio.to_thread(server.start)
    return dead_at, starting_at, time.monotonic()


def _hits(tally: Tally, since: float) -> int:
    return sum(1 for a in tally.of("search", since=since) if a.cache == "HIT")


async def _stream_ids(url: str, stream: str) -> Counter[str]:
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        entries = await client.xrange(stream)
    finally:
        await client.aclose()
    return Counter(fields[b"id"].decode() for _, fields in entries)


async def _orders_and_events(settings: Settings, created: list[str]) -> tuple[int, set[str]]:
    """How many of the `created` orders exist, and the ids of their events."""
    assert settings.database_url is not None
    async with asyncpg.create_pool(settings.database_url, min_size=0, max_size=1) as db:
        found = await db.fetchval("SELECT count(*) FROM orders WHERE id = ANY($1)", created)
        rows = await db.fetch(
            "SELECT event_id::text AS id FROM outbox WHERE order_id = ANY($1)", created
        )
    return found, {row["id"] for row in rows}


async def test_redis_killed_mid_load_costs_no_search_and_no_order_event(
    settings: Settings, tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always")
    url = await asyncio.to_thread(server.start)
    stream = f"test-faults:{uuid.uuid4().hex}"
    # No L1: every cached search goes to Redis, which is what this test is about.
    configured = msgspec.structs.replace(
        settings, redis_url=url, cache_l1_entries=0, event_stream=stream
    )
    try:
        async with booking_app(configured) as env:
            async with driving(env.client, env.sim) as load:
                dead_at, starting_at, back_at = await _kill_and_restart(load, server)
                await load.until(lambda t: _hits(t, back_at) > 0)  # the cache is back by itself
                await load.until(lambda t: t.count("order", 201, since=back_at) >= 1)
            tally = load.tally
            found, events = await _orders_and_events(configured, sorted(tally.created()))

            async def all_published() -> Counter[str] | None:
                published = await _stream_ids(url, stream)
                return published if events <= set(published) else None

            # The app's own relay, still running, publishes what the outage held back.
            published = await until(all_published, timeout_s=15)
    finally:
        await asyncio.to_thread(server.stop)

    outage = tally.of("search", since=dead_at, until=starting_at)
    assert outage, "no search during the outage"
    # answered, uncached, and flagged as such
    assert {(a.status, a.cache, a.cache_unavailable) for a in outage} == {(200, "MISS", True)}
    assert tally.figures()["errors"] == {}, tally.figures()
    during = {a.order_id for a in tally.of("order", since=dead_at, until=starting_at)} - {None}
    assert during, "no order during the outage"
    created = tally.created()
    assert found == len(created)  # every 201 is an order
    duplicated = {e: n for e, n in published.items() if e in events and n > 1}
    assert duplicated == {}
    recovered = min(a.at for a in tally.answers if a.cache == "HIT" and a.at >= back_at)
    assert not any(a.cache_unavailable for a in tally.of("search", since=recovered))
    report(
        "redis",
        tally,
        orders_created=len(created),
        orders_lost=len(created) - found,
        events=len(events),
        events_lost=len(events - set(published)),
        events_duplicated=len(duplicated),
        outage_s=back_at - dead_at,
        recover_s=recovered - back_at,
    )
