"""`skyfare relay`: the outbox relay as a deployment of its own publishes committed outbox rows
to the event stream, and exits 0 on SIGTERM."""

from __future__ import annotations

import os
import uuid

import aiohttp
import asyncpg
import pytest
import redis.asyncio as redis

from tests.e2e.conftest import closed_port
from tests.support.database import migrated_pool
from tests.support.notify import eventually, insert_outbox, order_event
from tests.support.services import ServiceProcess

pytestmark = pytest.mark.slow


async def test_relay_command_publishes_the_outbox_and_exits_0_on_sigterm(
    database_url: str, redis_url: str
) -> None:
    stream = f"test:{uuid.uuid4().hex}:events"
    events = [order_event(reference=f"RLY00{i}") for i in range(3)]
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        async with migrated_pool(database_url, prefix="relay") as pool:
            schema = await pool.fetchval("SELECT current_schema()")
            env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_")}
            env.update(
                # asyncpg passes unknown DSN parameters on as server settings.
                DATABASE_URL=f"{database_url}{'&' if '?' in database_url else '?'}"
                f"search_path={schema}",
                REDIS_URL=redis_url,
                SKYFARE_EVENT_STREAM=stream,
                SKYFARE_LOG_LEVEL="WARNING",
            )
            metrics_port = closed_port()
            env["SKYFARE_RELAY_METRICS_PORT"] = str(metrics_port)
            relay = await ServiceProcess.start("relay", closed_port(), env)
            try:
                await insert_outbox(pool, *events)
                # Marked published: the stream has them and the batch's transaction committed.
                await eventually(lambda: _all_published(pool), timeout_s=30)
                # Served by the relay itself (counted once the batch's connection is released).
                await eventually(lambda: _counted(metrics_port, len(events)), timeout_s=30)
                code = await relay.stop()
            finally:
                await relay.close()
        ids = [fields[b"id"].decode() for _, fields in await client.xrange(stream)]
    finally:
        await client.delete(stream)
        await client.aclose()
    assert ids == [e.id for e in events]
    assert code == 0


async def _all_published(pool: asyncpg.Pool) -> bool:
    return not await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")


async def _counted(port: int, events: int) -> bool:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        text = await response.text()
    return f"skyfare_events_published_total {events:.1f}" in text and "outbox_lag" in text
