"""/readyz while traffic holds every connection of the process's PostgreSQL (booking) or Redis
(search) pool: the store answers, so the process is ready. The check used to wait in the pool's
line behind the traffic, time out and report the store down, so a loaded but healthy process
looked unready exactly when it was busiest (skyfare/database_check.py, search_contexts.py)."""

from __future__ import annotations

from contextlib import AsyncExitStack

import msgspec
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.keys import PG_POOL, REDIS
from skyfare.services import BOOKING, SEARCH
from skyfare.settings import Settings
from tests.e2e.conftest import closed_port

POOL_SIZE = 2
PROBLEM = "application/problem+json"


async def test_readyz_is_ready_while_traffic_holds_every_pool_connection(
    settings: Settings,
) -> None:
    small = msgspec.structs.replace(settings, db_pool_max=POOL_SIZE)
    async with (
        TestClient(TestServer(create_app(small, BOOKING))) as client,
        AsyncExitStack() as held,
    ):
        pool = client.app[PG_POOL]
        for _ in range(POOL_SIZE):  # what requests in flight would hold
            await held.enter_async_context(pool.acquire())
        assert pool.get_idle_size() == 0
        assert pool.get_size() == pool.get_max_size()
        answers = [await client.get("/readyz") for _ in range(3)]  # its connection, reused
        bodies = [await answer.json() for answer in answers]
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert bodies == [{"status": "ready", "checks": {"database": "ok"}}] * 3


async def test_readyz_says_the_database_is_down_on_its_own_connection_too(
    settings: Settings,
) -> None:
    down = msgspec.structs.replace(
        settings, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres"
    )
    async with TestClient(TestServer(create_app(down, BOOKING))) as client:
        answer = await client.get("/readyz")
        doc = await answer.json(content_type=PROBLEM)
    assert answer.status == 503
    assert doc["checks"] == {"database": "down"}


async def test_search_is_ready_while_traffic_holds_every_redis_connection(
    settings: Settings,
) -> None:
    small = msgspec.structs.replace(settings, redis_pool_max=POOL_SIZE)
    async with TestClient(TestServer(create_app(small, SEARCH))) as client:
        pool = client.app[REDIS].connection_pool
        held = [await pool.get_connection() for _ in range(POOL_SIZE)]  # commands in flight
        try:
            answers = [await client.get("/readyz") for _ in range(3)]
            bodies = [await answer.json() for answer in answers]
        finally:
            for connection in held:
                await pool.release(connection)
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert bodies == [{"status": "ready", "checks": {"cache": "ok"}}] * 3
